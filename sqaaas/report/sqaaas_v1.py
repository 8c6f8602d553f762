"""Export in the shape of the original SQAaaS service's assessment output.

For consumers written against the EOSC-Synergy API (dashboards, scripts reading
``report.<QC.X>.valid`` or ``badge.software.criteria``). Field names and types follow that
API; the values are ours (see docs/report-format.md, "sqaaas-v1 mapping", for the choices
made where the original had no equivalent, e.g. subcriteria that were not assessed).

FAIR: the original reported a data object's FAIR evaluation as criterion ``QC.FAIR`` and
its level under ``badge.fair``. Our FAIR sections keep their ids (``QC.FAIR`` for the
offline indicators, ``QC.FAIR.F-UJI`` for an F-UJI server's evaluation), and ``badge.fair``
lists, per level, the metric groups it needs and which of them ``QC.FAIR`` meets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqaaas.core.catalogue import BadgeScheme, RequirementLevel, default_catalogue
from sqaaas.core.fairsection import fair_scheme
from sqaaas.core.model import CriterionResult, Report, SubcriterionResult
from sqaaas.core.outcomes import Evidence, Outcome
from sqaaas.core.scoring import measures, metric_met
from sqaaas.forges import web_url
from sqaaas.report import fairview

NamedScheme = tuple[str, BadgeScheme]

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


def _standard(report: Report, cid: str, result: CriterionResult) -> dict[str, str]:
    """What ``cid``'s evidence is measured against: the baseline, or a FAIR metric set."""
    summary = report.fair.get(cid)
    if summary is not None:
        return {
            "title": "FAIR metrics",
            "version": summary.metric_set,
            "url": summary.metric_specification or result.source_url,
        }
    return {
        "title": report.baseline.title,
        "version": report.baseline.version,
        "url": result.source_url,
    }


def _evidence(
    report: Report, standard: dict[str, str], sub: SubcriterionResult, ev: Evidence
) -> dict[str, Any]:
    data = {
        key: value
        for key, value in (("path", ev.path), ("line", ev.line), ("value", ev.value),
                           ("excerpt", ev.excerpt))
        if value is not None
    } | fairview.metric_data(sub)
    version = report.tool.get("version")
    return {
        "valid": sub.outcome is Outcome.PASS,
        "message": ev.message,
        "tool": {"name": ev.tool or "sqaaas", "version": None if ev.tool else version},
        "plugin": {"name": "sqaaas", "version": version, "probes": list(sub.probes)},
        "standard": standard,
        "data_unstructured": data,
    }


def _subcriterion(
    report: Report, standard: dict[str, str], sub: SubcriterionResult, required: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": sub.description,
        "requirement_level": v1_requirement_level(sub.requirement_level),
        "hint": sub.hint,
        "valid": sub.outcome is Outcome.PASS,
        "required_for_next_level_badge": required,
        "evidence": [_evidence(report, standard, sub, ev) for ev in sub.evidence],
    }
    if reason := _filtered_reason(sub):
        out["filtered_reason"] = [reason]
    return out


def _criterion(
    report: Report, cid: str, required: Callable[[SubcriterionResult], bool]
) -> dict[str, Any]:
    result = report.criteria[cid]
    standard = _standard(report, cid, result)
    cov = result.coverage
    out: dict[str, Any] = {
        "valid": result.valid,
        "coverage": {
            "percentage": round(100 * cov.ratio, 2) if cov.ratio is not None else 0.0,
            "total_subcriteria": cov.assessed,
            "success_subcriteria": cov.passed,
        },
        "subcriteria": {
            sid: _subcriterion(report, standard, sub, required(sub))
            for sid, sub in result.subcriteria.items()
        },
    }
    if result.skipped_reason:
        out["filtered_reason"] = [result.skipped_reason]
    elif cov.assessed == 0:
        out["filtered_reason"] = [NOTHING_ASSESSED]
    return out


def _fulfils(report: Report, scheme: BadgeScheme) -> Callable[[str], bool]:
    """Whether a requirement of ``scheme`` is met: a valid criterion, or a met metric group."""
    if scheme.section is not None:
        section = report.criteria.get(scheme.section)
        return lambda metric: metric_met(metric, section)
    return lambda cid: cid in report.criteria and report.criteria[cid].valid


def badge_criteria(report: Report, scheme: BadgeScheme) -> dict[str, dict[str, list[str]]]:
    """Per level: every requirement it needs (lower levels' included), which are met, which not.

    Requirements are criteria, or for a metric scheme (FAIR) metric groups such as FRSM-01.
    """
    fulfils = _fulfils(report, scheme)
    stats = {}
    for level in scheme.levels:
        needed = scheme.required_for(level.name)
        fulfilled = [c for c in needed if fulfils(c)]
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


def _badge_entry(report: Report, scheme: BadgeScheme) -> dict[str, Any]:
    return {
        "criteria": badge_criteria(report, scheme),
        "data": {},
        "share": {},
        "verification_url": None,
    }


def _required(
    report: Report, cid: str, quality: BadgeScheme, fair: NamedScheme | None
) -> Callable[[SubcriterionResult], bool]:
    """Which subcriteria of ``cid`` the next badge level needs.

    Quality criteria: the gating ones, when the next quality level needs the criterion.
    The FAIR badge's section: those measuring a metric group its next FAIR level needs.
    """
    if cid in report.fair:
        summary = report.fair[cid].badge
        if fair is None or cid != fair[1].section or summary is None or not summary.next_level:
            return lambda sub: False
        groups = fair[1].required_for(summary.next_level)
        return lambda sub: any(measures(sub, group) for group in groups)
    level = report.badge.next_level
    needed = level is not None and cid in quality.required_for(level)
    return lambda sub: needed and sub.gating


def to_v1(
    report: Report, scheme: BadgeScheme | None = None, fair: NamedScheme | None = None
) -> dict[str, Any]:
    """The v1 document.

    ``scheme`` defaults to the shipped badge scheme the report names; ``fair`` (name and
    scheme of the FAIR badge) to the shipped one, when the report has its section.
    """
    scheme = scheme or default_catalogue().badges[report.badge.scheme]
    if fair is None and report.fair:
        fair = fair_scheme(default_catalogue())
    if fair is not None and fair[1].section not in report.criteria:
        fair = None
    badges = {report.badge.scheme: _badge_entry(report, scheme)}
    if fair is not None:
        badges[fair[0]] = _badge_entry(report, fair[1])
    return {
        "meta": {
            "version": report.tool.get("version"),
            "timestamp": report.generated_at,
            # which subcriteria decided (criteria/badges.yml); the original had one rule
            "profile": report.profile,
        },
        "repository": [_repository(report)],
        "report": {
            cid: _criterion(report, cid, _required(report, cid, scheme, fair))
            for cid in report.criteria
        },
        "badge": badges,
    }


def render(report: Report) -> str:
    return json.dumps(to_v1(report), indent=2, ensure_ascii=False) + "\n"
