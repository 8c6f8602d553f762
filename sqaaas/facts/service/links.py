"""Does a URL the resource profile declares resolve? One bounded GET per URL per run.

Several probes ask about the same URLs (the documentation, the policies), so the answers
are memoised on the context. A link resolves when it answers 2xx, after redirects on the
hosts named for the onboarding; a redirect to any other host is not followed (it would
contact a host the user did not name), so the user is asked for the final URL.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.facts.service import profile as profiles
from sqaaas.facts.service.context import ServiceContext
from sqaaas.net.http import Fetched, RequestRefused

NO_PROFILE_HINT = (
    "Give the service's resource profile with --profile FILE (YAML or JSON, see "
    "docs/onboarding.md) declaring {field}: {what}."
)


@dataclass(frozen=True)
class LinkCheck:
    """The answer for one URL: what came back, or why no request was made."""

    url: str
    fetched: Fetched | None
    refused: str | None = None

    @property
    def resolves(self) -> bool:
        return self.fetched is not None and self.fetched.ok

    def describe(self) -> str:
        if self.refused:
            return f"not contacted: {self.refused}"
        assert self.fetched is not None
        if self.fetched.error:
            return self.fetched.error
        via = f" after {len(self.fetched.redirects)} redirect(s)" if self.fetched.redirects else ""
        return f"HTTP {self.fetched.status}{via}"


@dataclass
class _Links:
    checks: dict[str, LinkCheck] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: dict[str, threading.Lock] = field(default_factory=dict)


def _links(ctx: ServiceContext) -> _Links:
    return _Links()


def check_link(ctx: ServiceContext, url: str) -> LinkCheck:
    """GET ``url`` once per run (other callers wait for the first answer)."""
    links = ctx.fact(_links)
    with links.lock:
        if url in links.checks:
            return links.checks[url]
        lock = links.pending.setdefault(url, threading.Lock())
    with lock:
        if url not in links.checks:
            try:
                result = LinkCheck(url, ctx.http.get(url))
            except RequestRefused as exc:
                result = LinkCheck(url, None, str(exc))
            with links.lock:
                links.checks[url] = result
        return links.checks[url]


def declared(ctx: ServiceContext, name: str) -> Any:
    """The profile's value for field ``name`` (None without a profile or a value)."""
    return (ctx.profile or {}).get(name) or None


def missing_field(ctx: ServiceContext, name: str, needed_for: str) -> Finding:
    """The failure for a field the profile lacks, naming the field and how to add it."""
    what = profiles.describe(name)
    if ctx.profile is None:
        return Finding.failed(
            f"no resource profile given, so no {name} is declared ({needed_for})",
            hint=NO_PROFILE_HINT.format(field=name, what=what),
            value=name,
        )
    source = f" ({ctx.profile_source})" if ctx.profile_source else ""
    return Finding.failed(
        f"the resource profile has no {name} field ({needed_for})",
        hint=f"Add {name} to the resource profile{source}: {what}.",
        path=ctx.profile_source,
        value=name,
    )


def exhausted(refusal: str) -> bool:
    """Whether a refusal came from the run's request budget or time cap (the check could not
    be made: an error, never a pass or a fail) rather than from the host rules."""
    return refusal.startswith(("request budget", "time cap"))


def link_evidence(name: str, check: LinkCheck) -> Evidence:
    state = "resolves" if check.resolves else "does not resolve"
    return Evidence(
        message=f"{name} {check.url} {state}: {check.describe()}",
        value=check.url,
    )


def link_or_text(ctx: ServiceContext, name: str, needed_for: str) -> Finding | str:
    """For fields holding a URL or something else (an SPDX id, an e-mail address): the
    finding when the field is missing or a URL, else its text for the caller to judge."""
    raw = declared(ctx, name)
    if raw is None:
        return missing_field(ctx, name, needed_for)
    value = str(raw).strip()
    return link_finding(ctx, name, needed_for) if profiles.is_url(value) else value


def link_finding(ctx: ServiceContext, name: str, needed_for: str) -> Finding:
    """Pass when profile field ``name`` holds a URL that resolves; the field is named either way."""
    value = declared(ctx, name)
    if value is None:
        return missing_field(ctx, name, needed_for)
    check = check_link(ctx, value)
    evidence = [link_evidence(name, check)]
    if check.resolves:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    if check.refused and exhausted(check.refused):
        return Finding(outcome=Outcome.ERROR, evidence=evidence)
    return Finding(outcome=Outcome.FAIL, evidence=evidence, hint=_fix_hint(name, check))


def _fix_hint(name: str, check: LinkCheck) -> str:
    if check.refused:
        return (
            f"Declare as {name} the final URL (on one of the service's own hosts, or a host "
            "named in the profile), not one that redirects elsewhere."
        )
    return f"Make {check.url} answer 200, or declare the right URL as {name} in the profile."
