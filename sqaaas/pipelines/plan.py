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
    report: str | None  # relative to the step's folder

    @property
    def stage(self) -> str:
        return f"{self.criterion} {self.step.name}"


def plan(
    spec: PipelineSpec,
    repo_dir: Callable[[Repository, bool], str],
    *,
    sudo: bool = False,
    shared_reports: bool = True,
) -> list[PlannedStep]:
    """Steps in spec order; ``repo_dir(repository, is_main)`` is the target's layout.

    Every step runs in its repository's folder. With ``shared_reports`` its report path
    leads back to the workspace's ``reports`` folder (one artefact for all), else it is a
    ``reports`` folder in the step's own folder.
    """
    reports_dir = commands.REPORTS_DIR
    commands.validate(spec)
    repos = {r.name: r for r in spec.repositories}
    planned = []
    for criterion, steps in spec.criteria.items():
        for step in steps:
            repo = repos[step.repository] if step.repository else spec.main
            main = repo.name == spec.main.name
            workdir = posixpath.normpath(posixpath.join(repo_dir(repo, main), repo.subfolder or ""))
            back = posixpath.relpath(reports_dir, workdir) if shared_reports else reports_dir
            report = commands.report_file(step, criterion, back)
            install = commands.install_commands(step, spec.sqaaas_requirement, sudo=sudo)
            planned.append(
                PlannedStep(
                    criterion=criterion,
                    step=step,
                    kind=commands.step_kind(step),
                    repository=repo,
                    main=main,
                    workdir=workdir,
                    install=tuple(install),
                    lines=tuple(commands.step_lines(step, criterion, back)),
                    report=report,
                )
            )
    return planned


def workspace_dir(repo: Repository, main: bool) -> str:
    """Layout of a CI workflow living in the main repository: that checkout is the
    workspace, further repositories are cloned under CLONES."""
    return "." if main else f"{CLONES}/{repo.name}"


def clone_argv(repo: Repository) -> list[str]:
    """A shallow clone of a further repository at its branch (the URL after ``--``)."""
    return ["git", "clone", "--quiet", "--depth", "1", "--branch", repo.branch, "--",
            repo.url, workspace_dir(repo, False)]  # fmt: skip
