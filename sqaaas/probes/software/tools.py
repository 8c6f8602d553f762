"""Probes backed by the tool registry (criteria/tools.yml): one probe per subcriterion.

A probe named ``tools.<subcriterion>`` uses every registry tool that evidences that
subcriterion and applies to the repository's languages, and decides from each tool's
``fail_on`` severities. The tools of all the probes of one assessment run together, in one
batch (one tools container: never on the host). A tool that is missing, crashes or times
out, or a batch that cannot run, makes the outcome ``error``: never a pass.

QC.Sty01 and QC.Sec02 are judged by the repository's main languages (by code size,
criteria/languages.yml ``main_languages``): each main language needs a decisive tool, else the
outcome is ``not_automated`` naming the language and why, never a pass (or fail) made from
side files such as YAML or Markdown.
"""

from __future__ import annotations

from functools import partial

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.declared_tools import declared_invocations
from sqaaas.languages import main_language_rule
from sqaaas.probes.judging import judge_in_scope
from sqaaas.tools.model import ToolRun
from sqaaas.tools.runs import languages, main_languages, runs_here, tool_facts
from sqaaas.tools.spec import ToolSpec, default_tools

#: the tool runs, with the options of the runs the repository itself declares
TOOL_FACTS = tool_facts(declared_invocations)


def _covers(spec: ToolSpec, language: str, subcriterion: str) -> bool:
    """Whether ``spec`` decides ``subcriterion`` for ``language`` (a tool reading every file,
    such as a secrets scanner, covers no language in particular)."""
    return language in spec.languages and bool(spec.evidences[subcriterion].fail_on)


def _uncovered_reason(
    language: str, subcriterion: str, specs: list[ToolSpec], ran_on_nothing: bool
) -> str:
    """Why ``language`` is not judged: the declared tools' reasons, or that there is none."""
    if ran_on_nothing:
        return "its tools were given none of its files (left out by configuration or unreadable)"
    declared = [s for s in specs if language in s.languages and s.not_automated]
    if declared:
        return "; ".join(f"{s.title}: {s.not_automated}" for s in declared)
    return (f"sqaaas has no offline tool that decides {subcriterion} for {language} "
            "(criteria/tools.yml)")


def _main_language_gaps(
    ctx: RepoContext, subcriterion: str, specs: list[ToolSpec], ran: dict[str, ToolRun]
) -> list[Evidence]:
    """One note per main language that no decisive tool checked (criteria/languages.yml
    ``main_languages``); empty when the subcriterion is not judged by main languages."""
    if subcriterion not in main_language_rule().judged:
        return []
    gaps = []
    for language, share in ctx.fact(main_languages).items():
        covering = [s for s in specs if s.name in ran and _covers(s, language, subcriterion)]
        # an error is reported as such; a clean run on no file checked nothing
        checked = [s for s in covering if ran[s.name].status != "ok" or ran[s.name].files]
        if checked:
            continue
        reason = _uncovered_reason(language, subcriterion, specs, bool(covering))
        gaps.append(
            Evidence(
                message=f"not automated for {language} ({share:.0%} of the code, a main "
                f"language): {reason}",
                value=language,
                failing=False,
            )
        )
    return gaps


def _outcome(
    decisive: list[tuple[Finding, ToolSpec]], gaps: list[Evidence], mains: set[str]
) -> Outcome:
    """Errors first (never a pass); then a failure in code of a main language (or in any
    file, for a tool reading all files); then a main language left unjudged makes it not
    automated, whatever the side files (YAML, Markdown...) gave; else their verdict."""
    if not decisive:
        return Outcome.NOT_AUTOMATED  # only informational tools (e.g. complexity) ran
    decisive = [(j, s) for j, s in decisive if j.outcome is not Outcome.NOT_APPLICABLE]
    if not decisive and not gaps:
        return Outcome.NOT_APPLICABLE  # every file the deciding tools read is out of scope
    outcomes = {j.outcome for j, _ in decisive}
    if Outcome.ERROR in outcomes:
        return Outcome.ERROR
    main_failure = any(
        j.outcome is Outcome.FAIL and ("*" in s.languages or mains.intersection(s.languages))
        for j, s in decisive
    )
    if main_failure or (Outcome.FAIL in outcomes and not gaps):
        return Outcome.FAIL
    if gaps:
        return Outcome.NOT_AUTOMATED
    return Outcome.PASS


def _weighed(spec: ToolSpec, subcriterion: str, mains: set[str]) -> ToolSpec:
    """``spec`` with the rule for side files when none of its languages is a main language
    of the repository (``side_fail_on``: a shell script beside Python code decides only
    when it does not parse)."""
    how = spec.evidences[subcriterion]
    if how.side_fail_on is None or mains.intersection(spec.languages):
        return spec
    return spec.model_copy(
        update={"evidences": {**spec.evidences, subcriterion: how.on_side_files()}}
    )


def assess_with_tools(ctx: RepoContext, subcriterion: str) -> Finding:
    present = ctx.fact(languages)
    code = set(ctx.fact(main_languages))
    specs = [
        _weighed(s, subcriterion, code)
        for s in default_tools().values()
        if subcriterion in s.evidences
    ]
    declared = [s for s in specs if s.applies_to(present) and s.not_automated]
    applicable = [s for s in specs if s.applies_to(present) and runs_here(ctx, s)]
    unasked = [s for s in specs if s.applies_to(present) and not s.not_automated
               and not runs_here(ctx, s)]
    runs = {s.name: ctx.fact(TOOL_FACTS[s.name]) for s in applicable}
    gaps = _main_language_gaps(ctx, subcriterion, specs, runs)
    if not applicable and not gaps and not unasked:
        handled = sorted({lang for s in specs for lang in s.languages})
        return Finding.not_applicable(
            f"no files in the languages the tools handle ({', '.join(handled)})"
        )
    judged = [judge_in_scope(ctx, spec, runs[spec.name], subcriterion) for spec in applicable]
    decisive = [
        (j, spec)
        for j, spec in zip(judged, applicable, strict=True)
        if spec.evidences[subcriterion].fail_on
    ]
    mains = set(ctx.fact(main_languages)) if subcriterion in main_language_rule().judged else set()
    outcome = _outcome(decisive, gaps, mains)
    hints = [j.hint for j in judged if j.hint and j.outcome is not Outcome.PASS]
    if gaps and outcome is Outcome.NOT_AUTOMATED:
        unjudged = ", ".join(str(g.value) for g in gaps)
        hints.insert(0, f"{subcriterion} is not automated for {unjudged}, a main language of "
                     "this repository: check it in CI with the language's own tools (the "
                     "other files' results are shown, but they do not decide).")
    notes = [
        Evidence(message=f"{s.title}: not automated: {s.not_automated}", tool=s.name, failing=False)
        for s in declared
    ]
    if unasked:
        notes.append(Evidence(
            message=f"{', '.join(s.title for s in unasked)}: evidence only (their findings "
            "decide nothing), not run under this profile; --verbose or --profile strict runs "
            "them",
            failing=False,
        ))
    return Finding(
        outcome=outcome,
        evidence=gaps + [e for j in judged for e in j.evidence] + notes,
        hint=" ".join(dict.fromkeys(hints)) or None,
    )


def _register_all() -> None:
    subcriteria = sorted({sub for spec in default_tools().values() for sub in spec.evidences})
    for sub in subcriteria:
        probe(f"tools.{sub}")(partial(assess_with_tools, subcriterion=sub))


_register_all()
