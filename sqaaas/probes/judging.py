"""The verdict of a registry tool on a subcriterion, counting only the files in that
subcriterion's scope (criteria/tools.yml ``scope``; sqaaas.facts.scope): what was left out is
evidence. Not a probe module: the tool probes and the generated pipelines' checks both call
it, so a CI step fails for exactly the report's reason, and importing it registers no probe.
"""

from __future__ import annotations

from dataclasses import replace

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.facts.scope import partition, sec_scope
from sqaaas.tools.judge import judge
from sqaaas.tools.model import ToolRun
from sqaaas.tools.runner import select_files
from sqaaas.tools.spec import Evidencing, ToolSpec

MAX_LEFT_OUT_SHOWN = 3  # findings out of scope that would have decided, shown as context


def _scoped(
    ctx: RepoContext, spec: ToolSpec, run: ToolRun, how: Evidencing
) -> tuple[ToolRun, list[Evidence]]:
    """The run with only the findings in the product code (sqaaas.facts.scope), and the
    evidence of what was left out: how many files and why, and the findings set aside."""
    scope = ctx.fact(sec_scope)
    files = partition(scope, select_files(ctx.fs, spec))
    notes = [
        Evidence(
            message=f"{spec.title}: security scope: {scope.describe()}"
            + (f"; left out {files.summary()}" if files.left_out else "; no file left out"),
            tool=spec.name,
            value=sum(len(p) for p in files.left_out.values()),
            failing=False,
        )
    ]
    kept, aside = [], []
    for finding in run.findings:
        why = scope.why_excluded(finding.path)
        (kept if why is None else aside).append((finding, why))
    if aside:
        notes.append(
            Evidence(
                message=f"{spec.title}: {len(aside)} finding(s) in files out of scope not "
                "counted",
                tool=spec.name,
                value=len(aside),
                failing=False,
            )
        )
    would = [(f, why) for f, why in aside if how.decides(f.severity, f.code, f.confidence)]
    notes += [
        Evidence(
            message=f"out of scope ({why}), not counted: {f.code}: {f.message}",
            path=f.path,
            line=f.line,
            tool=spec.name,
            value=f.severity,
            failing=False,
        )
        for f, why in would[:MAX_LEFT_OUT_SHOWN]
    ]
    left_out = sum(len(p) for p in files.left_out.values())
    in_scope = replace(run, findings=[f for f, _ in kept], files=max(0, run.files - left_out))
    return in_scope, notes


def judge_in_scope(ctx: RepoContext, spec: ToolSpec, run: ToolRun, subcriterion: str) -> Finding:
    """The tool's verdict on ``subcriterion`` (sqaaas.tools.judge) counting only the files in
    the subcriterion's scope (criteria/tools.yml ``scope``); what was left out is evidence.
    Shared with the pipeline checks, so a CI step fails for the report's reason."""
    if spec.evidences[subcriterion].scope == "all" or run.status != "ok":
        return judge(spec, run, subcriterion)
    in_scope, notes = _scoped(ctx, spec, run, spec.evidences[subcriterion])
    found = judge(spec, in_scope, subcriterion)
    summary, rest = found.evidence[:1], found.evidence[1:]
    update: dict[str, object] = {"evidence": [*summary, *notes, *rest]}
    if run.files and not in_scope.files:  # every file it read is out of scope: no verdict
        update["outcome"] = Outcome.NOT_APPLICABLE
    return found.model_copy(update=update)
