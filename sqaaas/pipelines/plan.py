"""The target-independent plan of a pipeline: every step with what a template needs.

Each CI target (``pipelines/targets/``) lays out its workspace and fills its templates from
this plan; ``render`` picks the target. Kept apart from ``render`` so that the targets stand
below it: ``render`` imports the targets, the targets import only this module.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from sqaaas.pipelines import commands
from sqaaas.pipelines.commands import StepKind
from sqaaas.pipelines.spec import PipelineSpec, Repository, Step

#: Where GitHub Actions and GitLab CI clone repositories other than the one they run in.
CLONES = ".sqaaas-repos"


@dataclass(frozen=True)
class PlannedStep:
    """A step with everything a template needs, computed once for every target."""

    criterion: str
    step: Step
    kind: StepKind
    repository: Repository
    main: bool  # the first repository: the one a CI workflow runs in
    workdir: str  # where the step runs, relative to the workspace root
    install: tuple[str, ...]
    lines: tuple[str, ...]

    @property
    def stage(self) -> str:
        return f"{self.criterion} {self.step.name}"


def plan(
    spec: PipelineSpec,
    repo_dir: Callable[[Repository, bool], str],
    *,
    sudo: bool = False,
) -> list[PlannedStep]:
    """Steps in spec order; ``repo_dir(repository, is_main)`` is the target's layout.
    Every step runs in its repository's folder."""
    commands.validate(spec)
    repos = {r.name: r for r in spec.repositories}
    planned = []
    for criterion, steps in spec.criteria.items():
        for step in steps:
            repo = repos[step.repository] if step.repository else spec.main
            main = repo.name == spec.main.name
            workdir = posixpath.normpath(posixpath.join(repo_dir(repo, main), repo.subfolder or ""))
            planned.append(
                PlannedStep(
                    criterion=criterion,
                    step=step,
                    kind=commands.step_kind(step),
                    repository=repo,
                    main=main,
                    workdir=workdir,
                    install=tuple(commands.install_commands(step, criterion, sudo=sudo)),
                    lines=tuple(commands.step_lines(step, criterion)),
                )
            )
    return planned


def workspace_dir(repo: Repository, main: bool) -> str:
    """Layout of a CI workflow living in the main repository: that checkout is the
    workspace, further repositories are cloned under CLONES."""
    return "." if main else f"{CLONES}/{repo.name}"


def clone_argv(repo: Repository) -> list[str]:
    """A clone of a further repository at its branch, with its whole history (versions,
    tags and workflow verdicts read it), the URL after ``--``."""
    return ["git", "clone", "--quiet", "--branch", repo.branch, "--", repo.url,
            workspace_dir(repo, False)]
