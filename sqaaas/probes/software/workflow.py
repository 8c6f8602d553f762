"""QC.Wor: is the main branch kept working by CI, and do changes arrive through branches?

What a repository shows offline: its CI files (tests, pull request triggers) and its git
history (merge commits, pull/merge request references, branch names). Forge settings such
as branch protection are not in the repository and are left to the criteria data.
"""

from __future__ import annotations

import re

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.ci import pipelines, pull_request_triggers
from sqaaas.facts.ci_tests import ci_test_finding, no_ci_finding
from sqaaas.facts.history import change_history, history_unusable, request_evidence

_EXAMPLES = 3


@probe("wor.ci_runs_tests")
def ci_runs_tests(ctx: RepoContext) -> Finding:
    """QC.Wor01: a CI pipeline runs the tests, so a broken main branch is noticed."""
    return ci_test_finding(ctx, "a change that breaks the main branch is detected")


@probe("wor.ci_on_pull_requests")
def ci_on_pull_requests(ctx: RepoContext) -> Finding:
    """QC.Wor01.2: CI runs for pull/merge requests, so QA results exist before merging."""
    if not ctx.fact(pipelines):
        return no_ci_finding()
    triggers = ctx.fact(pull_request_triggers)
    evidence = [t.evidence for t in triggers]
    if any(t.runs for t in triggers):
        return Finding(outcome=Outcome.PASS, evidence=[t.evidence for t in triggers if t.runs])
    if any(t.runs is None for t in triggers):
        return Finding(
            outcome=Outcome.NOT_AUTOMATED,
            evidence=evidence,
            hint="Make pull request builds visible in the repository, e.g. a GitHub workflow "
            "with 'on: pull_request' or GitLab rules on $CI_PIPELINE_SOURCE == "
            "\"merge_request_event\".",
        )
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence,
        hint="Run CI on pull/merge requests: add 'pull_request' to the 'on:' events of the "
        "workflow (GitHub), or a rule 'if: $CI_PIPELINE_SOURCE == \"merge_request_event\"' "
        "(GitLab), and require it to pass before merging.",
    )


@probe("wor.change_branches")
def change_branches(ctx: RepoContext) -> Finding:
    """QC.Wor02: merge commits or pull/merge request references show branch-based changes."""
    history = ctx.fact(change_history)
    found = bool(history.merges or history.requests)
    if (verdict := history_unusable(history, found)) is not None:
        return verdict
    evidence: list[Evidence] = []
    if history.merges:
        evidence.append(
            Evidence(
                message=f"{len(history.merges)} merge commit(s): changes were integrated from "
                "branches",
                value=list(history.merges[:_EXAMPLES]),
            )
        )
    if history.requests:
        evidence.append(request_evidence(history))
    if evidence:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    return Finding.failed(
        f"{history.commits} commits, none a merge and none referring to a pull/merge request",
        hint="Make each change on its own branch and merge it through a pull/merge request. "
        "Squash merges are only visible offline when the subject keeps the '(#N)' suffix the "
        "forge adds; rebase merges without it leave no trace in the history.",
        value=history.commits,
    )


#: Branches that hold integration or releases rather than one change.
_LONG_LIVED = re.compile(
    r"^(?:main|master|trunk|default|develop|development|devel|dev|next|stable|production|"
    r"staging|gh-pages|pages|HEAD|v?\d+(?:\.(?:\d+|x))*(?:-stable)?)$",
    re.IGNORECASE,
)
#: Branches named by bots, not by a team convention.
_BOT = re.compile(
    r"^(?:dependabot|renovate|snyk|imgbot|all-contributors|github-actions|pre-commit-ci|"
    r"whitesource)\b",
    re.IGNORECASE,
)
_TYPE_PREFIX = re.compile(
    r"^(?:feature|features|feat|fix|bugfix|bug|hotfix|release|releases|docs?|chore|refactor|"
    r"tests?|ci|build|perf|style|support|maint|maintenance|experiment|enhancement|security)[/_-]",
    re.IGNORECASE,
)
_MERGED_BRANCH = (
    re.compile(r"^Merge (?:remote-tracking )?branch '([^']+)'"),
    re.compile(r"^Merge pull request #\d+ from [^/\s]+/(\S+)"),
    re.compile(r"^Merge pull request '.*' \(#\d+\) from (\S+) into"),
    re.compile(r"^Merged in (\S+) \(pull request"),
)
_MERGE_TARGET = re.compile(r"^Merge .* into '?([\w./-]+?)'?$")
_CONVENTION_SHARE = 0.75


def _merged_branch_names(ctx: RepoContext) -> set[str]:
    remotes = {r.name for r in ctx.git.remotes}
    names: set[str] = set()
    for subject in ctx.git.merge_subjects:
        for rx in _MERGED_BRANCH:
            if m := rx.match(subject):
                name = m.group(1)
                head, _, rest = name.partition("/")
                names.add(rest if head in remotes and rest else name)
                break
    return names


@probe("wor.branch_naming")
def branch_naming(ctx: RepoContext) -> Finding:
    """QC.Wor02.1: change branches (seen as refs or in merge messages) carry a type prefix."""
    seen = set(ctx.git.branches) | _merged_branch_names(ctx)
    judged = sorted(n for n in seen if not _LONG_LIVED.match(n) and not _BOT.match(n))
    if not judged:
        return Finding.not_applicable(
            "no change branch is visible (only long-lived or bot branches, and no merge "
            "message naming one)",
            value=sorted(seen),
        )
    conforming = [n for n in judged if _TYPE_PREFIX.match(n)]
    others = [n for n in judged if n not in conforming]
    share = len(conforming) / len(judged)
    evidence = [
        Evidence(
            message=f"{len(conforming)} of {len(judged)} change branch name(s) carry a type "
            "prefix (feature/, fix/, release/, ...)",
            value=conforming[:10],
        )
    ]
    if others:
        evidence.append(Evidence(message="branch names without a type prefix", value=others[:10]))
    if share >= _CONVENTION_SHARE:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence,
        hint=f"Agree on branch prefixes by change type (feature/<topic>, fix/<issue>, "
        f"release/<version>) and document them in CONTRIBUTING.md; at least "
        f"{_CONVENTION_SHARE:.0%} of change branches should follow them.",
    )


_NEXT_RELEASE = re.compile(
    r"^(?:develop|development|devel|dev|next|integration|releases?/.+)$", re.IGNORECASE
)


@probe("wor.next_release_branch")
def next_release_branch(ctx: RepoContext) -> Finding:
    """QC.Wor03: a long-lived branch gathers the changes for the next release."""
    evidence = [
        Evidence(message=f"branch '{name}' holds changes for the next release", value=name)
        for name in ctx.git.branches
        if _NEXT_RELEASE.match(name)
    ]
    targets = {
        m.group(1)
        for subject in ctx.git.merge_subjects
        if (m := _MERGE_TARGET.match(subject)) and _NEXT_RELEASE.match(m.group(1))
    }
    evidence += [
        Evidence(message=f"merge commits target the branch '{name}'", value=name)
        for name in sorted(targets - set(ctx.git.branches))
    ]
    if evidence:
        return Finding(outcome=Outcome.PASS, evidence=evidence[:_EXAMPLES * 2])
    return Finding.failed(
        "no develop/dev/next or release/* branch is visible",
        hint="Keep a long-lived branch such as 'develop' that collects merged changes for the "
        "next release, and merge it into main when releasing (git switch -c develop && "
        "git push -u origin develop).",
        value=ctx.git.branches[:10],
    )
