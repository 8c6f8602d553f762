"""QC.Man and QC.Rev probes: issue tracker, templates, pull requests, issue ids, reviews."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sqaaas.core.outcomes import Outcome
from tests.conftest import run_probe
from tests.repos import commit_all, git, write_files

Factory = Callable[..., Path]

PYPROJECT_URLS = """[project]
name = "example"
version = "1.0.0"

[project.urls]
Homepage = "https://example.org"
"Bug Tracker" = "https://git.example.org/example/issues"
"""


def _with_commits(repo_factory: Factory, *messages: str, **kwargs: object) -> Path:
    repo = repo_factory({"README.md": "# x\n"}, **kwargs)
    for n, message in enumerate(messages):
        write_files(repo, {f"m{n}.py": "X = 1\n"})
        commit_all(repo, message)
    return repo


# --- QC.Man01: issue tracker ------------------------------------------------------------------


def test_tracker_url_in_pyproject(repo_factory: Factory) -> None:
    repo = repo_factory({"pyproject.toml": PYPROJECT_URLS}, remote=None)
    finding = run_probe(repo, "man.issue_tracker")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].path, finding.evidence[0].line) == ("pyproject.toml", 7)


def test_bugs_in_package_json(repo_factory: Factory) -> None:
    package = '{\n  "name": "x",\n  "bugs": {"url": "https://git.example.org/x/issues"}\n}\n'
    finding = run_probe(repo_factory({"package.json": package}, remote=None), "man.issue_tracker")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].path, finding.evidence[0].line) == ("package.json", 3)


_TRACKER = "https://git.example.org/x/issues"


@pytest.mark.parametrize(
    ("path", "content", "line"),
    [
        ("setup.cfg", f"[metadata]\nname = x\nproject_urls =\n    Bug Tracker = {_TRACKER}\n", 4),
        ("setup.py", f'setup(\n    name="x",\n    project_urls={{"Issues": "{_TRACKER}"}})\n', 3),
        ("codemeta.json", f'{{\n  "name": "x",\n  "issueTracker": "{_TRACKER}"\n}}\n', 3),
        ("composer.json", f'{{\n  "support": {{\n    "issues": "{_TRACKER}"\n  }}\n}}\n', 3),
        ("DESCRIPTION", f"Package: x\nBugReports: {_TRACKER}\n", 2),
    ],
)
def test_tracker_url_in_other_metadata(
    repo_factory: Factory, path: str, content: str, line: int
) -> None:
    finding = run_probe(repo_factory({path: content}, remote=None), "man.issue_tracker")
    assert finding.outcome is Outcome.PASS
    evidence = finding.evidence[0]
    assert (evidence.path, evidence.line, evidence.value) == (path, line, _TRACKER)
    assert evidence.message.startswith(f"issue tracker URL in {path}")


def test_home_page_url_is_not_a_tracker(repo_factory: Factory) -> None:
    pyproject = '[project]\nname = "x"\n\n[project.urls]\nHomepage = "https://git.example.org/x"\n'
    repo = repo_factory({"pyproject.toml": pyproject}, remote=None)
    finding = run_probe(repo, "man.issue_tracker")
    assert finding.outcome is Outcome.FAIL
    assert "no tracker URL in the metadata" in finding.evidence[0].message


def test_public_forge_remote_has_a_tracker(repo_factory: Factory) -> None:
    finding = run_probe(repo_factory({"README.md": "# x\n"}), "man.issue_tracker")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == "https://github.com/example-org/example/issues"


def test_no_tracker_anywhere_fails(repo_factory: Factory) -> None:
    repo = repo_factory({"README.md": "# x\n"}, remote="https://git.example.org/x.git")
    finding = run_probe(repo, "man.issue_tracker")
    assert finding.outcome is Outcome.FAIL
    assert "[project.urls]" in (finding.hint or "")


# --- QC.Man01.2 / QC.Man02.4: templates -------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        ".github/ISSUE_TEMPLATE/bug_report.md",
        ".github/ISSUE_TEMPLATE/config.yml",
        ".github/issue_template.md",
        ".gitlab/issue_templates/Bug.md",
    ],
)
def test_issue_templates_found(repo_factory: Factory, path: str) -> None:
    finding = run_probe(repo_factory({path: "Steps to reproduce:\n"}), "man.issue_templates")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].path == path


def test_no_issue_template_fails(repo_factory: Factory) -> None:
    repo = repo_factory({".github/workflows/ci.yml": "on: push\n", "ISSUES.md": "x\n"})
    finding = run_probe(repo, "man.issue_templates")
    assert finding.outcome is Outcome.FAIL
    assert ".github/ISSUE_TEMPLATE/" in (finding.hint or "")


@pytest.mark.parametrize(
    "path",
    [
        ".github/PULL_REQUEST_TEMPLATE.md",
        "docs/pull_request_template.md",
        "PULL_REQUEST_TEMPLATE.md",
        ".github/PULL_REQUEST_TEMPLATE/feature.md",
        ".gitlab/merge_request_templates/Default.md",
    ],
)
def test_pr_templates_found(repo_factory: Factory, path: str) -> None:
    finding = run_probe(repo_factory({path: "## Purpose\n"}), "man.pr_template")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].path == path


def test_no_pr_template_fails(repo_factory: Factory) -> None:
    repo = repo_factory({"docs/pull_requests.md": "How we review\n"})
    finding = run_probe(repo, "man.pr_template")
    assert finding.outcome is Outcome.FAIL
    assert "PULL_REQUEST_TEMPLATE.md" in (finding.hint or "")


# --- QC.Man02.1: pull/merge request per change ------------------------------------------------


def test_squash_suffix_is_a_pull_request(repo_factory: Factory) -> None:
    finding = run_probe(_with_commits(repo_factory, "Add parser (#12)"), "man.change_requests")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == ["Add parser (#12)"]


def test_bitbucket_squash_suffix_is_a_pull_request(repo_factory: Factory) -> None:
    subject = "Merged in fix/parser (pull request #7)"
    finding = run_probe(_with_commits(repo_factory, "Tidy", subject), "man.change_requests")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == [subject]
    assert finding.evidence[0].message == "1 commit(s) record a pull/merge request"


def test_pull_request_words_without_a_number_are_not_a_pull_request(
    repo_factory: Factory,
) -> None:
    repo = _with_commits(repo_factory, "Tidy", "Explain the (pull request) checklist")
    finding = run_probe(repo, "man.change_requests")
    assert finding.outcome is Outcome.FAIL
    assert "none recording a pull/merge request" in finding.evidence[0].message


def test_gitlab_merge_request_body(repo_factory: Factory) -> None:
    message = "Merge branch 'fix/y' into 'main'\n\nFix y\n\nSee merge request group/proj!3"
    finding = run_probe(_with_commits(repo_factory, message), "man.change_requests")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == ["Merge branch 'fix/y' into 'main'"]


def test_plain_merges_are_not_pull_requests(repo_factory: Factory) -> None:
    repo = repo_factory({"README.md": "# x\n"})
    git(repo, "checkout", "-q", "-b", "feature/x")
    commit_all(repo, "Work")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "feature/x")
    finding = run_probe(repo, "man.change_requests")
    assert finding.outcome is Outcome.FAIL
    assert "1 plain merge(s)" in finding.evidence[0].message


def test_single_commit_has_no_change_requests_to_judge(repo_factory: Factory) -> None:
    finding = run_probe(repo_factory({"README.md": "# x\n"}), "man.change_requests")
    assert finding.outcome is Outcome.NOT_APPLICABLE


# --- QC.Man02.6: issue references -------------------------------------------------------------


def test_issue_reference_in_commit_body(repo_factory: Factory) -> None:
    repo = _with_commits(repo_factory, "Handle empty files\n\nFixes #7")
    finding = run_probe(repo, "man.issue_references")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == ["Handle empty files"]


def test_no_issue_reference_fails(repo_factory: Factory) -> None:
    finding = run_probe(_with_commits(repo_factory, "Tidy", "Add (#3)"), "man.issue_references")
    assert finding.outcome is Outcome.FAIL
    assert "Fixes #" in (finding.hint or "")


# --- QC.Rev01: review tool ----------------------------------------------------------------------


def test_codeowners_rule(repo_factory: Factory) -> None:
    owners = "# reviewers\n\n*       @example-org/maintainers\n"
    finding = run_probe(repo_factory({".github/CODEOWNERS": owners}), "rev.review_tool")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].path, finding.evidence[0].line) == (".github/CODEOWNERS", 3)


def test_pull_request_history_shows_reviews(repo_factory: Factory) -> None:
    repo = _with_commits(repo_factory, "Merge pull request #4 from alice/fix/typo")
    finding = run_probe(repo, "rev.review_tool")
    assert finding.outcome is Outcome.PASS
    assert "pull/merge request" in finding.evidence[0].message


def test_empty_codeowners_and_linear_history_fail(repo_factory: Factory) -> None:
    repo = repo_factory({"CODEOWNERS": "# nobody yet\n"})
    write_files(repo, {"a.py": "A = 1\n"})
    commit_all(repo, "Add a")
    finding = run_probe(repo, "rev.review_tool")
    assert finding.outcome is Outcome.FAIL
    assert (finding.evidence[0].path, finding.evidence[0].message) == (
        "CODEOWNERS", "CODEOWNERS has no rule with an owner"
    )
    assert "CODEOWNERS" in (finding.hint or "")
