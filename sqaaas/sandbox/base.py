"""What every sandboxed test run shares, whatever the language: its options, the identity
of the tree it ran on, the result cache, and the scratch areas held for its steps.

A language's sandbox (``runner.PythonSandbox``, ``node.NodeSandbox``) names its image and
runs its steps; the run is cached by (tree identity, image id, options, driver), so
re-assessing an unchanged commit does not run the suite again. Each step's log stays in
the run folder of the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqaaas import gitsafe
from sqaaas.fileio import write_atomic
from sqaaas.gitsafe import GitError, GitRepo
from sqaaas.paths import default_cache_dir
from sqaaas.platform.containers import Engine, EngineError, Limits, RunResult, engine_for
from sqaaas.repofs import RepoFS, UnsafePathError
from sqaaas.sandbox.results import RunStatus, StepLog, TestRun
from sqaaas.sandbox.scratch import Scratch, ScratchSizes
from sqaaas.sandbox.steps import DRIVER, FULL_MARKER, Steps, log_section, tail

Progress = Callable[[str], None]
_CACHEABLE = {RunStatus.COMPLETED, RunStatus.TIMED_OUT, RunStatus.KILLED, RunStatus.SCRATCH_FULL}
_HOLD_MARGIN_S = 180  # the holder outlives the steps' own limits by this much


class SandboxUnavailable(EngineError):
    """No engine or no test image: the message names the command that fixes it."""


@dataclass(frozen=True)
class SandboxOptions:
    """Limits of the install and test steps and sizes of the scratch areas; defaults suit
    real projects, tests pass small ones."""

    install: Limits = field(
        default_factory=lambda: Limits(cpus=2, memory="2g", pids=1024, wall_time=600)
    )
    tests: Limits = field(
        default_factory=lambda: Limits(cpus=2, memory="2g", pids=512, wall_time=600)
    )
    per_test_timeout: int = 120
    scratch: ScratchSizes = field(default_factory=ScratchSizes)


def quiet(_: str) -> None:
    """Library default: no progress output."""


def tree_identity(root: Path) -> str:
    """The commit when the work tree is clean, else a hash of the files' contents.

    git runs hardened (``sqaaas.gitsafe``): ``status`` compares file contents through the
    repository's filters, which must not run. A work tree with submodules is always
    hashed: telling whether a submodule is clean would run git inside it, under a config
    of its own.
    """
    if (clean := _clean_commit(root)) is not None:
        return clean
    fs = RepoFS(root)
    digest = hashlib.sha256()
    for entry in fs.files:
        # fsencode: a name that is not UTF-8 is hashed as the bytes it is on disk
        digest.update(os.fsencode(entry.path) + f"\0{entry.size}\0{entry.mode}\0".encode())
        try:
            digest.update(fs.read_bytes(entry.path, limit=50_000_000)[0])
        except (OSError, UnsafePathError):
            digest.update(b"unreadable")
    return "tree:" + digest.hexdigest()


def _clean_commit(root: Path) -> str | None:
    """``git:<commit>:<prefix>`` when ``root`` is in a clean work tree; else None."""
    try:
        repo = GitRepo.find(root)
        if repo is None or (repo.root / ".gitmodules").exists():
            return None
        status = gitsafe.run(
            root,
            ["status", "--porcelain", "-z", "--untracked-files=all", "--ignore-submodules=all"],
            repo.settings,
            timeout=60,
        )
        head = gitsafe.run(root, ["rev-parse", "HEAD", "--show-prefix"], repo.settings, timeout=60)
    except (OSError, GitError):
        return None
    if status.returncode == head.returncode == 0 and not status.stdout:
        return "git:" + ":".join(os.fsdecode(head.stdout).split())
    return None


def write_log(path: Path, title: str, result: RunResult) -> StepLog:
    path.write_text(log_section(title, result), encoding="utf-8")
    return StepLog(
        rc=result.rc, seconds=round(result.duration, 2), log=str(path), tail=tail(result.output)
    )


class Sandbox(ABC):
    """Runs one repository tree's test suite in containers of ``image`` (``run``), with a
    result cache; a subclass runs the steps of its language (``steps``)."""

    def __init__(
        self,
        root: Path,
        *,
        cache_dir: Path | None = None,
        options: SandboxOptions | None = None,
        progress: Progress = quiet,
    ) -> None:
        self.root = root.resolve()
        self.fs = RepoFS(self.root)
        self.cache = Path(cache_dir or default_cache_dir()) / "sandbox"
        self.options = options or SandboxOptions()
        self.progress = progress

    @property
    @abstractmethod
    def image(self) -> str:
        """The test image of the language (built by ``sqaaas setup``)."""

    @abstractmethod
    def steps(self, steps: Steps, run_dir: Path) -> TestRun:
        """Install (when needed) and run the tests; the run's logs go into ``run_dir``."""

    def _engine(self) -> tuple[Engine, str]:
        try:
            engine = engine_for(self.image)
        except EngineError as exc:
            raise SandboxUnavailable(str(exc)) from None
        image_id = engine.image_id(self.image)
        if image_id is None:
            raise SandboxUnavailable(f"test image {self.image} is missing: run 'sqaaas setup'")
        return engine, image_id

    def run(self, identity: str | None = None) -> TestRun:
        engine, image_id = self._engine()
        key_data = {
            "tree": identity or tree_identity(self.root),
            "image": image_id,
            "options": asdict(self.options),
            "driver": hashlib.sha256(DRIVER.read_bytes()).hexdigest(),
        }
        key = hashlib.sha256(json.dumps(key_data, sort_keys=True).encode()).hexdigest()[:20]
        run_dir = self.cache / key
        if cached := self._cached(run_dir):
            return cached
        shutil.rmtree(run_dir, ignore_errors=True)
        out = run_dir / "out"
        out.mkdir(parents=True)
        out.chmod(0o777)  # the contained user (nobody) copies the reports here
        seconds = self.options.install.wall_time + self.options.tests.wall_time + _HOLD_MARGIN_S
        with Scratch(engine, self.image, self.options.scratch, seconds) as scratch:
            result = self.steps(Steps(engine, self.image, self.root, scratch, image_id), run_dir)
        if result.status in _CACHEABLE:  # atomically: an interrupt never leaves half a verdict
            write_atomic(run_dir / "result.json", result.model_dump_json(indent=2).encode())
        return result

    def cut_short_or_collect(
        self, steps: Steps, result: RunResult, run_dir: Path, common: dict[str, Any]
    ) -> TestRun | None:
        """The run's outcome when the test step was stopped (time or memory limit); else
        None, once the reports the tests left in /out are copied to ``run_dir``/out."""
        if result.timed_out:
            return TestRun(status=RunStatus.TIMED_OUT, **common)
        if result.killed:
            return TestRun(status=RunStatus.KILLED, **common)
        collected = steps.collect(run_dir / "out")
        (run_dir / "collect.log").write_text(log_section("collect", collected), "utf-8")
        return None

    def full_areas(self, result: RunResult) -> list[str]:
        """The scratch areas the driver found full after the tests, with their sizes."""
        sizes = {
            "/out": self.options.scratch.out,
            "/work": self.options.scratch.work,
            "/tmp": self.options.tests.tmp_size,  # nosec B108 - inside the container
        }
        found = {line[len(FULL_MARKER):].strip() for line in result.stdout.splitlines()
                 if line.startswith(FULL_MARKER)}
        return [f"{area} ({size})" for area, size in sizes.items() if area in found]

    def _cached(self, run_dir: Path) -> TestRun | None:
        try:
            data = (run_dir / "result.json").read_text(encoding="utf-8")
            return TestRun.model_validate_json(data).model_copy(update={"cached": True})
        except (OSError, ValueError):
            return None
