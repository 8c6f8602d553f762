"""SvcQC.Mon/Met/Per: what the live service offers for operations.

A health endpoint (the profile's, else a few well-known paths), a metrics endpoint in the
Prometheus text format, and a bounded latency sample. Every request goes through the
context's BoundedClient; paths, threshold and bounds come from criteria/onboarding.yml.
"""

from __future__ import annotations

import math
import time

from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.endpoints import answer, candidates, fetch, refusal_error
from sqaaas.facts.service.health import health_check
from sqaaas.facts.service.links import exhausted
from sqaaas.facts.service.prometheus import ExpositionError, parse_exposition
from sqaaas.facts.service.settings import onboarding_settings
from sqaaas.net.http import Fetched, RequestRefused

_EXCERPT = 200


@probe("svc.mon.health")
def health(ctx: ServiceContext) -> Finding:
    """A health endpoint answers 2xx (and, if it is JSON, does not report itself down)."""
    return ctx.fact(health_check).finding


@probe("svc.met.metrics")
def metrics(ctx: ServiceContext) -> Finding:
    """A metrics endpoint (declared, else /metrics) serves the Prometheus text format."""
    settings = onboarding_settings().metrics
    urls, declared = candidates(ctx, "metrics_endpoint", settings.paths)
    tried: list[Evidence] = []
    for url in urls:
        got = fetch(ctx, url)
        if isinstance(got, str) and exhausted(got):
            return refusal_error(url, got)
        if isinstance(got, Fetched) and got.ok:
            return _judge_metrics(url, got, settings.shown_families)
        tried.append(Evidence(message=f"{url}: {answer(got)}", value=url))
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
                return refusal_error(url, str(exc))
            stopped = str(exc)
            break
        if got.status is None or got.status >= 500:
            failures.append(Evidence(message=f"{url}: {answer(got)}", value=url))
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
