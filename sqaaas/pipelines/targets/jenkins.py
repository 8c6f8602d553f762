"""Jenkins through the jenkins-pipeline-library (JePL): ``.sqa/config.yml``,
``.sqa/docker-compose.yml`` and a ``Jenkinsfile``, in the layout the original SQAaaS wrote.

JePL checks every project repository out into a workspace folder named after it and runs
each command as ``docker-compose exec -T <service> <command>`` through the agent's shell,
so every command is wrapped as ``sh -c '<line>'``: the agent's shell sees one quoted word.
"""

from __future__ import annotations

from itertools import groupby

from jinja2 import Environment

from sqaaas import __version__
from sqaaas.pipelines.commands import shell_line
from sqaaas.pipelines.plan import PlannedStep, plan
from sqaaas.pipelines.spec import PipelineSpec, Repository, SpecError

JEPL_VERSION = "2.1.1"
MOUNT = "/sqaaas-build"
JEPL_DEFAULTS = {"JPL_KEEPGOING": "enabled", "JPL_DOCKERFORCEBUILD": "enabled"}
TEMPLATES = {
    ".sqa/config.yml": "jenkins/config.yml.j2",
    ".sqa/docker-compose.yml": "jenkins/docker-compose.yml.j2",
    "Jenkinsfile": "jenkins/Jenkinsfile.j2",
}


def repo_dir(repo: Repository, main: bool) -> str:
    """JePL checks every project repository out into a folder named after it."""
    return repo.name


def jepl_commands(step: PlannedStep) -> list[str]:
    """What JePL runs in the step's container, one agent-shell-safe command per line."""
    return [shell_line(["sh", "-c", line]) for line in (*step.install, *step.lines)]


def render(spec: PipelineSpec, env: Environment) -> dict[str, str]:
    steps = plan(spec, repo_dir, shared_reports=False)
    criteria = [(c, list(group)) for c, group in groupby(steps, key=lambda s: s.criterion)]
    for criterion, group in criteria:
        if len({s.step.when for s in group}) > 1:
            raise SpecError(
                f"jenkins: the steps of {criterion} have different 'when' conditions; JePL "
                "sets 'when' per criterion"
            )
    context = {
        "spec": spec,
        "steps": steps,
        "criteria": criteria,
        "environment": {**JEPL_DEFAULTS, **spec.environment},
        "jepl_commands": jepl_commands,
        "jepl_version": JEPL_VERSION,
        "mount": MOUNT,
        "version": __version__,
    }
    # Compose gets only the spec's variables: JePL's own variables steer the agent, not the tools.
    per_file = {".sqa/docker-compose.yml": {"environment": dict(spec.environment)}}
    return {
        path: env.get_template(template).render({**context, **per_file.get(path, {})})
        for path, template in TEMPLATES.items()
    }
