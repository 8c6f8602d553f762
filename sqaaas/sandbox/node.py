"""Run a JavaScript/TypeScript package's own test script in containers, never on the host.

Like the Python sandbox (``base.Sandbox``: scratch areas, result cache): ``node_fetch``
(network on, the repository not mounted) installs the dependencies from the package.json
files and the lock file, copied as data, with npm, Yarn or pnpm and every install script off;
``node_test`` (network off, read-only root, limits) runs ``npm test`` (``yarn test``,
``pnpm test``) on a copy of the tree with those node_modules; ``collect`` copies out the
coverage reports the test tools wrote. The script's exit code decides; the counts and the
coverage are read from what its tools printed and wrote (``node_results``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqaaas.platform import images
from sqaaas.platform.containers import RunResult
from sqaaas.sandbox.base import Sandbox, write_log
from sqaaas.sandbox.node_plan import NodePlan, node_plan
from sqaaas.sandbox.node_results import (
    Coverage,
    parse_counts,
    parse_json_summary,
    parse_lcov,
    parse_node_table,
)
from sqaaas.sandbox.results import RunStatus, TestRun, read_output_file
from sqaaas.sandbox.steps import Steps

_TREE = "/work/tree"
#: what the test scripts' tools see: no colours, no watch mode, no interactive prompts
_TEST_ENV = {
    "HOME": "/tmp",  # nosec B108 - inside the container: its private tmpfs
    "CI": "true",
    "NO_COLOR": "1",
    "FORCE_COLOR": "0",
    "NPM_CONFIG_UPDATE_NOTIFIER": "false",
    "NODE_ENV": "test",
    "SQAAAS_SANDBOX": "1",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
}


class NodeSandbox(Sandbox):
    """Runs one tree's package test script (``run``, cached); ``plan`` says how."""

    def __init__(self, root: Path, plan: NodePlan, **kwargs: Any) -> None:
        super().__init__(root, **kwargs)
        self.plan = plan

    @property
    def image(self) -> str:
        return images.node_image()

    def steps(self, steps: Steps, run_dir: Path) -> TestRun:
        plan = self.plan
        base: dict[str, Any] = {
            "runner": plan.command, "coverage_expected": False, "coverage_tool": plan.command,
            "wall_time": self.options.tests.wall_time, "memory": self.options.tests.memory,
            "log_dir": str(run_dir),
        }
        install = None
        if plan.has_dependencies:
            self.progress(f"installing dependencies ({plan.manager}, install scripts off)")
            payload = {"manager": plan.manager, "locked": plan.locked}
            fetched = steps.fetch(payload, self.options.install, step="node_fetch",
                                  inputs=_inputs(plan, run_dir / "inputs"))
            install = write_log(run_dir / "install.log", "dependency install", fetched)
            if fetched.timed_out or fetched.rc != 0:
                status = (RunStatus.INSTALL_TIMED_OUT if fetched.timed_out
                          else RunStatus.INSTALL_FAILED)
                return TestRun(status=status, install=install, **base)
        self.progress(f"running tests ({plan.command})")
        result = steps.offline("node_test", {"manager": plan.manager}, self.options.tests,
                               env=_TEST_ENV, out=True)
        tests = write_log(run_dir / "tests.log", "tests", result)
        common = {**base, "install": install, "tests": tests, "exit_code": result.rc}
        if (stopped := self.cut_short_or_collect(steps, result, run_dir, common)) is not None:
            return stopped
        return _read(result, run_dir / "out", common, self.full_areas(result))


def _inputs(plan: NodePlan, folder: Path) -> Path:
    """The package.json files and the lock file, written for the install step to read
    (RepoFS gave their paths: relative, inside the repository; checked again here)."""
    folder.mkdir(parents=True, exist_ok=True)
    for rel, text in plan.files.items():
        path = (folder / rel).resolve()
        if path.is_relative_to(folder.resolve()):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # the contained user reads them
    return folder


def _coverage(out: Path, output: str) -> Coverage | None:
    """The tool's own report: Istanbul's json-summary, else lcov, else Node's printed table
    (the driver keeps coverage/<name> as coverage-<name>)."""
    for name, reader in (("coverage-coverage-summary.json", parse_json_summary),
                         ("coverage-lcov.info", parse_lcov)):
        data = read_output_file(out / name)
        if data is not None and (found := reader(data, _TREE)):
            return found
    return parse_node_table(output)


def _read(result: RunResult, out: Path, common: dict[str, Any], full: list[str]) -> TestRun:
    if full and result.rc != 0:
        return TestRun(status=RunStatus.SCRATCH_FULL, full=full, **common)
    counts = parse_counts(result.output)
    run = TestRun(status=RunStatus.COMPLETED, full=full, counted=counts is not None, **common)
    if counts is not None:
        run = run.model_copy(update={
            "passed": counts.passed, "failed": counts.failed, "skipped": counts.skipped,
            "runner": f"{common['runner']} ({counts.runner})"})
    if (cov := _coverage(out, result.output)) is not None:
        run = run.model_copy(update={
            "coverage": cov.percent, "statements": cov.statements, "covered": cov.covered,
            "worst_files": cov.worst, "coverage_from": cov.source})
    return run


__all__ = ["NodeSandbox", "node_plan"]
