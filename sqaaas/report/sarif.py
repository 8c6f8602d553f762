"""The report as SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, IDE viewers).

Only problems are results: one per failing evidence line of a failing or erroring
subcriterion, its message the failure itself. Lines that back a pass or give context
("metadata file found", a tool's "(cached)" summary) are no results. Passes and
not-assessed subcriteria appear only as rules, so a clean repository yields an empty result
list rather than a wall of notes. The hint is the rule's help, not part of each message.
"""

from __future__ import annotations

import json
import posixpath
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from sqaaas.core.catalogue import RequirementLevel
from sqaaas.core.fairscores import principle_of
from sqaaas.core.model import Report, SubcriterionResult
from sqaaas.core.outcomes import Evidence, Outcome
from sqaaas.forges import web_url
from sqaaas.report import fairview

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "SRCROOT"
_MUST = RequirementLevel.MUST.strength


def _information_uri() -> str | None:
    """The project's documentation URL, as declared in the package metadata."""
    try:
        urls = metadata.metadata("sqaaas").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("documentation", "homepage") and url.strip():
            return url.strip()
    return None


def _gating_must(sub: SubcriterionResult) -> bool:
    return sub.gating and RequirementLevel(sub.requirement_level).strength >= _MUST


def _failure_level(sub: SubcriterionResult, fair: bool) -> str:
    """error for a gating MUST of a quality criterion; FAIR indicators gate no quality badge."""
    return "error" if _gating_must(sub) and not fair else "warning"


def result_level(sub: SubcriterionResult, fair: bool = False) -> str:
    """error for errors and for failures of a gating MUST; warning for any other failure.

    Failures in a FAIR section (``fair``) are warnings: they lower the FAIR score and level,
    not the quality badge the error level stands for.
    """
    return "error" if sub.outcome is Outcome.ERROR else _failure_level(sub, fair)


def _metric_properties(sub: SubcriterionResult) -> dict[str, Any]:
    """metric, principle, score and maturity of a FAIR subcriterion (nothing elsewhere)."""
    found = fairview.metric_data(sub)
    if sub.metric and (principle := principle_of(sub.metric)):
        found["principle"] = principle
    return found


def _rule(
    cid: str, sid: str, sub: SubcriterionResult, help_uri: str, fair: bool
) -> dict[str, Any]:
    metric = _metric_properties(sub)
    tags = [cid, "fair"] if fair else [cid, "quality"]
    if "principle" in metric:
        tags.append(f"FAIR-{metric['principle']}")
    text = f"{sid}: {sub.description}" if fair and sub.metric == sid else sub.description
    return {
        "id": sid,
        "shortDescription": {"text": text},
        "help": {"text": sub.hint},
        "helpUri": help_uri,
        "defaultConfiguration": {"level": _failure_level(sub, fair)},
        "properties": {
            "requirement_level": sub.requirement_level,
            "criterion": cid,
            "gating": sub.gating,
            **{k: v for k, v in metric.items() if k in ("metric", "principle")},
            "tags": tags,
        },
    }


def _uri(report: Report, path: str) -> str:
    """Repository-relative URI of an evidence path (evidence is relative to the subfolder)."""
    rel = posixpath.normpath(posixpath.join(report.repository.subfolder or "", path))
    return quote(rel.lstrip("/"), safe="/")


def _location(report: Report, ev: Evidence) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": _uri(report, ev.path or ""), "uriBaseId": SRCROOT}
    }
    if ev.line:
        physical["region"] = {"startLine": ev.line}
        if ev.excerpt:
            physical["region"]["snippet"] = {"text": ev.excerpt}
    return {"physicalLocation": physical}


def failures(sid: str, sub: SubcriterionResult) -> list[Evidence]:
    """The evidence lines that state why ``sub`` fails or errs, never a passing line.

    Lines marked ``failing: false`` back a pass or give context; unmarked ones (reports
    written before schema 1.2) count as failures, as every line did then. Without any
    failing line, one line says which requirement failed.
    """
    found = [ev for ev in sub.evidence if ev.failing is not False]
    if found:
        return found
    verb = "could not be assessed" if sub.outcome is Outcome.ERROR else "failed"
    return [Evidence(message=f"{sid} {verb}: {sub.description}", failing=True)]


def _results(
    report: Report, cid: str, sid: str, sub: SubcriterionResult, index: int
) -> list[dict[str, Any]]:
    fair = cid in report.fair
    if sub.outcome not in (Outcome.FAIL, Outcome.ERROR):
        return []
    results = []
    for ev in failures(sid, sub):
        result: dict[str, Any] = {
            "ruleId": sid,
            "ruleIndex": index,
            "level": result_level(sub, fair),
            "kind": "fail",
            "message": {"text": ev.message},
            "properties": {
                "criterion": cid, "outcome": sub.outcome.value, **_metric_properties(sub)
            },
        }
        if ev.path:
            result["locations"] = [_location(report, ev)]
        if ev.value is not None:
            result["properties"]["value"] = ev.value
        if ev.tool:
            result["properties"]["tool"] = ev.tool
        results.append(result)
    return results


def _fair_properties(report: Report) -> dict[str, Any]:
    """Per FAIR section: where it came from, its total score and FAIR level."""
    found = {}
    for cid, summary in report.fair.items():
        total = summary.scores.get("FAIR")
        found[cid] = {
            "source": summary.source,
            "metric_set": summary.metric_set,
            "percent": total.percent if total else None,
            "badge": summary.badge.level if summary.badge else None,
            "resolved": summary.resolved,
            "error": summary.error,
        }
    return found


def _provenance(report: Report) -> list[dict[str, Any]]:
    url = report.repository.url
    if not url:
        return []
    uri = web_url(url) or (url if urlsplit(url).scheme else None)
    if not uri:
        return []
    entry: dict[str, Any] = {"repositoryUri": uri}
    if report.repository.commit:
        entry["revisionId"] = report.repository.commit
    if report.repository.branch:
        entry["branch"] = report.repository.branch
    return [entry]


def to_sarif(report: Report) -> dict[str, Any]:
    """The SARIF log (one run) as a JSON-ready dict."""
    rules: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for cid, criterion in report.criteria.items():
        for sid, sub in criterion.subcriteria.items():
            results += _results(report, cid, sid, sub, len(rules))
            rules.append(_rule(cid, sid, sub, criterion.source_url, cid in report.fair))
    driver: dict[str, Any] = {
        "name": report.tool.get("name", "sqaaas"),
        "version": report.tool.get("version", ""),
        "rules": rules,
    }
    if info := _information_uri():
        driver["informationUri"] = info
    root = Path(report.repository.path).absolute().as_uri().rstrip("/") + "/"
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {
            SRCROOT: {"uri": root, "description": {"text": "Root of the assessed repository"}}
        },
        "results": results,
        "invocations": [{"executionSuccessful": True, "endTimeUtc": report.generated_at}],
        "properties": {
            "baseline": report.baseline.id,
            "profile": report.profile,
            "badge": report.badge.level,
            "next_level": report.badge.next_level,
            **({"fair": _fair_properties(report)} if report.fair else {}),
        },
    }
    if provenance := _provenance(report):
        run["versionControlProvenance"] = provenance
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"
