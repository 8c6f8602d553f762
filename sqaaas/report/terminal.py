"""The human-readable report, printed with Rich (plain text when not on a terminal)."""

from __future__ import annotations

import io
from collections import Counter
from functools import cache

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sqaaas.console import FittingConsole
from sqaaas.core.catalogue import NO_LEVEL, default_catalogue
from sqaaas.core.model import BadgeResult, CriterionResult, FairSummary, Report
from sqaaas.core.outcomes import Outcome
from sqaaas.report import fairview, hints

OUTCOME_STYLE = {
    Outcome.PASS: ("✔ pass", "green"),
    Outcome.FAIL: ("✘ fail", "red"),
    Outcome.ERROR: ("! error", "magenta"),
    Outcome.NOT_APPLICABLE: ("- n/a", "dim"),
    Outcome.NOT_AUTOMATED: ("? not automated", "yellow"),
}
#: how a metric cell reads without a header row (see fairview.metric_columns)
METRIC_CELL = {"metric": "{}", "points": "{} points", "maturity": "maturity {}"}
#: Rich style of each badge level: NO_LEVEL and exactly the levels of criteria/badges.yml,
#: checked on first use (level_style)
LEVEL_STYLE = {NO_LEVEL: "red", "bronze": "dark_orange3", "silver": "grey70", "gold": "gold1"}


@cache
def level_style() -> dict[str, str]:
    """LEVEL_STYLE, checked once against the catalogue's level names (badges.yml lists them;
    a level added there without a style here is an error, not an unstyled badge)."""
    default_catalogue().check_level_table(LEVEL_STYLE, "sqaaas.report.terminal.LEVEL_STYLE")
    return LEVEL_STYLE


def _criterion_table(cid: str, result: CriterionResult, verbose: bool) -> Table:
    verdict = "[green]VALID[/]" if result.valid else "[red]NOT VALID[/]"
    cov = result.coverage
    ratio = f"{cov.ratio:.0%}" if cov.ratio is not None else "n/a"
    title = (
        f"{cid} {result.title}: {verdict}  coverage {ratio} ({cov.passed}/{cov.assessed} assessed)"
    )
    if result.skipped_reason:
        title += f"  [yellow]skipped: {result.skipped_reason}[/]"
    table = Table(title=title, title_justify="left", show_header=False, expand=True, box=None)
    table.add_column("id", no_wrap=True, style="bold")
    metric_columns = fairview.metric_columns(result)
    for name in metric_columns:
        table.add_column(name, no_wrap=True, style="" if name == "metric" else "dim")
    table.add_column("level", no_wrap=True, style="dim")
    table.add_column("outcome", no_wrap=True)
    table.add_column("details", ratio=1)
    hidden = Counter()
    shown_hints = hints.subcriterion_hints(result)
    for sid, sub in result.subcriteria.items():
        label, style = OUTCOME_STYLE[sub.outcome]
        if not sub.outcome.assessed and not verbose and not sub.skipped_reason:
            hidden[sub.outcome.value.replace("_", " ")] += 1
            continue
        details = Text()
        shown = len(sub.evidence) if verbose else (1 if sub.outcome is Outcome.PASS else 3)
        for ev in sub.evidence[:shown]:
            where = ev.path + (f":{ev.line}" if ev.line else "") + ": " if ev.path else ""
            details.append(f"{where}{ev.message}\n")
        if len(sub.evidence) > shown:
            details.append(f"(+{len(sub.evidence) - shown} more: --verbose)\n", style="dim")
        if sid in shown_hints:
            details.append(f"hint: {shown_hints[sid]}", style="cyan")
        metric = [
            METRIC_CELL[name].format(cell) if cell else ""
            for name, cell in zip(
                metric_columns, fairview.metric_cells(sid, sub, metric_columns), strict=True
            )
        ]
        table.add_row(sid, *metric, sub.requirement_level, Text(label, style=style), details)
    if hidden:
        counts = ", ".join(f"{n} {what}" for what, n in hidden.items())
        blanks = [""] * (len(table.columns) - 1)
        table.add_row(*blanks, Text(f"({counts}: --verbose lists them)", style="dim"))
    return table


def _badge_text(badge: BadgeResult, what: str = "Badge") -> Text:
    """The level reached and, item by item, what the next level still needs."""
    text = Text()
    text.append(f"{what} reached: ")
    text.append(badge.level.upper(), style=f"bold {level_style().get(badge.level, '')}")
    if badge.next_level:
        text.append(f"\nMissing for {badge.next_level}:\n")
        for item, item_hints in hints.missing_hints(badge):
            text.append(f"  • {item.criterion}: {item.reason}\n", style="bold")
            for hint in item_hints[:3]:
                text.append(f"      hint: {hint}\n", style="cyan")
    else:
        text.append("  (highest level)")
    return text


def _badge_panel(report: Report) -> Panel:
    text = _badge_text(report.badge)
    for cid, summary in report.fair.items():
        text.append("\n" + fairview.headline(cid, summary))
    return Panel(text, title="Badge", expand=True)


def _scores_table(summary: FairSummary) -> Table:
    table = Table(
        "principle", "points", "score", "metrics passed", title_justify="left", expand=False
    )
    for key, score in summary.scores.items():
        table.add_row(*fairview.score_row(key, score), style="bold" if key == "FAIR" else "")
    return table


def _fair_block(console: Console, report: Report, cid: str, verbose: bool) -> None:
    """One FAIR section: where it comes from, its indicators, scores and FAIR badge."""
    summary = report.fair[cid]
    console.rule(f"[bold]FAIR: {cid}[/]", align="left")
    console.print(Text(fairview.source_line(summary), style="dim"))
    for warning in fairview.warnings(summary):
        console.print(Text(warning, style="bold magenta"))
    if cid in report.criteria:
        console.print(_criterion_table(cid, report.criteria[cid], verbose))
    if summary.scores:
        console.print(_scores_table(summary))
    else:
        console.print(Text("no FAIR scores", style="magenta"))
    if summary.badge:
        console.print(Panel(_badge_text(summary.badge, "FAIR badge"), title="FAIR badge"))
    console.print()


def render_to(console: Console, report: Report, verbose: bool = False) -> None:
    repo = report.repository
    header = Text()
    header.append(f"{repo.url or repo.path}", style="bold")
    header.append(f"  commit {repo.commit[:12] if repo.commit else 'none'}")
    if repo.branch:
        header.append(f"  branch {repo.branch}")
    if repo.subfolder:
        header.append(f"  subfolder {repo.subfolder}")
    header.append(f"\nbaseline: {report.baseline.title} v{report.baseline.version}", style="dim")
    if report.profile:
        header.append(f"\nprofile: {report.profile} (which subcriteria decide)", style="dim")
    if report.languages:
        langs = ", ".join(f"{k} ({v})" for k, v in list(report.languages.items())[:8])
        header.append(f"\nlanguages: {langs}", style="dim")
    if report.config_source:
        header.append(f"\nconfiguration: {report.config_source}", style="dim")
    console.print(Panel(header, title="sqaaas assessment"))
    quality = fairview.quality_criteria(report)
    for cid, result in quality.items():
        console.print(_criterion_table(cid, result, verbose))
        console.print()
    for cid in fairview.fair_sections(report):
        _fair_block(console, report, cid, verbose)
    summary = Table("criterion", "verdict", "coverage", title="Summary", title_justify="left")
    for cid, result in quality.items():
        ratio = result.coverage.ratio
        summary.add_row(
            f"{cid} {result.title}",
            "[green]valid[/]" if result.valid else "[red]not valid[/]",
            f"{ratio:.0%}" if ratio is not None else "n/a",
        )
    console.print(Group(summary, _badge_panel(report)))
    console.print(f"[dim]assessed in {report.duration_s:.2f} s[/]")


def render_plain(report: Report) -> str:
    """The same report as plain text for --output FILE: no line cut (see sqaaas.console)."""
    buffer = io.StringIO()
    console = FittingConsole(file=buffer, width=110, no_color=True, emoji=False)
    render_to(console, report, verbose=True)
    return buffer.getvalue()
