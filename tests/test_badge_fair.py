"""The FAIR badge: issued from the offline FAIR indicators (QC.FAIR), verified, tampered with."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jwt.utils import base64url_decode, base64url_encode

from sqaaas.badges import artwork as images
from sqaaas.badges import svgxml
from sqaaas.badges.credential import assess_report, report_digest
from sqaaas.badges.errors import BadgeIssueError, BadgeReportError
from sqaaas.badges.issue import badge_bytes
from tests.badge_support import (
    LEVELS,
    NOW,
    failed_steps,
    fair_report_for,
    issuer,  # noqa: F401  (module fixture)
    report_for,
)
from tests.report_samples import FAIR_SCHEME

SVG = "{http://www.w3.org/2000/svg}"
FAIR_METRICS = {
    level: FAIR_SCHEME.required_for(level) for level in ("bronze", "silver", "gold")
}


def svg_texts(svg: str) -> list[str]:
    """The texts drawn on a badge image (label, then message)."""
    return [t.text or "" for t in svgxml.parse(svg.encode()).iter(f"{SVG}text")]


def _fail_indicator(report: dict[str, Any], sid: str) -> dict[str, Any]:
    """A copy of ``report`` with offline indicator ``sid`` failed and every summary left as was."""
    edited = copy.deepcopy(report)
    edited["criteria"]["QC.FAIR"]["subcriteria"][sid]["outcome"] = "fail"
    return edited


@pytest.mark.parametrize("fmt", ["svg", "png", "jwt"])
@pytest.mark.parametrize("level", ["silver", "gold"])
def test_fair_badge_round_trip(issuer, level, fmt):  # noqa: F811
    report = fair_report_for(level)
    issued = issuer.issue(report, scheme="fair")
    assert (issued.scheme, issued.level) == ("fair", level)
    result = issuer.verify(badge_bytes(issued, fmt), report=report)
    assert result.valid, failed_steps(result)
    assert (result.scheme, result.level) == ("fair", level)
    statuses = {s.name: s.status for s in result.steps}
    for step in ("signature", "issuer", "report digest", "report level", "report repository"):
        assert statuses[step] == "pass", step
    level_step = next(s for s in result.steps if s.name == "report level")
    assert level_step.detail == f"the report's outcomes give {level}, as claimed"


def test_fair_credential_names_the_metric_groups(issuer):  # noqa: F811
    report = fair_report_for("silver")
    vc = issuer.issue(report, scheme="fair").credential
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["id"] == "https://issuer.example/achievements/fair/silver.json"
    assert achievement["name"] == vc["name"] == "FAIR software: silver"
    groups = ", ".join(FAIR_METRICS["silver"])
    assert achievement["description"] == (
        "Awarded to a source code repository that reached the silver level of the sqaaas "
        f"FAIR software badge: its FAIR indicators (QC.FAIR) met the metric groups {groups}."
    )
    narrative = achievement["criteria"]["narrative"]
    assert "section QC.FAIR, measured against the FAIR Principles for Research Software" in (
        narrative)
    assert narrative.endswith(f"v0.7 (https://doi.org/10.5281/zenodo.10047401): {groups}. A "
                              "metric group is met when an indicator measuring it was assessed "
                              "and all passed.")
    alignments = achievement["alignment"]
    assert [a["targetCode"] for a in alignments] == ["fair", *FAIR_METRICS["silver"]]
    frsm01 = alignments[1]
    assert frsm01["targetName"] == "FRSM-01 (QC.FAIR01)"
    assert frsm01["targetDescription"] == "Offline indicator approximating FRSM-01-F1."
    assert frsm01["targetUrl"] == "https://doi.org/10.5281/zenodo.10047401"
    assert achievement["tag"] == ["sqaaas", "fair", "silver"]
    evidence = vc["evidence"][0]["narrative"]
    assert "metric groups met in QC.FAIR: FRSM-01, FRSM-03" in evidence
    assert "FRSM-05" not in evidence, "gold's groups are not met at silver"
    assert report_digest(report) in evidence


def test_the_ob2_assertion_of_a_fair_badge(issuer):  # noqa: F811
    issued = issuer.issue(fair_report_for("gold"), scheme="fair")
    assertion = json.loads(base64url_decode(issued.ob2_jws.split(".")[1]))
    assert assertion["badge"] == "https://issuer.example/achievements/fair/gold.json"
    badge_class = json.loads((issuer.public / "achievements" / "fair" / "gold.json").read_text())
    assert badge_class["image"] == "https://issuer.example/achievements/fair-gold.svg"
    codes = [a["targetCode"] for a in badge_class["alignment"]]
    assert codes == ["fair", *FAIR_METRICS["gold"]]


def test_default_scheme_stays_the_quality_badge(issuer):  # noqa: F811
    report = fair_report_for("gold", quality_level="silver")
    issued = issuer.issue(report)
    assert (issued.scheme, issued.level) == ("software", "silver")
    assert issued.credential["name"] == "Software quality: silver"


def test_the_fuji_section_does_not_count(issuer):  # noqa: F811
    """F-UJI's own section reaches no FAIR level, the offline one silver: silver is issued."""
    report = fair_report_for("silver")
    assert report["fair"]["QC.FAIR.F-UJI"]["badge"]["level"] == "none"
    assert issuer.issue(report, scheme="fair").level == "silver"


def test_fair_level_none_is_refused_with_what_bronze_needs(issuer):  # noqa: F811
    with pytest.raises(BadgeIssueError) as caught:
        issuer.issue(fair_report_for("none"), scheme="fair")
    message = str(caught.value)
    assert message.startswith(
        "no badge for level none: report.json does not reach any level of the FAIR software "
        "badge (fair); bronze needs FRSM-01: QC.FAIR01 fail; FRSM-03: QC.FAIR02 fail;"
    )
    assert "\n" not in message


def test_a_report_without_the_fair_section_is_refused(issuer):  # noqa: F811
    with pytest.raises(BadgeReportError, match=r"has no QC\.FAIR section, which the fair badge"):
        issuer.issue(report_for("gold"), scheme="fair")


def test_an_unknown_scheme_is_refused(issuer):  # noqa: F811
    with pytest.raises(BadgeIssueError, match=r"unknown badge scheme 'platinum' \(known: "):
        issuer.issue(report_for("gold"), scheme="platinum")


def test_an_edited_fair_level_is_refused(issuer):  # noqa: F811
    report = _fail_indicator(fair_report_for("gold"), "QC.FAIR14")  # FRSM-17 unmet: silver
    assert report["fair"]["QC.FAIR"]["badge"]["level"] == "gold"
    with pytest.raises(BadgeReportError,
                       match="claims level gold but its outcomes give silver for the fair badge"):
        issuer.issue(report, scheme="fair")


def test_fair_level_is_recomputed_from_outcomes():
    report = _fail_indicator(fair_report_for("silver"), "QC.FAIR05")
    assert assess_report(report, "r", "fair").level == "bronze"
    assert assess_report(report, "r").level == "bronze", "quality level unaffected"
    assert assess_report(report, "r").scheme == "software"


def test_a_report_edited_after_issuing_fails_digest_and_level(issuer):  # noqa: F811
    report = fair_report_for("silver")
    issued = issuer.issue(report, scheme="fair")
    edited = _fail_indicator(report, "QC.FAIR05")
    result = issuer.verify(badge_bytes(issued, "svg"), report=edited)
    assert not result.valid
    failed = failed_steps(result)
    assert set(failed) == {"report digest", "report level"}
    assert failed["report level"] == "the report's outcomes give bronze, the badge claims silver"


def test_a_tampered_fair_credential_fails_the_signature(issuer):  # noqa: F811
    issued = issuer.issue(fair_report_for("silver"), scheme="fair")
    header, payload, signature = issued.token.split(".")
    claims = json.loads(base64url_decode(payload))
    claims["credentialSubject"]["achievement"]["id"] = (
        "https://issuer.example/achievements/fair/gold.json")
    forged = f"{header}.{base64url_encode(json.dumps(claims).encode()).decode()}.{signature}"
    result = issuer.verify((forged + "\n").encode())
    assert not result.valid
    assert "signature" in failed_steps(result)
    assert result.claims is None, "nothing a forged token claims is looked at"


def test_a_fair_badge_does_not_verify_as_the_quality_level(issuer):  # noqa: F811
    """The FAIR silver badge checked against a report at quality bronze stays a FAIR claim."""
    report = fair_report_for("silver", quality_level="bronze")
    issued = issuer.issue(report, scheme="fair")
    result = issuer.verify(badge_bytes(issued, "jwt"), report=report)
    assert result.valid and result.level == "silver"


def test_fair_badge_images_say_fair(issuer):  # noqa: F811
    issued = issuer.issue(fair_report_for("gold"), scheme="fair")
    svg = badge_bytes(issued, "svg").decode()
    assert 'aria-label="sqaaas FAIR: gold"' in svg
    assert svg_texts(svg) == ["sqaaas FAIR", "gold"]
    published = (issuer.public / "achievements" / "fair-gold.svg").read_text()
    assert svg_texts(published) == ["sqaaas FAIR", "gold"]
    assert images.extract_from_svg(published).ob3_jwt is None, "published images are un-baked"
    quality = badge_bytes(issuer.issue(report_for("gold")), "svg").decode()
    assert svg_texts(quality) == ["sqaaas", "gold"], "the quality badge keeps its label"


@pytest.mark.parametrize("level", LEVELS)
def test_publish_writes_every_fair_level_image(issuer, level):  # noqa: F811
    if level == "bronze":
        issuer.issue(fair_report_for("bronze"), scheme="fair", now=NOW)
    path = issuer.public / "achievements" / f"fair-{level}.svg"
    assert svg_texts(path.read_text()) == ["sqaaas FAIR", level]
