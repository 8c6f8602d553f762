"""What ``/healthz`` and ``/metrics`` say: the database, the broker and the workers of the
service, and its queue, read from the database so that every web node says the same."""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from sqaaas.web.operations import Operations
from sqaaas.web.store import KINDS, StoreError

#: job duration buckets (seconds): assessments take from seconds to the job timeout
DURATION_BUCKETS = (5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0)


def health(service: Operations) -> tuple[dict[str, object], int]:
    """(the /healthz answer, its HTTP status): 503 only when the database does not answer,
    as then this node can serve nothing; a broker away or no worker only makes jobs wait."""
    settings = service.settings
    answer: dict[str, object] = {"status": "ok", "queued": 0, "running": 0}
    try:
        answer["queued"] = service.store.count("queued")
        answer["running"] = service.store.count("running")
        seen = service.store.workers_seen(time.time() - settings.lease_s)
        database = "ok"
    except StoreError as exc:
        database, seen = str(exc), []
        answer["status"] = "unavailable"
    if not settings.scaled_out:
        return answer, 503 if answer["status"] == "unavailable" else 200
    problem = service.broker_problem() if service.broker_problem else None
    answer.update(
        database=database,
        broker=problem or "ok",
        workers=[
            {key: row[key] for key in ("name", "seen_at", "concurrency", "queues")} for row in seen
        ],
    )
    if answer["status"] == "ok" and (problem or not seen):
        answer["status"] = "degraded"
    return answer, 503 if answer["status"] == "unavailable" else 200


class _JobCollector(Collector):
    """Reads the metrics from the database at each scrape (nothing is counted in memory,
    so a restarted or added web node reports the same)."""

    def __init__(self, service: Operations) -> None:
        self.service = service

    def collect(self) -> Iterator[Metric]:
        store = self.service.store
        up = GaugeMetricFamily("sqaaas_database_up", "1 when the database answers")
        try:
            counts = {state: store.count(state) for state in ("queued", "running")}
            durations = {kind: store.durations(kind, DURATION_BUCKETS) for kind in KINDS}
            seen = store.workers_seen(time.time() - self.service.settings.lease_s)
        except StoreError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        jobs = GaugeMetricFamily("sqaaas_jobs", "Jobs queued or running now", labels=["state"])
        for state, count in counts.items():
            jobs.add_metric([state], count)
        yield jobs
        took = HistogramMetricFamily(
            "sqaaas_job_duration_seconds", "Time finished jobs ran", labels=["kind"]
        )
        for kind, (below, total, seconds) in durations.items():
            buckets = [(f"{bound:g}", n) for bound, n in zip(DURATION_BUCKETS, below, strict=True)]
            took.add_metric([kind], [*buckets, ("+Inf", total)], seconds)
        yield took
        if self.service.settings.scaled_out:
            workers = GaugeMetricFamily("sqaaas_workers", "Workers that reported lately")
            workers.add_metric([], len(seen))
            yield workers


def metrics_registry(service: Operations) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_JobCollector(service))
    return registry


def metrics_text(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
