"""The scaled-out service with its real servers: PostgreSQL, Redis, ``git daemon``, one
``sqaaas serve --broker --database`` and two ``sqaaas worker`` processes, all on loopback.

A worker killed with SIGKILL mid-job, Redis killed and restarted with jobs queued, and
PostgreSQL restarted mid-run: every job submitted ends ``done`` exactly once (its event
history in the API shows one 'done'), and the web answers 503 while the database is away.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.repos import good_repo_files, make_repo
from tests.scaleout_support import GitDaemon, Node, Postgres, Redis, wait_http, wait_until
from tests.web_support import free_port

pytestmark = pytest.mark.scaleout

API = "/api/v1"
LEASE_S = 3  # a worker silent this long is dead: short, so that the tests are quick
JOBS_TIMEOUT_S = 240.0


@dataclass
class Cluster:
    root: Path
    postgres: Postgres
    redis: Redis
    git: GitDaemon
    secret: str
    port: int
    web: Node | None = None
    workers: dict[str, Node] = field(default_factory=dict)
    repos: list[str] = field(default_factory=list)
    _names: Iterator[int] = field(default_factory=itertools.count)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def common(self) -> list[str]:
        return ["--broker", self.redis.url, "--database", self.postgres.url, "--allow-private"]

    def start_web(self) -> None:
        args = ["serve", "--port", str(self.port), "--data-dir", str(self.root / "web"),
                "--rate-limit", "0", *self.common()]  # fmt: skip
        self.web = Node(args, self.root / "web.log")
        wait_http(self.url + "/healthz", node=self.web)

    def start_worker(self, name: str) -> Node:
        args = ["worker", "--name", name, "--lease", str(LEASE_S), "--data-dir",
                str(self.root / name), *self.common()]  # fmt: skip
        node = Node(args, self.root / f"{name}-{next(self._names)}.log")
        self.workers[name] = node
        wait_until(lambda: self._seen(name, node), 60, f"worker {name} reporting")
        return node

    def _seen(self, name: str, node: Node) -> bool:
        assert node.alive(), node.output()[-3000:]
        health = requests.get(self.url + "/healthz", timeout=5).json()
        return name in {w["name"] for w in health.get("workers", [])}

    def stop_workers(self) -> None:
        for node in self.workers.values():
            node.stop()
        self.workers.clear()

    def repo(self) -> str:
        """A fresh repository URL, so that each submission is a new job (no dedupe)."""
        return self.git.publish(self.root / "project", f"project-{next(self._names)}")

    def submit(self, count: int) -> list[str]:
        ids = []
        for _ in range(count):
            answer = requests.post(
                self.url + f"{API}/assessments", json={"repo_url": self.repo()},
                headers={"Authorization": f"Bearer {self.secret}"}, timeout=30,
            )  # fmt: skip
            assert answer.status_code == 202, answer.text
            ids.append(answer.json()["id"])
        return ids

    def job(self, job_id: str) -> dict[str, object]:
        answer = requests.get(self.url + f"{API}/assessments/{job_id}", timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def events(self, job_id: str) -> list[dict[str, object]]:
        answer = requests.get(self.url + f"{API}/assessments/{job_id}/events", timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def wait_finished(self, ids: list[str], timeout: float = JOBS_TIMEOUT_S) -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            jobs = [self.job(job_id) for job_id in ids]
            if all(job["state"] in ("done", "failed") for job in jobs):
                return jobs
            assert time.monotonic() < deadline, (jobs, self.logs())
            time.sleep(0.5)

    def logs(self) -> str:
        nodes = [self.web, *self.workers.values()]
        return "\n".join(node.output()[-2000:] for node in nodes if node is not None)

    def assert_done_once(self, ids: list[str]) -> list[list[dict[str, object]]]:
        """Every job done, each with exactly one 'done' in its history; the histories."""
        jobs = self.wait_finished(ids)
        assert [job["state"] for job in jobs] == ["done"] * len(ids), (jobs, self.logs())
        histories = [self.events(job_id) for job_id in ids]
        for history in histories:
            assert [e["state"] for e in history].count("done") == 1, history
            assert history[0]["state"] == "queued" and history[-1]["state"] == "done"
        return histories


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("scaleout")
    postgres = Postgres()
    redis = Redis(root / "redis")
    git = GitDaemon(root / "git")
    try:
        make_repo(root / "project", good_repo_files(), tags=["v1.0.0"])
        database = ["--database", postgres.url]
        run = [sys.executable, "-m", "sqaaas"]
        upgraded = subprocess.run([*run, "db", "upgrade", *database],
                                  capture_output=True, text=True, timeout=120)  # fmt: skip
        assert upgraded.returncode == 0, upgraded.stderr
        made = subprocess.run([*run, "tokens", "create", *database],
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert made.returncode == 0, made.stderr
        found = Cluster(root, postgres, redis, git, made.stdout.strip(), free_port())
        found.start_web()
        found.start_worker("w1@test")
        found.start_worker("w2@test")
        yield found
    finally:
        if "found" in locals():
            found.stop_workers()
            if found.web is not None:
                found.web.stop()
        git.close()
        redis.close()
        postgres.close()


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
