"""Reaching a service's operational endpoints (health, metrics): which URLs, and how.

The profile's declared endpoint alone, else a few well-known paths (criteria/onboarding.yml).
Every request goes through the context's BoundedClient and is retried with the user's
credentials on 401/403; a request the onboarding rules refuse comes back as its reason.
"""

from __future__ import annotations

from sqaaas.core.outcomes import Finding
from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.profile import declared_urls
from sqaaas.net.http import Fetched, RequestRefused


def fetch(ctx: ServiceContext, url: str) -> Fetched | str:
    """GET ``url``; retried with the user's credentials (if any were given) on 401/403.

    A refusal by the onboarding rules comes back as its reason.
    """
    try:
        got = ctx.http.get(url)
        if got.status in (401, 403) and ctx.http.auth_header:
            got = ctx.http.get(url, with_auth=True)
    except RequestRefused as exc:
        return str(exc)
    return got


def answer(got: Fetched | str) -> str:
    """What a tried URL gave, for the evidence: the error, the status or the refusal."""
    if isinstance(got, str):
        return f"not contacted: {got}"
    return got.error or f"HTTP {got.status}"


def refusal_error(url: str, reason: str) -> Finding:
    """The onboarding rules forbade the request: nothing can be concluded (``error``)."""
    return Finding.error(f"{url}: not contacted: {reason}", value=url)


def candidates(ctx: ServiceContext, field: str, paths: tuple[str, ...]) -> tuple[list[str], bool]:
    """The declared endpoint (profile ``field``) alone, else the well-known paths."""
    declared = declared_urls(ctx.profile or {}, ctx.target).get(field)
    if declared:
        return [declared], True
    return [ctx.url(p) for p in paths], False
