"""What a CI configuration runs that cannot be read offline, and verdicts that depend on it.

A GitLab pipeline may pull its jobs from elsewhere (``include:`` remote, project, template
or component), a GitHub workflow may call a reusable workflow of another repository or an
action of the project's own organisation, a Jenkinsfile a shared library, a CircleCI
config orbs. Their steps are not in the repository, so "no step runs the tests" cannot
be concluded from it: such a verdict becomes ``not_automated`` ("cannot tell: ...") with
each unread part named in the evidence, never ``fail``. What the readable CI shows still
counts: when it already runs the tests, the verdict passes. Files a GitLab pipeline
includes from the repository itself (``include: local:``) are read (sqaaas.facts.ci).
Third-party marketplace actions are known by their names (the probes' patterns), not by
their steps, and are not listed here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlparse

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.facts.ci import (
    CIFile,
    Trigger,
    change_triggers,
    gitlab_includes,
    parsed_yaml,
    pipelines,
)
from sqaaas.facts.remotes import public_remotes

#: what is not read -> (singular, plural) for the summary
NOUNS: dict[str, tuple[str, str]] = {
    "include": ("remote include", "remote includes"),
    "workflow": ("reusable workflow of another repository", "reusable workflows of other "
                 "repositories"),
    "action": ("action of the project's own organisation", "actions of the project's own "
               "organisation"),
    "library": ("Jenkins shared library", "Jenkins shared libraries"),
    "orb": ("CircleCI orb", "CircleCI orbs"),
}

_USES = re.compile(r"^\s*(?:-\s+)?uses:\s*['\"]?([\w.-]+)/([\w.-]+)(/[^\s'\"@#]*)?@")
_LIBRARY = re.compile(r"^\s*@Library\s*\(|^\s*library\s*\(?\s*['\"]")


@dataclass(frozen=True)
class Unread:
    """A part of a CI configuration that lives outside the repository."""

    kind: str  # a key of NOUNS
    evidence: Evidence


def _owners(ctx: RepoContext) -> tuple[set[str], set[str]]:
    """The owners (user, organisation or group) of the repository on its public forges, and
    its own ``owner/name``s (a workflow it calls by that name is in the repository)."""
    owners: set[str] = set()
    names: set[str] = set()
    for remote in ctx.fact(public_remotes):
        parts = [p for p in urlparse(remote.page or "").path.split("/") if p]
        if parts:
            owners.add(parts[0].lower())
            names.add("/".join(parts[:2]).lower().removesuffix(".git"))
    return owners, names


def _gitlab(ci: CIFile) -> list[Unread]:
    return [
        Unread(
            "include",
            Evidence(
                message=f"GitLab include ({include.kind}) {include.target}: not read, its jobs "
                "live outside the repository",
                path=ci.path,
                line=include.line,
                value=include.target,
            ),
        )
        for include in gitlab_includes(ci)
        if include.kind != "local"
    ]


def _github(ci: CIFile, owners: set[str], own: set[str]) -> list[Unread]:
    found: list[Unread] = []
    for number, line in enumerate(ci.lines, start=1):
        if (uses := _USES.match(line)) is None:
            continue
        owner, repo, sub = uses.group(1), uses.group(2), uses.group(3) or ""
        name = f"{owner}/{repo}{sub}"
        if f"{owner}/{repo}".lower() in own:
            continue  # this repository's own workflow or action, by its full name: read here
        if "/.github/workflows/" in f"{sub}/":
            kind, what = "workflow", f"reusable workflow {name} of another repository"
        elif owner.lower() in owners:
            kind, what = "action", f"action {name} of the project's own organisation"
        else:
            continue
        evidence = Evidence(
            message=f"{what}: its steps are not read",
            path=ci.path,
            line=number,
            excerpt=line.strip()[:200],
            value=name,
        )
        found.append(Unread(kind, evidence))
    return found


def _libraries(ci: CIFile) -> list[Unread]:
    return [
        Unread(
            "library",
            Evidence(
                message="Jenkins shared library: its steps are not read",
                path=ci.path,
                line=number,
                excerpt=line.strip()[:200],
            ),
        )
        for number, line in enumerate(ci.lines, start=1)
        if _LIBRARY.search(line)
    ]


def _orbs(ci: CIFile) -> list[Unread]:
    data = parsed_yaml(ci)
    orbs = data.get("orbs") if isinstance(data, dict) else None
    found: list[Unread] = []
    for name, spec in orbs.items() if isinstance(orbs, dict) else ():
        line = next(
            (n for n, text in enumerate(ci.lines, start=1)
             if re.match(rf"\s+{re.escape(str(name))}\s*:", text)),
            None,
        )
        what = f"CircleCI orb {name} ({spec if isinstance(spec, str) else 'inline'})"
        found.append(
            Unread("orb", Evidence(message=f"{what}: its jobs and commands are not read",
                                   path=ci.path, line=line, value=str(name)))
        )
    return found


def unread_ci(ctx: RepoContext) -> tuple[Unread, ...]:
    """Every part of the pipelines that is not in the repository, with where it is named."""
    owners, own = _owners(ctx)
    found: list[Unread] = []
    for ci in ctx.fact(pipelines):
        if ci.system == "GitLab CI":
            found += _gitlab(ci)
        elif ci.system == "GitHub Actions":
            found += _github(ci, owners, own)
        elif ci.system == "Jenkins":
            found += _libraries(ci)
        elif ci.system == "CircleCI":
            found += _orbs(ci)
    return tuple(found)


def _counts(trigger: Trigger, every_change: bool) -> bool:
    return trigger.why_not is None if every_change else trigger.runs


def cannot_tell(ctx: RepoContext, finding: Finding, *, every_change: bool = True) -> Finding:
    """``finding`` if it is not a failure or nothing is unread; else ``not_automated``.

    Only unread parts of pipelines that could run the step count: with ``every_change``,
    those triggered by every change (as the readable steps must be).
    """
    if finding.outcome is not Outcome.FAIL:
        return finding
    triggers = ctx.fact(change_triggers)
    unread = [
        u for u in ctx.fact(unread_ci)
        if _counts(triggers.get(u.evidence.path or "", Trigger(True, None)), every_change)
    ]
    if not unread:
        return finding
    tally = Counter(u.kind for u in unread)
    parts = [f"{n} {NOUNS[kind][n > 1]}" for kind, n in tally.items()]
    summary = Evidence(
        message=f"cannot tell: {', '.join(parts)} not read (they live outside the repository); "
        "what the readable CI runs does not settle it",
        value=len(unread),
        failing=False,
    )
    context = [e.model_copy(update={"failing": False}) for e in finding.evidence]
    return Finding(
        outcome=Outcome.NOT_AUTOMATED,
        evidence=[summary, *(u.evidence.model_copy(update={"failing": False}) for u in unread),
                  *context],
        hint=finding.hint,
    )
