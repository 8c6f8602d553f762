"""Where a batch of static tools runs: in one container of the tools image, never on the host.

The container has no network, the repository read-only at /src, the sanitised configurations
read-only at /cfg, a read-only root with a size-limited /tmp, no host environment variable,
an unprivileged user, and CPU, memory, pid, time and output limits. When there is no engine
or no tools image, the batch is not run at all: the tools' checks say ``error`` with the
command that fixes it. There is no fallback to the host.

The one exception is a machine that already is the sandbox, declared by
``SQAAAS_TOOLS_IN_PLACE=1``: the tools image itself sets it (``sqaaas run`` steps assess
inside it, where no engine is), as may a throw-away CI runner checking its own project.
The same driver then runs as a child process, with the same isolation of each Python tool.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqaaas import __version__, interrupt
from sqaaas.errors import SqaaasError
from sqaaas.platform import images
from sqaaas.platform.containers import Engine, EngineError, Limits, Mount, RunResult, engine_for
from sqaaas.tools.spec import default_tools

IN_PLACE_VAR = "SQAAAS_TOOLS_IN_PLACE"
DRIVER = "sqaaas.tools.incontainer"
SRC, CFG = "/src", "/cfg"
CONTAINER_PYTHON = "/opt/sqaaas-venv/bin/python"
ANSWER_LIMIT = 80_000_000  # the driver caps its answer at 64 MB of tool output
MEMORY = "2g"
PIDS = 512
TMP_SIZE = "256m"


class BatchError(SqaaasError):
    """The batch gave no answer (the container failed, timed out or answered garbage)."""


class Executor(Protocol):
    #: what the cache key must change with (image id, or the in-place interpreter)
    identity: str
    #: how to fix a missing or wrong tool
    fix: str
    #: how the progress note names the place
    place: str
    #: the tools run as another (unprivileged) user than this process
    other_user: bool

    def where(self, root: Path, cfg: Path) -> tuple[str, str]:
        """Where the tools see the repository and the configuration folder."""
        ...

    def run(self, root: Path, cfg: Path, cpus: int, wall_time: float) -> dict[str, Any]: ...


def _answer(stdout: str, where: str) -> dict[str, Any]:
    try:
        data = json.loads(stdout)
    except ValueError:
        raise BatchError(f"the tools {where} gave no readable answer") from None
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), dict):
        raise BatchError(f"the tools {where} gave no readable answer")
    return data


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


@dataclass
class ContainerExecutor:
    engine: Engine
    image: str
    identity: str
    fix: str = "run 'sqaaas setup' (it rebuilds the tools image)"
    place: str = "one tools container"
    other_user: bool = True

    def where(self, root: Path, cfg: Path) -> tuple[str, str]:
        return SRC, CFG

    def run(self, root: Path, cfg: Path, cpus: int, wall_time: float) -> dict[str, Any]:
        try:
            result = self.engine.run(
                self.image,
                [CONTAINER_PYTHON, "-I", "-m", DRIVER, f"{CFG}/jobs.json"],
                mounts=[Mount(root, SRC), Mount(cfg, CFG)],
                network=False,
                limits=Limits(cpus=float(cpus), memory=MEMORY, pids=PIDS,
                              wall_time=wall_time, tmp_size=TMP_SIZE),
                env={"HOME": "/tmp", "LANG": "C.UTF-8"},  # nosec B108 - the container's tmpfs
                workdir="/tmp",  # nosec B108
                stdout_limit=ANSWER_LIMIT,
            )
        except EngineError as exc:
            raise BatchError(f"the tools container could not start: {exc}") from None
        _check(result, wall_time)
        return _answer(result.stdout, "container")


def _check(result: RunResult, wall_time: float) -> None:
    if result.timed_out:
        raise BatchError(f"the tools container was stopped after {wall_time:.0f} s")
    if result.killed:
        raise BatchError(f"the tools container was killed (out of memory? the limit is {MEMORY})")
    if result.rc != 0:
        raise BatchError(f"the tools container failed (exit {result.rc}): "
                         f"{_last_line(result.stderr)}")


@dataclass
class InPlaceExecutor:
    """The driver as a child process of this (already sandboxed) sqaaas."""

    identity: str
    fix: str = "reinstall sqaaas (its dependencies include the tools)"
    place: str = f"this sandbox ({IN_PLACE_VAR}=1)"
    other_user: bool = False

    def where(self, root: Path, cfg: Path) -> tuple[str, str]:
        return str(root), str(cfg)

    def run(self, root: Path, cfg: Path, cpus: int, wall_time: float) -> dict[str, Any]:
        interrupt.check()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-m", DRIVER, str(cfg / "jobs.json")],
                cwd=cfg, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, start_new_session=True,
            )
        except OSError as exc:
            raise BatchError(f"the tools driver could not start: {exc}") from None
        try:
            with interrupt.tracked(proc):
                out, err = proc.communicate(timeout=wall_time)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise BatchError(f"the tools were stopped after {wall_time:.0f} s") from None
        except BaseException:  # Ctrl-C: the driver's own session would outlive us
            _kill(proc)
            raise
        interrupt.check()
        if proc.returncode != 0:
            raise BatchError(f"the tools driver failed (exit {proc.returncode}): "
                             f"{_last_line(err.decode('utf-8', 'replace'))}")
        return _answer(out.decode("utf-8", "replace"), "driver")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def _installed_tools() -> str:
    """sqaaas's and the PyPI tools' versions here: what in-place results depend on."""
    from importlib import metadata

    found = {f"sqaaas={__version__}"}
    for spec in default_tools().values():
        if spec.package and spec.package.pypi:
            try:
                found.add(f"{spec.package.pypi}={metadata.version(spec.package.pypi)}")
            except metadata.PackageNotFoundError:
                found.add(f"{spec.package.pypi}=none")
    return ",".join(sorted(found))


_ready: dict[str, ContainerExecutor] = {}
_lock = threading.Lock()


def resolve() -> Executor | str:
    """Where this process runs tool batches, or why it cannot (naming the fix)."""
    if os.environ.get(IN_PLACE_VAR) == "1":
        return InPlaceExecutor(identity=f"in-place:{sys.executable}:{_installed_tools()}")
    try:
        image = images.tools_image()
    except SqaaasError as exc:
        return f"static tools run only in the tools container, whose image cannot be named: {exc}"
    with _lock:
        if image in _ready:
            return _ready[image]
    try:
        engine = engine_for(image)
        image_id = engine.image_id(image)
    except EngineError as exc:
        return f"static tools run only in the tools container: {exc}"
    if image_id is None:
        return (f"static tools run only in the tools container, and its image {image} (this "
                "sqaaas version) is missing: run 'sqaaas setup'")
    executor = ContainerExecutor(engine, image, identity=f"image:{image_id}")
    with _lock:
        _ready[image] = executor
    return executor
