"""QC.Dep: is the software deployed through configuration management / infrastructure as code?

The files are recognised once per assessment (sqaaas.facts.deployment); nothing is applied
or linted here.
"""

from __future__ import annotations

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.deployment import cm_files, iac_finding


@probe("dep.iac_present")
def iac_present(ctx: RepoContext) -> Finding:
    """Deployment is described by CM/IaC files (Ansible, Helm, Kubernetes, Terraform, ...)."""
    return iac_finding(ctx)


@probe("dep.iac_tracked")
def iac_tracked(ctx: RepoContext) -> Finding:
    """The CM/IaC modules are kept under version control, like the code."""
    families = ctx.fact(cm_files)
    paths = sorted({e.path for found in families.values() for e in found if e.path})
    if not paths:
        return Finding.not_applicable("no CM/IaC files: nothing to keep under version control")
    tracked = ctx.git.tracked_below(ctx.fs.root)
    untracked = [p for p in paths if p not in tracked]
    if untracked:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=[Evidence(message="CM/IaC file not under version control", path=p)
                      for p in untracked[:20]],
            hint=f"Commit the deployment code with the rest: git add {' '.join(untracked[:5])}",
        )
    return Finding.passed(
        f"all {len(paths)} CM/IaC file(s) are tracked by git", value=paths[:20]
    )


@probe("dep.single_cm_tool")
def single_cm_tool(ctx: RepoContext) -> Finding:
    """One CM/IaC tool family is used, so operators learn one deployment route."""
    families = ctx.fact(cm_files)
    if not families:
        return Finding.not_applicable("no CM/IaC files: no tool to agree on")
    evidence = [
        Evidence(message=f"{family}: {len(found)} file(s)", path=found[0].path, value=len(found))
        for family, found in sorted(families.items())
    ]
    if len(families) == 1:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence,
        hint=f"Several CM/IaC tools are in use ({', '.join(sorted(families))}): settle on one "
        "for the supported deployment route, or document why each is needed.",
    )
