"""SvcQC.Mon/Met/Per: what the live service offers for operations.

A health endpoint (the profile's, else a few well-known paths), a metrics endpoint in the
Prometheus text format, and a bounded latency sample. Every request goes through the
context's BoundedClient; paths, threshold and bounds come from criteria/onboarding.yml.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.links import exhausted
from sqaaas.facts.service.openapi import body_limits
from sqaaas.facts.service.profile import declared_urls
from sqaaas.facts.service.prometheus import ExpositionError, parse_exposition
from sqaaas.facts.service.settings import onboarding_settings
from sqaaas.net.http import Fetched, RequestRefused
from sqaaas.safeparse import ParseError, load_json

_EXCERPT = 200


def _get(ctx: ServiceContext, url: str) -> Fetched | str:
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


def _answer(got: Fetched | str) -> str:
    if isinstance(got, str):
        return f"not contacted: {got}"
    return got.error or f"HTTP {got.status}"


def _refusal_error(url: str, reason: str) -> Finding:
    return Finding.error(f"{url}: not contacted: {reason}", value=url)


def _candidates(ctx: ServiceContext, field: str, paths: tuple[str, ...]) -> tuple[list[str], bool]:
    """The declared endpoint (profile ``field``) alone, else the well-known paths."""
    declared = declared_urls(ctx.profile or {}, ctx.target).get(field)
    if declared:
        return [declared], True
    return [ctx.url(p) for p in paths], False


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
    urls, declared = _candidates(ctx, "health_endpoint", onboarding_settings().health.paths)
    tried: list[Evidence] = []
    for url in urls:
        got = _get(ctx, url)
        if isinstance(got, str) and exhausted(got):
            return Health(_refusal_error(url, got), None)
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
        tried.append(Evidence(message=f"{url}: {_answer(got)}", value=url))
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


@probe("svc.mon.health")
def health(ctx: ServiceContext) -> Finding:
    """A health endpoint answers 2xx (and, if it is JSON, does not report itself down)."""
    return ctx.fact(health_check).finding


@probe("svc.met.metrics")
def metrics(ctx: ServiceContext) -> Finding:
    """A metrics endpoint (declared, else /metrics) serves the Prometheus text format."""
    settings = onboarding_settings().metrics
    urls, declared = _candidates(ctx, "metrics_endpoint", settings.paths)
    tried: list[Evidence] = []
    for url in urls:
        got = _get(ctx, url)
        if isinstance(got, str) and exhausted(got):
            return _refusal_error(url, got)
        if isinstance(got, Fetched) and got.ok:
            return _judge_metrics(url, got, settings.shown_families)
        tried.append(Evidence(message=f"{url}: {_answer(got)}", value=url))
    if declared:
        what = "the declared metrics_endpoint does not answer 2xx"
        hint = f"Make the declared metrics_endpoint {urls[0]} answer 200 with the metrics."
    else:
        what = "no metrics endpoint declared (metrics_endpoint) and /metrics does not answer 2xx"
        hint = (
            "Expose the service's metrics in the Prometheus text format (a Prometheus client "
            "library serves them at /metrics) and declare the URL as metrics_endpoint in the "
            "resource profile."
        )
    return Finding(outcome=Outcome.FAIL, evidence=[Evidence(message=what), *tried], hint=hint)


def _judge_metrics(url: str, got: Fetched, shown: int) -> Finding:
    content_type = got.header("content-type") or "no Content-Type"
    try:
        exposition = parse_exposition(got.text())
    except ExpositionError as exc:
        lines = got.text().split("\n")
        return Finding.failed(
            f"{url} answers HTTP {got.status} ({content_type}) but is not in the Prometheus "
            f"text format: {exc}",
            hint="Serve the metrics with a Prometheus client library (text exposition format "
            "0.0.4 or OpenMetrics), not as HTML or JSON.",
            value=url,
            line=exc.line,
            excerpt=lines[exc.line - 1][:_EXCERPT] if exc.line <= len(lines) else None,
        )
    names = list(exposition.families)
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return Finding.passed(
        f"{url} serves the Prometheus text format ({content_type}): {len(names)} metric "
        f"families, {exposition.samples} samples",
        value=url,
        excerpt=", ".join(names[:shown]) + more,
    )


def nearest_rank(values: list[float], percent: float) -> float:
    """The nearest-rank percentile: a value that was actually measured."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


@probe("svc.per.latency")
def latency(ctx: ServiceContext) -> Finding:
    """Sequential GETs of the health endpoint (else the landing page): p95 under the threshold.

    A fixed number of requests within a time cap: a latency sample, not a load test.
    """
    limits = onboarding_settings().latency
    url = ctx.fact(health_check).url or ctx.target
    times: list[float] = []
    failures: list[Evidence] = []
    started = time.monotonic()
    stopped = ""
    for _ in range(ctx.latency_requests):
        if time.monotonic() - started >= ctx.latency_cap_s:
            stopped = f"time cap of {ctx.latency_cap_s:g} s reached"
            break
        try:
            got = ctx.http.get(url, deadline=started + ctx.latency_cap_s)
        except RequestRefused as exc:
            if not exhausted(str(exc)):
                return _refusal_error(url, str(exc))
            stopped = str(exc)
            break
        if got.status is None or got.status >= 500:
            failures.append(Evidence(message=f"{url}: {_answer(got)}", value=url))
        else:
            times.append(got.elapsed_ms)
    return _judge_latency(url, times, failures, stopped, ctx, limits.p95_max_ms,
                          limits.min_samples)


def _judge_latency(
    url: str,
    times: list[float],
    failures: list[Evidence],
    stopped: str,
    ctx: ServiceContext,
    threshold: float,
    min_samples: int,
) -> Finding:
    sent = len(times) + len(failures)
    note = f" ({stopped})" if stopped else ""
    evidence = [
        Evidence(
            message=f"{sent} of {ctx.latency_requests} sequential GETs of {url} sent within "
            f"{ctx.latency_cap_s:g} s{note}: {len(times)} answered, {len(failures)} failed",
            value=url,
        )
    ]
    if times:
        p50, p95 = nearest_rank(times, 50), nearest_rank(times, 95)
        evidence += [
            Evidence(message="p50 response time, ms", value=round(p50, 1)),
            Evidence(message=f"p95 response time, ms (threshold {threshold:g} ms)",
                     value=round(p95, 1)),
        ]
    evidence += failures[:5]
    if failures:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=evidence,
            hint="Some requests failed (network errors or 5xx): make the service answer every "
            "request reliably.",
        )
    if len(times) < min_samples:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=evidence,
            hint=f"Fewer than {min_samples} requests completed within the time cap: the service "
            "answers too slowly.",
        )
    if nearest_rank(times, 95) > threshold:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=evidence,
            hint=f"The 95th percentile response time is above {threshold:g} ms: profile the "
            "slow path (database queries, missing caches) and load-test before releases.",
        )
    return Finding(outcome=Outcome.PASS, evidence=evidence)
