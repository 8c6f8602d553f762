"""GitLab CI: ``.gitlab-ci.yml`` with one job per step in a ``sqaaas`` stage.

Each job runs in the step's image. The first repository is the project the pipeline runs
in; a step of another repository clones it into ``.sqaaas-repos/<name>`` first. Commands
are quoted script items (GitLab does not expand ``$`` in them: the shell sees the
``shlex``-quoted text); variable values have ``$`` doubled, GitLab's escape.
"""

from __future__ import annotations

import math

from jinja2 import Environment

from sqaaas import __version__
from sqaaas.pipelines import commands
from sqaaas.pipelines.plan import PlannedStep, clone_argv, plan, workspace_dir
from sqaaas.pipelines.spec import PipelineSpec

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


def render(spec: PipelineSpec, env: Environment) -> dict[str, str]:
    steps = plan(spec, workspace_dir)
    text = env.get_template("gitlab-ci/gitlab-ci.yml.j2").render(
        spec=spec,
        jobs=[_job(s) for s in steps],
        gate=GATE_PREFIX + commands.WHEN_GATE,
        pip_cache_dir=PIP_CACHE_DIR,
        version=__version__,
    )
    return {CI_FILE: text}
