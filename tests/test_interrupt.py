"""Ctrl-C (SIGINT) stops `sqaaas assess` within 2 s in every phase (cloning, the tools
container, the sandboxed test run), with exit status 130, no report written, and nothing
left running: no child process, no container, no volume. `sqaaas serve` stopped by SIGINT
or SIGTERM shuts down gracefully and exits 0.

The commands run as subprocesses in sessions of their own, and the SIGINT goes to the sqaaas
process alone (not to its process group, as a terminal would send it): sqaaas must stop its
children and containers itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from sqaaas.platform.containers import PID_LABEL, Engine
from tests.containers_support import in_containers
from tests.repos import make_repo
from tests.web_support import RunningServer, git_http_server, start_server

STOP_WITHIN_S = 2.0
SLOW_TEST = "import time\n\n\ndef test_sleeps():\n    time.sleep(600)\n"


def module(n: int) -> str:
    """Plain code for the linters: a few hundred of these keep pylint busy for seconds."""
    body = "".join(
        f"\n\ndef step_{f}(values: list[float]) -> float:\n"
        f'    """Signed sum, step {f}."""\n'
        f"    return sum(v if v > {f} else -v for v in values)\n"
        for f in range(8)
    )
    return f'"""Part {n}."""\n' + body


@dataclass
class Assessment:
    """A running `sqaaas assess ... --format json -o out.json` and where it writes."""

    process: subprocess.Popen[bytes]
    output: Path
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.fixture
def assessments(tmp_path: Path) -> Iterator[Callable[..., Assessment]]:
    """Starts assessments; whatever a test left running is killed at its end."""
    started: list[Assessment] = []

    def start(target: str) -> Assessment:
        folder = tmp_path / f"run{len(started)}"
        folder.mkdir()
        log = folder / "assess.log"
        argv = [sys.executable, "-m", "sqaaas", "assess", target, "--format", "json"]
        with log.open("wb") as sink:  # a file, not a pipe: a full pipe would block sqaaas
            process = subprocess.Popen(
                [*argv, "-o", str(folder / "out.json")],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
                start_new_session=True,
                # as a CI runner's '&' job starts it: SIGINT inherited as ignored
                preexec_fn=_ignore_sigint,
            )
        started.append(Assessment(process, folder / "out.json", log))
        return started[-1]

    yield start
    for assessment in started:
        if assessment.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(assessment.process.pid, signal.SIGKILL)
            assessment.process.wait(timeout=30)


def wait_for(condition: Callable[[], object], what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a live process, None once it is gone (or a zombie)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else (fields[0], int(fields[1]))


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (whatever session it runs in)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))):
            parents.setdefault(stat[1], []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        below = parents.get(todo.pop(), [])
        found.update(below)
        todo.extend(below)
    return found


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def interrupt_and_check(assessment: Assessment) -> None:
    """SIGINT to sqaaas alone: exit 130 within STOP_WITHIN_S, no report, no child left."""
    children = descendants(assessment.process.pid)
    assert children, "the phase under test runs child processes"
    sent = time.monotonic()
    assessment.process.send_signal(signal.SIGINT)
    try:
        rc = assessment.process.wait(timeout=STOP_WITHIN_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {STOP_WITHIN_S} s after SIGINT:\n{assessment.log_text()}")
    elapsed = time.monotonic() - sent
    assert rc == 130, assessment.log_text()
    assert elapsed < STOP_WITHIN_S
    assert "sqaaas: error: interrupted" in assessment.log_text()
    assert "Traceback" not in assessment.log_text()
    # nothing written, not even a temporary file beside the report
    assert sorted(p.name for p in assessment.output.parent.iterdir()) == ["assess.log"]
    time.sleep(0.2)  # orphans of a killed group are reaped by init meanwhile
    left = {pid: command_line(pid)[:120] for pid in children if _stat(pid)}
    assert not left, f"processes left running: {left}"


def labelled(engine: Engine, pid: int) -> tuple[list[str], list[str]]:
    """Names of the containers (any state) and volumes of the sqaaas process ``pid``."""
    label = f"label={PID_LABEL}={pid}"
    ps = subprocess.run(
        engine.command("ps", "-a", "--filter", label, "--format", "{{.Names}}"),
        capture_output=True,
        text=True,
        check=True,
    )
    volumes = subprocess.run(
        engine.command("volume", "ls", "--filter", label, "--format", "{{.Name}}"),
        capture_output=True,
        text=True,
        check=True,
    )
    return ps.stdout.split(), volumes.stdout.split()


def interrupt_in_a_container(engine: Engine, assessment: Assessment, step: str) -> None:
    """SIGINT once one of the assessment's containers runs and its log names ``step``; then
    none of its containers or volumes may be left."""
    pid = assessment.process.pid
    label = f"label={PID_LABEL}={pid}"
    running = engine.command("ps", "--filter", label, "--filter", "status=running", "-q")

    def container_runs() -> bool:
        assert assessment.process.poll() is None, assessment.log_text()
        return bool(subprocess.run(running, capture_output=True, text=True).stdout.strip())

    try:
        wait_for(container_runs, "a container of the assessment")
        wait_for(lambda: step in assessment.log_text(), step)
        interrupt_and_check(assessment)
    finally:
        left = labelled(engine, pid)
        if any(left):  # never leave them to the next test, even when this one fails
            engine.remove_owned_by(pid)
    assert left == ([], []), f"left behind (containers, volumes): {left}"


@in_containers(240)
def test_ctrl_c_during_the_sandboxed_tests_kills_the_container(
    ready_engine: Engine, assessments: Callable[..., Assessment], tmp_path: Path
) -> None:
    repo = make_repo(
        tmp_path / "sleepy", {"pkg/__init__.py": "VALUE = 1\n", "tests/test_slow.py": SLOW_TEST}
    )
    interrupt_in_a_container(ready_engine, assessments(str(repo)), "QC.Uni01: running tests")


def test_ctrl_c_while_cloning_stops_git(
    assessments: Callable[..., Assessment],
) -> None:
    """A server that accepts the connection and never answers: git waits until stopped."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(60)
        assessment = assessments(f"http://127.0.0.1:{server.getsockname()[1]}/slow.git")
        connection, _ = server.accept()
        with connection:
            interrupt_and_check(assessment)
            connection.settimeout(5)
            with contextlib.suppress(ConnectionResetError):
                while connection.recv(65536):  # the request git sent, then its end
                    pass


@in_containers(240)
def test_ctrl_c_while_the_tools_run_removes_their_container(
    ready_engine: Engine, assessments: Callable[..., Assessment], tmp_path: Path
) -> None:
    files = {f"pkg/part_{n:03d}.py": module(n) for n in range(300)}  # and no tests
    repo = make_repo(tmp_path / "big", {"pkg/__init__.py": "", **files})
    interrupt_in_a_container(ready_engine, assessments(str(repo)), "in one tools container")


# --- sqaaas serve -------------------------------------------------------------------------


def stop_server(server: RunningServer, stop: signal.Signals) -> None:
    """Stop ``server`` with ``stop``: a graceful shutdown within seconds, exit status 0."""
    try:
        server.process.send_signal(stop)
        rc = server.process.wait(timeout=15)
    finally:
        server.stop()
    log = server.log.read_text(errors="replace")
    assert rc == 0, log[-2000:]
    assert "Application shutdown complete" in log
    assert "Traceback" not in log and "ERROR" not in log


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_stopped_by_a_signal_exits_0(tmp_path: Path, stop: signal.Signals) -> None:
    stop_server(start_server(tmp_path / "data"), stop)


@in_containers(240)
def test_serve_stopped_during_a_sandboxed_job_removes_its_container(
    ready_engine: Engine, tmp_path: Path, run_cli: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    """The job's child is killed, but its container runs under conmon, outside its tree."""
    data = tmp_path / "data"
    repo = make_repo(
        tmp_path / "sleepy", {"pkg/__init__.py": "VALUE = 1\n", "tests/test_slow.py": SLOW_TEST}
    )
    token = run_cli("tokens", "create", "--data-dir", str(data)).stdout.strip()
    with git_http_server(tmp_path / "served") as forge:
        server = start_server(data, "--workers", "1")
        job_pid = 0
        try:
            answer = requests.post(
                server.url("/api/v1/assessments"),
                json={"repo_url": forge.publish(repo)},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            assert answer.status_code == 202, answer.text

            def job_container_runs() -> bool:
                nonlocal job_pid
                jobs = [
                    pid
                    for pid in descendants(server.process.pid)
                    if "sqaaas.web.runjob" in command_line(pid)
                ]
                job_pid = jobs[0] if jobs else job_pid
                containers = labelled(ready_engine, job_pid)[0] if job_pid else []
                # the tests' own container, not only the holder of its scratch volumes: a
                # stop while podman still starts a container can stall its volume removal
                return any(not name.startswith("sqaaas-hold-") for name in containers)

            wait_for(job_container_runs, "the job's sandbox container")
            stop_server(server, signal.SIGTERM)
        finally:
            server.stop()
            left = labelled(ready_engine, job_pid) if job_pid else ([], [])
            if any(left):
                ready_engine.remove_owned_by(job_pid)
    assert left == ([], []), f"left behind (containers, volumes): {left}"
