"""The report of ``sqaaas fair``: one object's F-UJI evaluation, as JSON or readable text.

Its JSON form is documented in docs/fair.md: ``object``, ``summary`` (a FairSummary, as in
the assessment report's ``fair`` map) and ``section`` (a criterion result whose
subcriteria are F-UJI's metrics).
"""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sqaaas import __version__
from sqaaas.console import FittingConsole
from sqaaas.core.fairsection import SOFTWARE_METRICS
from sqaaas.core.model import CriterionResult, FairSummary
from sqaaas.core.outcomes import Outcome
from sqaaas.fuji import DATA_METRICS
from sqaaas.fuji.client import Say
from sqaaas.fuji.run import evaluate_object
from sqaaas.fuji.settings import FujiSettings
from sqaaas.report import fairview

FAIR_REPORT_VERSION = "1.0"
METRIC_SETS = {"data": DATA_METRICS, "software": SOFTWARE_METRICS}
_STYLE = {Outcome.PASS: "green", Outcome.FAIL: "red", Outcome.ERROR: "magenta"}


class FairObjectReport(BaseModel):
    """What ``sqaaas fair --format json`` prints."""

    model_config = ConfigDict(extra="forbid")

    schema_version: str = FAIR_REPORT_VERSION
    tool: dict[str, str]
    object: str
    summary: FairSummary
    section: CriterionResult
    generated_at: str
    duration_s: float

    @property
    def ok(self) -> bool:
        """Whether F-UJI evaluated the object (the scores may still be low)."""
        return self.summary.error is None

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"


def evaluate_report(
    identifier: str, metric_set: str, settings: FujiSettings, say: Say | None = None
) -> FairObjectReport:
    started = time.monotonic()
    section, summary = evaluate_object(identifier, metric_set, settings, say=say)
    return FairObjectReport(
        tool={"name": "sqaaas", "version": __version__},
        object=identifier,
        summary=summary,
        section=section,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=round(time.monotonic() - started, 3),
    )


def _scores(summary: FairSummary) -> Table:
    table = Table("principle", "points", "score", "metrics passed", title_justify="left")
    for key, score in summary.scores.items():
        table.add_row(*fairview.score_row(key, score), style="bold" if key == "FAIR" else "")
    return table


def _metrics(section: CriterionResult) -> Table:
    table = Table("metric", "outcome", "points", "maturity", "what it asks / hint", expand=True)
    for sid, sub in section.subcriteria.items():
        points = f"{sub.score.earned:g}/{sub.score.total:g}" if sub.score else ""
        details = Text(sub.description)
        if sub.outcome is not Outcome.PASS:
            # notes (F-UJI's contradictions, an error's reason), not tests, output or logs
            for ev in sub.evidence:
                if ev.value is None and ev.excerpt is None:
                    details.append(f"\n{ev.message}", style="magenta")
            details.append(f"\nhint: {sub.hint}", style="cyan")
        table.add_row(
            Text(sid),
            Text(sub.outcome.value, style=_STYLE.get(sub.outcome, "")),
            points,
            "" if sub.maturity is None else str(sub.maturity),
            details,
        )
    return table


def render_to(console: Console, report: FairObjectReport) -> None:
    """Where the scores come from, any warning, the per-principle table and every metric."""
    summary = report.summary
    console.print(Text(f"FAIR evaluation of {report.object}", style="bold"))
    console.print(Text(fairview.source_line(summary), style="dim"))
    for warning in fairview.warnings(summary):
        console.print(Text(warning, style="bold magenta"))
    if summary.scores:
        console.print(_scores(summary))
    if summary.error is None:
        console.print(_metrics(report.section))
    for sub in report.section.subcriteria.values() if summary.error else ():
        console.print(Text(f"hint: {sub.hint}", style="cyan"))
    if summary.badge:
        console.print(Text(f"FAIR badge: {summary.badge.level}"))


def render_plain(report: FairObjectReport) -> str:
    """The report as plain text for --output FILE: no line cut (see sqaaas.console)."""
    buffer = io.StringIO()
    render_to(FittingConsole(file=buffer, width=120, no_color=True, emoji=False), report)
    return buffer.getvalue()
