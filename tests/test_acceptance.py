"""Issue acceptance: the repository-level criteria reach silver; no licence means no badge."""

from __future__ import annotations

from sqaaas.core.outcomes import Outcome
from tests.conftest import assess_repo
from tests.containers_support import in_containers
from tests.repos import gold_repo_files, good_repo_files

SILVER = ("QC.Acc", "QC.Lic", "QC.Doc", "QC.Met", "QC.Ver")


def test_well_kept_repository_reaches_silver(repo_factory):
    repo = repo_factory(good_repo_files(), tags=["v1.0.0"])
    report = assess_repo(repo)
    for cid in SILVER:
        assert report.criteria[cid].valid, (cid, report.criteria[cid].model_dump())
    assert report.badge.level == "silver"
    assert report.badge.next_level == "gold"
    assert {m.criterion for m in report.badge.missing_for_next} <= {"QC.Sec", "QC.Sty", "QC.Uni"}
    assert report.repository.url == "https://github.com/example-org/example.git"


def test_same_repository_without_licence_gets_no_badge_and_says_why(repo_factory):
    files = good_repo_files()
    del files["LICENSE"]
    report = assess_repo(repo_factory(files, tags=["v1.0.0"]))
    lic = report.criteria["QC.Lic"]
    assert not lic.valid
    assert lic.subcriteria["QC.Lic01"].outcome is Outcome.FAIL
    assert lic.subcriteria["QC.Lic01.1"].outcome is Outcome.FAIL
    assert any("licen" in ev.message.lower() for ev in lic.subcriteria["QC.Lic01.1"].evidence)
    assert report.badge.level == "none"
    missing = {m.criterion: m for m in report.badge.missing_for_next}
    assert "QC.Lic" in missing and "QC.Lic01" in missing["QC.Lic"].subcriteria


def test_without_tag_silver_is_missing_versioning(repo_factory):
    report = assess_repo(repo_factory(good_repo_files()))
    assert report.badge.level == "bronze"
    assert [m.criterion for m in report.badge.missing_for_next] == ["QC.Ver"]


@in_containers(timeout=300)
def test_clean_python_repository_with_tests_reaches_gold(repo_factory):
    report = assess_repo(repo_factory(gold_repo_files(), tags=["v1.0.0"]))
    uni01 = report.criteria["QC.Uni"].subcriteria["QC.Uni01"]
    assert uni01.outcome is Outcome.PASS, uni01.evidence
    assert "100" in " ".join(e.message for e in uni01.evidence)  # full line coverage reported
    for cid in ("QC.Sty", "QC.Sec", "QC.Uni"):
        assert report.criteria[cid].valid, (cid, report.criteria[cid].model_dump())
    assert report.badge.level == "gold", report.badge


@in_containers(timeout=300)  # the static tools run in the tools container
def test_eval_input_fails_sast_with_file_and_line(repo_factory):
    files = gold_repo_files()
    files["example/unsafe.py"] = '"""Unsafe."""\n\nANSWER = eval(input())\n'
    report = assess_repo(repo_factory(files, tags=["v1.0.0"]), criteria=["QC.Sec"])
    sec02 = report.criteria["QC.Sec"].subcriteria["QC.Sec02"]
    assert sec02.outcome is Outcome.FAIL
    assert any(e.path == "example/unsafe.py" and e.line == 3 for e in sec02.evidence)
    assert not report.criteria["QC.Sec"].valid
