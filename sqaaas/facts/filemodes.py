"""Which files and directories of a repository every user may write to (QC.Sec04, SvcQC.Sec).

A clone's file modes come from git, which records only 644 or 755; a local working tree
is read as found on disk. The software baseline and the service baseline (on the service's
deployment repository) give the same verdict.
"""

from __future__ import annotations

import os
import stat

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome

_SHOWN = 20


def _mode(ctx: RepoContext, rel: str) -> int:
    return stat.S_IMODE(os.lstat(ctx.fs.root / rel).st_mode)


def world_writable_finding(ctx: RepoContext) -> Finding:
    """No file or directory of the product is writable by every user.

    The verdict of sec.no_world_writable, given also on a service's deployment repository
    (svc.sec.world_writable): one rule for both.
    """
    if ctx.checkout.cloned:
        return Finding.passed(
            "cloned repository: file modes come from git, which records only 644 or 755 "
            "(plus symlinks), so no tracked file can be world-writable"
        )
    found = ctx.fs.world_writable()
    if not found:
        return Finding.passed(
            "no world-writable file or directory in the working tree (modes as found on disk; "
            "git itself records only 644 or 755)"
        )
    evidence = []
    for rel in found[:_SHOWN]:
        try:
            mode = oct(_mode(ctx, rel))
        except OSError:
            mode = "unknown"
        kind = "directory" if ctx.fs.is_dir(rel) else "file"
        evidence.append(Evidence(message=f"world-writable {kind}", path=rel, value=mode))
    if len(found) > _SHOWN:
        evidence.append(Evidence(message=f"{len(found) - _SHOWN} more", value=len(found)))
    shown = " ".join(f"'{p}'" for p in found[:5])
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence,
        hint=f"Remove write permission for others: chmod o-w {shown}",
    )
