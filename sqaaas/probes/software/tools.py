"""Probes backed by the tool registry (criteria/tools.yml): one probe per subcriterion.

A probe named ``tools.<subcriterion>`` uses every registry tool that evidences that
subcriterion and applies to the repository's languages, and decides from each tool's
``fail_on`` severities. The tools of all the probes of one assessment run together, in one
batch (one tools container: never on the host). A tool that is missing, crashes or times
out, or a batch that cannot run, makes the outcome ``error``: never a pass.
"""

from __future__ import annotations

from functools import partial

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.tools.judge import judge
from sqaaas.tools.runs import TOOL_FACTS, languages
from sqaaas.tools.spec import default_tools


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
