"""Fetching an issuer's published file (its revocation list) for a verifier: bounded.

The URL comes from a credential signed by a key the verifier trusts, or from the verifier,
but the server behind it is still a stranger to this process: the fetch goes through the
onboarding's bounded client (sqaaas.net.http), as one request with a wall-clock budget
that a server trickling bytes cannot stretch, a size cap, no redirects (a list is fetched
where the credential says it is), https only (http only on localhost, as issuer URLs are),
and no credentials, proxies or ~/.netrc from the environment.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqaaas import __version__
from sqaaas.badges.errors import RevocationListError
from sqaaas.net.http import BoundedClient, RequestRefused
from sqaaas.net.urlhost import AmbiguousURL, url_host

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_USER_AGENT = f"sqaaas-badge-verify/{__version__}"


def fetch_bytes(
    url: str, *, max_bytes: int, timeout: float, ca_file: str | None = None,
    what: str = "revocation list",
) -> bytes:
    """The body of a 200 answer to GET ``url``; RevocationListError saying why not."""
    parts = urlsplit(url)
    try:
        host = url_host(url)
    except AmbiguousURL as exc:
        raise RevocationListError(f"{url}: {exc}") from None
    if parts.scheme != "https" and not (parts.scheme == "http" and host in _LOCAL_HOSTS):
        raise RevocationListError(f"{url}: fetch the {what} over https (http only for localhost)")
    client = BoundedClient(
        allowed_hosts={host},
        allow_private=True,  # the verifier's own choice, or what a trusted issuer signed
        ca_file=ca_file,
        budget=1,
        deadline_s=timeout,
        timeout_s=timeout,
        response_budget_s=timeout,
        max_body=max_bytes + 1,
        user_agent=_USER_AGENT,
    )
    try:
        got = client.get(url, follow_redirects=False)
    except RequestRefused as exc:
        raise RevocationListError(f"cannot fetch {what} {url}: {exc}") from None
    if got.error is not None:
        raise RevocationListError(f"cannot fetch {what} {url}: {got.error}")
    if got.status != 200:
        moved = " (redirects are not followed)" if got.status and 300 <= got.status < 400 else ""
        raise RevocationListError(f"cannot fetch {what} {url}: HTTP {got.status}{moved}")
    if len(got.body) > max_bytes:
        raise RevocationListError(f"{url}: the {what} is larger than {max_bytes} bytes")
    return got.body
