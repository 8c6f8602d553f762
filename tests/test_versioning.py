"""QC.Ver01: the latest release tag reachable from HEAD is a Semantic Version."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sqaaas.acquire import Checkout
from sqaaas.context import make_context
from sqaaas.core import registry
from sqaaas.core.catalogue import Criterion
from sqaaas.core.outcomes import Outcome
from sqaaas.datafiles import data_path
from sqaaas.facts.versions import parse_semver, without_v_prefix
from tests.conftest import run_probe
from tests.repos import commit_all, git


def tag_later(repo: Path, monkeypatch: pytest.MonkeyPatch, day: int, *tags: str) -> None:
    """Commit on a distinct day and tag it, so 'newest' does not depend on clock resolution."""
    monkeypatch.setenv("GIT_COMMITTER_DATE", f"2024-01-{day:02d}T12:00:00Z")
    monkeypatch.setenv("GIT_AUTHOR_DATE", f"2024-01-{day:02d}T12:00:00Z")
    commit_all(repo, f"Release on day {day}")
    for tag in tags:
        git(repo, "tag", tag)


def test_leading_v_is_accepted_and_said(repo_factory):
    repo = repo_factory({"README.md": "# x\n"}, tags=["v1.0.0"])
    finding = run_probe(repo, "ver.semver_release")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].message == (
        "latest release tag v1.0.0 parsed as SemVer 1.0.0 after removing the leading 'v'"
    )
    assert finding.evidence[0].value == "v1.0.0"


def test_plain_semver_tag_passes(repo_factory):
    repo = repo_factory({"README.md": "# x\n"}, tags=["1.2.3"])
    finding = run_probe(repo, "ver.semver_release")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].message == "latest release tag 1.2.3 parsed as SemVer 1.2.3"


def test_no_tags_fails_with_hint(repo_factory):
    repo = repo_factory({"README.md": "# x\n"})
    finding = run_probe(repo, "ver.semver_release")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message == "no release tag reachable from the assessed commit"
    assert "git tag -a v1.0.0" in (finding.hint or "")
    assert "git push --tags" in (finding.hint or "")


def test_latest_tag_not_semver_fails(repo_factory, monkeypatch):
    repo = repo_factory({"README.md": "# x\n"})
    tag_later(repo, monkeypatch, 1, "v1.0.0")
    tag_later(repo, monkeypatch, 2, "release-2024")
    finding = run_probe(repo, "ver.semver_release")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].value == "release-2024"
    assert "release-2024 is not a Semantic Version" in finding.evidence[0].message
    assert len(finding.evidence) == 1  # v1.0.0 is SemVer: nothing else to report


def test_two_component_tag_is_not_semver(repo_factory):
    repo = repo_factory({"README.md": "# x\n"}, tags=["v1.2"])
    finding = run_probe(repo, "ver.semver_release")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].value == "v1.2"


def test_old_non_semver_tags_are_informational(repo_factory, monkeypatch):
    repo = repo_factory({"README.md": "# x\n"})
    tag_later(repo, monkeypatch, 1, "release-2019", "beta")
    tag_later(repo, monkeypatch, 2, "v2.0.0-rc.1")
    finding = run_probe(repo, "ver.semver_release")
    assert finding.outcome is Outcome.PASS
    assert "v2.0.0-rc.1 parsed as SemVer 2.0.0-rc.1" in finding.evidence[0].message
    note = finding.evidence[1]
    assert note.message.startswith("2 older tag(s) are not SemVer (informational only")
    assert sorted(note.value or []) == ["beta", "release-2019"]


def test_semver_tag_beside_a_moving_tag_on_the_same_commit_passes(repo_factory):
    repo = repo_factory({"README.md": "# x\n"}, tags=["stable", "v3.1.4"])
    finding = run_probe(repo, "ver.semver_release")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == "v3.1.4"


def test_a_newer_moving_tag_is_not_the_latest_release(repo_factory, monkeypatch):
    """'nightly' names no version: the release QC.Ver judges is QC.Met01's, v1.1.0."""
    repo = repo_factory({"README.md": "# x\n"})
    tag_later(repo, monkeypatch, 1, "v1.1.0")
    tag_later(repo, monkeypatch, 2, "nightly")
    finding = run_probe(repo, "ver.semver_release")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == "v1.1.0"


def test_only_moving_tags_fail(repo_factory):
    finding = run_probe(repo_factory({"README.md": "# x\n"}, tags=["latest"]), "ver.semver_release")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message == (
        "no tag reachable from the assessed commit names a version: latest"
    )


def test_tags_not_reachable_from_head_are_not_counted(repo_factory, monkeypatch):
    repo = repo_factory({"README.md": "# x\n"})
    tag_later(repo, monkeypatch, 1, "v1.0.0")
    git(repo, "checkout", "-q", "-b", "experiment")
    tag_later(repo, monkeypatch, 2, "not-a-version")
    git(repo, "checkout", "-q", "main")
    finding = run_probe(repo, "ver.semver_release")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == "v1.0.0"
    assert "not reachable from the assessed commit" in finding.evidence[1].message
    assert finding.evidence[1].value == ["not-a-version"]


def test_only_unreachable_tags_fails(repo_factory):
    repo = repo_factory({"README.md": "# x\n"})
    git(repo, "checkout", "-q", "-b", "experiment")
    commit_all(repo, "Experiment")
    git(repo, "tag", "v1.0.0")
    git(repo, "checkout", "-q", "main")
    finding = run_probe(repo, "ver.semver_release")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[1].value == ["v1.0.0"]


def test_not_a_git_repository_fails(tmp_path):
    # acquire() refuses such a directory; a context built directly must still not crash.
    (tmp_path / "README.md").write_text("# x\n")
    checkout = Checkout(root=tmp_path, url=None, commit=None, branch=None, cloned=False)
    ctx = make_context(checkout)
    assert ctx.git.repo is None
    finding = registry.get("ver.semver_release")(ctx)
    assert finding.outcome is Outcome.FAIL
    assert "not a git repository" in finding.evidence[0].message


@pytest.mark.parametrize(
    ("name", "expected"),
    [("v1.2.3", "1.2.3"), ("1.2.3", "1.2.3"), ("version-1", "version-1"), ("v", "v")],
)
def test_without_v_prefix(name, expected):
    assert without_v_prefix(name) == expected


def test_parse_semver_rejects_leading_zeros_and_words():
    assert parse_semver("v01.2.3") is None
    assert parse_semver("latest") is None
    assert str(parse_semver("v1.0.0+build.5")) == "1.0.0+build.5"


def test_criterion_data_wires_the_probe():
    raw = yaml.safe_load((data_path("criteria") / "software" / "QC.Ver.yml").read_text())
    criterion = Criterion.model_validate(raw)
    assert [(s.id, s.requirement_level.value, s.probes) for s in criterion.subcriteria] == [
        ("QC.Ver01", "RECOMMENDED", ("ver.semver_release",))
    ]
    assert "ver.semver_release" in registry.names()
