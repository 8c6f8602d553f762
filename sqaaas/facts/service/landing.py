"""The service's landing page, fetched once: HTTPS, HSTS and security-header probes all read
the same response instead of each asking the service again."""

from __future__ import annotations

from sqaaas.facts.service.context import ServiceContext
from sqaaas.net.http import Fetched, RequestRefused


def landing(ctx: ServiceContext) -> Fetched:
    """GET of the target URL, redirects followed on the allowed hosts; refusals become .error."""
    try:
        return ctx.http.get(ctx.target)
    except RequestRefused as exc:
        return Fetched(ctx.target, "GET", None, {}, b"", 0.0, f"not requested: {exc}")


def where(fetched: Fetched) -> str:
    """``URL`` as evidence shows it: the final URL, with the redirect chain when there was one."""
    if not fetched.redirects:
        return fetched.url
    return " -> ".join([*fetched.redirects, fetched.url])
