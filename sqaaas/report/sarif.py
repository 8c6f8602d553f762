"""The report as SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, IDE viewers).

Only problems are results: one per failing evidence line of a failing or erroring
subcriterion, its message the failure itself. Lines that back a pass or give context
("metadata file found", a tool's "(cached)" summary) are no results. Passes and
not-assessed subcriteria appear only as rules, so a clean repository yields an empty result
list rather than a wall of notes. The hint is the rule's help, not part of each message.

GitHub code scanning rejects a whole file when one result has no location, so every result
has a file and a line: its evidence's, or for a finding about the repository as a whole the
file that stands for it (``standin``), line 1. Fingerprints let alerts follow a finding
across commits; ``automationDetails.id`` keeps each baseline (and subfolder) a category.
"""

from __future__ import annotations

import hashlib
import json
import re
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from sqaaas.core.catalogue import RequirementLevel, default_catalogue
from sqaaas.core.fairscores import principle_of
from sqaaas.core.model import CriterionResult, Report, SubcriterionResult
from sqaaas.core.outcomes import Evidence, Outcome
from sqaaas.forges import web_url
from sqaaas.report import fairview
from sqaaas.report.criteria_docs import criterion_heading, heading_anchor
from sqaaas.report.standin import known_files, repo_path, stand_in

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "SRCROOT"
#: partialFingerprints key: the version suffix changes only if the hashed fields change
FINGERPRINT = "sqaaasFinding/v1"
_MUST = RequirementLevel.MUST.strength
_DIGITS = re.compile(r"\d+")


def _project_url(*labels: str) -> str | None:
    """The first of the package's Project-URLs labelled one of ``labels``."""
    try:
        urls = metadata.metadata("sqaaas").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    found = {}
    for entry in urls:
        label, _, url = entry.partition(",")
        found.setdefault(label.strip().lower(), url.strip())
    return next((found[label] for label in labels if found.get(label)), None)


def _help_uri(cid: str, criterion: CriterionResult) -> str:
    """The criterion's section of docs/criteria.md; its own source for a criterion not there
    (an F-UJI section's metrics come from the server, not from criteria/)."""
    doc = _project_url("criteria")
    known = default_catalogue().criteria.get(cid)
    if doc is None or known is None:
        return criterion.source_url
    return f"{doc}#{heading_anchor(criterion_heading(cid, known.title))}"


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
        "name": _rule_name(sid),
        "shortDescription": {"text": text},
        "fullDescription": {"text": f"{text} ({sub.requirement_level})"},
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


def _rule_name(sid: str) -> str:
    """A rule name in the PascalCase SARIF recommends: QC.Lic01.1 -> QcLic01_1."""
    name = ""
    for part in filter(None, re.split(r"[^0-9A-Za-z]+", sid)):
        if part[0].isdigit():
            name += f"_{part}" if name else part
        else:
            name += part[0].upper() + (part[1:].lower() if part.isupper() else part[1:])
    return name


class _Places:
    """Where results are shown: the files known to exist and the repository's stand-in."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.known = known_files(report)
        self.stand_in = stand_in(report, self.known)

    def place(self, ev: Evidence) -> tuple[str, int, str | None, bool] | None:
        """(repository-relative path, line, excerpt, on the stand-in) of a finding; None when
        no file at all is known (an empty repository whose checkout is gone)."""
        if ev.path:
            path = repo_path(self.report, ev.path)
            if ev.line and ev.line > 0:
                return path, ev.line, ev.excerpt, False
            if path in self.known:
                return path, 1, None, False
        return (self.stand_in, 1, None, True) if self.stand_in else None


def _location(path: str, line: int, excerpt: str | None) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": line}
    if excerpt:
        region["snippet"] = {"text": excerpt}
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT},
            "region": region,
        }
    }


def _message(ev: Evidence, shown_on: str | None) -> str:
    """The failure; shown on the stand-in, it also says what it concerns and why it is there."""
    if shown_on is None:
        return ev.message
    about = ev.path or "the repository as a whole"
    return f"{ev.message} (concerns {about}; shown on {shown_on}, line 1)"


def _fingerprint(sid: str, ev: Evidence, seen: dict[str, int]) -> str:
    """Stable across commits: the rule, what the finding is about and its words (numbers
    masked, so counts and line shifts do not make a new alert); duplicates are numbered."""
    about = ev.excerpt.strip() if ev.excerpt else _DIGITS.sub("#", ev.message)
    digest = hashlib.sha256("\0".join((sid, ev.path or "", about)).encode()).hexdigest()[:32]
    seen[digest] = seen.get(digest, 0) + 1
    return f"{digest}:{seen[digest]}"


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
    places: _Places, cid: str, sid: str, sub: SubcriterionResult, index: int,
    seen: dict[str, int],
) -> list[dict[str, Any]]:
    fair = cid in places.report.fair
    if sub.outcome not in (Outcome.FAIL, Outcome.ERROR):
        return []
    results = []
    for ev in failures(sid, sub):
        where = places.place(ev)
        result: dict[str, Any] = {
            "ruleId": sid,
            "ruleIndex": index,
            "level": result_level(sub, fair),
            "kind": "fail",
            "message": {"text": _message(ev, where[0] if where and where[3] else None)},
            "partialFingerprints": {FINGERPRINT: _fingerprint(sid, ev, seen)},
            "properties": {
                "criterion": cid, "outcome": sub.outcome.value, **_metric_properties(sub)
            },
        }
        if where is not None:
            result["locations"] = [_location(*where[:3])]
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
    entry: dict[str, Any] = {"repositoryUri": uri, "mappedTo": {"uriBaseId": SRCROOT}}
    if report.repository.commit:
        entry["revisionId"] = report.repository.commit
    if report.repository.branch:
        entry["branch"] = report.repository.branch
    return [entry]


def category(report: Report) -> str:
    """``automationDetails.id``: GitHub takes what precedes the last '/' as the analysis
    category (one per baseline and assessed subfolder, so their alerts do not replace each
    other's) and the rest as the run, here the commit."""
    folder = (report.repository.subfolder or "").strip("/")
    where = f"{folder}/" if folder else ""
    return f"sqaaas/{report.baseline.id}/{where}{report.repository.commit or ''}"


def to_sarif(report: Report) -> dict[str, Any]:
    """The SARIF log (one run) as a JSON-ready dict."""
    rules: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    places, seen = _Places(report), {}
    for cid, criterion in report.criteria.items():
        help_uri = _help_uri(cid, criterion)
        for sid, sub in criterion.subcriteria.items():
            results += _results(places, cid, sid, sub, len(rules), seen)
            rules.append(_rule(cid, sid, sub, help_uri, cid in report.fair))
    driver: dict[str, Any] = {
        "name": report.tool.get("name", "sqaaas"),
        "version": report.tool.get("version", ""),
        "rules": rules,
    }
    if info := _project_url("documentation", "homepage"):
        driver["informationUri"] = info
    root = Path(report.repository.path).absolute().as_uri().rstrip("/") + "/"
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "automationDetails": {"id": category(report)},
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
