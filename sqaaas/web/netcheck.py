"""Which repository URLs the service agrees to clone: public http(s)/git hosts only.

A service that clones what strangers name must not become a way into the operator's network,
so hosts that resolve to loopback, private, link-local or otherwise non-global addresses are
refused unless the operator allows them (``sqaaas serve --allow-private``; tests do). The
same host rule applies to the services it onboards.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqaaas.acquire import check_url
from sqaaas.errors import SqaaasError
from sqaaas.netaddr import UnresolvableHost, non_global_address

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
    except SqaaasError as exc:
        raise RefusedURL(str(exc), field) from None
    check_public_host(parts.hostname or "", allow_private=allow_private, field=field)
    return url
