"""Probes backed by the tool registry (criteria/tools.yml): one probe per subcriterion.

A probe named ``tools.<subcriterion>`` uses every registry tool that evidences that
subcriterion and applies to the repository's languages, and decides from each tool's
``fail_on`` severities. The tools of all the probes of one assessment run together, in one
batch (one tools container: never on the host). A tool that is missing, crashes or times
out, or a batch that cannot run, makes the outcome ``error``: never a pass.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

from sqaaas.acquire import default_cache_dir
from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.languages import detect_languages
from sqaaas.tools.model import ToolRun
from sqaaas.tools.runner import run_tools
from sqaaas.tools.spec import ToolSpec, default_tools

MAX_FINDINGS_SHOWN = 15  # per tool and subcriterion: the report stays readable
MAX_PER_FILE = 3


def languages(ctx: RepoContext) -> dict[str, int]:
    return detect_languages(ctx.fs.files)


def planned_tools(ctx: RepoContext) -> list[ToolSpec]:
    """The tools this assessment needs: those of its ``tools.*`` probes when the probes are
    known, else every tool for the repository's languages."""
    present = ctx.fact(languages)
    wanted = {p.removeprefix("tools.") for p in ctx.probes if p.startswith("tools.")}
    return [
        s
        for s in default_tools().values()
        if s.applies_to(present)
        and not s.not_automated
        and (not ctx.probes or wanted.intersection(s.evidences))
    ]


def tool_batch(ctx: RepoContext) -> dict[str, ToolRun]:
    """Every planned tool's run, from one batch (a fact: computed once per assessment)."""
    return run_tools(planned_tools(ctx), ctx.fs, default_cache_dir(), ctx.notify)


def _run(name: str, ctx: RepoContext) -> ToolRun:
    runs = ctx.fact(tool_batch)
    if name in runs:
        return runs[name]
    # a tool outside the plan (e.g. a service probe's linter): a batch of its own
    return run_tools([default_tools()[name]], ctx.fs, default_cache_dir(), ctx.notify)[name]


#: one memoised fact per tool, so a tool evidencing two subcriteria runs once
TOOL_FACTS = {name: partial(_run, name) for name in default_tools()}


def _summary(spec: ToolSpec, run: ToolRun, failing: list) -> str:
    counts = Counter(f.severity for f in run.findings)
    parts = ", ".join(f"{n} {sev}" for sev, n in counts.most_common()) or "no findings"
    text = f"{spec.title} {run.version or ''}".strip() + f": {run.files} file(s), {parts}"
    if run.score is not None:
        text += f"; score {run.score}/10"
    if failing:
        text += f"; {len(failing)} decisive"
    if run.config_files:
        text += f"; configuration from {', '.join(run.config_files)}"
    return text + (" (cached)" if run.cached else "")


def _shown(spec: ToolSpec, findings: list, failing_first: list) -> list[Evidence]:
    """Up to MAX_FINDINGS_SHOWN findings, decisive ones first; only those are failing lines."""
    ordered = failing_first + [f for f in findings if f not in failing_first]
    per_file: Counter[str] = Counter()
    shown = []
    for f in ordered:
        if per_file[f.path] >= MAX_PER_FILE:
            continue
        per_file[f.path] += 1
        shown.append(f)
        if len(shown) >= MAX_FINDINGS_SHOWN:
            break
    return [
        Evidence(
            message=f"{f.code}: {f.message}",
            path=f.path,
            line=f.line,
            tool=spec.name,
            value=f.severity,
            failing=f in failing_first,
        )
        for f in shown
    ]


def _notes(spec: ToolSpec, run: ToolRun) -> list[Evidence]:
    """Refused configuration options and files left out: context, never failing."""
    return [
        Evidence(message=f"{spec.title}: {note}", tool=spec.name, failing=False)
        for note in run.notes
    ]


def judge(spec: ToolSpec, run: ToolRun, subcriterion: str) -> Finding:
    """A tool run as a finding for one subcriterion (also used by `sqaaas pipeline tool`)."""
    if run.status != "ok":
        return Finding(
            outcome=Outcome.ERROR,
            evidence=[Evidence(message=run.message, tool=spec.name), *_notes(spec, run)],
            hint=run.message,
        )
    fail_on = spec.evidences[subcriterion].fail_on
    failing = [f for f in run.findings if f.severity in fail_on]
    low_score = (
        bool(fail_on)
        and spec.min_score is not None
        and run.score is not None
        and run.score < spec.min_score
    )
    # the summary (which may say "(cached)") is context; the decisive findings and a low
    # score are what fails (SARIF turns only failing lines into results)
    evidence = [
        Evidence(
            message=_summary(spec, run, failing),
            tool=spec.name,
            value=len(run.findings),
            failing=False,
        )
    ]
    if low_score:
        evidence.append(
            Evidence(
                message=f"score {run.score} is below the {spec.min_score} threshold",
                tool=spec.name,
                value=run.score,
                failing=True,
            )
        )
    evidence += _notes(spec, run)
    evidence += _shown(spec, run.findings, failing)
    if failing or low_score:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=evidence,
            hint=f"Fix the {spec.title} findings shown (run {spec.title} locally on the "
            "files listed; its own configuration in the repository is respected).",
        )
    return Finding(outcome=Outcome.PASS, evidence=evidence)


def assess_with_tools(ctx: RepoContext, subcriterion: str) -> Finding:
    present = ctx.fact(languages)
    specs = [s for s in default_tools().values() if subcriterion in s.evidences]
    declared = [s for s in specs if s.applies_to(present) and s.not_automated]
    applicable = [s for s in specs if s.applies_to(present) and not s.not_automated]
    if not applicable:
        handled = sorted({lang for s in specs for lang in s.languages})
        return Finding.not_applicable(
            f"no files in the languages the tools handle ({', '.join(handled)})"
        )
    runs = [ctx.fact(TOOL_FACTS[s.name]) for s in applicable]
    judged = [judge(spec, run, subcriterion) for spec, run in zip(applicable, runs, strict=True)]
    decisive = {
        j.outcome
        for j, spec in zip(judged, applicable, strict=True)
        if spec.evidences[subcriterion].fail_on
    }
    if not decisive:
        outcome = Outcome.NOT_AUTOMATED  # only informational tools (e.g. complexity) ran
    elif Outcome.ERROR in decisive:
        outcome = Outcome.ERROR
    elif Outcome.FAIL in decisive:
        outcome = Outcome.FAIL
    else:
        outcome = Outcome.PASS
    hints = [j.hint for j in judged if j.hint and j.outcome is not Outcome.PASS]
    notes = [
        Evidence(message=f"{s.title}: not automated: {s.not_automated}", tool=s.name, failing=False)
        for s in declared
    ]
    return Finding(
        outcome=outcome,
        evidence=[e for j in judged for e in j.evidence] + notes,
        hint=" ".join(dict.fromkeys(hints)) or None,
    )


def _register_all() -> None:
    subcriteria = sorted({sub for spec in default_tools().values() for sub in spec.evidences})
    for sub in subcriteria:
        probe(f"tools.{sub}")(partial(assess_with_tools, subcriterion=sub))


_register_all()
