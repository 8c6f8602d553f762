"""The report as GitHub-flavoured Markdown (PR comments, job summaries, wikis).

Everything that comes from the assessed repository (evidence messages, paths, excerpts,
even hints a probe derived from file contents) is untrusted: it is escaped so that it can
neither break the tables nor inject links, images or HTML into the rendered page.
"""

from __future__ import annotations

import re

from sqaaas.core.model import BadgeResult, CriterionResult, Report, SubcriterionResult
from sqaaas.core.outcomes import Evidence
from sqaaas.forges import web_url
from sqaaas.report import fairview, hints
from sqaaas.report.terminal import OUTCOME_STYLE

#: evidence items shown per subcriterion before "(+N more)"
MAX_EVIDENCE = 5
#: longest excerpt shown (characters)
MAX_EXCERPT = 160

_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]|~$])")
_NEWLINES = re.compile(r"\s*(?:\r\n|\r|\n)\s*")
_BACKTICK_RUNS = re.compile(r"`+")


def text(value: object) -> str:
    """Untrusted text as inert Markdown, safe inside a table cell (newlines become <br>)."""
    s = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_PUNCTUATION.sub(r"\\\1", s)
    return _NEWLINES.sub("<br>", s.strip())


def code(value: object) -> str:
    """Untrusted text as an inline code span, safe inside a table cell.

    A code span shows its content literally (no HTML, no emphasis); the fence is made one
    backtick longer than the longest run inside, and ``|`` keeps its GFM table escape.
    """
    s = _NEWLINES.sub(" ", str(value).strip()).replace("|", "\\|")
    if not s:
        return ""
    longest = max((len(run) for run in _BACKTICK_RUNS.findall(s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def _shorten(s: str, limit: int) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _coverage(result: CriterionResult) -> str:
    cov = result.coverage
    if cov.ratio is None:
        return f"n/a (0 of {cov.total} assessed)"
    return f"{cov.ratio:.0%} ({cov.passed}/{cov.assessed} passed, {cov.total} in total)"


def _verdict(result: CriterionResult) -> str:
    if result.skipped_reason:
        return f"skipped: {text(result.skipped_reason)}"
    return "✔ valid" if result.valid else "✘ not valid"


def _evidence(ev: Evidence) -> str:
    parts = []
    if ev.path:
        parts.append(code(f"{ev.path}:{ev.line}" if ev.line else ev.path))
    parts.append(text(ev.message))
    if ev.excerpt:
        parts.append(code(_shorten(ev.excerpt, MAX_EXCERPT)))
    return " ".join(p for p in parts if p)


def _subcriterion_row(
    sid: str, sub: SubcriterionResult, metric_columns: list[str], hint: str | None
) -> str:
    shown = [_evidence(ev) for ev in sub.evidence[:MAX_EVIDENCE]]
    if len(sub.evidence) > MAX_EVIDENCE:
        shown.append(f"(+{len(sub.evidence) - MAX_EVIDENCE} more)")
    level = sub.requirement_level + (" (gating)" if sub.gating else "")
    metrics = [text(cell) for cell in fairview.metric_cells(sid, sub, metric_columns)]
    return _row(
        f"**{text(sid)}**",
        *metrics,
        level,
        OUTCOME_STYLE[sub.outcome][0],
        "<br>".join(shown),
        text(hint) if hint else "",
    )


def _header(report: Report) -> list[str]:
    repo = report.repository
    shown = (web_url(repo.url) if repo.url else None) or repo.url or repo.path
    lines = [f"# sqaaas assessment of {text(shown)}", ""]
    facts = [f"commit {code(repo.commit) if repo.commit else 'unknown'}"]
    if repo.branch:
        facts.append(f"branch {code(repo.branch)}")
    if repo.subfolder:
        facts.append(f"subfolder {code(repo.subfolder)}")
    facts.append(f"baseline [{text(report.baseline.title)}]({report.baseline.url}) "
                 f"v{text(report.baseline.version)}")
    if report.profile:
        facts.append(f"profile {code(report.profile)}")
    lines += [" · ".join(facts), ""]
    return lines


def _badge(report: Report) -> list[str]:
    lines = _badge_lines(report.badge, "## Badge")
    fair = [text(fairview.headline(cid, summary)) for cid, summary in report.fair.items()]
    return [*lines, "FAIR: " + " · ".join(fair), ""] if fair else lines


def _badge_lines(badge: BadgeResult, heading: str) -> list[str]:
    """``heading``: the level reached, then item by item what the next level still needs."""
    reached = "no badge level reached" if badge.level == "none" else f"**{badge.level.upper()}**"
    lines = [f"{heading}: {reached}", ""]
    if badge.next_level is None:
        return [*lines, "Highest level reached.", ""]
    lines += [f"Missing for **{text(badge.next_level)}**:", ""]
    for item, item_hints in hints.missing_hints(badge):
        lines.append(f"- **{text(item.criterion)}**: {text(item.reason)}")
        lines += [f"  - hint: {text(hint)}" for hint in item_hints]
    return [*lines, ""]


def _summary(report: Report) -> list[str]:
    lines = ["## Summary", "", _row("Criterion", "Verdict", "Coverage"), _row("---", "---", "---")]
    for cid, result in fairview.quality_criteria(report).items():
        lines.append(_row(f"{text(cid)} {text(result.title)}", _verdict(result), _coverage(result)))
    return [*lines, ""]


def _criterion(cid: str, result: CriterionResult, heading: str = "##") -> list[str]:
    metric_columns = fairview.metric_columns(result)
    headers = ["Subcriterion", *(c.capitalize() for c in metric_columns),
               "Level", "Outcome", "Evidence", "Hint"]
    lines = [
        f"{heading} {text(cid)} {text(result.title)}",
        "",
        f"{_verdict(result)} · coverage {_coverage(result)} · [baseline text]({result.source_url})",
        "",
        _row(*headers),
        _row(*["---"] * len(headers)),
    ]
    shown_hints = hints.subcriterion_hints(result)
    lines += [
        _subcriterion_row(sid, sub, metric_columns, shown_hints.get(sid))
        for sid, sub in result.subcriteria.items()
    ]
    return [*lines, ""]


def _fair_section(report: Report, cid: str) -> list[str]:
    """One FAIR section: its origin, scores per principle, FAIR badge, then its indicators."""
    summary = report.fair[cid]
    lines = [f"## FAIR: {text(cid)}", "", text(fairview.source_line(summary)), ""]
    lines += [f"> **{text(warning)}**\n" for warning in fairview.warnings(summary)]
    if summary.scores:
        lines += [_row("Principle", "Points", "Score", "Metrics passed"), _row(*["---"] * 4)]
        lines += [
            _row(*(text(cell) for cell in fairview.score_row(key, score)))
            for key, score in summary.scores.items()
        ]
        lines.append("")
    else:
        lines += ["No FAIR scores.", ""]
    if summary.badge:
        lines += _badge_lines(summary.badge, "### FAIR badge")
    if cid in report.criteria:
        lines += _criterion(cid, report.criteria[cid], "###")
    return lines


def render(report: Report) -> str:
    """The whole report: header, badge and what the next level needs, summary, details."""
    lines = _header(report) + _badge(report) + _summary(report)
    for cid, result in fairview.quality_criteria(report).items():
        lines += _criterion(cid, result)
    for cid in fairview.fair_sections(report):
        lines += _fair_section(report, cid)
    tool = " ".join(text(report.tool.get(key, "")) for key in ("name", "version"))
    footer = f"Generated by {tool} at {text(report.generated_at)} in {report.duration_s:.2f} s"
    if report.config_source:
        footer += f"; configuration from {code(report.config_source)}"
    lines += ["---", "", footer + "."]
    return "\n".join(lines) + "\n"
