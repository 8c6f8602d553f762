"""Which steps run for a build: a step's ``when`` against the branch and tag being built.

The rule itself is ``When.matches`` of the spec (JePL's ``anyOf``: the branch condition
matches OR a tag is built and the step asks for tag builds; the generated CI files test the
same rule in shell). This module finds the branch and tag of a local checkout and says,
for the step result, why a step runs or is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqaaas.acquire import Checkout
from sqaaas.gitinfo import GitInfo
from sqaaas.pipelines.spec import BranchCondition, When


@dataclass(frozen=True)
class BuildRef:
    """What is being built: a branch name (None on a detached HEAD), whether a tag is being
    built (``--tag``, or a tag points at HEAD) and that tag's name when known."""

    branch: str | None
    building_tag: bool = False
    tag: str | None = None


def _describe(condition: BranchCondition) -> str:
    return f"{condition.comparator.value} {condition.pattern!r}"


def selected(when: When | None, ref: BuildRef) -> tuple[bool, str]:
    """Whether a step with ``when`` runs for ``ref``, and why (for the step result)."""
    if when is None:
        return True, "no condition"
    if when.matches(ref.branch, ref.building_tag):
        if when.building_tag and ref.building_tag:
            return True, f"building tag {ref.tag!r}" if ref.tag else "building a tag (--tag)"
        if when.branch is not None:
            return True, f"branch {ref.branch!r} matches {_describe(when.branch)}"
        return True, "no condition"
    reasons = []
    if when.branch is not None:
        reasons.append(
            f"branch {ref.branch!r} does not match {_describe(when.branch)}"
            if ref.branch is not None
            else f"no branch to compare with {_describe(when.branch)} (detached HEAD; give "
            "--branch)"
        )
    if when.building_tag:
        reasons.append("not building a tag (no tag points at HEAD; give --tag)")
    return False, "; ".join(reasons)


def head_tag(root: Path) -> str | None:
    """A tag pointing exactly at HEAD (the most recent one when several do), else None."""
    info = GitInfo(root)
    return next((tag.name for tag in info.tags if info.head and tag.commit == info.head), None)


def build_ref(
    checkout: Checkout, branch: str | None = None, building_tag: bool = False
) -> BuildRef:
    """What a local run of ``checkout`` builds: ``branch``, else the checkout's own; a tag
    build when asked (``--tag``) or when a tag points at HEAD."""
    tag = head_tag(checkout.root)
    return BuildRef(
        branch=branch or checkout.branch, building_tag=building_tag or tag is not None, tag=tag
    )
