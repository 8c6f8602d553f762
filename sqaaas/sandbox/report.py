"""A sandboxed test run as a QC.Uni01 finding: numbers, names and log paths a user can act on.

Failing tests and low coverage fail; a run cut by the wall-time or memory limit, or one
that filled its scratch space and so wrote no report, fails with the limit named; when the
tests could not run at all (dependencies, pytest usage errors) the outcome is an error with
the log excerpt, never a pass.
"""

from __future__ import annotations

from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.sandbox.results import RunStatus, StepLog, TestRun
from sqaaas.sandbox.runner import last_test_started

_TOOL = "pytest"


def _log_evidence(step: StepLog | None, what: str, excerpt: bool = False) -> list[Evidence]:
    if step is None:
        return []
    return [
        Evidence(
            message=f"{what} log (rc {step.rc}, {step.seconds:.0f} s): {step.log}",
            excerpt=step.tail if excerpt else None,
            tool=_TOOL,
        )
    ]


def _counts(run: TestRun) -> Evidence:
    cached = " (cached result of an earlier run of this tree)" if run.cached else ""
    return Evidence(
        message=f"tests: {run.passed} passed, {run.failed} failed, {run.errors} errors, "
        f"{run.skipped} skipped{cached}",
        value=run.total,
        tool=_TOOL,
    )


def _coverage(run: TestRun, threshold: float) -> list[Evidence]:
    if run.coverage is None:
        return []
    config = (
        f"the repository's coverage settings in {run.coverage_config}"
        if run.coverage_config
        else "all code except tests, setup.py and docs"
    )
    evidence = [
        Evidence(
            message=f"line coverage {run.coverage:g} % ({run.covered} of {run.statements} "
            f"statements), threshold {threshold:g} %; measured over {config}",
            value=run.coverage,
            tool="coverage.py",
        )
    ]
    evidence += [
        Evidence(
            message=f"least covered: {f.percent:g} % ({f.missing} of {f.statements} statements "
            "not run)",
            path=f.path,
            value=f.percent,
            tool="coverage.py",
        )
        for f in run.worst_files
        if f.percent < 100
    ]
    return evidence


def _failures(run: TestRun) -> list[Evidence]:
    return [
        Evidence(message=f"{f.kind}: {f.name}", excerpt=f.message or None, tool=_TOOL)
        for f in run.failures
    ]


def _completed(run: TestRun, threshold: float) -> Finding:
    evidence = [_counts(run), *_failures(run), *_coverage(run, threshold)]
    evidence += _log_evidence(run.tests, "test run")
    if run.total == 0:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=[Evidence(message="pytest collected no tests"), *evidence[1:]],
            hint="Name test files test_*.py (functions test_*) so that pytest finds them, or "
            "set testpaths in [tool.pytest.ini_options].",
        )
    if run.failed or run.errors:
        names = ", ".join(f.name for f in run.failures[:3])
        return Finding(
            outcome=Outcome.FAIL,
            evidence=evidence,
            hint=f"Fix the failing tests ({names}); the full output is in "
            f"{run.tests.log if run.tests else run.log_dir}. The tests ran without network "
            "access: tests that need the network should be marked and skipped when it is "
            "missing.",
        )
    if run.coverage is None:
        return Finding(
            outcome=Outcome.ERROR,
            evidence=[Evidence(message="pytest ran but wrote no coverage report"), *evidence],
            hint="Check that the repository's pytest options do not disable pytest-cov "
            "(e.g. '-p no:cov' in addopts).",
        )
    if run.coverage < threshold:
        worst = ", ".join(f.path for f in run.worst_files[:3])
        return Finding(
            outcome=Outcome.FAIL,
            evidence=evidence,
            hint=f"Raise line coverage to at least {threshold:g} % by testing the least "
            f"covered code first ({worst}).",
        )
    return Finding(outcome=Outcome.PASS, evidence=evidence)


def finding_for(run: TestRun, threshold: float) -> Finding:
    """The QC.Uni01 finding for a sandboxed run, against the coverage ``threshold`` (%)."""
    if run.status is RunStatus.COMPLETED:
        return _completed(run, threshold)
    if run.status is RunStatus.TIMED_OUT:
        running = last_test_started(run.tests.tail) if run.tests else None
        during = f" while running {running}" if running else ""
        return Finding(
            outcome=Outcome.FAIL,
            evidence=[
                Evidence(
                    message=f"the test run timed out after {run.wall_time:g} s{during}",
                    value=run.wall_time,
                    tool=_TOOL,
                ),
                *_log_evidence(run.tests, "test run", excerpt=True),
            ],
            hint="Make the test suite finish within the limit: look for tests that wait on "
            "the network, on input or in endless loops (pytest-timeout marks help).",
        )
    if run.status is RunStatus.KILLED:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=[
                Evidence(
                    message="the test run was killed before the time limit, most likely for "
                    f"using more than the {run.memory} memory limit",
                    tool=_TOOL,
                ),
                *_log_evidence(run.tests, "test run", excerpt=True),
            ],
            hint="Reduce the memory the tests need (smaller fixtures and data sets).",
        )
    if run.status is RunStatus.SCRATCH_FULL:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=[
                Evidence(
                    message="the test run wrote no test report: it filled its size-limited "
                    f"scratch space ({', '.join(run.full)})",
                    tool=_TOOL,
                ),
                *_log_evidence(run.tests, "test run", excerpt=True),
            ],
            hint="Make the tests write less: the repository copy and its dependencies (/work), "
            "/tmp and the reports (/out) each have a fixed size in the sandbox.",
        )
    if run.status is RunStatus.NO_RESULTS:
        rc = run.tests.rc if run.tests else "?"
        return Finding(
            outcome=Outcome.ERROR,
            evidence=[
                Evidence(message=f"pytest stopped (rc {rc}) without reporting any test result"),
                *_log_evidence(run.tests, "test run", excerpt=True),
            ],
            hint="Run 'python -m pytest' in a fresh virtualenv to see the problem: a usage "
            "error in the pytest options or a plugin they need that is not installed.",
        )
    timed_out = run.status is RunStatus.INSTALL_TIMED_OUT
    what = "timed out" if timed_out else "failed"
    return Finding(
        outcome=Outcome.ERROR,
        evidence=[
            Evidence(message=f"installing the repository's dependencies {what}; tests not run"),
            *_log_evidence(run.install, "dependency install", excerpt=True),
        ],
        hint="Make the dependencies installable with pip on a clean Python 3.11 (Debian "
        "bookworm): 'pip install -e .[test]' and 'pip install -r requirements.txt'; the full "
        "log is kept at the path shown.",
    )
