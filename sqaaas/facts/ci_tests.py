"""Does a CI pipeline run the repository's tests on every change? (QC.Wor01, QC.Har04)

One verdict shared by the probes that ask it, built from the commands CI runs
(sqaaas.facts.commands, through `npm test`, `make check`, `tox` ...); its hint names the
repository's own test frameworks (sqaaas.facts.testsuites). Steps that live outside the
repository (sqaaas.facts.ci_unread) make a missing test step "cannot tell", not a failure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.facts.ci import CI_GLOBS, pipelines, split_by_trigger
from sqaaas.facts.ci_unread import cannot_tell
from sqaaas.facts.commands import INSTALL, find
from sqaaas.facts.testsuites import test_suites

#: label -> regex of a command that runs a test suite, as written in CI files.
TEST_COMMANDS: dict[str, str] = {
    "pytest": r"(?<![\w-])(?:py\.test|pytest)(?![\w.-])",
    "unittest": r"-m\s+unittest\b|\bunittest\s+discover\b",
    "tox": r"(?<![\w.-])tox(?![\w.-])",
    "nox": r"(?<![\w.-])nox(?![\w.-])",
    "hatch/pdm/pixi test": r"\b(?:hatch|pdm|pixi)\s+(?:run\s+)?tests?\b",
    "npm/yarn test": r"\b(?:npm|pnpm|yarn|bun)\s+(?:run(?:-script)?\s+)?test\b",
    "JavaScript test runner": (
        r"(?<![\w.-])(?:jest|vitest|mocha|karma|jasmine)(?![\w.-])|\bplaywright\s+test\b"
        r"|\bcypress\s+run\b|\b(?:ng|nx|react-scripts|craco)\s+test\b|\bvue-cli-service\s+test"
        r"|\bnode\s+--test\b"
    ),
    "go test": r"\b(?:go|richgo)\s+test\b|(?<![\w.-])(?:gotestsum|ginkgo)(?![\w.-])",
    "cargo test": r"\bcargo\s+(?:test|nextest)\b",
    "Maven": (
        r"\bmvnw?\b(?![^;&|]*-D(?:skipTests|maven\.test\.skip)\b)[^;&|]*\s"
        r"(?:test|verify|package|install)\b"
    ),
    "Gradle": r"\bgradlew?\b(?![^;&|]*-x\s+test\b)[^;&|]*\s(?:test|check|build)\b",
    "CTest": r"(?<![\w.-])ctest(?![\w.-])|--target\s+(?:test|check)\b",
    "make test": r"\b(?:make|gmake|ninja)\b[^;&|#]*\s(?:test|tests|check)(?![\w-])",
    "meson test": r"\bmeson\s+test\b",
    "dotnet test": r"\bdotnet\s+test\b",
    "R tests": (
        r"Rscript\b.*(?:testthat|test_check|devtools::test|rcmdcheck)|\bR\s+CMD\s+check\b"
        r"|check-r-package"
    ),
    "Julia tests": r"julia\b.*Pkg\.test|julia-runtest",
    "OpenAstronomy tox workflow (reusable)": r"OpenAstronomy/github-actions-workflows/\.github/"
    r"workflows/tox\.yml",
    "PHPUnit": r"(?<![\w.-])phpunit(?![\w.-])",
    "Ruby tests": r"(?<![\w.-])rspec(?![\w.-])|\brake\s+(?:test|spec)\b",
    "other test runner": r"\b(?:mix|swift|flutter|dart|deno|stack|cabal|zig|sbt|lein)\s+test\b",
    "test script": r"(?<![\w-])(?:run[_-]?tests?|runtests|tests?)\.(?:sh|bash|py)\b",
    "JePL QC.Uni stage": r"^\s*QC\.Uni\s*:",
}
_COMMAND_SEPARATOR = re.compile(r"&&|\|\||;")
#: Steps collected before their triggers are judged: enough that the matrix lines of a
#: nightly workflow cannot hide the test step of the one that runs on every change.
_MAX_TEST_STEPS = 500
_SHOWN = 10


def _test_command(line: str, compiled: Mapping[str, re.Pattern[str]]) -> str | None:
    """Label of the test command a line runs, ignoring the commands that only install things."""
    kept = " ; ".join(p for p in _COMMAND_SEPARATOR.split(line) if not INSTALL.search(p))
    return next((label for label, rx in compiled.items() if rx.search(kept)), None)


def ci_test_steps(ctx: RepoContext) -> tuple[Evidence, ...]:
    """Commands of CI pipelines that run a test suite (QC.Wor01 and QC.Har04 both rely on it).

    Commands reached through tasks count (`make check` -> `pytest`), named by their chain;
    tox/nox definitions are not pipelines: a pipeline must call tox/nox to count.
    """
    compiled = {label: re.compile(rx, re.IGNORECASE) for label, rx in TEST_COMMANDS.items()}
    pipeline_paths = {f.path for f in ctx.fact(pipelines)}
    steps: list[Evidence] = []
    for _, line in find(ctx, compiled):
        label = _test_command(line.text, compiled)
        if line.path in pipeline_paths and label is not None:
            steps.append(line.evidence(f"runs tests ({label})"))
            if len(steps) >= _MAX_TEST_STEPS:
                break
    return tuple(steps)


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
        return Finding(outcome=Outcome.PASS, evidence=[summary, *kept[:_SHOWN]])
    names = ", ".join(f.path for f in ci)
    failed = Finding(
        outcome=Outcome.FAIL,
        evidence=[
            Evidence(
                message=f"CI configuration found ({names}) but no step runs tests on every change",
                value=[f.path for f in ci],
            ),
            *dropped[:_SHOWN],
        ],
        hint=f"Add a step that runs the tests{_runners(ctx)} to {ci[0].path} and make it run "
        "on push and pull_request.",
    )
    return cannot_tell(ctx, failed)


def _runners(ctx: RepoContext) -> str:
    """' (pytest)': the frameworks of the repository's own tests, so the hint fits its language."""
    frameworks = dict.fromkeys(f for suite in ctx.fact(test_suites) for f in suite.frameworks)
    return f" ({', '.join(frameworks)})" if frameworks else ""
