"""Which repository URLs the service agrees to clone: public http(s)/git hosts only.

A service that clones what strangers name must not become a way into the operator's network,
so hosts that resolve to anything but public unicast addresses (loopback, private,
link-local, multicast, reserved, or an IPv6 address embedding one of those: sqaaas.net.addresses)
are refused unless the operator allows them (``sqaaas serve --allow-private``; tests do).
A URL whose host git and Python could read differently is refused outright
(sqaaas.net.urlhost). The same host rule applies to the services it onboards. The check is made
at submission and again in the job; there the clone is pinned to the addresses just checked
(``git_pins``), so a second DNS answer cannot lead git elsewhere.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from sqaaas.acquire import check_url
from sqaaas.errors import SqaaasError
from sqaaas.net.addresses import UnresolvableHost, describe, is_public, non_global_address, resolve
from sqaaas.net.urlhost import AmbiguousURL, url_host

WEB_SCHEMES = ("https", "http", "git")


class InvalidField(SqaaasError):
    """A request field the service refuses (HTTP 422 / an inline form error).

    ``field`` names the request field at fault, so a form can show the message next to it.
    """

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class RefusedURL(InvalidField):
    """A URL the service will not clone or contact (the field defaults to the repository
    URL of an assessment: url, branch or subfolder)."""

    def __init__(self, message: str, field: str = "url") -> None:
        super().__init__(message, field)


def check_public_host(host: str, *, allow_private: bool, field: str = "url") -> None:
    """RefusedURL unless ``host`` resolves to global addresses only (or private is allowed)."""
    if allow_private:
        return
    try:
        address = non_global_address(host)
    except UnresolvableHost as exc:
        raise RefusedURL(str(exc), field) from None
    if address:
        raise RefusedURL(
            f"'{host}' resolves to {address}, a non-public address: refused "
            "(the operator can allow it with --allow-private)",
            field,
        )


def check_repository_url(url: str, *, allow_private: bool, field: str = "url") -> str:
    """The URL, stripped, if the service may clone it; RefusedURL (at ``field``) saying why
    otherwise."""
    url = url.strip()
    if not url:
        raise RefusedURL("give the repository URL", field)
    if len(url) > 2000:
        raise RefusedURL("the repository URL is too long", field)
    parts = urlsplit(url)
    if parts.scheme.lower() not in WEB_SCHEMES:
        raise RefusedURL(
            f"only {', '.join(s + '://' for s in WEB_SCHEMES)} repository URLs are accepted",
            field,
        )
    if parts.username or parts.password:
        raise RefusedURL("credentials in the URL are not accepted: use a public repository", field)
    try:
        check_url(url)
        host = url_host(url)
    except AmbiguousURL as exc:
        raise RefusedURL(f"refused URL: {exc}", field) from None
    except SqaaasError as exc:
        raise RefusedURL(str(exc), field) from None
    check_public_host(host, allow_private=allow_private, field=field)
    return url


def git_pins(url: str) -> list[str]:
    """``http.curloptResolve`` entries that make git's http(s) transport connect only to the
    addresses the host resolves to now, each checked public (RefusedURL otherwise).

    Empty for git:// URLs, whose transport does not take them (the check before the clone
    is all there is).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return []
    host = url_host(url)
    port = parts.port or (443 if scheme == "https" else 80)
    try:
        answers = [address for address, _ in resolve(host, port)]
    except UnresolvableHost as exc:
        raise RefusedURL(str(exc)) from None
    refused = [address for address in answers if not is_public(address)]
    if refused:
        raise RefusedURL(
            f"'{host}' resolves to {describe(refused[0])}, a non-public address: refused"
        )
    if _is_address(host):  # git resolves nothing: the address checked is the one used
        return []
    listed = ",".join(f"[{a}]" if a.version == 6 else str(a) for a in dict.fromkeys(answers))
    names = dict.fromkeys([host, host.rstrip(".")])  # curl may look either spelling up
    return [f"{name}:{port}:{listed}" for name in names]


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
