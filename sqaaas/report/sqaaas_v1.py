"""Export in the shape of the original SQAaaS service's assessment output.

For consumers written against the EOSC-Synergy API (dashboards, scripts reading
``report.<QC.X>.valid`` or ``badge.software.criteria``). Field names and types follow that
API; the values are ours (see docs/report-format.md, "sqaaas-v1 mapping", for the choices
made where the original had no equivalent, e.g. subcriteria that were not assessed).
"""

from __future__ import annotations

import json
from typing import Any

from sqaaas.criteria import BadgeScheme, RequirementLevel, default_catalogue
from sqaaas.forges import web_url
from sqaaas.outcomes import Evidence, Outcome
from sqaaas.report.model import CriterionResult, Report, SubcriterionResult

#: the original tooling's requirement levels, by RFC 2119 strength (MUST=3 ... UNSPECIFIED=0)
LEVEL_BY_STRENGTH = {3: "REQUIRED", 2: "RECOMMENDED", 1: "OPTIONAL", 0: "OPTIONAL"}
NOTHING_ASSESSED = "no subcriterion of this criterion could be assessed automatically"


def v1_requirement_level(level: str) -> str:
    """MUST/MUST NOT -> REQUIRED, SHOULD/SHOULD NOT/RECOMMENDED -> RECOMMENDED, else OPTIONAL."""
    return LEVEL_BY_STRENGTH[RequirementLevel(level).strength]


def _filtered_reason(sub: SubcriterionResult) -> str | None:
    """Why a subcriterion carries no verdict (the original only had this per criterion)."""
    if sub.outcome.assessed:
        return None
    detail = sub.skipped_reason or "; ".join(ev.message for ev in sub.evidence)
    label = "not automated" if sub.outcome is Outcome.NOT_AUTOMATED else "not applicable"
    return f"{label}: {detail}" if detail else label


def _evidence(
    report: Report, result: CriterionResult, sub: SubcriterionResult, ev: Evidence
) -> dict[str, Any]:
    data = {
        key: value
        for key, value in (("path", ev.path), ("line", ev.line), ("value", ev.value),
                           ("excerpt", ev.excerpt))
        if value is not None
    }
    version = report.tool.get("version")
    return {
        "valid": sub.outcome is Outcome.PASS,
        "message": ev.message,
        "tool": {"name": ev.tool or "sqaaas", "version": None if ev.tool else version},
        "plugin": {"name": "sqaaas", "version": version, "probes": list(sub.probes)},
        "standard": {
            "title": report.baseline.title,
            "version": report.baseline.version,
            "url": result.source_url,
        },
        "data_unstructured": data,
    }


def _subcriterion(
    report: Report, result: CriterionResult, sub: SubcriterionResult, next_level_criterion: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": sub.description,
        "requirement_level": v1_requirement_level(sub.requirement_level),
        "hint": sub.hint,
        "valid": sub.outcome is Outcome.PASS,
        "required_for_next_level_badge": next_level_criterion and sub.gating,
        "evidence": [_evidence(report, result, sub, ev) for ev in sub.evidence],
    }
    if reason := _filtered_reason(sub):
        out["filtered_reason"] = [reason]
    return out


def _criterion(
    report: Report, result: CriterionResult, next_level_criterion: bool
) -> dict[str, Any]:
    cov = result.coverage
    out: dict[str, Any] = {
        "valid": result.valid,
        "coverage": {
            "percentage": round(100 * cov.ratio, 2) if cov.ratio is not None else 0.0,
            "total_subcriteria": cov.assessed,
            "success_subcriteria": cov.passed,
        },
        "subcriteria": {
            sid: _subcriterion(report, result, sub, next_level_criterion)
            for sid, sub in result.subcriteria.items()
        },
    }
    if result.skipped_reason:
        out["filtered_reason"] = [result.skipped_reason]
    elif cov.assessed == 0:
        out["filtered_reason"] = [NOTHING_ASSESSED]
    return out


def badge_criteria(report: Report, scheme: BadgeScheme) -> dict[str, dict[str, list[str]]]:
    """Per level: every criterion it needs (lower levels' included), which are valid, which not."""
    stats = {}
    for level in scheme.levels:
        needed = scheme.required_for(level.name)
        fulfilled = [c for c in needed if c in report.criteria and report.criteria[c].valid]
        stats[level.name] = {
            "to_fulfill": needed,
            "fulfilled": fulfilled,
            "missing": [c for c in needed if c not in fulfilled],
        }
    return stats


def _repository(report: Report) -> dict[str, Any]:
    repo = report.repository
    url = (web_url(repo.url) if repo.url else None) or repo.url
    name = (url or repo.path).rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    return {
        "url": url,
        "name": name,
        "tag": repo.branch,
        "commit_id": repo.commit,
        "is_main_repo": True,
        "badge_status": report.badge.level,
    }


def to_v1(report: Report, scheme: BadgeScheme | None = None) -> dict[str, Any]:
    """The v1 document; ``scheme`` defaults to the shipped badge scheme the report names."""
    scheme = scheme or default_catalogue().badges[report.badge.scheme]
    next_needed = (
        set(scheme.required_for(report.badge.next_level)) if report.badge.next_level else set()
    )
    return {
        "meta": {"version": report.tool.get("version"), "timestamp": report.generated_at},
        "repository": [_repository(report)],
        "report": {
            cid: _criterion(report, result, cid in next_needed)
            for cid, result in report.criteria.items()
        },
        "badge": {
            report.badge.scheme: {
                "criteria": badge_criteria(report, scheme),
                "data": {},
                "share": {},
                "verification_url": None,
            }
        },
    }


def render(report: Report) -> str:
    return json.dumps(to_v1(report), indent=2, ensure_ascii=False) + "\n"
