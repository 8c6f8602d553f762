"""Run a repository's Python test suite with coverage in containers, never on the host.

Containers share size-limited scratch areas (``scratch``: tmpfs volumes for /work, /wheels
and /out, never host files): when there is something to install, the install steps
(``install``) download wheels with the network on and no repository code, then build and
install offline; the test step (no network, read-only root, resource and wall-time limits)
runs pytest with coverage; a last step copies the reports out, capped, links refused.
Results are cached by (tree identity, image id, limits): re-assessing an unchanged commit
does not run the suite again. Each step's log stays in the run folder of the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqaaas import gitsafe
from sqaaas.fileio import write_atomic
from sqaaas.gitsafe import GitError, GitRepo
from sqaaas.paths import default_cache_dir
from sqaaas.platform import images
from sqaaas.platform.containers import Engine, EngineError, Limits, RunResult, engine_for
from sqaaas.repofs import RepoFS, UnsafePathError
from sqaaas.sandbox.install import DependencyInstall
from sqaaas.sandbox.plan import InstallPlan, coverage_config, install_plan
from sqaaas.sandbox.requirements import downloads
from sqaaas.sandbox.results import (
    RunStatus,
    StepLog,
    TestRun,
    parse_coverage,
    parse_junit,
    read_output_file,
)
from sqaaas.sandbox.scratch import Scratch, ScratchSizes
from sqaaas.sandbox.steps import DRIVER, FULL_MARKER, Steps, log_section, tail
from sqaaas.sandbox.wheelcache import WheelCache

Progress = Callable[[str], None]
_CACHEABLE = {RunStatus.COMPLETED, RunStatus.TIMED_OUT, RunStatus.KILLED, RunStatus.SCRATCH_FULL}
_HOLD_MARGIN_S = 180  # the holder outlives the steps' own limits by this much
_TEST_NODE = re.compile(r"^(\S+::\S+)")


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


def _quiet(_: str) -> None:
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


def _write_log(path: Path, title: str, result: RunResult) -> StepLog:
    path.write_text(log_section(title, result), encoding="utf-8")
    return StepLog(
        rc=result.rc, seconds=round(result.duration, 2), log=str(path), tail=tail(result.output)
    )


def last_test_started(output: str) -> str | None:
    """The last test pytest -v announced: the one running when the time ran out."""
    nodes = [m.group(1) for line in output.splitlines() if (m := _TEST_NODE.match(line))]
    return nodes[-1] if nodes else None


class PythonSandbox:
    """Runs one repository tree's Python tests (``run``), with a result cache."""

    def __init__(
        self,
        root: Path,
        *,
        cache_dir: Path | None = None,
        options: SandboxOptions | None = None,
        progress: Progress = _quiet,
    ) -> None:
        self.root = root.resolve()
        self.fs = RepoFS(self.root)
        self.cache = Path(cache_dir or default_cache_dir()) / "sandbox"
        self.options = options or SandboxOptions()
        self.progress = progress
        self.image = images.python_image()

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
        plan = install_plan(self.fs)
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
            steps = Steps(engine, self.image, self.root, scratch)
            result = self._steps(steps, plan, run_dir, WheelCache(self.cache / "wheels", image_id))
        if result.status in _CACHEABLE:  # atomically: an interrupt never leaves half a verdict
            write_atomic(run_dir / "result.json", result.model_dump_json(indent=2).encode())
        return result

    def _cached(self, run_dir: Path) -> TestRun | None:
        try:
            data = (run_dir / "result.json").read_text(encoding="utf-8")
            return TestRun.model_validate_json(data).model_copy(update={"cached": True})
        except (OSError, ValueError):
            return None

    def _steps(
        self, steps: Steps, plan: InstallPlan, run_dir: Path, wheels: WheelCache
    ) -> TestRun:
        base: dict[str, Any] = {
            "wall_time": self.options.tests.wall_time,
            "memory": self.options.tests.memory,
            "log_dir": str(run_dir),
        }
        install_log = None
        if not plan.empty:
            self.progress(f"installing dependencies ({plan.describe()})")
            install = DependencyInstall(steps, self.options.install, run_dir / "install.log",
                                        wheels)
            install_log, failed = install.run(plan, downloads(self.fs, plan))
            if failed is not None:
                return TestRun(status=failed, install=install_log, **base)
        self.progress("running tests")
        covcfg = coverage_config(self.fs)
        payload = {
            "per_test_timeout": self.options.per_test_timeout,
            "repo_coverage_config": covcfg,
        }
        env = {
            "HOME": "/tmp",  # nosec B108 - inside the container: its private tmpfs
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "SQAAAS_SANDBOX": "1",
            "PATH": "/work/venv/bin:/opt/sqaaas-venv/bin:/usr/bin:/bin",
        }
        result = steps.offline("test", payload, self.options.tests, env=env, out=True)
        tests_log = _write_log(run_dir / "tests.log", "tests", result)
        common = {**base, "install": install_log, "tests": tests_log, "coverage_config": covcfg}
        if result.timed_out:
            return TestRun(status=RunStatus.TIMED_OUT, **common)
        if result.killed:
            return TestRun(status=RunStatus.KILLED, **common)
        collected = steps.collect(run_dir / "out")
        (run_dir / "collect.log").write_text(log_section("collect", collected), "utf-8")
        return self._read_reports(run_dir / "out", {**common, "full": self._full(result)})

    def _full(self, result: RunResult) -> list[str]:
        """The scratch areas the driver found full after the tests, with their sizes."""
        sizes = {
            "/out": self.options.scratch.out,
            "/work": self.options.scratch.work,
            "/tmp": self.options.tests.tmp_size,  # nosec B108 - inside the container
        }
        found = {line[len(FULL_MARKER):].strip() for line in result.stdout.splitlines()
                 if line.startswith(FULL_MARKER)}
        return [f"{area} ({size})" for area, size in sizes.items() if area in found]

    def _read_reports(self, out: Path, common: dict[str, Any]) -> TestRun:
        junit = read_output_file(out / "junit.xml")
        parsed = parse_junit(junit) if junit is not None else None
        if parsed is None:
            status = RunStatus.SCRATCH_FULL if common["full"] else RunStatus.NO_RESULTS
            return TestRun(status=status, **common)
        counts, failures = parsed
        run = TestRun(status=RunStatus.COMPLETED, failures=failures, **counts, **common)
        coverage = read_output_file(out / "coverage.json")
        if coverage is not None and (cov := parse_coverage(coverage, "/work/tree")):
            percent, statements, covered, worst = cov
            run = run.model_copy(
                update={
                    "coverage": percent,
                    "statements": statements,
                    "covered": covered,
                    "worst_files": worst,
                }
            )
        return run


def run_python_tests(
    root: Path,
    *,
    identity: str | None = None,
    cache_dir: Path | None = None,
    options: SandboxOptions | None = None,
    progress: Progress = _quiet,
) -> TestRun:
    """Run the Python tests of the tree at ``root`` in the sandbox (see PythonSandbox)."""
    sandbox = PythonSandbox(root, cache_dir=cache_dir, options=options, progress=progress)
    return sandbox.run(identity)
