"""The service's health endpoint, found once (SvcQC.Mon01; the latency sample reuses it).

A 2xx answer is healthy unless it is a JSON document whose status says otherwise
(criteria/onboarding.yml lists the failing status words).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.endpoints import answer, candidates, fetch, refusal_error
from sqaaas.facts.service.links import exhausted
from sqaaas.facts.service.openapi import body_limits
from sqaaas.facts.service.settings import onboarding_settings
from sqaaas.net.http import Fetched
from sqaaas.safeparse import ParseError, load_json

_EXCERPT = 200


@dataclass(frozen=True)
class Health:
    """The health check's finding and the healthy endpoint's URL (the latency probe uses it)."""

    finding: Finding
    url: str | None


def _failing_status(got: Fetched) -> str | None:
    """The status word of a JSON health document that says the service is not healthy."""
    if "json" not in (got.header("content-type") or ""):
        return None
    try:
        doc = load_json(got.body, source="health document", limits=body_limits())
    except ParseError:
        return None
    status = doc.get("status") if isinstance(doc, dict) else None
    failing = onboarding_settings().health.failing_status
    return str(status) if isinstance(status, str) and status.lower() in failing else None


def health_check(ctx: ServiceContext) -> Health:
    """Find the health endpoint (memoised: SvcQC.Mon01 and the latency sample share it)."""
    urls, declared = candidates(ctx, "health_endpoint", onboarding_settings().health.paths)
    tried: list[Evidence] = []
    for url in urls:
        got = fetch(ctx, url)
        if isinstance(got, str) and exhausted(got):
            return Health(refusal_error(url, got), None)
        if isinstance(got, Fetched) and got.ok:
            excerpt = got.text()[:_EXCERPT].strip() or None
            if status := _failing_status(got):
                return Health(
                    Finding.failed(
                        f"health endpoint {url} answers HTTP {got.status} but reports "
                        f"status '{status}'",
                        hint="Find out why the service reports itself unhealthy and fix it.",
                        value=url,
                        excerpt=excerpt,
                    ),
                    None,
                )
            how = "declared health_endpoint" if declared else "health endpoint (well-known path)"
            return Health(
                Finding.passed(
                    f"{how} {url} answers HTTP {got.status} in {got.elapsed_ms:.0f} ms; "
                    "whether a monitoring system polls it is not visible from outside",
                    value=url,
                    excerpt=excerpt,
                ),
                url,
            )
        tried.append(Evidence(message=f"{url}: {answer(got)}", value=url))
    if declared:
        hint = f"Make the declared health_endpoint {urls[0]} answer 200 when the service works."
    else:
        hint = (
            "Expose a health endpoint that answers 200 when the service works (e.g. /healthz "
            'returning {"status": "ok"}) and declare it as health_endpoint in the resource '
            "profile."
        )
    what = "the declared health_endpoint does not answer 2xx" if declared else (
        "no health endpoint declared (health_endpoint) and none of the well-known paths "
        "answers 2xx"
    )
    return Health(
        Finding(outcome=Outcome.FAIL, evidence=[Evidence(message=what), *tried], hint=hint), None
    )
