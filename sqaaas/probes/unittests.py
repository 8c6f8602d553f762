"""QC.Uni03/04: unit-test coverage is measured automatically for every change.

Measuring coverage (QC.Uni01) needs the containerised test runs of the code-criteria tools;
here only the CI wiring visible in the repository is read.
"""

from __future__ import annotations

import re

from sqaaas.context import RepoContext
from sqaaas.facts import ci
from sqaaas.outcomes import Evidence, Finding, Outcome
from sqaaas.probes.registry import probe
from sqaaas.repofs import UnsafePathError

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
        if not ctx.fs.is_file(name):
            continue
        try:
            lines = ctx.fs.read_text(name, limit=500_000).text.splitlines()
        except (OSError, UnsafePathError):
            continue
        hits += ci.match_lines(name, lines, _CONFIG, limit=5)
    return hits


def _pytest_steps(ctx: RepoContext) -> list[Evidence]:
    """CI steps that run pytest directly or through tox/nox, for every change."""
    steps = [
        s for s in ctx.fact(ci.ci_test_steps)
        if re.search(r"\b(py\.?test|tox|nox)\b", s.excerpt or "")
    ]
    return ci.split_by_trigger(ctx, steps)[0]


@probe("uni.coverage_in_ci")
def coverage_in_ci(ctx: RepoContext) -> Finding:
    """A CI pipeline measures test coverage on every change."""
    hits = ci.search(ctx, COVERAGE, limit=50)
    kept, dropped = ci.split_by_trigger(ctx, hits)
    config = _config_hits(ctx)
    thresholds = [h for h in config if "fail_under" in h.message]
    if kept:
        return Finding(outcome=Outcome.PASS, evidence=kept[:10] + thresholds)
    via_addopts = [h for h in config if "--cov" in h.message]
    steps = _pytest_steps(ctx) if via_addopts else []
    if steps:
        return Finding(outcome=Outcome.PASS, evidence=steps[:5] + via_addopts + thresholds)
    return Finding(
        outcome=Outcome.FAIL,
        evidence=[
            Evidence(message="no CI step measures test coverage on every change"),
            *dropped[:10],
            *config,
        ],
        hint="Measure coverage in the CI job that runs the tests on every push and pull "
        "request, e.g. 'pytest --cov=<package> --cov-fail-under=70', then optionally upload "
        "it with codecov/codecov-action.",
    )
