"""The JSON report contract: schema.json matches what Report.to_json() really writes."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from sqaaas.core.catalogue import RequirementLevel, default_catalogue
from sqaaas.core.model import (
    SCHEMA_VERSION,
    BadgeResult,
    BaselineInfo,
    Coverage,
    CriterionResult,
    FairSummary,
    MissingItem,
    PrincipleScore,
    Report,
    RepositoryInfo,
    Score,
    SubcriterionResult,
)
from sqaaas.core.outcomes import Evidence, Outcome
from sqaaas.core.validate import load_schema, validate_report_json
from sqaaas.datafiles import data_path
from tests.conftest import assess_repo
from tests.report_samples import criterion, make_report, sub, with_fair
from tests.repos import good_repo_files


def _json(report: Report) -> dict:
    return json.loads(report.to_json())


def _defs() -> dict:
    return load_schema()["$defs"]


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_schema_is_package_data_beside_the_model() -> None:
    import sqaaas.core

    assert (Path(sqaaas.core.__file__).parent / "schema.json").is_file()


def test_real_assessment_report_validates(repo_factory: Callable[..., Path]) -> None:
    report = assess_repo(repo_factory(good_repo_files(), tags=["v1.0.0"]))
    assert report.criteria, "the assessment produced no criteria"
    assert validate_report_json(report.to_json()) == []


@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_outcome_validates(outcome: Outcome) -> None:
    evidence = Evidence(message="seen", path="a.txt", line=3, value=["x"], tool="git", excerpt="x")
    crit = criterion("Example", {
        "QC.Acc01": sub(outcome, "MUST", evidence),
        "QC.Acc02": sub(outcome, "MAY", Evidence(message="bare"), gating=False),
    })
    report = make_report({"QC.Acc": crit})
    assert validate_report_json(_json(report)) == []


@pytest.mark.parametrize("value", ["1.2.3", 4, 0.5, True, ["a", "b"], None])
def test_every_evidence_value_type_validates(value: object) -> None:
    evidence = Evidence(message="m", value=value)
    crit = criterion("Example", {"QC.Acc01": sub(Outcome.PASS, "MUST", evidence)})
    assert validate_report_json(_json(make_report({"QC.Acc": crit}))) == []


def test_sample_report_with_every_outcome_validates() -> None:
    report = make_report()
    outcomes = {s.outcome for c in report.criteria.values() for s in c.subcriteria.values()}
    assert outcomes == set(Outcome)
    assert report.badge.next_level == "bronze"
    assert validate_report_json(report.to_json()) == []


@pytest.mark.parametrize("level", ["none", "bronze", "silver", "gold"])
def test_every_badge_level_validates(level: str) -> None:
    report = make_report()
    next_level = {"none": "bronze", "bronze": "silver", "silver": "gold", "gold": None}[level]
    missing = [] if next_level is None else [
        MissingItem(criterion="QC.Sec", reason="QC.Sec01 fail", subcriteria=["QC.Sec01"],
                    hints=["h"])
    ]
    report.badge = BadgeResult(scheme="software", level=level, next_level=next_level,
                               missing_for_next=missing)
    assert validate_report_json(_json(report)) == []


def _mutated(change: Callable[[dict], None]) -> list[str]:
    data = _json(make_report())
    change(data)
    return validate_report_json(data)


def _set_outcome(d: dict) -> None:
    d["criteria"]["QC.Acc"]["subcriteria"]["QC.Acc01"]["outcome"] = "passed"


def _set_level(d: dict) -> None:
    d["badge"]["level"] = "platinum"


def _set_missing_when_top(d: dict) -> None:
    d["badge"].update(level="gold", next_level=None)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (_set_outcome, "$.criteria['QC.Acc'].subcriteria['QC.Acc01'].outcome"),
        (lambda d: d.pop("badge"), "$"),
        (lambda d: d.update(extra=1), "$"),
        (lambda d: d.update(generated_at="yesterday"), "$.generated_at"),
        (lambda d: d["criteria"].update({"not-an-id": d["criteria"]["QC.Acc"]}), "$.criteria"),
        (lambda d: d["criteria"]["QC.Acc"]["coverage"].update(ratio=1.5),
         "$.criteria['QC.Acc'].coverage.ratio"),
        (lambda d: d["criteria"]["QC.Acc"]["subcriteria"]["QC.Acc01"].pop("gating"),
         "$.criteria['QC.Acc'].subcriteria['QC.Acc01']"),
        (lambda d: d["criteria"]["QC.Acc"]["subcriteria"]["QC.Acc02"]["evidence"][0].update(line=0),
         "$.criteria['QC.Acc'].subcriteria['QC.Acc02'].evidence[0].line"),
        (lambda d: d["criteria"]["QC.Acc"]["subcriteria"]["QC.Acc01"].update(
            requirement_level="MUSTN'T"),
         "$.criteria['QC.Acc'].subcriteria['QC.Acc01'].requirement_level"),
        (_set_level, "$.badge.level"),
        (_set_missing_when_top, "$.badge.missing_for_next"),
        (lambda d: d.update(schema_version="2.0"), "$.schema_version"),
    ],
)
def test_mutated_report_is_rejected(change: Callable[[dict], None], where: str) -> None:
    errors = _mutated(change)
    assert errors, "the mutation was accepted"
    assert any(e.startswith(where + ":") for e in errors), errors


@pytest.mark.parametrize("profile", ["sqaaas", "strict", None])
def test_every_profile_validates(profile: str | None) -> None:
    report = make_report()
    report.profile = profile
    assert validate_report_json(_json(report)) == []


def test_unknown_profile_is_rejected() -> None:
    errors = _mutated(lambda d: d.update(profile="lenient"))
    assert [e for e in errors if e.startswith("$.profile:")], errors


def test_report_of_1_2_without_profile_still_validates() -> None:
    """A report written before profiles (1.2) has no profile key: it stays valid (and so
    still verifies against the badge issued for it)."""
    data = _json(make_report())
    data.pop("profile")
    data["schema_version"] = "1.2"
    assert validate_report_json(data) == []
    assert Report.model_validate(data).profile is None


def test_published_schema_file_lists_the_profiles_of_badges_yml() -> None:
    import sqaaas.core

    published = json.loads((Path(sqaaas.core.__file__).parent / "schema.json").read_text())
    assert published["properties"]["profile"] == load_schema()["properties"]["profile"]
    assert published["properties"]["profile"]["enum"] == [
        *default_catalogue().profile_names, None
    ]


def test_missing_badge_error_names_the_field() -> None:
    errors = _mutated(lambda d: d.pop("badge"))
    assert errors == ["$: 'badge' is a required property"]


def test_validate_accepts_json_text() -> None:
    assert validate_report_json(make_report().to_json()) == []
    assert validate_report_json('{"schema_version": "1.0"}') != []


# --- the schema stays in step with the pydantic model -------------------------------------

#: fields a minor version added: optional in the schema, so older reports stay valid
ADDED_IN_1_1 = {"fair", "metric", "score", "maturity"}
ADDED_IN_1_2 = {"failing"}  # evidence: whether a line states the failure
ADDED_IN_1_3 = {"profile"}  # report: the profile that said which subcriteria decide


@pytest.mark.parametrize(
    ("model", "path"),
    [
        (Report, ()),
        (FairSummary, ("$defs", "fair_summary")),
        (PrincipleScore, ("$defs", "principle_score")),
        (Score, ("$defs", "score")),
        (BaselineInfo, ("properties", "baseline")),
        (RepositoryInfo, ("properties", "repository")),
        (CriterionResult, ("$defs", "criterion")),
        (Coverage, ("$defs", "coverage")),
        (SubcriterionResult, ("$defs", "subcriterion")),
        (Evidence, ("$defs", "evidence")),
        (BadgeResult, ("$defs", "badge")),
        (MissingItem, ("$defs", "missing_item")),
    ],
)
def test_schema_fields_match_the_model(model: type[BaseModel], path: tuple[str, ...]) -> None:
    node = load_schema()
    for key in path:
        node = node[key]
    assert set(node["properties"]) == set(model.model_fields)
    required = set(model.model_fields) - ADDED_IN_1_1 - ADDED_IN_1_2 - ADDED_IN_1_3
    assert set(node["required"]) == required, "to_json() always writes every key"
    assert node.get("additionalProperties") is False, "the model forbids extra keys"


def test_schema_enums_match_the_code() -> None:
    defs = _defs()
    assert defs["outcome"]["enum"] == [o.value for o in Outcome]
    assert defs["requirement_level"]["enum"] == [r.value for r in RequirementLevel]


def test_schema_badge_levels_match_badges_yml() -> None:
    raw = yaml.safe_load((data_path("criteria") / "badges.yml").read_text(encoding="utf-8"))
    rules = {
        r["if"]["properties"]["scheme"]["const"]: r["then"]["properties"]
        for r in _defs()["badge"]["allOf"] if r["if"]["properties"].get("scheme")
    }
    assert {"software", "fair"} <= set(rules) <= set(raw)
    for scheme in rules:
        levels = [lvl["name"] for lvl in raw[scheme]["levels"]]
        assert rules[scheme]["level"]["enum"] == ["none", *levels], scheme
        assert rules[scheme]["next_level"]["enum"] == [*levels, None], scheme


def test_published_schema_file_shows_the_levels_the_catalogue_gives() -> None:
    import sqaaas.core

    published = json.loads((Path(sqaaas.core.__file__).parent / "schema.json").read_text())
    assert published["$defs"]["badge"] == _defs()["badge"], "schema.json's copy of badges.yml"


def test_schema_version_of_the_model_is_described() -> None:
    data = _json(make_report())
    assert data["schema_version"] == SCHEMA_VERSION
    assert validate_report_json(data) == []


def test_copy_of_valid_report_stays_valid_after_roundtrip() -> None:
    data = _json(make_report())
    again = json.loads(Report.model_validate(copy.deepcopy(data)).to_json())
    assert again == data


# --- FAIR sections (schema 1.1) -----------------------------------------------------------


@pytest.mark.parametrize("level", ["none", "bronze", "silver", "gold"])
def test_reports_with_both_fair_sections_validate(level: str) -> None:
    report = with_fair(make_report(), level=level)
    data = _json(report)
    assert list(data["fair"]) == ["QC.FAIR", "QC.FAIR.F-UJI"]
    assert data["fair"]["QC.FAIR"]["badge"]["level"] == level
    fuji = data["criteria"]["QC.FAIR.F-UJI"]["subcriteria"]["FRSM-01-F1"]
    assert (fuji["metric"], fuji["score"], fuji["maturity"]) == (
        "FRSM-01-F1", {"earned": 0.0, "total": 3.0}, 0)
    assert validate_report_json(data) == []


@pytest.mark.parametrize(
    "fuji", [{"resolved": False}, {"error": "F-UJI answered HTTP 500 (Internal Server Error)"}]
)
def test_unresolved_and_failed_fuji_sections_validate(fuji: dict) -> None:
    data = _json(with_fair(make_report(), **fuji))
    summary = data["fair"]["QC.FAIR.F-UJI"]
    assert summary["resolved"] is fuji.get("resolved", True)
    assert summary["error"] == fuji.get("error")
    assert validate_report_json(data) == []


def test_a_schema_1_0_report_still_validates() -> None:
    """Reports written before 1.1 (no fair, no metric/score/maturity) keep validating."""
    data = _json(make_report())
    data["schema_version"] = "1.0"
    del data["fair"]
    for crit in data["criteria"].values():
        for sub_ in crit["subcriteria"].values():
            for key in ("metric", "score", "maturity"):
                del sub_[key]
    assert validate_report_json(data) == []
    assert Report.model_validate(data).fair == {}


def _fair_mutation(change: Callable[[dict], None]) -> list[str]:
    data = _json(with_fair(make_report()))
    change(data)
    return validate_report_json(data)


def _offline_sub(d: dict) -> dict:
    return d["criteria"]["QC.FAIR"]["subcriteria"]["QC.FAIR01"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["fair"]["QC.FAIR"].update(source="guess"), "$.fair['QC.FAIR'].source"),
        (lambda d: d["fair"]["QC.FAIR"].pop("scores"), "$.fair['QC.FAIR']"),
        (lambda d: d["fair"]["QC.FAIR"]["scores"].update(X={}), "$.fair['QC.FAIR'].scores"),
        (lambda d: d["fair"]["QC.FAIR"]["scores"]["FAIR"].update(percent=101),
         "$.fair['QC.FAIR'].scores.FAIR.percent"),
        (lambda d: d["fair"]["QC.FAIR"]["badge"].update(level="platinum"),
         "$.fair['QC.FAIR'].badge"),
        (lambda d: d["fair"].update({"fair": d["fair"]["QC.FAIR"]}), "$.fair"),
        (lambda d: _offline_sub(d).update(metric="FRSM 01"),
         "$.criteria['QC.FAIR'].subcriteria['QC.FAIR01'].metric"),
        (lambda d: _offline_sub(d).update(score={"earned": 1}),
         "$.criteria['QC.FAIR'].subcriteria['QC.FAIR01'].score"),
        (lambda d: _offline_sub(d).update(maturity=4),
         "$.criteria['QC.FAIR'].subcriteria['QC.FAIR01'].maturity"),
        (lambda d: d["criteria"]["QC.FAIR.F-UJI"]["subcriteria"].update(
            {"FRSM 01": _offline_sub(d)}), "$.criteria['QC.FAIR.F-UJI'].subcriteria"),
    ],
)
def test_mutated_fair_sections_are_rejected(change: Callable[[dict], None], where: str) -> None:
    errors = _fair_mutation(change)
    assert errors, "the mutation was accepted"
    assert any(e.startswith(where) for e in errors), errors


def test_fair_report_round_trips_through_the_model() -> None:
    data = _json(with_fair(make_report(), level="gold"))
    assert json.loads(Report.model_validate(copy.deepcopy(data)).to_json()) == data
