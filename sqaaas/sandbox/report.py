"""A sandboxed test run as a QC.Uni01 finding: numbers, names and log paths a user can act on.

Failing tests and low coverage fail; a run cut by the wall-time or memory limit, or one
that filled its scratch space and so wrote no report, fails with the limit named; when the
tests could not run at all (dependencies, pytest usage errors) the outcome is an error with
the log excerpt, never a pass. A package's test script (JavaScript/TypeScript) is judged by
its exit code, with the counts its runner printed; when it measures no coverage, QC.Uni01
is not automated (the tests passed, but how much they cover is unknown), never a pass.
"""

from __future__ import annotations

from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.sandbox.results import RunStatus, StepLog, TestRun
from sqaaas.sandbox.runner import last_test_started


def _log_evidence(run: TestRun, step: StepLog | None, what: str,
                  excerpt: bool = False) -> list[Evidence]:
    if step is None:
        return []
    return [
        Evidence(
            message=f"{what} log (rc {step.rc}, {step.seconds:.0f} s): {step.log}",
            excerpt=step.tail if excerpt else None,
            tool=run.runner,
        )
    ]


def _counts(run: TestRun) -> Evidence:
    cached = " (cached result of an earlier run of this tree)" if run.cached else ""
    if not run.counted:
        return Evidence(
            message=f"tests: {run.runner} exited with {run.exit_code}; its runner printed no "
            f"summary sqaaas reads, so the exit code decides{cached}",
            value=run.exit_code,
            tool=run.runner,
        )
    return Evidence(
        message=f"tests: {run.passed} passed, {run.failed} failed, {run.errors} errors, "
        f"{run.skipped} skipped{cached}",
        value=run.total,
        tool=run.runner,
    )


def _coverage(run: TestRun, threshold: float) -> list[Evidence]:
    if run.coverage is None:
        return []
    if run.coverage_from:
        config = f"read from {run.coverage_from}, as the repository's test tools wrote it"
    elif run.coverage_config:
        config = f"measured over the repository's coverage settings in {run.coverage_config}"
    else:
        config = "measured over all code except tests, setup.py and docs"
    unit = "statements" if run.coverage_tool == "coverage.py" else "lines"
    lines = f" ({run.covered} of {run.statements} {unit})" if run.statements else ""
    evidence = [
        Evidence(
            message=f"line coverage {run.coverage:g} %{lines}, threshold {threshold:g} %; "
            f"{config}",
            value=run.coverage,
            tool=run.coverage_tool,
        )
    ]
    evidence += [
        Evidence(
            message=f"least covered: {f.percent:g} % ({f.missing} of {f.statements} {unit} "
            "not run)",
            path=f.path,
            value=f.percent,
            tool=run.coverage_tool,
        )
        for f in run.worst_files
        if f.percent < 100
    ]
    return evidence


def _failures(run: TestRun) -> list[Evidence]:
    return [
        Evidence(message=f"{f.kind}: {f.name}", excerpt=f.message or None, tool=run.runner)
        for f in run.failures
    ]


def _completed(run: TestRun, threshold: float) -> Finding:
    evidence = [_counts(run), *_failures(run), *_coverage(run, threshold)]
    evidence += _log_evidence(run, run.tests, "test run")
    if run.failed or run.errors or run.exit_code not in (None, 0):
        names = ", ".join(f.name for f in run.failures[:3])
        return Finding(
            outcome=Outcome.FAIL,
            evidence=evidence,
            hint=f"Fix the failing tests{f' ({names})' if names else ''}; the full output is in "
            f"{run.tests.log if run.tests else run.log_dir}. The tests ran without network "
            "access: tests that need the network should be marked and skipped when it is "
            "missing.",
        )
    if run.counted and run.total == 0:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=[Evidence(message="pytest collected no tests" if run.runner == "pytest"
                               else f"'{run.runner}' ran no tests"), *evidence[1:]],
            hint="Name test files test_*.py (functions test_*) so that pytest finds them, or "
            "set testpaths in [tool.pytest.ini_options]." if run.runner == "pytest" else
            f"Make '{run.runner}' run the package's unit tests.",
        )
    if run.coverage is None and not run.coverage_expected:
        return Finding(
            outcome=Outcome.NOT_AUTOMATED,
            evidence=[
                Evidence(
                    message=f"the tests passed, but their coverage is not measured: "
                    f"'{run.runner}' wrote no coverage report (coverage/coverage-summary.json "
                    "or coverage/lcov.info) and printed no coverage table",
                    failing=False,
                ),
                *evidence,
            ],
            hint="Measure coverage in the test script, e.g. 'jest --coverage "
            "--coverageReporters=json-summary', 'vitest run --coverage', 'c8 --reporter="
            "json-summary node --test' or 'node --test --experimental-test-coverage'.",
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
                    tool=run.runner,
                ),
                *_log_evidence(run, run.tests, "test run", excerpt=True),
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
                    tool=run.runner,
                ),
                *_log_evidence(run, run.tests, "test run", excerpt=True),
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
                    tool=run.runner,
                ),
                *_log_evidence(run, run.tests, "test run", excerpt=True),
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
                *_log_evidence(run, run.tests, "test run", excerpt=True),
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
            *_log_evidence(run, run.install, "dependency install", excerpt=True),
        ],
        hint="Make the dependencies installable with pip on a clean Python 3.11 (Debian "
        "bookworm): 'pip install -e .[test]' and 'pip install -r requirements.txt'; the full "
        "log is kept at the path shown." if run.runner == "pytest" else
        "Make the dependencies installable from the lock file with install scripts off on "
        "Node.js 18 (Debian bookworm), e.g. 'npm ci --ignore-scripts'; the full log is kept "
        "at the path shown.",
    )
