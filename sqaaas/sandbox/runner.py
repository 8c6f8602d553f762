"""Run a repository's Python test suite with coverage in containers, never on the host.

Two containers share a scratch volume: the first (network on, only when there is something
to install) copies the read-only repository and pip-installs its dependencies; the second
(no network, read-only root, resource and wall-time limits) runs pytest with coverage.
Results are cached by (tree identity, image id, limits): re-assessing an unchanged commit
does not run the suite again. Each step's log stays in the run folder of the cache.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqaaas import images
from sqaaas.acquire import default_cache_dir
from sqaaas.containers import (
    CONTAINER_CA,
    Engine,
    EngineError,
    Limits,
    Mount,
    RunResult,
    engine_for,
    host_ca_bundle,
    proxy_vars,
)
from sqaaas.fileio import write_atomic
from sqaaas.repofs import RepoFS, UnsafePathError
from sqaaas.sandbox.plan import InstallPlan, coverage_config, install_plan
from sqaaas.sandbox.results import (
    RunStatus,
    StepLog,
    TestRun,
    parse_coverage,
    parse_junit,
    read_output_file,
)

Progress = Callable[[str], None]
DRIVER = Path(__file__).resolve().with_name("driver.py")
_DRIVER_IN_CONTAINER = "/opt/sqaaas/driver.py"
_PYTHON = "/opt/sqaaas-venv/bin/python"
_TAIL_LINES = 15
_CACHEABLE = {RunStatus.COMPLETED, RunStatus.TIMED_OUT, RunStatus.KILLED}
_TEST_NODE = re.compile(r"^(\S+::\S+)")


class SandboxUnavailable(EngineError):
    """No engine or no test image: the message names the command that fixes it."""


@dataclass(frozen=True)
class SandboxOptions:
    """Limits of the two steps; defaults suit real projects, tests pass small ones."""

    install: Limits = field(
        default_factory=lambda: Limits(cpus=2, memory="2g", pids=1024, wall_time=600)
    )
    tests: Limits = field(
        default_factory=lambda: Limits(cpus=2, memory="2g", pids=512, wall_time=600)
    )
    per_test_timeout: int = 120


def _quiet(_: str) -> None:
    """Library default: no progress output."""


def tree_identity(root: Path) -> str:
    """The commit when the work tree is clean, else a hash of the files' contents."""
    git = ["git", "--no-optional-locks", "-C", str(root)]
    try:
        status = subprocess.run(
            [*git, "status", "--porcelain", "-z", "--untracked-files=all"],
            capture_output=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        head = subprocess.run(
            [*git, "rev-parse", "HEAD", "--show-prefix"],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        status = head = None
    if status and head and status.returncode == head.returncode == 0 and not status.stdout:
        return "git:" + ":".join(head.stdout.split())
    fs = RepoFS(root)
    digest = hashlib.sha256()
    for entry in fs.files:
        digest.update(f"{entry.path}\0{entry.size}\0{entry.mode}\0".encode())
        try:
            digest.update(fs.read_bytes(entry.path, limit=50_000_000)[0])
        except (OSError, UnsafePathError):
            digest.update(b"unreadable")
    return "tree:" + digest.hexdigest()


def _tail(text: str, lines: int = _TAIL_LINES) -> str:
    kept = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:])[-2000:]


def _write_log(path: Path, title: str, result: RunResult) -> StepLog:
    state = f"timed out after {result.duration:.0f} s" if result.timed_out else f"rc {result.rc}"
    path.write_text(
        f"# {title}: {state}, {result.duration:.1f} s\n# {' '.join(result.command)}\n\n"
        f"{result.output}\n",
        encoding="utf-8",
    )
    return StepLog(
        rc=result.rc, seconds=round(result.duration, 2), log=str(path), tail=_tail(result.output)
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
        out.chmod(0o777)  # the contained user (nobody) writes the reports here
        volume = engine.create_volume()
        try:
            result = self._steps(engine, plan, volume, run_dir)
        finally:
            engine.remove_volume(volume)
        if result.status in _CACHEABLE:  # atomically: an interrupt never leaves half a verdict
            write_atomic(run_dir / "result.json", result.model_dump_json(indent=2).encode())
        return result

    def _cached(self, run_dir: Path) -> TestRun | None:
        try:
            data = (run_dir / "result.json").read_text(encoding="utf-8")
            return TestRun.model_validate_json(data).model_copy(update={"cached": True})
        except (OSError, ValueError):
            return None

    def _mounts(self, out: Path | None) -> list[Mount]:
        mounts = [Mount(self.root, "/src"), Mount(DRIVER, _DRIVER_IN_CONTAINER)]
        if out is not None:
            mounts.append(Mount(out, "/out", read_only=False))
        return mounts

    def _steps(self, engine: Engine, plan: InstallPlan, volume: str, run_dir: Path) -> TestRun:
        base: dict[str, Any] = {
            "wall_time": self.options.tests.wall_time,
            "memory": self.options.tests.memory,
            "log_dir": str(run_dir),
        }
        install_log = None
        if not plan.empty:
            self.progress(f"installing dependencies ({plan.describe()})")
            install_log, failed = self._install(engine, plan, volume, run_dir)
            if failed is not None:
                return TestRun(status=failed, install=install_log, **base)
        self.progress("running tests")
        covcfg = coverage_config(self.fs)
        payload = {
            "per_test_timeout": self.options.per_test_timeout,
            "repo_coverage_config": covcfg,
        }
        result = engine.run(
            self.image,
            [_PYTHON, _DRIVER_IN_CONTAINER, "test", json.dumps(payload)],
            mounts=self._mounts(run_dir / "out"),
            volumes={volume: "/work"},
            network=False,
            limits=self.options.tests,
            env={
                "HOME": "/tmp",  # nosec B108 - inside the container: its private tmpfs
                "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONUNBUFFERED": "1",
                "SQAAAS_SANDBOX": "1",
                "PATH": "/work/venv/bin:/opt/sqaaas-venv/bin:/usr/bin:/bin",
            },
            workdir="/work",
        )
        tests_log = _write_log(run_dir / "tests.log", "tests", result)
        common = {**base, "install": install_log, "tests": tests_log, "coverage_config": covcfg}
        if result.timed_out:
            return TestRun(status=RunStatus.TIMED_OUT, **common)
        if result.killed:
            return TestRun(status=RunStatus.KILLED, **common)
        return self._read_reports(run_dir / "out", common)

    def _install(
        self, engine: Engine, plan: InstallPlan, volume: str, run_dir: Path
    ) -> tuple[StepLog, RunStatus | None]:
        # HOME is the container's private tmpfs /tmp, not the host's
        env = {"HOME": "/tmp", "PIP_NO_CACHE_DIR": "1", "PYTHONDONTWRITEBYTECODE": "1"}  # nosec B108
        mounts = self._mounts(None)
        if bundle := host_ca_bundle():
            mounts.append(Mount(Path(bundle), CONTAINER_CA))
            env |= {
                "PIP_CERT": CONTAINER_CA,
                "SSL_CERT_FILE": CONTAINER_CA,
                "REQUESTS_CA_BUNDLE": CONTAINER_CA,
            }
        result = engine.run(
            self.image,
            [_PYTHON, _DRIVER_IN_CONTAINER, "install", json.dumps(plan.to_json())],
            mounts=mounts,
            volumes={volume: "/work"},
            network=True,
            limits=self.options.install,
            env=env,
            inherit_env=proxy_vars(),
            workdir="/work",
        )
        log = _write_log(run_dir / "install.log", "dependency install", result)
        if result.timed_out:
            return log, RunStatus.INSTALL_TIMED_OUT
        return log, (RunStatus.INSTALL_FAILED if result.rc != 0 else None)

    def _read_reports(self, out: Path, common: dict[str, Any]) -> TestRun:
        junit = read_output_file(out / "junit.xml")
        parsed = parse_junit(junit) if junit is not None else None
        if parsed is None:
            return TestRun(status=RunStatus.NO_RESULTS, **common)
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
