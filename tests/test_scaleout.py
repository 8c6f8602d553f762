"""The scaled-out service with its real servers: PostgreSQL, Redis, ``git daemon``, one
``sqaaas serve --broker --database`` and two ``sqaaas worker`` processes, all on loopback.

A worker killed with SIGKILL mid-job, Redis killed and restarted with jobs queued, and
PostgreSQL restarted mid-run: every job submitted ends ``done`` exactly once (its event
history in the API shows one 'done'), and the web answers 503 while the database is away.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from tests.scaleout_support import API, Cluster, open_cluster, wait_until

pytestmark = pytest.mark.scaleout

LEASE_S = 3  # a worker silent this long is dead: short, so that the tests are quick


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with open_cluster(tmp_path_factory.mktemp("scaleout"), lease_s=LEASE_S) as found:
        found.start_worker("w1@test")
        found.start_worker("w2@test")
        yield found


def _running_on(cluster: Cluster, ids: list[str], worker: str) -> str | None:
    for job_id in ids:
        job = cluster.job(job_id)
        if job["state"] == "running" and job["worker"] == worker:
            return job_id
    return None


def test_a_worker_killed_mid_job_loses_nothing(cluster: Cluster) -> None:
    ids = cluster.submit(6)
    victim = cluster.workers["w1@test"]
    found: list[str] = []
    wait_until(lambda: bool(found.append(_running_on(cluster, ids, "w1@test")) or found[-1]),
               60, "a job running on w1")  # fmt: skip
    killed_job = found[-1]
    victim.kill9()
    histories = cluster.assert_done_once(ids)
    history = histories[ids.index(killed_job)]
    states = [(e["state"], e["worker"]) for e in history]
    assert ("running", "w1@test") in states
    assert history[-1]["worker"] == "w2@test"  # finished by the survivor
    requeued = [e for e in history if e["state"] == "queued" and e["attempt"]]
    assert requeued and "stopped answering" in str(requeued[0]["detail"])
    assert cluster.job(killed_job)["attempts"] >= 2
    cluster.workers.pop("w1@test")
    cluster.start_worker("w1@test")


def test_redis_restarted_with_jobs_queued_loses_none(cluster: Cluster) -> None:
    cluster.stop_workers()  # warm shutdown: the jobs stay in the broker's queue
    ids = cluster.submit(4)
    assert {cluster.job(job_id)["state"] for job_id in ids} == {"queued"}
    cluster.redis.restart(down_s=1)  # SIGKILL: only what is on disk survives
    cluster.start_worker("w1@test")
    cluster.start_worker("w2@test")
    cluster.assert_done_once(ids)
    assert cluster.submit(1)  # the web node publishes again on the restarted broker


def test_postgres_restarted_mid_run_answers_503_then_completes(cluster: Cluster) -> None:
    ids = cluster.submit(4)
    wait_until(lambda: any(cluster.job(i)["state"] == "running" for i in ids), 60,
               "a job running")  # fmt: skip
    cluster.postgres.stop()
    try:
        health = requests.get(cluster.url + "/healthz", timeout=30)
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        status = requests.get(cluster.url + f"{API}/assessments/{ids[0]}", timeout=30)
        assert status.status_code == 503 and status.headers["Retry-After"]
        time.sleep(LEASE_S)  # longer than a lease: no heartbeat got through meanwhile
    finally:
        cluster.postgres.start()
    cluster.assert_done_once(ids)
    assert requests.get(cluster.url + "/healthz", timeout=30).json()["status"] == "ok"
