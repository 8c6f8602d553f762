"""QC.Sty04 (linters run for every change) and QC.Uni03/04 (coverage measured in CI)."""

from __future__ import annotations

from sqaaas.core.outcomes import Outcome
from tests.conftest import report_hint, run_probe

RUFF_HOOKS = """repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.6.9
    hooks:
      - id: ruff
"""


def workflow(*steps: str, on: str = "[push, pull_request]") -> str:
    lines = [f"on: {on}", "jobs:", "  test:", "    runs-on: ubuntu-latest", "    steps:"]
    return "\n".join(lines + [f"      {step}" for step in steps]) + "\n"


# --- QC.Sty04: sty.linters_in_ci --------------------------------------------------------


def test_ruff_in_pre_commit_passes_and_says_it_is_not_enforced(repo_factory):
    repo = repo_factory({".pre-commit-config.yaml": RUFF_HOOKS})
    finding = run_probe(repo, "sty.linters_in_ci")
    assert finding.outcome is Outcome.PASS
    first = finding.evidence[0]
    assert (first.message, first.path, first.line) == ("linter: ruff", ".pre-commit-config.yaml", 2)
    assert "nothing in CI enforces them" in finding.evidence[-1].message


def test_pre_commit_ci_is_named_as_the_enforcer(repo_factory):
    config = RUFF_HOOKS + "ci:\n  autofix_prs: false\n"
    repo = repo_factory({".pre-commit-config.yaml": config})
    finding = run_probe(repo, "sty.linters_in_ci")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[-1].message.startswith("pre-commit.ci runs the hooks")
    assert finding.evidence[-1].line == 6


def test_linter_in_change_triggered_workflow_passes(repo_factory):
    flow = workflow("- uses: actions/checkout@v4", "- run: ruff check .")
    repo = repo_factory({".github/workflows/lint.yml": flow})
    finding = run_probe(repo, "sty.linters_in_ci")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].path, finding.evidence[0].line) == (".github/workflows/lint.yml", 7)


def test_linter_only_in_a_manual_workflow_fails_with_the_reason(repo_factory):
    flow = workflow("- run: flake8", on="workflow_dispatch")
    repo = repo_factory({".github/workflows/lint.yml": flow})
    finding = run_probe(repo, "sty.linters_in_ci")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[1].message == (
        "linter: flake8, but workflow runs only on workflow_dispatch, not on pushes or pull "
        "requests"
    )


def test_push_on_tags_only_is_not_every_change(repo_factory):
    flow = workflow("- run: eslint .", on="\n  push:\n    tags: ['v*']")
    repo = repo_factory({".github/workflows/lint.yml": flow})
    assert run_probe(repo, "sty.linters_in_ci").outcome is Outcome.FAIL


def test_no_linter_anywhere_fails(repo_factory):
    repo = repo_factory({".github/workflows/ci.yml": workflow("- run: pytest")})
    finding = run_probe(repo, "sty.linters_in_ci")
    assert finding.outcome is Outcome.FAIL
    assert "pre-commit" in report_hint(repo, "QC.Sty04")


# --- QC.Uni03/04: uni.coverage_in_ci ----------------------------------------------------


def test_pytest_cov_in_workflow_passes(repo_factory):
    flow = workflow("- run: pip install pytest-cov", "- run: pytest --cov=example")
    repo = repo_factory({".github/workflows/ci.yml": flow})
    finding = run_probe(repo, "uni.coverage_in_ci")
    assert finding.outcome is Outcome.PASS
    [evidence] = finding.evidence
    assert (evidence.message, evidence.path, evidence.line) == (
        "coverage: pytest-cov", ".github/workflows/ci.yml", 7
    )
    assert evidence.excerpt == "- run: pytest --cov=example"


def test_commented_out_coverage_step_does_not_count(repo_factory):
    flow = workflow("- run: pytest", "# - run: pytest --cov")
    repo = repo_factory({".github/workflows/ci.yml": flow, "example/__init__.py": "X = 1\n"})
    finding = run_probe(repo, "uni.coverage_in_ci")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message == "no CI step measures test coverage on every change"
    assert "--cov-fail-under" in report_hint(repo, "QC.Uni03")  # for a Python repository


def test_coverage_only_on_schedule_fails_with_the_reason(repo_factory):
    flow = workflow("- run: pytest --cov", on="\n  schedule:\n    - cron: '0 0 * * 0'")
    repo = repo_factory({".github/workflows/nightly.yml": flow})
    finding = run_probe(repo, "uni.coverage_in_ci")
    assert finding.outcome is Outcome.FAIL
    assert "but workflow runs only on schedule" in finding.evidence[1].message


def test_cov_in_pytest_addopts_with_pytest_in_ci_passes(repo_factory):
    pyproject = (
        '[tool.pytest.ini_options]\naddopts = "--cov=example"\n\n'
        "[tool.coverage.report]\nfail_under = 80\n"
    )
    repo = repo_factory(
        {"pyproject.toml": pyproject, ".github/workflows/ci.yml": workflow("- run: pytest -q")}
    )
    finding = run_probe(repo, "uni.coverage_in_ci")
    assert finding.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in finding.evidence] == [
        (".github/workflows/ci.yml", 6), ("pyproject.toml", 2), ("pyproject.toml", 5)
    ]
    assert finding.evidence[2].message == "coverage threshold (fail_under)"


def test_cov_in_addopts_without_ci_fails(repo_factory):
    repo = repo_factory({"pytest.ini": "[pytest]\naddopts = --cov=example\n"})
    finding = run_probe(repo, "uni.coverage_in_ci")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[-1].path == "pytest.ini"


def test_tox_coverage_counts_when_ci_runs_tox(repo_factory):
    tox = "[testenv]\ncommands = coverage run -m pytest\n"
    alone = repo_factory({"tox.ini": tox})
    finding = run_probe(alone, "uni.coverage_in_ci")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[1].message == "coverage: coverage.py, but no CI pipeline runs tox"

    wired = repo_factory({"tox.ini": tox, ".github/workflows/ci.yml": workflow("- run: tox")})
    finding = run_probe(wired, "uni.coverage_in_ci")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].path, finding.evidence[0].line) == (".github/workflows/ci.yml", 6)
    assert finding.evidence[0].excerpt == "tox -> tox.ini:2 [testenv]: coverage run -m pytest"
