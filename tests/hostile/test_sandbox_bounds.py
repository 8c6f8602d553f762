"""The sandbox is bounded everywhere, and goes away with the server that started it.

- A test suite that writes 2 GiB into /out, /work and /tmp ends with a clear verdict: each
  area is a tmpfs of fixed size, the host's disk does not grow, no host file is written.
- A repository whose setup.py tries to reach a host listener and the internet never runs
  while the network is on: only wheels are downloaded then, its build runs offline.
- ``kill -9`` of ``sqaaas serve`` during a sandboxed job leaves no container or volume: its
  reaper removes everything labelled with the server's identity; what dead owners left
  anyway goes at the next start, never what a live process owns.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from sqaaas.core.outcomes import Outcome
from sqaaas.platform.containers import PID_LABEL, Engine, Limits
from sqaaas.platform.owners import OWNER_LABEL, process_identity
from sqaaas.sandbox import RunStatus, SandboxOptions, run_python_tests
from sqaaas.sandbox.report import finding_for
from sqaaas.sandbox.scratch import ScratchSizes
from tests.containers_support import in_containers
from tests.repos import make_repo
from tests.web_support import git_http_server, start_server

GIB = 1 << 30
SMALL = SandboxOptions(
    install=Limits(cpus=2, memory="1g", pids=256, wall_time=180),
    tests=Limits(cpus=1, memory="512m", pids=64, wall_time=90, tmp_size="64m"),
    per_test_timeout=60,
    scratch=ScratchSizes(work="64m", wheels="256m", out="16m"),
)

FILLER = '''import os

CHUNK = b"x" * (1 << 20)


def _fill(folder):
    with open(os.path.join(folder, "fill.bin"), "wb") as handle:
        for _ in range(2048):  # 2 GiB
            handle.write(CHUNK)


def test_fills_work():
    _fill("/work")


def test_fills_tmp():
    _fill("/tmp")


def test_fills_out():  # last: no report can be written after it
    _fill("/out")
'''


class DiskWatch:
    """The largest growth of the used space of the file systems holding ``paths``, sampled
    while the block runs (a volume written and removed within the run counts too)."""

    def __init__(self, *paths: Path) -> None:
        self.paths = [p for p in paths if p.exists()]
        self.peak = 0
        self._stop = threading.Event()

    def _used(self) -> int:
        devices = {os.stat(p).st_dev: p for p in self.paths}
        return sum(shutil.disk_usage(p).used for p in devices.values())

    def __enter__(self) -> DiskWatch:
        self.base = self._used()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._used() - self.base)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.peak = max(self.peak, self._used() - self.base)


@in_containers(300)
def test_writing_2_gib_everywhere_hits_the_scratch_limits(tmp_path: Path) -> None:
    files = {"pkg/__init__.py": "X = 1\n", "tests/test_fill.py": FILLER}
    repo = make_repo(tmp_path / "filler", files)
    storage = Path("/var/lib/containers")
    with DiskWatch(tmp_path, storage, Path("/tmp")) as disk:
        run = run_python_tests(repo, cache_dir=tmp_path / "cache", options=SMALL)
    # the suite tried to write 6 GiB: the host's disks saw (nearly) none of it (a margin for
    # whatever else runs on this machine meanwhile)
    assert disk.peak < GIB, f"the host's disk grew by {disk.peak >> 20} MiB"
    written = sum(f.stat().st_size for f in tmp_path.rglob("*") if f.is_file())
    assert written < 32 << 20, f"{written >> 20} MiB of host files after the run"
    assert run.status is RunStatus.SCRATCH_FULL, run.model_dump()
    assert run.full == ["/out (16m)", "/work (64m)", "/tmp (64m)"]
    finding = finding_for(run, 70.0)
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message == (
        "the test run wrote no test report: it filled its size-limited scratch space "
        "(/out (16m), /work (64m), /tmp (64m))"
    )
    assert "No space left on device" in Path(run.tests.log).read_text()  # type: ignore[union-attr]


SETUP_PY = '''import os
import socket


def _reaches(host, port):
    try:
        socket.create_connection((host, port), timeout=5).close()
        return True
    except OSError:
        return False


# the host's loopback (directly, or through slirp4netns' gateway) and an external name
ONLINE = any(_reaches(h, p) for h, p in [("127.0.0.1", {port}), ("10.0.2.2", {port}),
                                         ("pypi.org", 443)])
for folder in ("/work", "/wheels", "/out", "/tmp"):
    try:
        with open(os.path.join(folder, "setup-runs.txt"), "a") as runs:
            runs.write("ONLINE\\n" if ONLINE else "offline\\n")
    except OSError:
        pass

from setuptools import setup  # noqa: E402

setup(name="canary", version="1.0", py_modules=["canary"])
'''
CANARY_TEST = '''import os


def test_setup_never_ran_with_the_network():
    runs = []
    for folder in ("/work", "/wheels"):  # what setup.py could write in any step
        path = os.path.join(folder, "setup-runs.txt")
        if os.path.exists(path):
            with open(path) as handle:
                runs += handle.read().split()
    assert "offline" in runs  # it did run: in the offline build
    assert "ONLINE" not in runs, runs
'''


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A TCP listener on the host's loopback: (port, peers that connected)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    peers: list[str] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, peer = server.accept()
            except OSError:
                continue
            peers.append(str(peer))
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], peers
    stop.set()
    thread.join(timeout=2)
    server.close()


@in_containers(300)
def test_the_repository_build_never_runs_with_the_network(
    tmp_path: Path, listener: tuple[int, list[str]]
) -> None:
    port, peers = listener
    build = (
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n'
    )
    repo = make_repo(
        tmp_path / "canary",
        {
            "pyproject.toml": build,
            "setup.py": SETUP_PY.replace("{port}", str(port)),
            "canary.py": "VALUE = 1\n",
            "tests/test_canary.py": CANARY_TEST,
        },
    )
    run = run_python_tests(repo, cache_dir=tmp_path / "cache", options=SMALL)
    assert run.install is not None and run.tests is not None, run.model_dump()
    logs = Path(run.install.log).read_text() + Path(run.tests.log).read_text()
    assert run.status is RunStatus.COMPLETED, logs[-3000:]
    assert (run.passed, run.failed) == (1, 0), logs[-3000:]
    assert peers == []  # the host's listener never heard from the build
    assert "binary wheels only" in logs and "--only-binary=:all:" in logs


# --- kill -9 of the server ----------------------------------------------------------------

SLOW_TEST = "import time\n\n\ndef test_sleeps():\n    time.sleep(600)\n"


def labelled(engine: Engine, label: str) -> tuple[list[str], list[str]]:
    """Names of the containers (any state) and volumes carrying ``label`` (key=value)."""
    ps = engine.call("ps", "-a", "--filter", f"label={label}", "--format", "{{.Names}}")
    return ps.stdout.split(), _volumes(engine, label)


def _volumes(engine: Engine, label: str) -> list[str]:
    """podman 4.3's `volume ls` fails ("no such volume") when a volume it listed is removed
    while it reads them, as the cleanup under test does: ask again."""
    for _ in range(10):
        listed = engine.call("volume", "ls", "--filter", f"label={label}", "--format",
                             "{{.Name}}", check=False)
        if listed.returncode == 0:
            return listed.stdout.split()
        assert "no such volume" in listed.stderr, listed.stderr
        time.sleep(0.2)
    raise AssertionError(f"podman volume ls kept failing: {listed.stderr}")


def job_process(server_pid: int) -> int | None:
    """The pid of the server's job process (``python -m sqaaas.web.runjob``), if running."""
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except (OSError, ValueError, IndexError):
            continue
        if parent == server_pid and b"sqaaas.web.runjob" in command:
            return int(entry)
    return None


def wait_for(condition: Callable[[], object], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@in_containers(300)
def test_a_killed_server_leaves_no_container_or_volume(
    ready_engine: Engine, tmp_path: Path, run_cli: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    data = tmp_path / "data"
    repo = make_repo(
        tmp_path / "sleepy", {"pkg/__init__.py": "VALUE = 1\n", "tests/test_slow.py": SLOW_TEST}
    )
    token = run_cli("tokens", "create", "--data-dir", str(data)).stdout.strip()
    with git_http_server(tmp_path / "served") as forge:
        server = start_server(data, "--workers", "1")
        owner = process_identity(server.process.pid)
        assert owner is not None
        job = 0
        try:
            answer = requests.post(
                server.url("/api/v1/assessments"),
                json={"repo_url": forge.publish(repo)},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            assert answer.status_code == 202, answer.text

            def tests_run() -> bool:  # the holder of the scratch volumes and the test step
                nonlocal job
                assert server.process.poll() is None, server.log.read_text()[-2000:]
                job = job or job_process(server.process.pid) or 0
                containers, volumes = labelled(ready_engine, f"{PID_LABEL}={job}")
                return bool(job) and len(containers) >= 2 and len(volumes) == 3

            wait_for(tests_run, "the job's test container", timeout=180)
            os.kill(server.process.pid, signal.SIGKILL)  # the server alone, as an OOM kill
            server.process.wait(timeout=30)
            killed = time.monotonic()
            left = labelled(ready_engine, f"{PID_LABEL}={job}")
            while any(left) and time.monotonic() < killed + 20:
                time.sleep(0.5)
                left = labelled(ready_engine, f"{PID_LABEL}={job}")
            took = time.monotonic() - killed
            assert labelled(ready_engine, f"{OWNER_LABEL}={owner}") == ([], [])
        finally:
            server.stop()
            if job and any(labelled(ready_engine, f"{PID_LABEL}={job}")):  # not for the next test
                ready_engine.remove_owned_by(job)
    assert left == ([], []), f"left behind after {took:.0f} s (containers, volumes): {left}"


@in_containers(120)
def test_a_starting_server_removes_what_dead_owners_left(
    ready_engine: Engine, tmp_path: Path
) -> None:
    """A reaper killed along with its server (or a power cut) leaves containers behind: the
    next start removes those of dead owners, and never those of a live one (a pid reused by
    another process is no owner either: the start time differs)."""
    gone = subprocess.Popen(["sleep", "60"])
    dead = process_identity(gone.pid)
    gone.kill()
    gone.wait()
    alive = process_identity(os.getpid())
    assert dead and alive
    reused = f"{os.getpid()}-1"  # this pid, another start time: a process long gone
    names = {owner: f"sqaaas-test-{uuid.uuid4().hex[:8]}" for owner in (dead, alive, reused)}
    for owner, name in names.items():
        labels = ["--label", "sqaaas=1", "--label", f"{OWNER_LABEL}={owner}"]
        ready_engine.call("volume", "create", *labels, name)
    server = start_server(tmp_path / "data")
    try:

        def swept() -> bool:
            return not ({names[dead], names[reused]} & set(volume_names(ready_engine)))

        wait_for(swept, "the leftovers of dead owners to be removed", timeout=30)
        assert names[alive] in volume_names(ready_engine)
    finally:
        server.stop()
        ready_engine.remove_volume(*names.values())


def volume_names(engine: Engine) -> list[str]:
    return engine.call("volume", "ls", "--format", "{{.Name}}").stdout.split()
