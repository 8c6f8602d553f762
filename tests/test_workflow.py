"""QC.Wor probes: CI runs tests, CI on pull requests, branches, naming, next-release branch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sqaaas.acquire import acquire
from sqaaas.context import make_context
from sqaaas.core.outcomes import Outcome
from sqaaas.facts.ci_tests import ci_test_steps
from tests.conftest import report_hint, run_probe
from tests.repos import commit_all, git, make_repo, write_files

Factory = Callable[..., Path]

GITHUB_PUSH_PR = """name: tests
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -e .[test]
      - run: pytest -q
"""
GITHUB_PR_MAPPING = """name: tests
on:
  pull_request:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: npm ci && npm test
"""
GITHUB_COMMENTED_TESTS = """name: build
on: [push, pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: pip install pytest tox
      # - run: pytest
      - run: python -m build
"""
GITHUB_PUSH_ONLY = """on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: go test ./...
"""
GITHUB_SCHEDULE_ONLY = """on:
  schedule:
    - cron: "0 3 * * 1"
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
"""
GITLAB_MR = """stages: [test]
unit:
  stage: test
  script:
    - cargo test --all
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
"""
GITLAB_TAGS_ONLY = """unit:
  script:
    - make check
  rules:
    - if: $CI_COMMIT_TAG
"""
JEPL_CONFIG = """config:
  project_repos:
    example:
      repo: https://github.com/example-org/example
sqa_criteria:
  QC.Uni:
    repos:
      example:
        container: testing
        commands:
          - echo unit tests
"""


def _workflow(text: str, name: str = "ci.yml") -> dict[str, str]:
    return {f".github/workflows/{name}": text}


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# --- QC.Wor01: CI runs the tests -------------------------------------------------------------


def test_ci_running_pytest_passes_with_line(repo_factory: Factory) -> None:
    finding = run_probe(repo_factory(_workflow(GITHUB_PUSH_PR)), "wor.ci_runs_tests")
    assert finding.outcome is Outcome.PASS
    step = finding.evidence[1]
    assert step.path == ".github/workflows/ci.yml"
    assert step.line == _line_of(GITHUB_PUSH_PR, "pytest -q")
    assert "pytest" in step.message


def test_installing_or_commenting_out_pytest_does_not_count(repo_factory: Factory) -> None:
    repo = repo_factory(_workflow(GITHUB_COMMENTED_TESTS, "build.yml"))
    finding = run_probe(repo, "wor.ci_runs_tests")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].value == [".github/workflows/build.yml"]
    assert ".github/workflows/build.yml" in finding.evidence[0].message
    assert "build.yml" in (finding.hint or "")


def test_no_ci_fails_with_hint(repo_factory: Factory) -> None:
    repo = repo_factory({"tox.ini": "[testenv]\ncommands = pytest\n"})
    finding = run_probe(repo, "wor.ci_runs_tests")
    assert finding.outcome is Outcome.FAIL
    assert "no CI configuration" in finding.evidence[0].message
    assert "on: [push, pull_request]" in report_hint(repo, "QC.Wor01")


def test_tests_only_on_a_schedule_do_not_keep_main_working(repo_factory: Factory) -> None:
    finding = run_probe(repo_factory(_workflow(GITHUB_SCHEDULE_ONLY)), "wor.ci_runs_tests")
    assert finding.outcome is Outcome.FAIL
    dropped = finding.evidence[1]
    assert dropped.path == ".github/workflows/ci.yml"
    assert "schedule" in dropped.message


def test_jepl_unit_stage_counts(repo_factory: Factory) -> None:
    finding = run_probe(repo_factory({".sqa/config.yml": JEPL_CONFIG}), "wor.ci_runs_tests")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[1].path == ".sqa/config.yml"
    assert finding.evidence[1].line == _line_of(JEPL_CONFIG, "QC.Uni")


TEST_LINES = {
    "- tox -e py311": "tox",
    "- nox -s tests": "nox",
    "- python -m unittest discover -s tests": "unittest",
    "- yarn test --ci": "npm/yarn test",
    "- npm run test:unit": "npm/yarn test",
    "- npx jest --coverage": "JavaScript test runner",
    "- go test -race ./...": "go test",
    "- ./mvnw -B verify": "Maven",
    "- ./gradlew build": "Gradle",
    "- ctest --output-on-failure": "CTest",
    "- make -j4 check": "make test",
    "- Rscript -e 'testthat::test_dir(\"tests\")'": "R tests",
    "- julia -e 'using Pkg; Pkg.test()'": "Julia tests",
    "- dotnet test": "dotnet test",
    "- bundle exec rspec": "Ruby tests",
    "- pip install tox && tox": "tox",
}
NOT_TEST_LINES = (
    "- pip install pytest pytest-cov",
    "- npm install jest",
    "- mvn -B package -DskipTests",
    "- ./gradlew build -x test",
    "- make install",
    "- cat pytest.ini",
    "- cargo install cargo-nextest",
    "# - pytest",
)


@pytest.mark.parametrize("line", list(TEST_LINES))
def test_test_commands_are_recognised(repo_factory: Factory, line: str) -> None:
    repo = repo_factory({".gitlab-ci.yml": f"job:\n  script:\n    {line}\n"})
    steps = ci_test_steps(make_context(acquire(str(repo))))
    assert [s.message for s in steps] == [f"runs tests ({TEST_LINES[line]})"]
    assert (steps[0].path, steps[0].line) == (".gitlab-ci.yml", 3)


@pytest.mark.parametrize("line", NOT_TEST_LINES)
def test_non_test_commands_are_ignored(repo_factory: Factory, line: str) -> None:
    repo = repo_factory({".gitlab-ci.yml": f"job:\n  script:\n    {line}\n"})
    assert ci_test_steps(make_context(acquire(str(repo)))) == ()


# --- QC.Wor01.2: CI runs on pull/merge requests ----------------------------------------------


def test_pr_trigger_in_list(repo_factory: Factory) -> None:
    finding = run_probe(repo_factory(_workflow(GITHUB_PUSH_PR)), "wor.ci_on_pull_requests")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].path == ".github/workflows/ci.yml"
    assert finding.evidence[0].line == 2
    assert "pull_request" in finding.evidence[0].message


def test_pr_trigger_in_mapping_with_branch_filter(repo_factory: Factory) -> None:
    finding = run_probe(repo_factory(_workflow(GITHUB_PR_MAPPING)), "wor.ci_on_pull_requests")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].line == _line_of(GITHUB_PR_MAPPING, "pull_request:")


def test_push_only_workflow_fails(repo_factory: Factory) -> None:
    finding = run_probe(repo_factory(_workflow(GITHUB_PUSH_ONLY)), "wor.ci_on_pull_requests")
    assert finding.outcome is Outcome.FAIL
    assert "push, not on pull requests" in finding.evidence[0].message
    assert finding.evidence[0].line == 1
    assert "pull_request" in (finding.hint or "")


def test_gitlab_merge_request_rule(repo_factory: Factory) -> None:
    finding = run_probe(repo_factory({".gitlab-ci.yml": GITLAB_MR}), "wor.ci_on_pull_requests")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].path == ".gitlab-ci.yml"
    assert finding.evidence[0].line == _line_of(GITLAB_MR, "merge_request_event")


def test_gitlab_without_rules_runs_for_every_branch(repo_factory: Factory) -> None:
    files = {".gitlab-ci.yml": "test:\n  script:\n    - pytest\n"}
    finding = run_probe(repo_factory(files), "wor.ci_on_pull_requests")
    assert finding.outcome is Outcome.PASS
    assert "every pushed branch" in finding.evidence[0].message


def test_gitlab_rules_without_merge_requests_cannot_be_told(repo_factory: Factory) -> None:
    repo = repo_factory({".gitlab-ci.yml": GITLAB_TAGS_ONLY})
    finding = run_probe(repo, "wor.ci_on_pull_requests")
    assert finding.outcome is Outcome.NOT_AUTOMATED
    assert finding.evidence[0].line == _line_of(GITLAB_TAGS_ONLY, "rules:")


def test_jenkinsfile_change_request_stage(repo_factory: Factory) -> None:
    jenkinsfile = "pipeline {\n  stages {\n    stage('PR') {\n      when { changeRequest() }\n"
    jenkinsfile += "      steps { sh 'pytest' }\n    }\n  }\n}\n"
    finding = run_probe(repo_factory({"Jenkinsfile": jenkinsfile}), "wor.ci_on_pull_requests")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].path, finding.evidence[0].line) == ("Jenkinsfile", 4)
    plain = repo_factory({"Jenkinsfile": "pipeline { stages { stage('t') { steps {} } } }\n"})
    assert run_probe(plain, "wor.ci_on_pull_requests").outcome is Outcome.NOT_AUTOMATED


def test_no_ci_fails_for_pull_requests(repo_factory: Factory) -> None:
    finding = run_probe(repo_factory({"README.md": "x\n"}), "wor.ci_on_pull_requests")
    assert finding.outcome is Outcome.FAIL


# --- QC.Wor02: each change on its own branch --------------------------------------------------


def _merge(repo: Path, branch: str, message: str | None = None, keep: bool = True) -> None:
    """Commit on a new ``branch`` and merge it into main with --no-ff (git's default message)."""
    git(repo, "checkout", "-q", "-b", branch)
    write_files(repo, {f"{branch.replace('/', '_')}.py": "A = 1\n"})
    commit_all(repo, f"Work on {branch}")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", *(["-m", message] if message else ["--no-edit"]), branch)
    if not keep:
        git(repo, "branch", "-q", "-D", branch)


def _merged_repo(repo_factory: Factory, branch: str = "feature/x") -> Path:
    repo = repo_factory({"README.md": "# x\n"})
    _merge(repo, branch)
    return repo


def test_merge_commit_shows_branches(repo_factory: Factory) -> None:
    finding = run_probe(_merged_repo(repo_factory), "wor.change_branches")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == ["Merge branch 'feature/x'"]
    assert "1 merge commit" in finding.evidence[0].message


def test_squash_suffix_shows_pull_requests(repo_factory: Factory) -> None:
    repo = repo_factory({"README.md": "# x\n"})
    write_files(repo, {"a.py": "A = 1\n"})
    commit_all(repo, "Add the parser (#12)")
    finding = run_probe(repo, "wor.change_branches")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == ["Add the parser (#12)"]


def test_linear_history_fails(repo_factory: Factory) -> None:
    repo = repo_factory({"README.md": "# x\n"})
    for n in range(2):
        write_files(repo, {f"m{n}.py": "X = 1\n"})
        commit_all(repo, f"Change {n}")
    finding = run_probe(repo, "wor.change_branches")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].value == 3
    assert "(#N)" in (finding.hint or "")


def test_single_commit_is_not_applicable(repo_factory: Factory) -> None:
    finding = run_probe(repo_factory({"README.md": "# x\n"}), "wor.change_branches")
    assert finding.outcome is Outcome.NOT_APPLICABLE
    assert "1 commit" in finding.evidence[0].message


def test_shallow_clone_is_an_error_not_a_failure(tmp_path: Path) -> None:
    source = make_repo(tmp_path / "source", {"README.md": "# x\n"})
    for n in range(3):
        write_files(source, {f"m{n}.py": "X = 1\n"})
        commit_all(source, f"Change {n}")
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{source}", "shallow")
    finding = run_probe(tmp_path / "shallow", "wor.change_branches")
    assert finding.outcome is Outcome.ERROR
    assert "shallow clone" in finding.evidence[0].message


# --- QC.Wor02.1: branch naming convention -----------------------------------------------------


def test_prefixed_branch_names_pass(repo_factory: Factory) -> None:
    repo = _merged_repo(repo_factory)
    git(repo, "branch", "fix/crash-on-empty")
    _merge(repo, "tmp", "Merge pull request #1 from org/release/1.2", keep=False)
    finding = run_probe(repo, "wor.branch_naming")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == ["feature/x", "fix/crash-on-empty", "release/1.2"]


def test_unprefixed_branch_names_fail(repo_factory: Factory) -> None:
    repo = _merged_repo(repo_factory, "patch-1")
    git(repo, "branch", "wip")
    git(repo, "branch", "feature/ok")
    finding = run_probe(repo, "wor.branch_naming")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[1].value == ["patch-1", "wip"]
    assert "feature/" in (finding.hint or "")


def test_no_change_branch_is_not_applicable(repo_factory: Factory) -> None:
    repo = repo_factory({"README.md": "# x\n"})
    git(repo, "branch", "dependabot/pip/requests-2.32")
    git(repo, "branch", "gh-pages")
    finding = run_probe(repo, "wor.branch_naming")
    assert finding.outcome is Outcome.NOT_APPLICABLE


# --- QC.Wor03: next-release branch ------------------------------------------------------------


def test_develop_branch_passes(repo_factory: Factory) -> None:
    repo = repo_factory({"README.md": "# x\n"})
    git(repo, "branch", "develop")
    finding = run_probe(repo, "wor.next_release_branch")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == "develop"


def test_merges_into_develop_count(repo_factory: Factory) -> None:
    repo = repo_factory({"README.md": "# x\n"})
    _merge(repo, "feature/y", "Merge branch 'feature/y' into 'develop'", keep=False)
    finding = run_probe(repo, "wor.next_release_branch")
    assert finding.outcome is Outcome.PASS
    assert "merge commits target the branch 'develop'" in finding.evidence[0].message


def test_no_next_release_branch_fails(repo_factory: Factory) -> None:
    finding = run_probe(_merged_repo(repo_factory), "wor.next_release_branch")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].value == ["feature/x", "main"]
    assert "develop" in (finding.hint or "")
