"""GitInfo: which paths of the assessed tree are tracked, and which commits record a PR."""

from __future__ import annotations

import pytest

from sqaaas.gitinfo import GitInfo
from tests.repos import commit_all, make_repo, write_files


def test_is_tracked_files_and_folders(tmp_path):
    repo = make_repo(tmp_path / "repo", {"README.md": "# x\n", "docs/index.md": "# Docs\n"})
    write_files(repo, {"NOTES.md": "draft\n", "drafts/a.md": "draft\n", "docs/new.md": "new\n"})
    info = GitInfo(repo)
    assert info.is_tracked(repo, "README.md")
    assert info.is_tracked(repo, "docs") and info.is_tracked(repo, "docs/")
    assert not info.is_tracked(repo, "docs/new.md")
    assert not info.is_tracked(repo, "NOTES.md")
    assert not info.is_tracked(repo, "drafts")
    assert not info.is_tracked(repo, "doc")  # a prefix of 'docs' is not a tracked folder


def test_is_tracked_relative_to_an_assessed_subfolder(tmp_path):
    repo = make_repo(tmp_path / "repo", {"pkg/README.md": "# x\n", "README.md": "# top\n"})
    write_files(repo, {"pkg/NOTES.md": "draft\n"})
    info = GitInfo(repo / "pkg")
    assert info.is_tracked(repo / "pkg", "README.md")
    assert not info.is_tracked(repo / "pkg", "NOTES.md")
    assert info.tracked_below(repo / "pkg") == frozenset({"README.md"})
    assert info.tracked_below(tmp_path) == frozenset()  # outside the work tree


def test_is_tracked_without_git(tmp_path):
    (tmp_path / "README.md").write_text("# x\n")
    info = GitInfo(tmp_path)
    assert info.repo is None
    assert not info.is_tracked(tmp_path, "README.md")


@pytest.mark.parametrize(
    ("subject", "recorded"),
    [
        ("Add parser (#12)", True),
        ("Merged in fix/parser (pull request #7)", True),  # Bitbucket
        ("Merge pull request #4 from alice/fix", True),
        ("Explain the (pull request) checklist", False),
        ("Read pull request #3 notes", False),
    ],
)
def test_pr_references(tmp_path, subject, recorded):
    repo = make_repo(tmp_path / "repo", {"README.md": "# x\n"})
    write_files(repo, {"a.py": "A = 1\n"})
    commit_all(repo, subject)
    assert GitInfo(repo).pr_references == ([subject] if recorded else [])
