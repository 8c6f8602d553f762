"""Which repository URLs the service agrees to clone: public http(s)/git hosts only.

A service that clones what strangers name must not become a way into the operator's network,
so hosts that resolve to loopback, private, link-local or otherwise non-global addresses are
refused unless the operator allows them (``sqaaas serve --allow-private``; tests do).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqaaas.acquire import check_url
from sqaaas.errors import SqaaasError
from sqaaas.netaddr import UnresolvableHost, non_global_address

WEB_SCHEMES = ("https", "http", "git")


class RefusedURL(SqaaasError):
    """A repository URL the service will not clone (HTTP 422 / an inline form error).

    ``field`` names the request field at fault (url, branch or subfolder), so a form can
    show the message next to it.
    """

    def __init__(self, message: str, field: str = "url") -> None:
        super().__init__(message)
        self.field = field


def check_repository_url(url: str, *, allow_private: bool) -> str:
    """The URL, stripped, if the service may clone it; RefusedURL saying why otherwise."""
    url = url.strip()
    if not url:
        raise RefusedURL("give the repository URL")
    if len(url) > 2000:
        raise RefusedURL("the repository URL is too long")
    parts = urlsplit(url)
    if parts.scheme.lower() not in WEB_SCHEMES:
        raise RefusedURL(
            f"only {', '.join(s + '://' for s in WEB_SCHEMES)} repository URLs are accepted"
        )
    if parts.username or parts.password:
        raise RefusedURL("credentials in the URL are not accepted: use a public repository")
    try:
        check_url(url)
    except SqaaasError as exc:
        raise RefusedURL(str(exc)) from None
    host = parts.hostname or ""
    if not allow_private:
        try:
            address = non_global_address(host)
        except UnresolvableHost as exc:
            raise RefusedURL(str(exc)) from None
        if address:
            raise RefusedURL(
                f"'{host}' resolves to {address}, a non-public address: refused "
                "(the operator can allow it with --allow-private)"
            )
    return url
