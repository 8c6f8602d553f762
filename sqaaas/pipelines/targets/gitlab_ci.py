"""GitLab CI: ``.gitlab-ci.yml`` with one job per step in a ``sqaaas`` stage.

Each job runs in the step's image, on a full clone (``GIT_DEPTH: 0``: versions, tags and
workflow verdicts read the history). The first repository is the project the pipeline runs
in; a step of another repository clones it into ``.sqaaas-repos/<name>`` first. Commands
are quoted script items (GitLab does not expand ``$`` in them: the shell sees the
``shlex``-quoted text); variable values have ``$`` doubled, GitLab's escape.
"""

from __future__ import annotations

import math
import posixpath

from jinja2 import Environment

from sqaaas import __version__
from sqaaas.pipelines import commands
from sqaaas.pipelines.plan import PlannedStep, clone_argv, plan, workspace_dir
from sqaaas.pipelines.spec import DEFAULT_IMAGE, PipelineSpec

CI_FILE = ".gitlab-ci.yml"
#: Fixed text: where pip caches (GitLab caches only paths inside the project folder).
PIP_CACHE_DIR = '"$CI_PROJECT_DIR/.cache/pip"'
#: Fixed text: the current branch (push or merge request) and tag, for the when-gate.
GATE_PREFIX = """\
SQAAAS_BRANCH="${CI_COMMIT_BRANCH:-${CI_MERGE_REQUEST_SOURCE_BRANCH_NAME:-}}"
SQAAAS_TAG="${CI_COMMIT_TAG:-}"
"""


def _job(step: PlannedStep) -> dict[str, object]:
    script = list(step.install)
    repo = step.repository
    if not step.main:
        if not step.install:
            script.append(commands.git_install_line())
        script.append(commands.shell_line(clone_argv(repo)))
    if step.workdir != ".":
        script.append(commands.shell_line(["cd", step.workdir]))
    script += step.lines
    when = commands.when_env(step.step)
    return {
        "name": step.stage,
        "image": step.step.image,
        "timeout": f"{math.ceil(step.step.timeout / 60)}m",
        "variables": when,
        "gate": bool(when),
        "cache": commands.needs_python(step.step),
        "script": script,
    }


def _assess_job(spec: PipelineSpec) -> dict[str, object] | None:
    """The sqaaas assess job, when the spec says how to install sqaaas."""
    if spec.sqaaas_requirement is None:
        return None
    main_dir = spec.main.subfolder
    back = [commands.shell_line(["cd", main_dir])] if main_dir else []
    lines = commands.assess_lines(spec, posixpath.relpath(commands.REPORTS_DIR, main_dir or "."))
    return {
        "name": "sqaaas assess",
        "image": DEFAULT_IMAGE,
        "timeout": f"{math.ceil(spec.timeout / 60)}m",
        "variables": dict(commands.ASSESS_ENV),
        "gate": False,
        "cache": True,
        "script": [*commands.assess_install(spec), *back, *lines],
    }


def render(spec: PipelineSpec, env: Environment) -> dict[str, str]:
    steps = plan(spec, workspace_dir)
    jobs = [_job(s) for s in steps]
    if assess := _assess_job(spec):
        jobs.append(assess)
    text = env.get_template("gitlab-ci/gitlab-ci.yml.j2").render(
        spec=spec,
        jobs=jobs,
        gate=GATE_PREFIX + commands.WHEN_GATE,
        pip_cache_dir=PIP_CACHE_DIR,
        version=__version__,
    )
    return {CI_FILE: text}
