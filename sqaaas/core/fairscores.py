"""Per-principle (F, A, I, R) and total FAIR scores from the subcriteria of a FAIR section."""

from __future__ import annotations

from sqaaas.core.model import CriterionResult, PrincipleScore, SubcriterionResult

PRINCIPLES = ("F", "A", "I", "R")
TOTAL = "FAIR"


def principle_of(metric: str) -> str | None:
    """F, A, I or R from a metric id: FRSM-04-F2 -> F, FsF-A1.1-01MD -> A."""
    for part in metric.split("-")[1:]:
        if part[:1] in PRINCIPLES and (len(part) == 1 or part[1].isdigit()):
            return part[0]
    return None


def percent(earned: float, total: float) -> float | None:
    return round(100 * earned / total, 2) if total else None


def _add(scores: dict[str, list[float]], key: str, sub: SubcriterionResult) -> None:
    assert sub.score is not None
    earned, total, passed, assessed = scores.setdefault(key, [0.0, 0.0, 0, 0])
    scores[key] = [
        earned + sub.score.earned,
        total + sub.score.total,
        passed + (sub.outcome.value == "pass"),
        assessed + 1,
    ]


def principle_scores(section: CriterionResult) -> dict[str, PrincipleScore]:
    """Sum the scored subcriteria by principle; unscored ones (not applicable...) are left out."""
    sums: dict[str, list[float]] = {}
    for sub in section.subcriteria.values():
        if sub.score is None or sub.metric is None:
            continue
        principle = principle_of(sub.metric)
        if principle:
            _add(sums, principle, sub)
        _add(sums, TOTAL, sub)
    order = [*PRINCIPLES, TOTAL]
    return {
        key: PrincipleScore(
            earned=earned,
            total=total,
            percent=percent(earned, total),
            passed=int(passed),
            assessed=int(assessed),
        )
        for key in order
        if key in sums
        for earned, total, passed, assessed in [sums[key]]
    }
