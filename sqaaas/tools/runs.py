"""The runs of the registry's tools on a repository (criteria/tools.yml), once per assessment.

The tools of all the ``tools.*`` probes of one assessment run together, in one batch (one
tools container: never on the host); each tool's run is then a fact of its own
(:data:`TOOL_FACTS`), so a tool evidencing two subcriteria runs once. The service baseline
reads the same facts on a service's deployment repository.

These facts live here rather than in sqaaas.facts because the floors contract keeps
sqaaas.facts and sqaaas.tools independent of each other, and they are made of tool runs.
"""

from __future__ import annotations

from functools import partial

from sqaaas.context import RepoContext
from sqaaas.languages import detect_languages
from sqaaas.paths import default_cache_dir
from sqaaas.tools.model import ToolRun
from sqaaas.tools.runner import run_tools
from sqaaas.tools.spec import ToolSpec, default_tools


def languages(ctx: RepoContext) -> dict[str, int]:
    """The repository's languages (files per language): they decide which tools apply."""
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
