"""Verdict and badge rules (pure functions)."""

from __future__ import annotations

from sqaaas.core.catalogue import default_catalogue
from sqaaas.core.model import CriterionResult, SubcriterionResult
from sqaaas.core.outcomes import Outcome
from sqaaas.core.scoring import badge, coverage, criterion_result, is_valid


def sub(outcome: Outcome, gating: bool = True, level: str = "MUST") -> SubcriterionResult:
    return SubcriterionResult(
        outcome=outcome,
        requirement_level=level,
        description="d" * 10,
        hint="h" * 10,
        gating=gating,
    )


def test_valid_needs_an_assessed_gating_pass_and_no_gating_failure():
    assert is_valid({"a": sub(Outcome.PASS), "b": sub(Outcome.NOT_AUTOMATED)})
    assert not is_valid({"a": sub(Outcome.PASS), "b": sub(Outcome.FAIL)})
    assert not is_valid({"a": sub(Outcome.PASS), "b": sub(Outcome.ERROR)})  # error is never a pass
    assert not is_valid({"a": sub(Outcome.NOT_AUTOMATED), "b": sub(Outcome.NOT_APPLICABLE)})
    assert is_valid({"a": sub(Outcome.PASS), "b": sub(Outcome.FAIL, gating=False, level="SHOULD")})


def test_coverage_is_passed_over_assessed():
    cov = coverage(
        {
            "a": sub(Outcome.PASS),
            "b": sub(Outcome.FAIL),
            "c": sub(Outcome.ERROR),
            "d": sub(Outcome.NOT_AUTOMATED),
            "e": sub(Outcome.NOT_APPLICABLE),
        }
    )
    assert (cov.passed, cov.assessed, cov.total, cov.ratio) == (1, 3, 5, 0.3333)
    assert coverage({"d": sub(Outcome.NOT_AUTOMATED)}).ratio is None


def _results(valid: set[str]) -> dict[str, CriterionResult]:
    catalogue = default_catalogue()
    out = {}
    for criterion in catalogue.of_baseline("software"):
        outcome = Outcome.PASS if criterion.id in valid else Outcome.FAIL
        out[criterion.id] = criterion_result(criterion, {f"{criterion.id}01": sub(outcome)})
    return out


def test_badge_levels_are_cumulative_and_missing_items_explained():
    scheme = default_catalogue().badges["software"]
    bronze = {"QC.Acc", "QC.Doc", "QC.Lic"}
    result = badge("software", scheme, _results(bronze | {"QC.Met"}))
    assert result.level == "bronze" and result.next_level == "silver"
    assert [m.criterion for m in result.missing_for_next] == ["QC.Ver"]
    assert "fail" in result.missing_for_next[0].reason
    # silver criteria without bronze ones do not make silver
    assert badge("software", scheme, _results({"QC.Met", "QC.Ver", "QC.Acc"})).level == "none"
    gold = badge(
        "software", scheme, _results(bronze | {"QC.Met", "QC.Ver", "QC.Sec", "QC.Sty", "QC.Uni"})
    )
    assert gold.level == "gold" and gold.next_level is None and gold.missing_for_next == []


def test_skipped_criterion_is_not_valid_and_says_why():
    scheme = default_catalogue().badges["software"]
    results = _results({"QC.Acc", "QC.Doc", "QC.Lic"})
    criterion = default_catalogue().criteria["QC.Lic"]
    results["QC.Lic"] = criterion_result(
        criterion, {"QC.Lic01": sub(Outcome.PASS)}, "vendored code"
    )
    result = badge("software", scheme, results)
    assert result.level == "none"
    assert result.missing_for_next[0].reason == "skipped: vendored code"
