"""Does a CI pipeline run the repository's tests on every change? (QC.Wor01, QC.Har04)

One verdict shared by the probes that ask it, built from the CI facts (sqaaas.facts.ci);
its hint names the repository's own test frameworks (sqaaas.facts.testsuites).
"""

from __future__ import annotations

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.facts.ci import CI_GLOBS, ci_test_steps, pipelines, split_by_trigger
from sqaaas.facts.testsuites import test_suites


def no_ci_finding() -> Finding:
    """The failure of a repository without any CI configuration."""
    systems = dict.fromkeys(s for s in CI_GLOBS.values() if not s.endswith("(run by CI)"))
    return Finding.failed(
        f"no CI configuration found (looked for the files of {', '.join(systems)})",
    )  # no hint of its own: each subcriterion's hint (for the repository's language) applies


def ci_test_finding(ctx: RepoContext, purpose: str) -> Finding:
    """Pass when a pipeline triggered by changes runs the test suite (Wor01, Har04).

    ``purpose`` finishes the pass message: what running the tests there achieves.
    """
    ci = ctx.fact(pipelines)
    if not ci:
        return no_ci_finding()
    kept, dropped = split_by_trigger(ctx, list(ctx.fact(ci_test_steps)))
    if kept:
        summary = Evidence(message=f"CI runs the test suite on changes: {purpose}")
        return Finding(outcome=Outcome.PASS, evidence=[summary, *kept])
    names = ", ".join(f.path for f in ci)
    return Finding(
        outcome=Outcome.FAIL,
        evidence=[
            Evidence(
                message=f"CI configuration found ({names}) but no step runs tests on every change",
                value=[f.path for f in ci],
            ),
            *dropped,
        ],
        hint=f"Add a step that runs the tests{_runners(ctx)} to {ci[0].path} and make it run "
        "on push and pull_request.",
    )


def _runners(ctx: RepoContext) -> str:
    """' (pytest)': the frameworks of the repository's own tests, so the hint fits its language."""
    frameworks = dict.fromkeys(f for suite in ctx.fact(test_suites) for f in suite.frameworks)
    return f" ({', '.join(frameworks)})" if frameworks else ""
