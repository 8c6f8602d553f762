"""Issue 15, point 1: which subcriteria decide a criterion is a profile of criteria/badges.yml.

``sqaaas`` (the default) gates the subcriteria the EOSC SQAaaS badge always gated; ``strict``
every assessed subcriterion at the criterion's strongest level. Every other subcriterion is
still assessed, reported with its hint and counted in coverage, as advisory. QC.Uni01 decides
only when the tests ran: a language sqaaas cannot run is ``not_automated``, never a pass.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import sqaaas.platform.containers as containers_module
from sqaaas.acquire import acquire
from sqaaas.badges.credential import PROFILE_TAG, read_claims, recompute_badge
from sqaaas.badges.errors import BadgeReportError
from sqaaas.badges.issue import badge_bytes
from sqaaas.config import RepoConfig
from sqaaas.core.catalogue import default_catalogue
from sqaaas.core.engine import build_report, evaluate, select_criteria
from sqaaas.core.model import Report, RepositoryInfo
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.scoring import rescore
from sqaaas.core.validate import validate_report_json
from sqaaas.errors import CriteriaDataError
from sqaaas.report import markdown, sarif, sqaaas_v1
from sqaaas.report.terminal import render_plain
from sqaaas.subjects.repository import assess
from tests.badge_support import failed_steps, issuer  # noqa: F401  (module fixture)
from tests.conftest import run_probe
from tests.containers_support import in_containers
from tests.report_samples import COMMIT
from tests.repos import gold_repo_files, good_repo_files

SQAAAS_DECISIVE = {
    "QC.Acc": {"QC.Acc01"},
    "QC.Doc": {"QC.Doc06.1", "QC.Doc06.2", "QC.Doc06.3"},
    "QC.Lic": {"QC.Lic01", "QC.Lic02"},
    "QC.Met": {"QC.Met01"},
    "QC.Ver": {"QC.Ver01"},
    "QC.Sty": {"QC.Sty01"},
    "QC.Sec": {"QC.Sec02"},
    "QC.Uni": {"QC.Uni01"},
}


# --- the data -------------------------------------------------------------------------------


def test_the_default_profile_gates_what_the_sqaaas_badge_gated():
    catalogue = default_catalogue()
    assert catalogue.profiles.default == "sqaaas"
    assert catalogue.profile_names == ("sqaaas", "strict")
    sqaaas = catalogue.profile()
    for cid, decisive in SQAAAS_DECISIVE.items():
        assert sqaaas.decisive_ids(catalogue.criteria[cid]) == decisive, cid


def test_strict_is_the_strongest_level_rule_and_unlisted_criteria_keep_it():
    catalogue = default_catalogue()
    strict, sqaaas = catalogue.profile("strict"), catalogue.profile("sqaaas")
    for cid, criterion in catalogue.criteria.items():
        strongest = {
            s.id for s in criterion.subcriteria
            if s.requirement_level.strength == criterion.gating_strength
        }
        assert strict.decisive_ids(criterion) == strongest, cid
        if cid not in SQAAAS_DECISIVE:  # QC.Wor, QC.Man, ..., services, FAIR: as today
            assert sqaaas.decisive_ids(criterion) == strongest, cid
    assert strict.decisive_ids(catalogue.criteria["QC.Sec"]) == {
        "QC.Sec01", "QC.Sec02", "QC.Sec04"
    }
    assert strict.decisive_ids(catalogue.criteria["QC.Uni"]) == {"QC.Uni03", "QC.Uni04"}


def test_an_unknown_profile_is_refused_before_anything_runs(repo_factory):
    repo = repo_factory(good_repo_files())
    with pytest.raises(CriteriaDataError, match=r"unknown profile 'lenient' \(known: sqaaas, "):
        assess(acquire(str(repo)), criteria=["QC.Doc"], profile="lenient")


# --- verdicts: decisive vs advisory on a real repository ------------------------------------


def _without_licence(repo_factory) -> Path:
    files = good_repo_files()
    del files["LICENSE"]
    return repo_factory(files, tags=["v1.0.0"])


def test_under_sqaaas_a_missing_licence_file_is_advice_for_qc_doc(repo_factory):
    report = assess(acquire(str(_without_licence(repo_factory))), criteria=["QC.Doc", "QC.Lic"])
    assert report.profile == "sqaaas"
    doc = report.criteria["QC.Doc"]
    advice = doc.subcriteria["QC.Doc06.4"]
    assert advice.outcome is Outcome.FAIL and not advice.gating
    assert advice.hint, "an advisory failure still says how to fix it"
    assert doc.coverage.passed < doc.coverage.assessed, "and still counts in coverage"
    assert doc.valid, "QC.Doc06.1-3 (README, CONTRIBUTING, code of conduct) decide it"
    missing = {m.criterion: m for m in report.badge.missing_for_next}
    assert "QC.Doc" not in missing
    assert "QC.Lic01" in missing["QC.Lic"].subcriteria
    assert "QC.Lic01.1" not in missing["QC.Lic"].subcriteria, "only decisive ones are listed"


def test_under_strict_the_same_missing_licence_file_fails_qc_doc(repo_factory):
    report = assess(
        acquire(str(_without_licence(repo_factory))), criteria=["QC.Doc", "QC.Lic"],
        profile="strict",
    )
    assert report.profile == "strict"
    doc = report.criteria["QC.Doc"]
    assert doc.subcriteria["QC.Doc06.4"].gating and not doc.valid
    missing = {m.criterion: m for m in report.badge.missing_for_next}
    assert set(missing["QC.Doc"].subcriteria) == {"QC.Doc06", "QC.Doc06.4"}  # no advice
    assert "QC.Lic01.1" in missing["QC.Lic"].subcriteria


def test_rescoring_a_report_under_another_profile_equals_assessing_under_it(repo_factory):
    repo = _without_licence(repo_factory)
    catalogue = default_catalogue()
    sqaaas = assess(acquire(str(repo)), criteria=["QC.Doc", "QC.Lic"])
    strict = assess(acquire(str(repo)), criteria=["QC.Doc", "QC.Lic"], profile="strict")
    rescored = rescore(sqaaas.criteria, catalogue, catalogue.profile("strict"))
    for cid, result in strict.criteria.items():
        assert rescored[cid].valid == result.valid, cid
        assert {s: r.gating for s, r in rescored[cid].subcriteria.items()} == {
            s: r.gating for s, r in result.subcriteria.items()
        }, cid


# --- QC.Uni01 decides only when the tests ran -----------------------------------------------

JULIA_CI = """name: CI
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: julia-actions/setup-julia@v2
      - uses: julia-actions/julia-runtest@v1
      - uses: julia-actions/julia-processcoverage@v1
      - uses: codecov/codecov-action@v4
"""


def _julia_repo(repo_factory) -> Path:
    return repo_factory({
        "Project.toml": 'name = "Stats"\nuuid = "12345678-1234-1234-1234-123456789abc"\n',
        "src/Stats.jl": "module Stats\nmean(x) = sum(x) / length(x)\nend\n",
        "test/runtests.jl": "using Test, Stats\n@test Stats.mean([1, 2, 3]) == 2\n",
        ".github/workflows/ci.yml": JULIA_CI,
    })


def test_julia_tests_sqaaas_cannot_run_leave_qc_uni_not_valid_under_sqaaas(repo_factory):
    report = assess(acquire(str(_julia_repo(repo_factory))), criteria=["QC.Uni"])
    uni = report.criteria["QC.Uni"]
    uni01 = uni.subcriteria["QC.Uni01"]
    assert uni01.outcome is Outcome.NOT_AUTOMATED and uni01.gating
    assert any(e.message.startswith("not automated for Julia: ") for e in uni01.evidence)
    for sid in ("QC.Uni03", "QC.Uni04"):  # CI measures coverage, but no test ran here
        assert uni.subcriteria[sid].outcome is Outcome.PASS and not uni.subcriteria[sid].gating
    assert not uni.valid, "no decisive subcriterion was assessed: CI coverage is no test run"


def test_under_strict_the_julia_repository_is_judged_by_ci_coverage(repo_factory):
    report = assess(acquire(str(_julia_repo(repo_factory))), criteria=["QC.Uni"], profile="strict")
    uni = report.criteria["QC.Uni"]
    assert not uni.subcriteria["QC.Uni01"].gating
    assert uni.valid, "strict keeps today's rule: QC.Uni03/04 decide"


def _go_with_python_scripts() -> dict[str, str]:
    go = "package stats\n\n// Mean of xs.\nfunc Mean(xs []float64) float64 {\n\treturn 0\n}\n"
    return {
        "go.mod": "module example.org/stats\n\ngo 1.22\n",
        **{f"stats/file{i}.go": go * 20 for i in range(4)},
        "stats/stats_test.go": (
            'package stats\n\nimport "testing"\n\nfunc TestMean(t *testing.T) {}\n'
        ),
        "scripts/release.py": "print('release')\n",
        "scripts/test_release.py": "def test_release():\n    pass\n",
    }


def test_a_side_python_suite_does_not_stand_in_for_the_main_languages_tests(repo_factory):
    finding = run_probe(repo_factory(_go_with_python_scripts()), "uni.coverage")
    assert finding.outcome is Outcome.NOT_AUTOMATED
    messages = [e.message for e in finding.evidence]
    assert any(m.startswith("not automated for Go: ") for m in messages), messages
    assert any("Python tests were not run either" in m and "Go code" in m for m in messages)


def test_python_main_code_still_runs_its_python_tests_beside_go_ones(repo_factory, monkeypatch):
    monkeypatch.setattr(containers_module, "find_engine", lambda: None)  # stop at the run
    files = _go_with_python_scripts()
    files.update({f"pkg/mod{i}.py": "VALUE = 1\n" * 400 for i in range(4)})
    finding = run_probe(repo_factory(files), "uni.coverage")
    assert finding.outcome is Outcome.ERROR, "it went on to run the Python tests"
    assert "no container engine found" in finding.evidence[0].message


# --- the report, its renderers and the CLI say which profile --------------------------------


def _report(failing: set[str], profile: str) -> Report:
    """A software-baseline report from the catalogue, every probe passing but ``failing``."""
    catalogue = default_catalogue()
    selected = select_criteria(catalogue, ["software"], None)
    probes = {p for c in selected for s in c.subcriteria for p in s.probes}
    findings = {
        p: Finding(
            outcome=Outcome.FAIL if p in failing else Outcome.PASS,
            evidence=[Evidence(message=f"{p} checked", failing=p in failing)],
        )
        for p in probes
    }
    results = evaluate(selected, findings, RepoConfig(), profile=catalogue.profile(profile))
    return build_report(
        catalogue, "software", results,
        subject=RepositoryInfo(
            url="https://github.com/example-org/example.git", commit=COMMIT, branch="main",
            path="/tmp/checkout",
        ),
        started=time.monotonic(), profile=profile,
    )


def test_without_security_md_the_report_is_gold_under_sqaaas_and_silver_under_strict():
    sqaaas = _report({"sec.security_policy"}, "sqaaas")
    assert sqaaas.badge.level == "gold"
    assert sqaaas.criteria["QC.Sec"].subcriteria["QC.Sec01"].outcome is Outcome.FAIL
    strict = _report({"sec.security_policy"}, "strict")
    assert strict.badge.level == "silver"
    assert [(m.criterion, m.subcriteria) for m in strict.badge.missing_for_next] == [
        ("QC.Sec", ["QC.Sec01"])
    ]


def test_a_style_failure_is_not_valid_under_either_profile():
    for profile in ("sqaaas", "strict"):
        report = _report({"tools.QC.Sty01"}, profile)
        assert not report.criteria["QC.Sty"].valid, profile
        assert report.badge.level == "silver", profile


def test_every_format_names_the_profile():
    report = _report(set(), "strict")
    data = json.loads(report.to_json())
    assert data["profile"] == "strict" and validate_report_json(data) == []
    assert "profile `strict`" in markdown.render(report)
    assert json.loads(sarif.render(report))["runs"][0]["properties"]["profile"] == "strict"
    assert json.loads(sqaaas_v1.render(report))["meta"]["profile"] == "strict"
    assert "profile: strict" in render_plain(report)


def test_assess_cli_takes_the_profile_from_the_data(repo_factory, run_cli, tmp_path):
    repo = _without_licence(repo_factory)
    out = tmp_path / "report.json"
    done = run_cli("assess", str(repo), "--profile", "strict", "--criteria", "QC.Doc",
                   "--format", "json", "-o", str(out), "-q")
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["profile"] == "strict"
    refused = run_cli("assess", str(repo), "--profile", "lenient", "-q")
    assert refused.returncode == 2 and "'sqaaas', 'strict'" in refused.stderr


# --- the signed badge -----------------------------------------------------------------------


def _report_json(failing: set[str], profile: str) -> dict:
    return json.loads(_report(failing, profile).to_json())


def test_badge_is_recomputed_under_the_profile_asked_for_and_says_so(issuer):  # noqa: F811
    report = _report_json({"sec.security_policy"}, "sqaaas")
    own = issuer.issue(report)
    assert (own.level, own.profile) == ("gold", "sqaaas")
    strict = issuer.issue(report, profile="strict")
    assert (strict.level, strict.profile) == ("silver", "strict")
    achievement = strict.credential["credentialSubject"]["achievement"]
    assert achievement["tag"] == ["sqaaas", "software", "silver", PROFILE_TAG + "strict"]
    assert "strict profile" in achievement["criteria"]["narrative"]
    assert "(profile strict)" in strict.credential["evidence"][0]["narrative"]
    assert read_claims(strict.credential).profile == "strict"
    for issued in (own, strict):  # each verifies against the report, under its own profile
        result = issuer.verify(badge_bytes(issued, "svg"), report=report)
        assert result.valid, failed_steps(result)
        assert result.to_dict()["badge"]["profile"] == issued.profile


def test_an_edited_report_is_refused_under_any_profile(issuer):  # noqa: F811
    report = _report_json({"sec.security_policy"}, "sqaaas")
    report["criteria"]["QC.Sty"]["subcriteria"]["QC.Sty01"]["outcome"] = "fail"  # says gold
    for profile in (None, "strict"):
        with pytest.raises(BadgeReportError, match="claims level gold but its outcomes give "
                           "silver"):
            issuer.issue(report, profile=profile)


def test_badge_of_a_report_made_before_profiles_is_computed_as_then(issuer):  # noqa: F811
    report = _report_json({"sec.security_policy"}, "strict")
    report.pop("profile")
    report["schema_version"] = "1.2"
    issued = issuer.issue(report)
    assert (issued.level, issued.profile) == ("silver", "strict")


def test_unknown_profile_for_a_badge_is_refused():
    with pytest.raises(BadgeReportError, match="unknown profile 'lenient'"):
        recompute_badge(_report(set(), "sqaaas"), profile="lenient")


def test_badge_issue_cli_takes_the_profile(issuer, run_cli, tmp_path):  # noqa: F811
    report = tmp_path / "report.json"
    report.write_text(json.dumps(_report_json({"sec.security_policy"}, "sqaaas")))
    done = run_cli("badge", "issue", str(report), "--key", str(issuer.keydir), "--issuer",
                   issuer.issuer.base, "--out", str(tmp_path / "b.jwt"), "--profile", "strict",
                   "--format", "json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["level"], summary["profile"]) == ("silver", "strict")


# --- real repositories in containers ---------------------------------------------------------


@in_containers(timeout=600)
def test_gold_without_security_md_under_sqaaas_silver_under_strict(repo_factory):
    files = gold_repo_files()
    del files["SECURITY.md"]
    repo = repo_factory(files, tags=["v1.0.0"])
    report = assess(acquire(str(repo)))
    sec01 = report.criteria["QC.Sec"].subcriteria["QC.Sec01"]
    assert sec01.outcome is Outcome.FAIL and not sec01.gating
    assert report.badge.level == "gold", report.badge
    strict = recompute_badge(report, profile="strict")
    assert strict.level == "silver"
    assert [(m.criterion, m.subcriteria) for m in strict.missing_for_next] == [
        ("QC.Sec", ["QC.Sec01"])
    ]


@in_containers(timeout=600)
def test_style_errors_fail_qc_sty_under_both_profiles(repo_factory):
    files = gold_repo_files()
    files["example/messy.py"] = '"""Messy."""\nimport os, sys\nif os.sep == None: x = 1; y = 2\n'
    report = assess(acquire(str(repo_factory(files, tags=["v1.0.0"]))), criteria=["QC.Sty"])
    assert report.criteria["QC.Sty"].subcriteria["QC.Sty01"].outcome is Outcome.FAIL
    assert not report.criteria["QC.Sty"].valid
    catalogue = default_catalogue()
    strict = rescore(report.criteria, catalogue, catalogue.profile("strict"))
    assert not strict["QC.Sty"].valid


def _tool_lines(report: Report) -> list[str]:
    return [e.message for e in report.criteria["QC.Sty"].subcriteria["QC.Sty01"].evidence]


@in_containers(timeout=600)
def test_evidence_only_tools_run_only_when_a_profile_or_verbose_asks(repo_factory):
    """Pylint, Ruff and Radon decide no subcriterion: under the sqaaas profile they are not
    run (the report says so), so the verdict costs only the deciding tools; --profile strict
    and --verbose run them for their evidence, and the verdict does not move."""
    files = good_repo_files()
    files["example/messy.py"] = '"""Messy."""\nimport os, sys\nif os.sep == None: x = 1; y = 2\n'
    checkout = acquire(str(repo_factory(files)))
    lean = assess(checkout, criteria=["QC.Sty"])
    strict = assess(checkout, criteria=["QC.Sty"], profile="strict")
    verbose = assess(checkout, criteria=["QC.Sty"], verbose=True)
    assert not any(line.startswith("Pylint ") for line in _tool_lines(lean))
    assert any("Pylint, Ruff" in line and "not run under this profile" in line
               for line in _tool_lines(lean))
    for fuller in (strict, verbose):
        assert any(line.startswith("Pylint ") for line in _tool_lines(fuller))
        assert not any("not run under this profile" in line for line in _tool_lines(fuller))
    outcomes = {r.criteria["QC.Sty"].subcriteria["QC.Sty01"].outcome for r in (lean, strict,
                                                                               verbose)}
    assert outcomes == {Outcome.FAIL}  # flake8's E401/E701/E711 decide, in every profile
