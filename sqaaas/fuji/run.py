"""Evaluate an object (a dataset's PID, a repository's public URL) on F-UJI and map the answer.

Failures after the settings were accepted never raise: they become an ``error`` section, so
``sqaaas assess`` still reports everything else and a server problem is never a pass.
"""

from __future__ import annotations

import re

from sqaaas.acquire import Checkout, redact_url
from sqaaas.context import make_context
from sqaaas.core.catalogue import Catalogue
from sqaaas.core.fairsection import SOFTWARE_METRICS
from sqaaas.core.model import CriterionResult, FairSummary, Report
from sqaaas.errors import FujiError, SqaaasError
from sqaaas.facts.remotes import public_remotes
from sqaaas.forges import host_of, is_public_forge, web_url
from sqaaas.fuji.client import FujiClient, Say
from sqaaas.fuji.mapping import UNRESOLVED_HINT, attach_fuji, error_section, fuji_section
from sqaaas.fuji.settings import FujiSettings

_DOI = re.compile(r"^(doi:|https?://(dx\.)?doi\.org/)?10\.[0-9]{4,9}/\S+$", re.IGNORECASE)
NO_PUBLIC_URL_HINT = (
    "Push the repository to a public forge (or list your forge under 'public_forges' in "
    ".sqaaas.yml), or assess it by its public URL: F-UJI evaluates objects it can reach."
)
_MAX_IDENTIFIER = 2000


def check_identifier(identifier: str) -> str:
    """A PID or URL fit to send: one line, bounded, no credentials inside a URL."""
    identifier = identifier.strip()
    if not identifier or len(identifier) > _MAX_IDENTIFIER:
        raise FujiError(f"give an identifier (a PID or URL) of 1 to {_MAX_IDENTIFIER} characters")
    if any(not ch.isprintable() or ch.isspace() for ch in identifier):
        raise FujiError("the identifier must not contain spaces or control characters")
    if redact_url(identifier) != identifier:
        raise FujiError(
            f"refused identifier {redact_url(identifier)}: it carries a user name or password"
        )
    return identifier


def uses_github(identifier: str) -> bool:
    """F-UJI's ``use_github`` speaks the GitHub REST API: only github.com URLs gain from it."""
    return "://" in identifier and host_of(identifier) == "github.com"


def evaluate_object(
    identifier: str,
    metric_set: str,
    settings: FujiSettings,
    *,
    say: Say | None = None,
    catalogue: Catalogue | None = None,
) -> tuple[CriterionResult, FairSummary]:
    """Evaluate ``identifier`` and map the answer; server trouble becomes an error section."""
    client = FujiClient(settings, say)
    try:
        results = client.evaluate(
            identifier,
            metric_set,
            use_github=uses_github(identifier),
            use_datacite=bool(_DOI.match(identifier)),
        )
    except FujiError as exc:
        return error_section(str(exc), identifier=identifier, metric_set=metric_set)
    if not results.resolved:
        return error_section(
            f"F-UJI could not resolve {identifier}: object not resolved",
            identifier=identifier,
            metric_set=metric_set,
            hint=UNRESOLVED_HINT,
            results=results,
        )
    return fuji_section(results, identifier=identifier, metric_set=metric_set, catalogue=catalogue)


def repository_url(checkout: Checkout) -> str | None:
    """The repository's public URL: its forge page, or the http(s) URL it was cloned from."""
    ctx = make_context(checkout)
    url = checkout.url
    if url and is_public_forge(host_of(url), ctx.config.public_forges):
        return web_url(url)
    if url and checkout.cloned and url.lower().startswith(("https://", "http://")):
        return redact_url(url).removesuffix(".git")
    remotes = sorted(public_remotes(ctx), key=lambda r: r.name != "origin")
    return next((r.page for r in remotes if r.page), None)


def assess_repository(
    report: Report, checkout: Checkout, settings: FujiSettings, say: Say | None = None
) -> FairSummary:
    """Evaluate the repository's public URL with the software metrics into ``report``."""
    try:
        url = repository_url(checkout)
    except SqaaasError as exc:
        url, problem = None, str(exc)
    else:
        problem = "it has no remote on a public forge"
    if url is None:
        section, summary = error_section(
            f"no public URL for F-UJI to evaluate {checkout.root.name}: {problem}",
            identifier=None,
            metric_set=SOFTWARE_METRICS,
            hint=NO_PUBLIC_URL_HINT,
        )
    else:
        section, summary = evaluate_object(url, SOFTWARE_METRICS, settings, say=say)
    attach_fuji(report, section, summary)
    return summary
