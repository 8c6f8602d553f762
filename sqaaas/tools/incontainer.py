"""The tools container's driver: run one batch of static-tool jobs, answer in JSON on stdout.

``python -I -m sqaaas.tools.incontainer JOBFILE`` runs inside the tools image (no network,
the repository read-only at /src, sanitised configurations read-only at /cfg), or directly
where the machine already is the sandbox (``SQAAAS_TOOLS_IN_PLACE``, e.g. a ``sqaaas run``
step). It stays standard-library only and imports nothing of the assessed repository.

Why each rule here:
- Python tools start as ``python -I -B -m tool``: isolated mode keeps the working directory
  (the repository) and ``PYTHON*`` variables off ``sys.path``, so a ``pylint.py`` or
  ``yaml.py`` at the repository root is never imported in place of the real module (and
  ``-B`` writes no bytecode anywhere).
- Each tool gets a fresh, minimal environment: nothing of the caller's (host) variables.
- File names are appended after the fixed arguments, as ``./rel`` (a name like ``-rf.py`` is
  never read as an option) or ``<src>/rel`` when the tool runs outside the repository; only
  the fixed arguments have ``{src}``/``{cfg}`` expanded, never the file names.
- Each tool has a time budget from its first job's start, and each job an output cap: a tool
  that runs away is killed (its whole process group) and reported, never waited for.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any, TypedDict

STDOUT_CAP = 16_000_000  # bytes of one job's output kept; more means a runaway tool
STDERR_CAP = 1_000_000
TOTAL_CAP = 64_000_000  # all jobs together: the answer must fit the caller's capture
_SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


class Job(TypedDict):
    """One tool invocation on a share of the files."""

    id: str
    tool: str
    module: str | None  # run as ``python -I -m module``
    binary: str | None  # run as this executable (looked up beside the interpreter first)
    args: list[str]  # fixed arguments; ``{src}`` and ``{cfg}`` are expanded
    files: list[str]  # repository-relative POSIX paths, appended after ``args``
    workdir: str  # "repo" (paths as ./rel) or "empty" (paths as <src>/rel)
    env: dict[str, str]  # extra variables (values expanded like ``args``)
    timeout: float  # seconds for all jobs of this tool, from its first job's start


class Batch(TypedDict):
    src: str  # where the repository is (read-only)
    cfg: str  # where the sanitised configurations are (read-only)
    workers: int
    versions: dict[str, dict[str, str | None]]  # tool -> {"pypi": ..., "binary": ...}
    jobs: list[Job]


class JobResult(TypedDict):
    status: str  # done | timeout | missing | output | error
    rc: int | None
    stdout: str
    stderr: str
    seconds: float
    message: str


class _Budget:
    """Per-tool deadlines (set when a tool's first job starts) and the shared output cap."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deadlines: dict[str, float] = {}
        self._left = TOTAL_CAP

    def deadline(self, tool: str, timeout: float) -> float:
        with self._lock:
            return self._deadlines.setdefault(tool, time.monotonic() + timeout)

    def take(self, size: int) -> bool:
        with self._lock:
            if size > self._left:
                return False
            self._left -= size
            return True


def _expand(text: str, batch: Batch) -> str:
    return text.replace("{src}", batch["src"]).replace("{cfg}", batch["cfg"])


def _bin_dirs() -> str:
    return os.pathsep.join([os.path.dirname(sys.executable), _SYSTEM_PATH])


def _argv(job: Job, batch: Batch) -> list[str] | None:
    """The command line, or None when the tool is not installed here."""
    args = [_expand(a, batch) for a in job["args"]]
    if job["workdir"] == "repo":
        paths = [f"./{rel}" for rel in job["files"]]
    else:
        paths = [f"{batch['src'].rstrip('/')}/{rel}" for rel in job["files"]]
    if job["module"]:
        return [sys.executable, "-I", "-B", "-m", job["module"], *args, *paths]
    found = shutil.which(job["binary"] or "", path=_bin_dirs())
    return [found, *args, *paths] if found else None


def _env(job: Job, batch: Batch, home: str) -> dict[str, str]:
    """A fresh environment: nothing inherited from whoever started the driver."""
    env = {
        "PATH": _bin_dirs(),
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "NO_COLOR": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_OPTIONAL_LOCKS": "0",
    }
    env.update({k: _expand(v, batch) for k, v in job["env"].items()})
    return env


class _Reader(threading.Thread):
    """Reads a pipe up to ``cap`` bytes; past it, calls ``on_overflow`` and keeps draining."""

    def __init__(self, stream: IO[bytes], cap: int, on_overflow: Callable[[], None]) -> None:
        super().__init__(daemon=True)
        self.stream, self.cap, self.on_overflow = stream, cap, on_overflow
        self.data = bytearray()
        self.overflow = False

    def run(self) -> None:
        while chunk := self.stream.read1(65536):  # type: ignore[attr-defined]
            if len(self.data) + len(chunk) > self.cap:
                if not self.overflow:
                    self.overflow = True
                    self.on_overflow()
                continue
            self.data += chunk

    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _result(status: str, started: float, message: str = "", **fields: Any) -> JobResult:
    return JobResult(
        status=status,
        rc=fields.get("rc"),
        stdout=fields.get("stdout", ""),
        stderr=fields.get("stderr", ""),
        seconds=round(time.monotonic() - started, 3),
        message=message,
    )


def run_job(job: Job, batch: Batch, budget: _Budget, empty: str, home: str) -> JobResult:
    """One tool process: its output, or why there is none."""
    started = time.monotonic()
    argv = _argv(job, batch)
    if argv is None:
        return _result("missing", started, f"{job['binary']} is not installed")
    left = budget.deadline(job["tool"], job["timeout"]) - started
    if left <= 0:
        return _result("timeout", started, f"timed out after {job['timeout']:.0f} s")
    cwd = batch["src"] if job["workdir"] == "repo" else empty
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=_env(job, batch, home),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        return _result("error", started, f"could not start: {exc.strerror or exc}")
    assert proc.stdout is not None and proc.stderr is not None
    out = _Reader(proc.stdout, STDOUT_CAP, lambda: _kill(proc))
    err = _Reader(proc.stderr, STDERR_CAP, lambda: _kill(proc))
    out.start()
    err.start()
    try:
        proc.wait(timeout=left)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.wait()
        return _result("timeout", started, f"timed out after {job['timeout']:.0f} s")
    finally:
        out.join(timeout=10)
        err.join(timeout=10)
    if out.overflow or err.overflow or not budget.take(len(out.data) + len(err.data)):
        return _result("output", started, "printed more output than sqaaas reads")
    return _result("done", started, rc=proc.returncode, stdout=out.text(), stderr=err.text())


def tool_version(how: dict[str, str | None]) -> str | None:
    """The installed version: package metadata, else the first number ``--version`` prints."""
    if pypi := how.get("pypi"):
        from importlib import metadata  # here: importing it costs a tenth of the start-up

        with contextlib.suppress(metadata.PackageNotFoundError):
            return metadata.version(pypi)
    binary = how.get("binary")
    found = shutil.which(binary, path=_bin_dirs()) if binary else None
    if not found:
        return None
    try:
        proc = subprocess.run(
            [found, "--version"], capture_output=True, text=True, timeout=20,
            stdin=subprocess.DEVNULL, env={"PATH": _bin_dirs(), "LANG": "C.UTF-8"},
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    words = (proc.stdout or proc.stderr).split()
    return next((w.strip(",") for w in words if w[:1].isdigit()), None)


def run_batch(batch: Batch) -> dict[str, Any]:
    """All jobs of the batch, ``workers`` at a time, plus the version of each tool."""
    budget = _Budget()
    with tempfile.TemporaryDirectory(prefix="sqaaas-tools-") as scratch:
        empty, home = os.path.join(scratch, "empty"), os.path.join(scratch, "home")
        os.mkdir(empty)
        os.mkdir(home)
        workers = max(1, min(batch["workers"], len(batch["jobs"]) or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            versions = {tool: pool.submit(tool_version, how)
                        for tool, how in batch["versions"].items()}
            jobs = {job["id"]: pool.submit(run_job, job, batch, budget, empty, home)
                    for job in batch["jobs"]}
            return {
                "versions": {tool: f.result() for tool, f in versions.items()},
                "jobs": {job_id: f.result() for job_id, f in jobs.items()},
            }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -I -m sqaaas.tools.incontainer JOBFILE", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        batch: Batch = json.load(handle)
    json.dump(run_batch(batch), sys.stdout)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
