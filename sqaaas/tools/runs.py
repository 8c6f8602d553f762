"""The runs of the registry's tools on a repository (criteria/tools.yml), once per assessment.

The tools of all the ``tools.*`` probes of one assessment run together, in one batch (one
tools container: never on the host); each tool's run is then a fact of its own
(:func:`tool_facts`), so a tool evidencing two subcriteria runs once. The service baseline
reads the same facts on a service's deployment repository.

These facts live here rather than in sqaaas.facts because the floors contract keeps
sqaaas.facts and sqaaas.tools independent of each other, and they are made of tool runs.
The one fact they need from there, how the repository itself runs its tools
(sqaaas.facts.declared_tools), is handed in by the probes: ``tool_facts(declared_invocations)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, partial

from sqaaas.context import RepoContext
from sqaaas.languages import detect_languages
from sqaaas.languages import main_languages as measure_main_languages
from sqaaas.paths import default_cache_dir
from sqaaas.tools.configs.base import Declared
from sqaaas.tools.model import ToolRun
from sqaaas.tools.runner import run_tools
from sqaaas.tools.spec import ToolSpec, default_tools


def languages(ctx: RepoContext) -> dict[str, int]:
    """The repository's languages (files per language): they decide which tools apply."""
    return detect_languages(ctx.fs.files)


def main_languages(ctx: RepoContext) -> dict[str, float]:
    """The repository's main languages by code size, and their shares (largest first): the
    subcriteria judged by main languages need a decisive tool for each of them."""
    return measure_main_languages(ctx.fs.files)


def runs_here(ctx: RepoContext, spec: ToolSpec) -> bool:
    """Whether this assessment runs ``spec`` at all: a tool whose findings decide nothing
    runs only when the profile or ``--verbose`` asks for its evidence (no work for rules
    that do not decide)."""
    return not spec.not_automated and (ctx.evidence_tools or not spec.decides_nothing)


def planned_tools(ctx: RepoContext) -> list[ToolSpec]:
    """The tools this assessment needs: those of its ``tools.*`` probes when the probes are
    known, else every tool for the repository's languages."""
    present = ctx.fact(languages)
    wanted = {p.removeprefix("tools.") for p in ctx.probes if p.startswith("tools.")}
    return [
        s
        for s in default_tools().values()
        if s.applies_to(present)
        and runs_here(ctx, s)
        and (not ctx.probes or wanted.intersection(s.evidences))
    ]


#: (ctx, command names) -> the runs of a tool the repository itself declares (tox envs,
#: pre-commit hooks, CI steps...), preferred first: sqaaas.facts.declared_tools
#: .declared_invocations, handed in by the probes, since this floor does not import facts
DeclaredRuns = Callable[[RepoContext, tuple[str, ...]], Sequence[Declared]]


def nothing_declared(ctx: RepoContext, names: tuple[str, ...]) -> tuple[Declared, ...]:
    """For callers that run the tools as sqaaas configures them, whatever the repository
    declares."""
    return ()


def declared_runs(
    ctx: RepoContext, specs: list[ToolSpec], declared: DeclaredRuns
) -> dict[str, tuple[Declared, ...]]:
    """Tool name -> the runs the repository declares of it (under its ``declared_as`` names)."""
    return {s.name: tuple(declared(ctx, s.declared_as)) for s in specs if s.declared_as}


@cache
def tool_facts(declared: DeclaredRuns = nothing_declared) -> dict[str, Callable[..., ToolRun]]:
    """One memoised fact per tool, so a tool evidencing two subcriteria runs once; the
    planned tools of an assessment run in one batch. Cached per ``declared``, so that every
    probe passing the same source of declared runs shares the same facts (and runs)."""

    def tool_batch(ctx: RepoContext) -> dict[str, ToolRun]:
        planned = planned_tools(ctx)
        return run_tools(planned, ctx.fs, default_cache_dir(), ctx.notify,
                         declared_runs(ctx, planned, declared))

    def run(name: str, ctx: RepoContext) -> ToolRun:
        runs = ctx.fact(tool_batch)
        if name in runs:
            return runs[name]
        # a tool outside the plan (e.g. a service probe's linter): a batch of its own
        spec = default_tools()[name]
        return run_tools([spec], ctx.fs, default_cache_dir(), ctx.notify,
                         declared_runs(ctx, [spec], declared))[name]

    return {name: partial(run, name) for name in default_tools()}
