"""What every renderer says about the FAIR sections of a report, worded once.

The terminal, Markdown, SARIF and sqaaas-v1 outputs lay these out differently, but the
words and values (where a section came from, whether F-UJI reached the object, what a score
row reads, which metric fields are set) come from here, so the formats cannot disagree.
"""

from __future__ import annotations

from typing import Any

from sqaaas.core.model import (
    CriterionResult,
    FairSummary,
    PrincipleScore,
    Report,
    SubcriterionResult,
)

PRINCIPLE_NAMES = {
    "F": "Findable",
    "A": "Accessible",
    "I": "Interoperable",
    "R": "Reusable",
    "FAIR": "FAIR (total)",
}
NOT_RESOLVED = (
    "object not resolved: F-UJI could not reach it, so its scores say nothing about the object"
)


def fair_sections(report: Report) -> list[str]:
    """Ids of the report's FAIR sections (QC.FAIR, QC.FAIR.F-UJI), in report order."""
    return list(report.fair)


def quality_criteria(report: Report) -> dict[str, CriterionResult]:
    """The criteria that are not FAIR sections: those the quality badge is computed from."""
    return {cid: c for cid, c in report.criteria.items() if cid not in report.fair}


def source_line(summary: FairSummary) -> str:
    """Where the section's results come from, in one line."""
    if summary.source == "offline":
        what = f"offline indicators computed from the repository, aligned with {summary.metric_set}"
    else:
        server = f"F-UJI {summary.server_version}" if summary.server_version else "F-UJI"
        what = f"{server} evaluation ({summary.metric_set})"
        if summary.object_identifier:
            what += f" of {summary.object_identifier}"
        if summary.resolved and summary.resolved_url:
            what += f", resolved to {summary.resolved_url}"
    if summary.metric_specification:
        what += f"; metrics: {summary.metric_specification}"
    return what


def warnings(summary: FairSummary) -> list[str]:
    """Why the section's scores cannot be taken at face value (error, object not reached)."""
    found = []
    if summary.error:
        found.append(f"error: {summary.error}")
    if summary.resolved is False and not summary.error:
        found.append(NOT_RESOLVED)
    return found


def percent_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g} %"


def score_row(key: str, score: PrincipleScore) -> tuple[str, str, str, str]:
    """(principle, points, percent, metrics passed) for the scores table."""
    name = PRINCIPLE_NAMES.get(key, key)
    return (
        name,
        f"{score.earned:g}/{score.total:g}",
        percent_text(score.percent),
        f"{score.passed}/{score.assessed}",
    )


def headline(cid: str, summary: FairSummary) -> str:
    """One line for the report's summary: total score and FAIR level, or why there is none."""
    head = f"{cid} ({summary.source}): "
    if summary.error:
        return head + "no FAIR score (error)"
    total = summary.scores.get("FAIR")
    head += f"FAIR {percent_text(total.percent if total else None)}"
    if summary.resolved is False:
        head += " (object not resolved)"
    if summary.badge:
        head += f", FAIR badge {summary.badge.level.upper()}"
    return head


def metric_columns(section: CriterionResult) -> list[str]:
    """Which of metric, points and maturity the section's subcriteria carry (in that order).

    The metric column is left out when every subcriterion is keyed by its metric (F-UJI).
    """
    subs = section.subcriteria
    found = {
        "metric": any(s.metric and s.metric != sid for sid, s in subs.items()),
        "points": any(s.score for s in subs.values()),
        "maturity": any(s.maturity is not None for s in subs.values()),
    }
    return [name for name, present in found.items() if present]


def metric_cells(sid: str, sub: SubcriterionResult, columns: list[str]) -> list[str]:
    """The cells of ``columns`` (see :func:`metric_columns`) for one subcriterion."""
    cells = {
        "metric": "" if not sub.metric or sub.metric == sid else sub.metric,
        "points": f"{sub.score.earned:g}/{sub.score.total:g}" if sub.score else "",
        "maturity": "" if sub.maturity is None else str(sub.maturity),
    }
    return [cells[name] for name in columns]


def metric_data(sub: SubcriterionResult) -> dict[str, Any]:
    """metric, score and maturity of a FAIR subcriterion as JSON (those that are set)."""
    data: dict[str, Any] = {}
    if sub.metric:
        data["metric"] = sub.metric
    if sub.score:
        data["score"] = {"earned": sub.score.earned, "total": sub.score.total}
    if sub.maturity is not None:
        data["maturity"] = sub.maturity
    return data
