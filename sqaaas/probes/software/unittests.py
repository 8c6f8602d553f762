"""QC.Uni: unit tests exist apart from the code (Uni02), cover enough of it (Uni01), and
coverage is measured automatically for every change (Uni03/04).

Uni01 runs the repository's Python test suite with coverage, or a JavaScript/TypeScript
package's own test script (``npm test``, Yarn, pnpm), in containers (sqaaas.sandbox): the
assessed code never runs on the host. It passes only when the tests ran and passed with
enough coverage: tests in a language sqaaas cannot run give ``not_automated`` naming the
language, never a pass by proxy (a test folder, CI coverage), and when the main language's
tests are among them, a side suite does not stand in for them. The other probes only read
files.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts import ci, commands
from sqaaas.facts.ci_tests import ci_test_steps
from sqaaas.facts.ci_unread import cannot_tell
from sqaaas.facts.testsuites import TestSuite, code_files, suites_evidence, test_suites
from sqaaas.languages import main_languages
from sqaaas.platform.containers import EngineError
from sqaaas.sandbox import SandboxUnavailable, run_python_tests
from sqaaas.sandbox.node import NodeSandbox
from sqaaas.sandbox.node_plan import NodePlan, node_plan
from sqaaas.sandbox.report import finding_for
from sqaaas.sandbox.results import TestRun

#: label -> regex of a CI line that measures or uploads test coverage
COVERAGE: dict[str, str] = {
    "coverage: pytest-cov": r"--cov\b",
    "coverage: coverage.py": r"\bcoverage\s+(run|report|xml|json|lcov|html|combine)\b",
    "coverage upload: Codecov": r"codecov",
    "coverage upload: Coveralls": r"coveralls",
    "coverage: JaCoCo": r"jacoco",
    "coverage: Kover": r"\bkover",
    "coverage: nyc/c8": r"(?<![\w.-])(nyc|c8)\s",
    "coverage: --coverage flag (jest, vitest, flutter, ...)": r"--coverage\b",
    "coverage: Angular (ng test --code-coverage)": r"--code-coverage\b",
    "coverage: npm coverage script": r"\b(npm|yarn|pnpm)\s+(run\s+)?(test:)?coverage\b",
    "coverage: go test -cover": r"\bgo\s+test\b.*\s-cover",
    "coverage: tarpaulin/llvm-cov/grcov": r"tarpaulin|llvm-cov|\bgrcov\b",
    "coverage: gcov/lcov/gcovr": r"\b(gcovr|lcov|gcov)\b",
    "coverage: covr (R)": r"\bcovr\b",
    "coverage: Julia": r"julia-processcoverage|coverage\s*=\s*true",
    "coverage: coverlet (.NET)": r"coverlet|XPlat Code Coverage",
}
#: Files where pytest options (``addopts``) and coverage thresholds are configured.
_CONFIG_FILES = ("pyproject.toml", "setup.cfg", "pytest.ini", "tox.ini", ".coveragerc")
_CONFIG = {
    "pytest runs with coverage (--cov in its options)": re.compile(r"--cov\b"),
    "coverage threshold (fail_under)": re.compile(r"^\s*fail_under\s*=\s*\d"),
}


def _config_hits(ctx: RepoContext) -> list[Evidence]:
    hits: list[Evidence] = []
    for name in _CONFIG_FILES:
        if (file := ctx.fs.try_read_text(name, limit=500_000)) is None:
            continue
        lines = file.text.splitlines()
        hits += ci.match_lines(name, lines, _CONFIG, limit=5)
    return hits


def _pytest_steps(ctx: RepoContext) -> list[Evidence]:
    """CI steps that run pytest directly or through tox/nox, for every change."""
    steps = [
        s for s in ctx.fact(ci_test_steps)
        if re.search(r"\b(py\.?test|tox|nox)\b", s.excerpt or "")
    ]
    return ci.split_by_trigger(ctx, steps)[0]


@probe("uni.coverage_in_ci")
def coverage_in_ci(ctx: RepoContext) -> Finding:
    """A CI pipeline measures test coverage on every change."""
    hits = commands.search(ctx, COVERAGE, limit=500)
    kept, dropped = ci.split_by_trigger(ctx, hits)
    config = _config_hits(ctx)
    thresholds = [h for h in config if "fail_under" in h.message]
    if kept:
        return Finding(outcome=Outcome.PASS, evidence=kept[:10] + thresholds)
    via_addopts = [h for h in config if "--cov" in h.message]
    steps = _pytest_steps(ctx) if via_addopts else []
    if steps:
        return Finding(outcome=Outcome.PASS, evidence=steps[:5] + via_addopts + thresholds)
    failed = Finding(
        outcome=Outcome.FAIL,
        evidence=[
            Evidence(message="no CI step measures test coverage on every change"),
            *dropped[:10],
            *config,
        ],
    )  # no hint of its own: QC.Uni03/04's hint for the repository's language names the tool
    return cannot_tell(ctx, failed)


@probe("uni.tests_present")
def tests_present(ctx: RepoContext) -> Finding:
    """QC.Uni02: the repository holds unit tests, in files or folders of their own."""
    suites = ctx.fact(test_suites)
    if suites:
        return Finding(outcome=Outcome.PASS, evidence=suites_evidence(suites))
    code = code_files(ctx)
    if not code:
        return Finding.not_applicable("no code files found, so there is nothing to unit-test")
    return Finding.failed(
        f"no unit tests found next to {len(code)} code file(s) (looked for tests/, test_*.py, "
        "*_test.go, *.test.js, src/test/java, tests/*.rs, tests/testthat, test/runtests.jl, "
        "CTest, ...)",
        value=len(code),
    )  # no hint of its own: QC.Uni02's hint for the repository's language gives the layout


#: why a suite in another language than Python or JavaScript/TypeScript is not run
_NOT_RUN_WHY = (
    "sqaaas runs Python test suites and JavaScript/TypeScript packages' test scripts only (the "
    "sandbox images have those toolchains), so these tests were not run and their coverage is "
    "not measured; a test folder or coverage measured in CI (QC.Uni02-04) does not stand in "
    "for a run"
)
_NODE = "JavaScript/TypeScript"
_NODE_LANGUAGES = frozenset(_NODE.split("/"))


def _not_run(
    suites: tuple[TestSuite, ...], main: str | None = None, why: dict[str, str] | None = None
) -> Finding:
    """QC.Uni01 not automated for each language of ``suites`` sqaaas cannot run, named with
    the reason (``why``: a language's own reason, e.g. a package without a test script);
    ``main`` names the main language when a Python suite was left unrun for it."""
    why = why or {}
    evidence = [
        Evidence(message=f"not automated for {s.language}: {why.get(s.language, _NOT_RUN_WHY)}",
                 failing=False)
        for s in suites
        if s.language != "Python"
    ]
    if main:
        evidence.append(
            Evidence(
                message=f"the Python tests were not run either: they would not measure the "
                f"{main} code, the repository's main language",
                failing=False,
            )
        )
    return Finding(outcome=Outcome.NOT_AUTOMATED, evidence=[*suites_evidence(suites), *evidence])


def _main_language(ctx: RepoContext) -> str | None:
    return next(iter(main_languages(ctx.fs.files)), None)


def _unrun_main_language(ctx: RepoContext, suites: tuple[TestSuite, ...]) -> str | None:
    """The repository's largest language by code size when it is not Python and has tests
    of its own, which sqaaas cannot run (a suite's language may group several:
    JavaScript/TypeScript, C/C++)."""
    main = _main_language(ctx)
    if main is None or main == "Python":
        return None
    return main if any(main in s.language.split("/") for s in suites) else None


def _node_why(plan: NodePlan | None) -> str | None:
    """Why the package's tests cannot run in the sandbox; None when they can."""
    if plan is None:
        return "no package.json at the repository root names how its tests run"
    if plan.test_script is None:
        return ("package.json has no test script (scripts.test), so sqaaas does not know how "
                "the package runs its tests")
    return f"{plan.command} cannot run here: {plan.unsupported}" if plan.unsupported else None


def _others(suites: tuple[TestSuite, ...], ran: str) -> list[Evidence]:
    """The suites a run of ``ran``'s tests did not include."""
    return [
        Evidence(message=f"not automated for {s.language}: {s.summary()}: {_NOT_RUN_WHY}",
                 failing=False)
        for s in suites
        if s.language != ran
    ]


def _sandboxed(ctx: RepoContext, run: Callable[[], TestRun]) -> Finding:
    try:
        result = run()
    except SandboxUnavailable as exc:
        return Finding(
            outcome=Outcome.ERROR,
            evidence=[Evidence(message=f"the tests cannot run in a container: {exc}")],
            hint="Run 'sqaaas setup' once on this machine: it installs the container engine "
            "(podman) and builds the test images.",
        )
    except EngineError as exc:
        return Finding.error(f"the container engine failed while running the tests: {exc}")
    return finding_for(result, ctx.config.thresholds.coverage)


def _node_tests(ctx: RepoContext, suites: tuple[TestSuite, ...], plan: NodePlan) -> Finding:
    """The package's own test script, run in the Node.js sandbox."""
    finding = _sandboxed(ctx, lambda: NodeSandbox(
        ctx.fs.root, plan, progress=lambda stage: ctx.notify(f"QC.Uni01: {stage}")).run())
    others = _others(suites, _NODE)
    if others:
        finding = finding.model_copy(update={"evidence": [*finding.evidence, *others]})
    return finding


@probe("uni.coverage")
def coverage(ctx: RepoContext) -> Finding:
    """QC.Uni01: the Python test suite (or a JavaScript/TypeScript package's test script)
    passes, in a container, and covers enough lines."""
    suites = ctx.fact(test_suites)
    python = [s for s in suites if s.language == "Python"]
    node = [s for s in suites if s.language == _NODE]
    main = _main_language(ctx)
    unrun = _unrun_main_language(ctx, suites)
    if node and (main in _NODE_LANGUAGES or not python):
        if main not in _NODE_LANGUAGES and unrun is not None:
            return _not_run(suites)  # side JavaScript tests do not stand in for the main's
        plan = node_plan(ctx.fs)
        if (why := _node_why(plan)) is not None or plan is None:
            return _not_run(suites, main=main if python else None,
                            why={_NODE: f"{node[0].summary()}: {why}"})
        return _node_tests(ctx, suites, plan)
    if python and unrun is not None:
        return _not_run(suites, main=unrun)
    if not python:
        if suites:
            return _not_run(suites)
        code = code_files(ctx)
        if not code:
            return Finding.not_applicable("no code and no tests found: nothing to cover")
        return Finding.failed(
            f"no unit tests found, so none of the {len(code)} code file(s) is covered",
            value=len(code),
        )  # no hint of its own: QC.Uni01's hint for the repository's language names the tool
    finding = _sandboxed(ctx, lambda: run_python_tests(
        ctx.fs.root, progress=lambda stage: ctx.notify(f"QC.Uni01: {stage}")))
    others = _others(suites, "Python")
    if others:
        finding = finding.model_copy(update={"evidence": [*finding.evidence, *others]})
    return finding
