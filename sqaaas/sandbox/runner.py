"""Run a repository's Python test suite with coverage in containers, never on the host.

Containers share size-limited scratch areas (``scratch``: tmpfs volumes for /work, /wheels
and /out, never host files): when there is something to install, the install steps
(``install``) download wheels with the network on and no repository code, then build and
install offline; the test step (no network, read-only root, resource and wall-time limits)
runs pytest with coverage; a last step copies the reports out, capped, links refused.
Results are cached (``base.Sandbox``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqaaas.platform import images
from sqaaas.sandbox.base import (
    Progress,
    Sandbox,
    SandboxOptions,
    SandboxUnavailable,
    quiet,
    tree_identity,
    write_log,
)
from sqaaas.sandbox.install import DependencyInstall
from sqaaas.sandbox.plan import InstallPlan, coverage_config, install_plan
from sqaaas.sandbox.requirements import downloads
from sqaaas.sandbox.results import (
    RunStatus,
    TestRun,
    parse_coverage,
    parse_junit,
    read_output_file,
)
from sqaaas.sandbox.steps import Steps
from sqaaas.sandbox.wheelcache import WheelCache

__all__ = ["PythonSandbox", "SandboxOptions", "SandboxUnavailable", "last_test_started",
           "run_python_tests", "tree_identity"]

_TEST_NODE = re.compile(r"^(\S+::\S+)")


def last_test_started(output: str) -> str | None:
    """The last test pytest -v announced: the one running when the time ran out."""
    nodes = [m.group(1) for line in output.splitlines() if (m := _TEST_NODE.match(line))]
    return nodes[-1] if nodes else None


class PythonSandbox(Sandbox):
    """Runs one repository tree's Python tests with coverage (``run``, cached)."""

    @property
    def image(self) -> str:
        return images.python_image()

    def steps(self, steps: Steps, run_dir: Path) -> TestRun:
        return self._steps(steps, install_plan(self.fs), run_dir)

    def _steps(self, steps: Steps, plan: InstallPlan, run_dir: Path) -> TestRun:
        base: dict[str, Any] = {
            "wall_time": self.options.tests.wall_time,
            "memory": self.options.tests.memory,
            "log_dir": str(run_dir),
        }
        install_log = None
        if not plan.empty:
            self.progress(f"installing dependencies ({plan.describe()})")
            wheels = WheelCache(self.cache / "wheels", steps.image_id or self.image)
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
        tests_log = write_log(run_dir / "tests.log", "tests", result)
        common = {**base, "install": install_log, "tests": tests_log, "coverage_config": covcfg}
        if (stopped := self.cut_short_or_collect(steps, result, run_dir, common)) is not None:
            return stopped
        return self._read_reports(run_dir / "out", {**common, "full": self.full_areas(result)})

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
    progress: Progress = quiet,
) -> TestRun:
    """Run the Python tests of the tree at ``root`` in the sandbox (see PythonSandbox)."""
    sandbox = PythonSandbox(root, cache_dir=cache_dir, options=options, progress=progress)
    return sandbox.run(identity)
