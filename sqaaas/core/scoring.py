"""Pure functions from subcriterion outcomes to criterion verdicts and the badge level.

Rules (documented in README "How verdicts are decided"):
- the *gating* (decisive) subcriteria of a criterion are those the chosen profile of
  criteria/badges.yml names for it, or for a criterion it does not list, those at the
  criterion's strongest requirement level (Profile.decisive_ids);
- a criterion is valid when at least one gating subcriterion was assessed and every
  assessed gating subcriterion passed (an error is never a pass);
- coverage = passed / assessed over all subcriteria;
- the badge level is the highest level whose criteria (cumulatively) are all valid.
"""

from __future__ import annotations

from sqaaas.core.catalogue import NO_LEVEL, BadgeScheme, Catalogue, Criterion, Profile
from sqaaas.core.model import (
    BadgeResult,
    Coverage,
    CriterionResult,
    MissingItem,
    SubcriterionResult,
)
from sqaaas.core.outcomes import Outcome, unique_hints


def coverage(subs: dict[str, SubcriterionResult]) -> Coverage:
    assessed = [s for s in subs.values() if s.outcome.assessed]
    passed = sum(1 for s in assessed if s.outcome is Outcome.PASS)
    ratio = round(passed / len(assessed), 4) if assessed else None
    return Coverage(passed=passed, assessed=len(assessed), total=len(subs), ratio=ratio)


def is_valid(subs: dict[str, SubcriterionResult]) -> bool:
    gating = [s for s in subs.values() if s.gating and s.outcome.assessed]
    return bool(gating) and all(s.outcome is Outcome.PASS for s in gating)


def revalidated(results: dict[str, CriterionResult]) -> dict[str, CriterionResult]:
    """``results`` with every verdict recomputed from the outcomes and gating flags (a
    stored ``valid`` is never taken on trust)."""
    return {
        cid: result.model_copy(
            update={"valid": result.skipped_reason is None and is_valid(result.subcriteria)}
        )
        for cid, result in results.items()
    }


def rescore(
    results: dict[str, CriterionResult], catalogue: Catalogue, profile: Profile
) -> dict[str, CriterionResult]:
    """``results`` judged under another ``profile``: every gating flag derived from the
    catalogue's profile, then every verdict from those flags. A section the catalogue does
    not define (F-UJI's) keeps its flags: no profile names it."""
    rescored = {}
    for cid, result in results.items():
        criterion = catalogue.criteria.get(cid)
        if criterion is not None:
            decisive = profile.decisive_ids(criterion)
            subs = {
                sid: sub.model_copy(update={"gating": sid in decisive})
                for sid, sub in result.subcriteria.items()
            }
            result = result.model_copy(update={"subcriteria": subs})
        rescored[cid] = result
    return revalidated(rescored)


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
            hints=unique_hints(s.hint for s in failing.values()),
        )
    waiting = [sid for sid, s in result.subcriteria.items() if s.gating]
    return MissingItem(
        criterion=cid,
        reason="no decisive subcriterion could be assessed automatically",
        subcriteria=waiting,
    )


def badge(
    scheme_name: str, scheme: BadgeScheme, results: dict[str, CriterionResult]
) -> BadgeResult:
    level = NO_LEVEL
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


def in_group(metric: str | None, group: str) -> bool:
    """Whether ``metric`` is ``group`` or one of its metrics (FRSM-01-F1 is in FRSM-01)."""
    return metric is not None and (metric == group or metric.startswith(group + "-"))


def measures(sub: SubcriterionResult, metric: str) -> bool:
    """Whether ``sub`` measures ``metric`` (a group such as FRSM-01 matches FRSM-01-F1)."""
    return in_group(sub.metric, metric)


def _why_metric_unmet(metric: str, section: CriterionResult | None) -> MissingItem | None:
    """None when ``metric`` is met: assessed by at least one subcriterion, all of them passed."""
    if section is None:
        return MissingItem(criterion=metric, reason="no FAIR section in this report")
    subs = {sid: s for sid, s in section.subcriteria.items() if measures(s, metric)}
    assessed = {sid: s for sid, s in subs.items() if s.outcome.assessed}
    failing = {sid: s for sid, s in assessed.items() if s.outcome is not Outcome.PASS}
    if assessed and not failing:
        return None
    if failing:
        reason = ", ".join(f"{sid} {s.outcome.value}" for sid, s in failing.items())
        return MissingItem(
            criterion=metric,
            reason=reason,
            subcriteria=list(failing),
            hints=unique_hints(s.hint for s in failing.values()),
        )
    return MissingItem(criterion=metric, reason="not assessed in this run", subcriteria=list(subs))


def metric_met(metric: str, section: CriterionResult | None) -> bool:
    """Whether ``metric`` (a group such as FRSM-01) is met by the subcriteria of ``section``."""
    return _why_metric_unmet(metric, section) is None


def metric_badge(
    scheme_name: str, scheme: BadgeScheme, section: CriterionResult | None
) -> BadgeResult:
    """The level of a metric scheme (e.g. FAIR): each level's metric groups must all be met."""
    level = NO_LEVEL
    for lvl in scheme.levels:
        if all(_why_metric_unmet(m, section) is None for m in lvl.metrics):
            level = lvl.name
            continue
        missing = [
            item
            for m in scheme.required_for(lvl.name)
            if (item := _why_metric_unmet(m, section)) is not None
        ]
        return BadgeResult(
            scheme=scheme_name, level=level, next_level=lvl.name, missing_for_next=missing
        )
    return BadgeResult(scheme=scheme_name, level=level, next_level=None, missing_for_next=[])
