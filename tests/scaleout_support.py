"""Real servers for the scale-out tests, on loopback ports with temporary data directories:
Debian's PostgreSQL and Redis (installed by ``sqaaas setup --dev``), ``git daemon`` serving
fixture repositories, and ``sqaaas serve`` / ``sqaaas worker`` as subprocesses.

PostgreSQL refuses to run as root: as root (CI, the README's fresh machine) its processes
run as ``nobody``, in a data directory that user owns.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests

from sqaaas.platform.provision import DEV_TOOLS
from tests.repos import git, good_repo_files, make_repo
from tests.web_support import free_port

START_TIMEOUT_S = 60.0
API = "/api/v1"
JOBS_TIMEOUT_S = 240.0


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        time.sleep(0.1)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL server's bin directory (postgresql-NN package)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def _as_user() -> list[str]:
    """The command prefix that runs a PostgreSQL program as an unprivileged user."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


class Postgres:
    """A throw-away PostgreSQL cluster on 127.0.0.1; ``restart()`` stops and starts it."""

    def __init__(self) -> None:
        bindir = postgres_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed: run 'sqaaas setup --dev'")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="sqaaas-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.root, nobody.pw_uid, nobody.pw_gid)
        subprocess.run(
            [*_as_user(), str(bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
             "--auth=trust", "-E", "UTF8", "--no-sync"],
            check=True, capture_output=True, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*_as_user(), str(self.bindir / "postgres"), "-D", str(self.data),
             "-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
             "-c", f"unix_socket_directories={self.root}", "-c", "fsync=off",
             "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(self._ready, START_TIMEOUT_S, "PostgreSQL start")

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"PostgreSQL exited with {self.process.returncode}")
        done = subprocess.run(
            [str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
            capture_output=True,
        )
        return done.returncode == 0

    def stop(self) -> None:
        """A fast shutdown (SIGINT): open connections are cut, as in a restart."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(60)
        self.process = None

    def restart(self, down_s: float = 0.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class Redis:
    """A Redis server on 127.0.0.1 that keeps every write on disk (append-only file,
    fsync on each write), as docs/scale-out.md asks of a broker; ``restart()`` kills it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        exe = DEV_TOOLS["redis-server"]
        if not exe.is_file():
            raise RuntimeError("redis-server is not installed: run 'sqaaas setup --dev'")
        self.process = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.root),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "",
             "--protected-mode", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: _port_open(self.port), START_TIMEOUT_S, "Redis start")

    def stop(self, kill: bool = False) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.process.wait(30)
        self.process = None

    def restart(self, down_s: float = 0.0) -> None:
        """Killed outright (no save on the way out), then started on the same files."""
        self.stop(kill=True)
        time.sleep(down_s)
        self.start()

    def close(self) -> None:
        self.stop()


class GitDaemon:
    """``git daemon`` exporting the repositories under ``root`` as git://127.0.0.1:PORT/NAME."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process = subprocess.Popen(
            ["git", "daemon", "--reuseaddr", "--export-all", f"--base-path={root}",
             "--listen=127.0.0.1", f"--port={self.port}", str(root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: _port_open(self.port), START_TIMEOUT_S, "git daemon start")

    def publish(self, repo: Path, name: str) -> str:
        target = self.root / name
        git(repo, "clone", "--bare", "-q", str(repo), str(target))
        return f"git://127.0.0.1:{self.port}/{name}"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class Node:
    """``sqaaas serve`` or ``sqaaas worker`` as a subprocess in its own process group (so
    that a kill takes its job processes too), its output in a log file."""

    def __init__(self, args: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.log = log
        self._out = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sqaaas", *args],
            stdout=self._out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env={**os.environ, **(env or {})},
        )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def kill9(self) -> None:
        """SIGKILL to the node alone, as an OOM kill or a crash would: its job children die
        with it (PR_SET_PDEATHSIG), its containers by its reaper."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self, timeout: float = 60) -> int | None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(30)
        self._out.close()
        return self.process.returncode


def wait_http(url: str, timeout: float = START_TIMEOUT_S, node: Node | None = None) -> None:
    def up() -> bool:
        if node is not None and not node.alive():
            raise RuntimeError(f"the node exited: {node.output()[-2000:]}")
        try:
            return requests.get(url, timeout=2).status_code < 500
        except requests.RequestException:
            return False

    wait_until(up, timeout, f"{url} answering")


@dataclass
class Cluster:
    root: Path
    postgres: Postgres
    redis: Redis
    git: GitDaemon
    secret: str
    port: int
    lease_s: float = 60.0
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
        args = ["worker", "--name", name, "--lease", str(self.lease_s), "--data-dir",
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
        """Queue ``count`` assessments, each of a fresh repository URL; their ids."""
        ids = []
        for _ in range(count):
            body = {"repo_url": self.repo()}
            answer = requests.post(
                self.url + f"{API}/assessments", json=body,
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


@contextlib.contextmanager
def open_cluster(root: Path, lease_s: float = 60.0) -> Iterator[Cluster]:
    """PostgreSQL (migrated, with an API token), Redis, ``git daemon`` with a fixture
    repository, and a web node; workers are started by the caller. All stopped after."""
    postgres = Postgres()
    redis = Redis(root / "redis")
    git = GitDaemon(root / "git")
    found: Cluster | None = None
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
        found = Cluster(root, postgres, redis, git, made.stdout.strip(), free_port(), lease_s)
        found.start_web()
        yield found
    finally:
        if found is not None:
            found.stop_workers()
            if found.web is not None:
                found.web.stop()
        git.close()
        redis.close()
        postgres.close()
