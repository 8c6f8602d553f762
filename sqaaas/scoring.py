"""Pure functions from subcriterion outcomes to criterion verdicts and the badge level.

Rules (documented in README "How verdicts are decided"):
- the *gating* subcriteria of a criterion are those at its strongest requirement level
  (MUST when it has any; SHOULD/RECOMMENDED for criteria that have no MUST; ...);
- a criterion is valid when at least one gating subcriterion was assessed and every
  assessed gating subcriterion passed (an error is never a pass);
- coverage = passed / assessed over all subcriteria;
- the badge level is the highest level whose criteria (cumulatively) are all valid.
"""

from __future__ import annotations

from sqaaas.criteria import BadgeScheme, Criterion
from sqaaas.outcomes import Outcome
from sqaaas.report.model import (
    BadgeResult,
    Coverage,
    CriterionResult,
    MissingItem,
    SubcriterionResult,
)


def coverage(subs: dict[str, SubcriterionResult]) -> Coverage:
    assessed = [s for s in subs.values() if s.outcome.assessed]
    passed = sum(1 for s in assessed if s.outcome is Outcome.PASS)
    ratio = round(passed / len(assessed), 4) if assessed else None
    return Coverage(passed=passed, assessed=len(assessed), total=len(subs), ratio=ratio)


def is_valid(subs: dict[str, SubcriterionResult]) -> bool:
    gating = [s for s in subs.values() if s.gating and s.outcome.assessed]
    return bool(gating) and all(s.outcome is Outcome.PASS for s in gating)


def gating_ids(criterion: Criterion) -> set[str]:
    strongest = criterion.gating_strength
    return {s.id for s in criterion.subcriteria if s.requirement_level.strength == strongest}


def criterion_result(
    criterion: Criterion, subs: dict[str, SubcriterionResult], skipped_reason: str | None = None
) -> CriterionResult:
    return CriterionResult(
        title=criterion.title,
        source_url=criterion.source_url,
        valid=skipped_reason is None and is_valid(subs),
        coverage=coverage(subs),
        skipped_reason=skipped_reason,
        subcriteria=subs,
    )


def _why_not_valid(cid: str, result: CriterionResult | None) -> MissingItem:
    if result is None:
        return MissingItem(criterion=cid, reason="not assessed in this run")
    if result.skipped_reason:
        return MissingItem(criterion=cid, reason=f"skipped: {result.skipped_reason}")
    failing = {
        sid: s
        for sid, s in result.subcriteria.items()
        if s.gating and s.outcome in (Outcome.FAIL, Outcome.ERROR)
    }
    if failing:
        reason = ", ".join(f"{sid} {s.outcome.value}" for sid, s in failing.items())
        return MissingItem(
            criterion=cid,
            reason=reason,
            subcriteria=list(failing),
            hints=[s.hint for s in failing.values()],
        )
    waiting = [sid for sid, s in result.subcriteria.items() if s.gating]
    return MissingItem(
        criterion=cid,
        reason="no required subcriterion could be assessed automatically",
        subcriteria=waiting,
    )


def badge(
    scheme_name: str, scheme: BadgeScheme, results: dict[str, CriterionResult]
) -> BadgeResult:
    level = "none"
    for lvl in scheme.levels:
        if all(results.get(cid) is not None and results[cid].valid for cid in lvl.criteria):
            level = lvl.name
            continue
        missing = [
            _why_not_valid(cid, results.get(cid))
            for cid in scheme.required_for(lvl.name)
            if not (results.get(cid) is not None and results[cid].valid)
        ]
        return BadgeResult(
            scheme=scheme_name, level=level, next_level=lvl.name, missing_for_next=missing
        )
    return BadgeResult(scheme=scheme_name, level=level, next_level=None, missing_for_next=[])
