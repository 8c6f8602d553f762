"""QC.Har: test doubles (mocks, fakes, stubs) in the test code, kept apart, checked per change.

The doubles are found by one bounded scan of the code (sqaaas.facts.doubles); evidence
says when the bound was reached.
"""

from __future__ import annotations

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.ci_tests import ci_test_finding
from sqaaas.facts.doubles import MAX_HITS, DoublesScan, doubles_scan


def _bound_note(scan: DoublesScan) -> str:
    return (
        f" (read the first {scan.tests_read} of {scan.test_files} test files)"
        if scan.tests_read < scan.test_files
        else ""
    )


@probe("har.test_doubles")
def test_doubles(ctx: RepoContext) -> Finding:
    """QC.Har01: the tests use doubles (mocks, fakes, stubs, monkeypatching)."""
    scan = ctx.fact(doubles_scan)
    if not scan.test_files:
        return Finding.failed(
            "no test code found (tests/, test/, spec/, test_*.py, *_test.go, *.test.ts, "
            "*Test.java, ...)",
        )  # no hint of its own: QC.Har01's hint for the repository's language names the library
    if scan.in_tests:
        count = f"{len(scan.in_tests)}{'+' if len(scan.in_tests) >= MAX_HITS else ''}"
        summary = Evidence(
            message=f"test doubles found in {count} test file(s){_bound_note(scan)}",
            value=len(scan.in_tests),
        )
        return Finding(outcome=Outcome.PASS, evidence=[summary, *scan.in_tests])
    return Finding.failed(
        f"no mock, fake, stub or monkeypatch found in {scan.tests_read} test file(s)"
        f"{_bound_note(scan)}",
        value=scan.tests_read,
    )  # no hint of its own: QC.Har01's hint for the repository's language names the library


@probe("har.doubles_apart")
def doubles_apart(ctx: RepoContext) -> Finding:
    """QC.Har02: mocking code stays in test code, out of the shipped main code."""
    scan = ctx.fact(doubles_scan)
    if scan.in_main:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=list(scan.in_main),
            hint="Move the doubles into the test tree (tests/, a mocks/ or testing/ package, "
            "or *_test files) so that the shipped code does not depend on mocking libraries: "
            + ", ".join(sorted({e.path or "" for e in scan.in_main})),
        )
    skipped = f"; {scan.main_skipped} main code files were not read" if scan.main_skipped else ""
    if scan.in_tests:
        return Finding(
            outcome=Outcome.PASS,
            evidence=[
                Evidence(
                    message=f"doubles found only in test code; no mocking library in "
                    f"{scan.main_read} main code file(s){skipped}",
                    value=sorted({e.path or "" for e in scan.in_tests}),
                )
            ],
        )
    return Finding.not_applicable(
        f"no test doubles found{_bound_note(scan)}: nothing to keep apart from the main code"
    )


@probe("har.checked_per_change")
def checked_per_change(ctx: RepoContext) -> Finding:
    """QC.Har04: the tests, with their doubles and regression tests, run in CI on changes."""
    finding = ci_test_finding(ctx, "doubles and regression tests are exercised on each change")
    scan = ctx.fact(doubles_scan)
    if finding.outcome is Outcome.PASS and scan.in_tests:
        note = Evidence(
            message="the tests run there hold test doubles",
            value=sorted({e.path or "" for e in scan.in_tests}),
        )
        return finding.model_copy(update={"evidence": [*finding.evidence, note]})
    return finding
