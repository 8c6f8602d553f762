"""Benchmark: the scaled-out service on this machine, 1 worker against 2.

Issue targets: 2 workers (each --concurrency 1) assess a queue of small repositories
faster than 1 (throughput ratio printed); the pipeline endpoint keeps p99 <= 50 ms at
100 requests/s while the workers are busy.

Starts PostgreSQL, Redis, `git daemon` and one `sqaaas serve --broker --database` on
loopback (tests/scaleout_support.py), then for 1 and then 2 workers: queues --jobs
assessments of a small fixture repository (a fresh URL each, so none is deduplicated),
waits for all, and prints the throughput (jobs/min) and the queue latency (submission to
start) p50/p99 side by side with their ratio. During the 2-worker run the pipeline endpoint
is driven at --rate requests/s (benchmarks/web_load.py's fixed-rate client). Bounded in
time and requests; exit status 0 always: a benchmark reports, it does not gate.

    python benchmarks/scaleout.py [--jobs 100] [--rate 100] [--duration 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from web_load import TARGET_P99_MS, client_factory, fixed_rate, percentile  # noqa: E402

from tests.scaleout_support import Cluster, open_cluster  # noqa: E402


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def batch(cluster: Cluster, workers: int, jobs: int, load: argparse.Namespace | None) -> dict:
    """Queue ``jobs`` with ``workers`` workers stopped, start them, time the drain."""
    cluster.stop_workers()
    ids = cluster.submit(jobs)  # all queued before any worker runs: a full queue
    started = time.monotonic()
    for n in range(workers):
        cluster.start_worker(f"bench{n}@{workers}")
    pipeline: dict = {}
    if load is not None:  # the web node under load while the workers are busy
        thread = threading.Thread(target=lambda: pipeline.update(drive(cluster, load)))
        thread.start()
    finished = cluster.wait_finished(ids, timeout=60 * jobs)
    wall = time.monotonic() - started
    if load is not None:
        thread.join()
    waits = [_seconds(j["started_at"]) - _seconds(j["created_at"]) for j in finished]
    done = sum(j["state"] == "done" for j in finished)
    return {"wall": wall, "done": done, "per_min": 60 * done / wall,
            "p50": percentile(waits, 50), "p99": percentile(waits, 99), **pipeline}  # fmt: skip


def drive(cluster: Cluster, load: argparse.Namespace) -> dict:
    run = fixed_rate(client_factory(cluster.url + "/api/v1/pipelines"), load.rate,
                     load.duration, load.threads)  # fmt: skip
    return {"pipeline_p99_ms": 1000 * percentile(run.latency, 99), "pipeline_errors": run.errors,
            "pipeline_sent": len(run.latency)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="sqaaas-bench-") as tmp,
        open_cluster(Path(tmp)) as cluster,
    ):
        one = batch(cluster, 1, args.jobs, None)
        two = batch(cluster, 2, args.jobs, args)
    print(f"{args.jobs} queued assessments of a small fixture repository, workers --concurrency 1")
    print(f"{'':28}{'1 worker':>12}{'2 workers':>12}{'ratio':>8}")
    for key, name, unit in (("per_min", "throughput", "jobs/min"), ("wall", "drain time", "s"),
                            ("p50", "queue latency p50", "s"), ("p99", "queue latency p99", "s")):
        ratio = two[key] / one[key] if one[key] else float("nan")
        print(f"{name + ' (' + unit + ')':28}{one[key]:12.1f}{two[key]:12.1f}{ratio:8.2f}")
    print(f"done: {one['done']}/{args.jobs} and {two['done']}/{args.jobs}")
    print(f"pipeline endpoint at {args.rate:g} req/s with 2 busy workers: p99 "
          f"{two['pipeline_p99_ms']:.1f} ms (target <= {TARGET_P99_MS:g} ms, ratio "
          f"{two['pipeline_p99_ms'] / TARGET_P99_MS:.2f}), {two['pipeline_errors']} errors "
          f"of {two['pipeline_sent']}")


if __name__ == "__main__":
    main()
