"""Export in the shape of the original SQAaaS service's assessment output (report 3.5.0).

For consumers written against the EOSC-Synergy API (dashboards, scripts reading
``report.<QC.X>.valid`` or ``badge.software.criteria``): the same keys, value vocabularies
(MUST/SHOULD/MAY, ``no_badge``, ``org/repo``) and types (integer percentages, an epoch
timestamp) as a real report of the original; the values are ours. The original's
subcriterion ids come from criteria/sqaaas-v1.yml. docs/report-format.md ("sqaaas-v1")
lists the choices made where the original had no equivalent and the few additions.

FAIR: the original reported a data object's FAIR evaluation as criterion ``QC.FAIR`` and
its level under ``badge.fair``. Our FAIR sections keep their ids (``QC.FAIR`` for the
offline indicators, ``QC.FAIR.F-UJI`` for an F-UJI server's evaluation), and ``badge.fair``
lists, per level, the metric groups it needs and which of them ``QC.FAIR`` meets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqaaas.core.catalogue import NO_LEVEL, BadgeScheme, RequirementLevel, default_catalogue
from sqaaas.core.fairsection import fair_scheme
from sqaaas.core.model import CriterionResult, Report, SubcriterionResult
from sqaaas.core.outcomes import Evidence, Outcome
from sqaaas.core.scoring import measures, metric_met
from sqaaas.forges import web_url
from sqaaas.report import fairview
from sqaaas.report.v1_ids import OriginalOnly, v1_ids

NamedScheme = tuple[str, BadgeScheme]

#: the original report's requirement levels, by RFC 2119 strength (MUST=3 ... UNSPECIFIED=0)
LEVEL_BY_STRENGTH = {3: "MUST", 2: "SHOULD", 1: "MAY", 0: "MAY"}
#: the original tooling's levels (its evidence's ``tool.level``), by strength
TOOLING_LEVEL_BY_STRENGTH = {3: "REQUIRED", 2: "RECOMMENDED", 1: "OPTIONAL", 0: "OPTIONAL"}
#: the original's ``badge_status`` when no level is reached
NO_BADGE = "no_badge"
NOTHING_ASSESSED = "no subcriterion of this criterion could be assessed automatically"
#: What this export writes beyond the original's report 3.5.0 (paths as in
#: tests/test_sqaaas_v1_dropin.py: ``*`` a criterion or subcriterion id, ``[]`` a list item);
#: docs/report-format.md explains each. Consumers of the original ignore them.
ADDITIONS = (
    "meta.profile",
    "report.*.filtered_reason",
    "report.*.subcriteria.*.filtered_reason",
    "report.*.subcriteria.*.evidence[].plugin.probes",
    "badge.fair",
)
#: Where this export writes null and the original a value: things only the original's
#: hosted service knew (its CI logs, forge data, a Badgr assertion). Their sub-keys (the
#: original's ``tool.ci.url`` ...) are absent with them.
UNKNOWN = (
    "repository[].avatar_url",
    "report.*.subcriteria.*.evidence[].tool.ci",
    "report.*.subcriteria.*.evidence[].tool.build_repo",
    "badge.software.verification_url",
)
#: What the original wrote that this export does not: the hosted web page of the report,
#: and the Badgr assertion's fields (``badge.software.data`` stays an empty object).
NOT_WRITTEN = ("meta.report_permalink", "badge.software.data.*")
#: repository[] keys of the original that a repository assessment cannot know (forge data)
FORGE_FIELDS = ("avatar_url", "description", "languages", "topics", "stargazers_count",
                "watchers_count", "contributors_count", "forks_count")


def v1_requirement_level(level: str) -> str:
    """MUST/MUST NOT -> MUST, SHOULD/SHOULD NOT/RECOMMENDED -> SHOULD, MAY/UNSPECIFIED -> MAY."""
    return LEVEL_BY_STRENGTH[RequirementLevel(level).strength]


def percentage(passed: int, assessed: int) -> int:
    """Integer percentage, rounded down as the original did (2 of 3 -> 66); 0 for none."""
    return 100 * passed // assessed if assessed else 0


def _epoch(timestamp: str) -> float | None:
    """The original's ``meta.timestamp``: seconds since the epoch."""
    try:
        return datetime.fromisoformat(timestamp).timestamp()
    except ValueError:
        return None


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
    strength = RequirementLevel(sub.requirement_level).strength
    return {
        "valid": sub.outcome is Outcome.PASS,
        "message": ev.message,
        "tool": {
            "name": ev.tool or "sqaaas",
            "lang": None,
            "version": None if ev.tool else version,
            "docker": None,
            "ci": None,
            "level": TOOLING_LEVEL_BY_STRENGTH[strength],
            "build_repo": None,
        },
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


def _original_only(
    report: Report, standard: dict[str, str], entry: OriginalOnly,
    subs: dict[str, SubcriterionResult],
) -> dict[str, Any]:
    """A subcriterion only the original had: implied by a pass of ours, else not assessed."""
    source = subs.get(entry.implied_by) if entry.implied_by else None
    passed = source is not None and source.outcome is Outcome.PASS
    out: dict[str, Any] = {
        "description": entry.description,
        "requirement_level": v1_requirement_level(entry.requirement_level),
        "hint": source.hint if source is not None else "",
        "valid": passed,
        "required_for_next_level_badge": False,
        "evidence": [_evidence(report, standard, source, ev) for ev in source.evidence]
        if passed and source is not None else [],
    }
    if not passed:
        why = entry.reason or f"implied only by a pass of {entry.implied_by}, which did not pass"
        out["filtered_reason"] = [f"not assessed: {why}"]
    return out


def _subcriteria(
    report: Report, cid: str, standard: dict[str, str],
    required: Callable[[SubcriterionResult], bool],
) -> dict[str, Any]:
    """Ours under the original's ids; the original's own ones before the one implying them
    (else at the end)."""
    ids = v1_ids()
    subs = report.criteria[cid].subcriteria
    extra = [e for e in ids.original_only if e.criterion == cid]
    out: dict[str, Any] = {}
    for sid, sub in subs.items():
        for entry in extra:
            if entry.implied_by == sid:
                out[entry.id] = _original_only(report, standard, entry, subs)
        out[ids.v1_id(sid)] = _subcriterion(report, standard, sub, required(sub))
    for entry in extra:
        out.setdefault(entry.id, _original_only(report, standard, entry, subs))
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
            "percentage": percentage(cov.passed, cov.assessed),
            "total_subcriteria": cov.assessed,
            "success_subcriteria": cov.passed,
        },
        "subcriteria": _subcriteria(report, cid, standard, required),
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


def repository_name(url: str | None, path: str) -> str:
    """``org/repo`` as the original named it: the URL's path (all of a GitLab group's), else
    the folder's name."""
    if url and (found := urlsplit(url).path.strip("/").removesuffix(".git")):
        return found
    return path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")


def _repository(report: Report) -> dict[str, Any]:
    repo = report.repository
    url = (web_url(repo.url) if repo.url else None) or repo.url
    level = report.badge.level
    return {
        "url": url,
        "name": repository_name(url, repo.path),
        "tag": repo.branch,
        "commit_id": repo.commit,
        "is_main_repo": True,
        **dict.fromkeys(FORGE_FIELDS),
        "badge_status": NO_BADGE if level == NO_LEVEL else level,
    }


def _badge_entry(report: Report, scheme: BadgeScheme) -> dict[str, Any]:
    return {
        "criteria": badge_criteria(report, scheme),
        "data": {},
        "share": "",
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
    report: Report, scheme: BadgeScheme | None = None, fair: NamedScheme | None = None,
    report_json_url: str | None = None,
) -> dict[str, Any]:
    """The v1 document.

    ``scheme`` defaults to the shipped badge scheme the report names; ``fair`` (name and
    scheme of the FAIR badge) to the shipped one, when the report has its section.
    ``report_json_url``: where the JSON report is published (``meta.report_json_url``).
    """
    scheme = scheme or default_catalogue().badges[report.badge.scheme]
    if fair is None and report.fair:
        fair = fair_scheme(default_catalogue())
    if fair is not None and fair[1].section not in report.criteria:
        fair = None
    badges = {report.badge.scheme: _badge_entry(report, scheme)}
    if fair is not None:
        badges[fair[0]] = _badge_entry(report, fair[1])
    meta: dict[str, Any] = {
        "version": report.tool.get("version"),
        "timestamp": _epoch(report.generated_at),
        # which subcriteria decided (criteria/badges.yml); the original had one rule
        "profile": report.profile,
    }
    if report_json_url:
        meta["report_json_url"] = report_json_url
    return {
        "meta": meta,
        "repository": [_repository(report)],
        "report": {
            cid: _criterion(report, cid, _required(report, cid, scheme, fair))
            for cid in report.criteria
        },
        "badge": badges,
    }


def render(report: Report, report_json_url: str | None = None) -> str:
    doc = to_v1(report, report_json_url=report_json_url)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
