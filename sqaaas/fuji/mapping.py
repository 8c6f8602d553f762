"""F-UJI's results as the report's ``QC.FAIR.F-UJI`` section and its FairSummary.

One subcriterion per F-UJI metric, keyed by the metric id (FRSM-01-F1, FsF-F1-01MD):
- outcome: F-UJI's ``test_status`` as the server says it. ``indeterminate`` (F-UJI could not
  decide) is a fail, never a pass, with evidence saying so; a ``fail`` with a full score
  (FsF-I1-01M in 3.5.1) stays a fail, with evidence pointing out the contradiction;
- score, maturity and metric as reported; every metric is SHOULD (the FAIR metrics carry no
  RFC 2119 level), so all are gating and the section is valid only when all pass;
- evidence: the metric's status, each of its tests, a bounded excerpt of its ``output`` (a
  list or an object, licence entries with ``osi_approved`` or the spec's ``OSI_approved``)
  and the first lines of its debug log; the hint names the tests that did not pass.

When there are no scores to report (the server failed, or could not resolve the object) the
section holds a single subcriterion ``QC.FAIR.F-UJI`` with outcome ``error`` and the reason,
and FairSummary.error says why: a low score is never invented for an evaluation that did
not happen.
"""

from __future__ import annotations

import json

from sqaaas.core.catalogue import Catalogue, default_catalogue
from sqaaas.core.fairscores import PRINCIPLES, TOTAL, percent, principle_scores
from sqaaas.core.fairsection import SOFTWARE_METRICS, fair_scheme
from sqaaas.core.model import (
    CriterionResult,
    FairSummary,
    PrincipleScore,
    Report,
    Score,
    SubcriterionResult,
)
from sqaaas.core.outcomes import Evidence, Outcome
from sqaaas.core.scoring import coverage, is_valid, metric_badge
from sqaaas.fuji import FUJI_SECTION
from sqaaas.fuji.results import FujiResults, MetricResult, MetricTest, Points, clean

TITLE = "FAIR evaluation by an F-UJI server"
FUJI_HOME = "https://github.com/pangaea-data-publisher/fuji"
REQUIREMENT = "SHOULD"
SERVER_HINT = (
    "Check the F-UJI server (--fuji-url, credentials, its log) and run again; the offline "
    "FAIR indicators (QC.FAIR) do not need a server."
)
UNRESOLVED_HINT = (
    "Give an identifier that resolves to a public landing page the F-UJI server can reach "
    "(it fetches the object over the network: check its DNS, proxy and firewall)."
)
_DEBUG_LINES = 25
_OUTPUT_CHARS = 1500
_HINT_TESTS = 5
_LICENCES = 10


def _pts(points: Points | None) -> str:
    return f"{points.earned:g}/{points.total:g}" if points else "unscored"


def _test_evidence(test_id: str, test: MetricTest, tool: str) -> Evidence:
    status = clean(test.metric_test_status, 20)
    level = test.metric_test_maturity
    maturity = "" if level is None else f", maturity {level}"
    return Evidence(
        message=f"{clean(test_id, 100)} {status} ({_pts(test.metric_test_score)}{maturity}): "
        f"{clean(test.metric_test_name, 500)}",
        value=status,
        tool=tool,
    )


def _licence_evidence(output: object, tool: str) -> list[Evidence]:
    """One line per licence in the output; F-UJI says osi_approved, its spec OSI_approved."""
    items = output if isinstance(output, list) else [output]
    found = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("license"), str):
            continue
        osi = item.get("osi_approved", item.get("OSI_approved"))
        verdict = {True: "OSI approved", False: "not OSI approved"}.get(osi, "OSI approval unknown")
        found.append(
            Evidence(message=f"licence {clean(item['license'], 200)}: {verdict}",
                     value=clean(item["license"], 200), tool=tool)
        )
    return found[:_LICENCES]


def _output_evidence(output: object, tool: str) -> list[Evidence]:
    if output in (None, {}, [], ""):
        return []
    text = json.dumps(output, ensure_ascii=False, separators=(",", ":"), default=str)
    if isinstance(output, list):
        shape = f"a list of {len(output)}"
    else:
        shape = "an object" if isinstance(output, dict) else "a value"
    return [
        Evidence(message=f"F-UJI output ({shape})", excerpt=clean(text, _OUTPUT_CHARS), tool=tool),
        *_licence_evidence(output, tool),
    ]


def _debug_evidence(lines: list[str] | None, tool: str) -> list[Evidence]:
    kept = [clean(line, 300) for line in lines or [] if line.strip()]
    if not kept or kept == ["INFO: Debugging disabled"]:
        return []
    excerpt = "\n".join(kept[:_DEBUG_LINES])
    if len(kept) > _DEBUG_LINES:
        excerpt += f"\n… {len(kept) - _DEBUG_LINES} more lines"
    return [Evidence(message=f"F-UJI debug log ({len(kept)} lines)", excerpt=excerpt, tool=tool)]


def _quirk_evidence(result: MetricResult) -> list[Evidence]:
    score = result.score
    if result.test_status == "indeterminate":
        return [Evidence(message="F-UJI could not decide this metric (indeterminate): "
                                 "counted as not passed")]
    if result.test_status == "fail" and score.total > 0 and score.earned >= score.total:
        return [Evidence(message=f"F-UJI reports fail with a full score ({_pts(score)}); the "
                                 "outcome follows F-UJI's status, the score is kept as sent")]
    return []


def _hint(result: MetricResult) -> str:
    if result.test_status == "pass":
        return "Nothing to improve: F-UJI's tests for this metric pass."
    failing = [
        clean(t.metric_test_name, 200).rstrip(".")
        for t in result.metric_tests.values()
        if t.metric_test_status != "pass"
    ]
    if not failing:
        return "F-UJI did not pass this metric although its tests pass: see its debug log."
    more = f" (and {len(failing) - _HINT_TESTS} more)" if len(failing) > _HINT_TESTS else ""
    return "Make F-UJI's failing tests pass: " + "; ".join(failing[:_HINT_TESTS]) + more + "."


def metric_subcriterion(result: MetricResult, tool: str) -> SubcriterionResult:
    """One F-UJI metric as a subcriterion, with its tests, output and log as evidence."""
    maturity = "" if result.maturity is None else f", maturity {result.maturity}"
    evidence = [
        Evidence(
            message=f"F-UJI: {result.test_status}, {_pts(result.score)} points{maturity}",
            value=result.test_status,
            tool=tool,
        ),
        *_quirk_evidence(result),
        *(_test_evidence(tid, test, tool) for tid, test in result.metric_tests.items()),
        *_output_evidence(result.output, tool),
        *_debug_evidence(result.test_debug, tool),
    ]
    return SubcriterionResult(
        outcome=Outcome.PASS if result.test_status == "pass" else Outcome.FAIL,
        requirement_level=REQUIREMENT,
        description=clean(result.metric_name, 500),
        hint=_hint(result),
        evidence=evidence,
        gating=True,
        metric=result.metric_identifier,
        score=Score(earned=result.score.earned, total=result.score.total),
        maturity=result.maturity,
    )


def _server_scores(summary: dict[str, dict[str, float]]) -> dict[str, PrincipleScore]:
    """F-UJI's own per-principle sums (score_earned, score_total, ... keyed by F, A, I, R)."""
    scores = {}
    for key in (*PRINCIPLES, TOTAL):
        earned = summary.get("score_earned", {}).get(key)
        total = summary.get("score_total", {}).get(key)
        if earned is None or total is None:
            continue
        sent_percent = summary.get("score_percent", {}).get(key)
        scores[key] = PrincipleScore(
            earned=earned,
            total=total,
            percent=sent_percent if sent_percent is not None else percent(earned, total),
            passed=int(summary.get("status_passed", {}).get(key, 0)),
            assessed=int(summary.get("status_total", {}).get(key, 0)),
        )
    return scores


def _source_url(specification: str | None) -> str:
    if specification and specification.startswith("https://") and len(specification) < 300:
        return clean(specification)
    return FUJI_HOME


def _tool(results: FujiResults | None) -> str:
    version = results.software_version if results else None
    return f"F-UJI {clean(version, 40)}" if version else "F-UJI"


def _section(subs: dict[str, SubcriterionResult], specification: str | None) -> CriterionResult:
    return CriterionResult(
        title=TITLE,
        source_url=_source_url(specification),
        valid=is_valid(subs),
        coverage=coverage(subs),
        subcriteria=subs,
    )


def fuji_section(
    results: FujiResults,
    *,
    identifier: str,
    metric_set: str,
    catalogue: Catalogue | None = None,
) -> tuple[CriterionResult, FairSummary]:
    """The section and summary of a completed evaluation of a resolved object."""
    tool = _tool(results)
    subs = {r.metric_identifier: metric_subcriterion(r, tool) for r in results.results}
    section = _section(subs, results.metric_specification)
    badge = None
    if metric_set == SOFTWARE_METRICS and (found := fair_scheme(catalogue or default_catalogue())):
        badge = metric_badge(found[0], found[1], section)
    summary = FairSummary(
        source="f-uji",
        metric_set=metric_set,
        metric_specification=_source_url(results.metric_specification),
        object_identifier=identifier,
        resolved_url=clean(results.resolved_url, 500) if results.resolved_url else None,
        resolved=True,
        server_version=clean(results.software_version, 40) if results.software_version else None,
        scores=_server_scores(results.summary) or principle_scores(section),
        badge=badge,
    )
    return section, summary


def error_section(
    message: str,
    *,
    identifier: str | None,
    metric_set: str,
    hint: str = SERVER_HINT,
    results: FujiResults | None = None,
) -> tuple[CriterionResult, FairSummary]:
    """A section with no scores: one ``error`` subcriterion carrying ``message``."""
    sub = SubcriterionResult(
        outcome=Outcome.ERROR,
        requirement_level=REQUIREMENT,
        description=f"An F-UJI server evaluates the object with the metric set {metric_set}.",
        hint=hint,
        evidence=[Evidence(message=message, tool=_tool(results))],
        gating=True,
    )
    specification = results.metric_specification if results else None
    summary = FairSummary(
        source="f-uji",
        metric_set=metric_set,
        metric_specification=_source_url(specification) if specification else None,
        object_identifier=identifier,
        resolved_url=clean(results.resolved_url, 500) if results and results.resolved_url else None,
        resolved=results.resolved if results else None,
        server_version=clean(results.software_version, 40)
        if results and results.software_version
        else None,
        error=message,
    )
    return _section({FUJI_SECTION: sub}, specification), summary


def attach_fuji(report: Report, section: CriterionResult, summary: FairSummary) -> None:
    """Add the F-UJI section to ``report`` (the software badge is computed without it)."""
    report.criteria[FUJI_SECTION] = section
    report.fair[FUJI_SECTION] = summary
