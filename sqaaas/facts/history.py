"""How changes reached HEAD, as far as the git history shows it (QC.Wor02, QC.Man, QC.Rev).

The probes of several criteria read the same history: merge commits and commits recording a
pull/merge request. A history too short to judge (one commit, a shallow clone) gets one
verdict, :func:`history_unusable`, so that every probe says the same about it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding

_EXAMPLES = 3


@dataclass(frozen=True)
class ChangeHistory:
    """How changes reached HEAD, as far as git history shows it."""

    commits: int
    shallow: bool
    merges: tuple[str, ...]  # subjects of merge commits
    requests: tuple[str, ...]  # subjects of commits recording a pull/merge request


def change_history(ctx: RepoContext) -> ChangeHistory:
    """The merges and pull/merge request commits of the history (read once per assessment)."""
    git = ctx.git
    return ChangeHistory(
        commits=git.commit_count,
        shallow=git.is_shallow,
        merges=tuple(git.merge_subjects),
        requests=tuple(git.pr_references),
    )


def history_unusable(history: ChangeHistory, found: bool) -> Finding | None:
    """A verdict when the history is too short to judge, else None.

    One commit means nothing was integrated yet (a new or squashed import): not applicable
    rather than a failure. A shallow clone (CI checkouts fetch depth 1 by default) hides the
    history: an error, so that nobody mistakes it for evidence of a bad workflow.
    """
    if found:
        return None
    if history.shallow:
        return Finding.error(
            f"shallow clone: only {history.commits} commit(s) of history are available, too few "
            "to see how changes were integrated",
            value=history.commits,
        )
    if history.commits <= 1:
        return Finding.not_applicable(
            f"the history has {history.commits} commit(s): no change has been integrated yet",
            value=history.commits,
        )
    return None


def request_evidence(history: ChangeHistory) -> Evidence:
    """The commits recording a pull/merge request, with a few examples (QC.Wor02, Man02, Rev01)."""
    return Evidence(
        message=f"{len(history.requests)} commit(s) record a pull/merge request",
        value=list(history.requests[:_EXAMPLES]),
    )
