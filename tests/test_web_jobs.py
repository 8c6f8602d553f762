"""The worker pool (real child processes, real clones over loopback HTTP) and which repository
URLs the service agrees to clone."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sqaaas.web.jobs import WorkerPool
from sqaaas.web.netcheck import RefusedURL, check_repository_url
from sqaaas.web.operations import Operations
from sqaaas.web.settings import WebSettings
from sqaaas.web.store import Job, Store
from tests.repos import git, good_repo_files, make_repo
from tests.web_support import git_http_server


def wait_for(store: Store, job_id: str, states: tuple[str, ...], timeout: float = 120) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = store.job(job_id)
        assert job is not None
        if job.state in states:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {store.job(job_id)} after {timeout} s")


class HangingGitHost:
    """A TCP server on loopback that accepts connections and never answers: a stuck git host.

    It keeps the accepted sockets, so a test can tell when the client at the other end (git,
    started by the job's child process) was killed: its socket then reads end-of-file.
    """

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.listener.accept()
                self.accepted.append(conn)

    def wait_connected(self, count: int = 1, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < count:
            assert time.monotonic() < deadline, "git never connected to the hanging host"
            time.sleep(0.05)

    def all_closed_by_peer(self, timeout: float = 10) -> bool:
        """Every accepted connection reached end-of-file (its git process is gone)."""
        for conn in self.accepted:
            conn.settimeout(timeout)
            try:
                while conn.recv(65536):
                    pass
            except (TimeoutError, OSError):
                return False
        return True

    def close(self) -> None:
        self.listener.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def hanging_host() -> Iterator[HangingGitHost]:
    host = HangingGitHost()
    yield host
    host.close()


@contextlib.contextmanager
def running_pool(tmp_path: Path, **options: object) -> Iterator[tuple[Operations, WorkerPool]]:
    """An Operations object and its started WorkerPool on a fresh data dir; stopped afterwards."""
    settings = WebSettings(
        data_dir=tmp_path / "data", allow_private=True, **options  # type: ignore[arg-type]
    )
    store = Store(settings.database)
    service = Operations(settings=settings, store=store)
    service.ensure_keys()
    pool = WorkerPool(store, settings, on_done=service.on_job_done)
    service.pool = pool
    pool.start()
    try:
        yield service, pool
    finally:
        pool.stop()
        store.close()


# the worker pool


def test_a_real_assessment_runs_to_done_and_earns_a_signed_badge(tmp_path: Path) -> None:
    # the loopback git host stands in for a public forge (QC.Acc01)
    files = {**good_repo_files(), ".sqaaas.yml": "public_forges: [127.0.0.1]\n"}
    repo = make_repo(tmp_path / "project", files, tags=["v1.0.0"])
    head = git(repo, "rev-parse", "HEAD").strip()
    with git_http_server(tmp_path / "served") as server:
        url = server.publish(repo, "project")
        with running_pool(tmp_path, workers=1, job_timeout_s=240) as (service, _):
            job, created = service.submit(url)
            assert created
            done = wait_for(service.store, job.id, ("done", "failed"), timeout=240)
            assert done.state == "done", done.error
            report = json.loads(service.store.report(job.id) or "{}")
            badges = service.store.badges_of(job.id)
    assert report["repository"]["url"] == url
    assert report["repository"]["commit"] == head == done.commit_sha
    assert done.badge_level == report["badge"]["level"] != "none"
    assert done.progress == "done" and done.attempts == 1 and done.error is None
    assert [(b.level, b.scheme) for b in badges] == [(done.badge_level, "software")]
    assert badges[0].token.count(".") == 2  # a compact JWS (VC-JWT)


def test_a_job_over_its_timeout_is_killed_and_failed(
    tmp_path: Path, hanging_host: HangingGitHost
) -> None:
    with running_pool(tmp_path, workers=1, job_timeout_s=6) as (service, _):
        started = time.monotonic()
        job, _ = service.submit(f"{hanging_host.base}/stuck.git")
        hanging_host.wait_connected()
        failed = wait_for(service.store, job.id, ("done", "failed"), timeout=60)
        elapsed = time.monotonic() - started
    assert failed.state == "failed"
    assert failed.error == "timed out after 6 s"
    assert 5 <= elapsed < 30
    assert hanging_host.all_closed_by_peer(), "the job's git process outlived the timeout"


def test_a_broken_url_fails_with_a_clear_error(tmp_path: Path) -> None:
    with git_http_server(tmp_path / "served") as server:
        url = f"{server.base}/no-such-repository.git"
        with running_pool(tmp_path, workers=1, job_timeout_s=120) as (service, _):
            job, _ = service.submit(url)
            failed = wait_for(service.store, job.id, ("done", "failed"))
            assert service.store.report(job.id) is None
    assert failed.state == "failed"
    assert failed.error and "no-such-repository" in failed.error
    assert "Traceback" not in failed.error and "exit status" not in failed.error


def test_stopping_the_pool_requeues_running_jobs_and_kills_them(
    tmp_path: Path, hanging_host: HangingGitHost
) -> None:
    with running_pool(tmp_path, workers=1, job_timeout_s=600) as (service, pool):
        first, _ = service.submit(f"{hanging_host.base}/first.git")
        second, _ = service.submit(f"{hanging_host.base}/second.git")
        hanging_host.wait_connected()
        assert service.store.job(first.id).state == "running"  # type: ignore[union-attr]
        assert service.store.job(second.id).state == "queued"  # one worker: one job at a time
        pool.stop()
        stopped = [service.store.job(j.id) for j in (first, second)]
    assert [(j.state, j.attempts) for j in stopped if j] == [("queued", 1), ("queued", 0)]
    assert stopped[0].progress == "re-queued: the server was stopped"  # type: ignore[union-attr]
    assert hanging_host.all_closed_by_peer(), "the job's git process outlived the server stop"
    assert len(hanging_host.accepted) == 1


# which URLs the service clones


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "only https://, http://, git://"),
        ("ssh://git@example.org/group/project.git", "only https://, http://, git://"),
        ("git@example.org:group/project.git", "only https://, http://, git://"),
        ("ext::sh -c touch% /tmp/pwned", "only https://, http://, git://"),
        ("https://user:secret@8.8.8.8/project.git", "credentials in the URL"),
        ("https://user@8.8.8.8/project.git", "credentials in the URL"),
        ("http:///project.git", "no host"),
        ("", "give the repository URL"),
        ("https://8.8.8.8/" + "a" * 2000, "too long"),
        # IPv4 spellings git, curl and Python read differently: refused even when allowed
        ("http://127.1:8000/group/project.git", "spells an IPv4 address"),
        ("http://2130706433:8000/group/project.git", "spells an IPv4 address"),
        ("http://0x7f.1:8000/group/project.git", "spells an IPv4 address"),
    ],
)
def test_refused_urls(url: str, reason: str) -> None:
    for allow_private in (False, True):
        with pytest.raises(RefusedURL, match=reason):
            check_repository_url(url, allow_private=allow_private)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1", "localhost", "[::1]", "0.0.0.0",
        "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "[fd00::1]", "[fe80::1]", "[::ffff:127.0.0.1]",
    ],
)
def test_loopback_and_private_hosts_are_refused_unless_allowed(host: str) -> None:
    url = f"http://{host}:8000/group/project.git"
    with pytest.raises(RefusedURL, match=r"non-public address.*--allow-private"):
        check_repository_url(url, allow_private=False)
    assert check_repository_url(url, allow_private=True) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://8.8.8.8/group/project.git",
        "http://8.8.8.8:8080/group/project",
        "git://8.8.8.8/project.git",
        "https://[2001:4860:4860::8888]/group/project.git",
    ],
)
def test_hosts_with_global_addresses_are_accepted(url: str) -> None:
    """Literal addresses resolve without DNS, and nothing is connected to."""
    assert check_repository_url(f"  {url}\n", allow_private=False) == url
