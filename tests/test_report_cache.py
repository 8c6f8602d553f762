"""The whole-report cache of `sqaaas assess`: a hit only when nothing a verdict reads changed."""

from __future__ import annotations

import json

import pytest

from sqaaas.acquire import acquire
from sqaaas.core.model import Report
from sqaaas.core.outcomes import Outcome
from sqaaas.subjects import reportcache
from tests.repos import git, good_repo_files

HIT = "report from the cache"
ONE_CRITERION = ("--criteria", "QC.Lic", "--format", "json")


def _assess(run_cli, repo, *extra: str) -> tuple[dict, str]:
    proc = run_cli("assess", str(repo), *ONE_CRITERION, *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), proc.stderr


def _same_verdicts(first: dict, second: dict) -> bool:
    drop = ("generated_at", "duration_s")
    return {k: v for k, v in first.items() if k not in drop} == {
        k: v for k, v in second.items() if k not in drop
    }


def test_an_unchanged_repository_is_answered_from_the_cache(run_cli, repo_factory):
    repo = repo_factory(good_repo_files())
    first, first_err = _assess(run_cli, repo)
    second, second_err = _assess(run_cli, repo)
    assert HIT not in first_err
    assert HIT in second_err
    assert second == first  # the stored report, its time of assessment included


@pytest.mark.parametrize("change", ["edit", "untracked", "tag", "criteria", "profile", "fresh"])
def test_anything_a_verdict_reads_changing_misses_the_cache(run_cli, repo_factory, change):
    repo = repo_factory(good_repo_files())
    first, _ = _assess(run_cli, repo)
    extra: tuple[str, ...] = ()
    if change == "edit":
        (repo / "README.md").write_text("# changed\n", encoding="utf-8")
    elif change == "untracked":
        (repo / "NOTES.txt").write_text("new\n", encoding="utf-8")
    elif change == "tag":
        git(repo, "tag", "v9.9.9")
    elif change == "criteria":
        extra = ("--criteria", "QC.Acc")
    elif change == "profile":
        extra = ("--profile", "strict")
    else:
        extra = ("--fresh",)
    second, err = _assess(run_cli, repo, *extra)
    assert HIT not in err
    if change == "fresh":
        assert _same_verdicts(first, second) and second["generated_at"] >= first["generated_at"]


def test_a_changed_setting_misses_the_cache(run_cli, repo_factory, monkeypatch):
    repo = repo_factory(good_repo_files())
    _assess(run_cli, repo)
    monkeypatch.setenv("SQAAAS_PROGRESS_INTERVAL", "7")  # how progress shows: still a hit
    assert HIT in _assess(run_cli, repo)[1]
    monkeypatch.setenv("SQAAAS_TOOLS_IN_PLACE", "1")
    _, err = _assess(run_cli, repo)
    assert HIT not in err


def _key(repo) -> str:
    request = reportcache.Request(None, "software", True, None)
    key = reportcache.report_key(acquire(str(repo)), request)
    assert key is not None
    return key


def test_a_report_with_an_error_is_never_stored(run_cli, repo_factory):
    repo = repo_factory(good_repo_files())
    report = Report.model_validate(_assess(run_cli, repo)[0])
    key = _key(repo)
    assert key is not None
    clean = report.model_copy(deep=True)
    reportcache.store(key, clean)
    assert reportcache.load(key) == clean

    broken = report.model_copy(deep=True)
    sub = next(iter(next(iter(broken.criteria.values())).subcriteria.values()))
    sub.outcome = Outcome.ERROR
    other = key[::-1]
    reportcache.store(other, broken)
    assert reportcache.load(other) is None


def test_a_corrupt_entry_is_a_miss(repo_factory, isolated_cache):
    repo = repo_factory(good_repo_files())
    key = _key(repo)
    path = isolated_cache / reportcache.NAMESPACE / key[:2] / f"{key}.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"schema_version": 1', encoding="utf-8")
    assert reportcache.load(key) is None
