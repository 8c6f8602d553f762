"""Jenkins through the jenkins-pipeline-library (JePL): ``.sqa/config.yml``,
``.sqa/docker-compose.yml`` and a ``Jenkinsfile``, in the layout the original SQAaaS wrote.

JePL checks every project repository out into a workspace folder named after it and runs
each command as ``docker-compose exec -T <service> <command>`` through the agent's shell,
so every command is wrapped as ``sh -c '<line>'``: the agent's shell sees one quoted word.

The Jenkinsfile pins the validator JePL checks the configuration with (jpl-validator 2.4.0,
as the original SQAaaS does). Its schema allows only some criterion keys and no ``when``:
a step of a criterion without a key runs in the stage of the criterion it belongs with
(:data:`JEPL_HOME`) or is left out with a comment saying why, and a step's ``when`` is the
same shell gate the other targets use, fed by the branch and tag Jenkins builds.
"""

from __future__ import annotations

from jinja2 import Environment

from sqaaas import __version__
from sqaaas.pipelines import commands
from sqaaas.pipelines.commands import shell_line
from sqaaas.pipelines.plan import PlannedStep, plan
from sqaaas.pipelines.spec import DEFAULT_IMAGE, PipelineSpec, Repository

JEPL_VERSION = "2.1.1"
VALIDATOR_IMAGE = "eoscsynergy/jpl-validator:2.4.0"
#: the sqa_criteria keys jpl-validator 2.4.0 accepts
JEPL_KEYS = frozenset({
    "QC.Acc", "QC.Lic", "QC.Sty", "QC.Uni", "QC.Fun", "QC.Sec", "QC.Doc", "QC.Met", "QC.Ver",
    "QC.FAIR", "SvcQC.Dep", "SvcQC.Doc", "SvcQC.Fun", "SvcQC.Sec", "SvcQC.Api", "SvcQC.Int",
    "SvcQC.Per",
})
#: criteria without a key whose steps are tests, run in the unit-testing stage
JEPL_HOME = {"QC.Tdd": "QC.Uni", "QC.Har": "QC.Uni"}
#: the key of the stage running the whole sqaaas assess (every criterion): the first one
ASSESS_KEY = "QC.Acc"
ASSESS_STAGE = "sqaaas-assess"
MOUNT = "/sqaaas-build"
JEPL_DEFAULTS = {"JPL_KEEPGOING": "enabled", "JPL_DOCKERFORCEBUILD": "enabled"}
#: Fixed text: the branch and tag Jenkins builds (compose passes them in, see the template),
#: for the when-gate; a tag build's BRANCH_NAME is the tag, so it is no branch then.
GATE_PREFIX = """\
SQAAAS_BRANCH="${BRANCH_NAME:-}"
SQAAAS_TAG="${TAG_NAME:-}"
[ -z "$SQAAAS_TAG" ] || SQAAAS_BRANCH=""
"""
#: what compose passes in from the Jenkins build (see GATE_PREFIX)
BUILD_VARIABLES = ("BRANCH_NAME", "TAG_NAME")
TEMPLATES = {
    ".sqa/config.yml": "jenkins/config.yml.j2",
    ".sqa/docker-compose.yml": "jenkins/docker-compose.yml.j2",
    "Jenkinsfile": "jenkins/Jenkinsfile.j2",
}


def repo_dir(repo: Repository, main: bool) -> str:
    """JePL checks every project repository out into a folder named after it."""
    return repo.name


def gate() -> str:
    """The when-gate as JePL runs it: Jenkins' branch and tag, then the shared rule."""
    return GATE_PREFIX + commands.WHEN_GATE


def wrap(line: str, gated: bool) -> str:
    """A command JePL runs in a step's container: ``sh -c`` with the line (after the
    when-gate, which ends the command early when the step's condition does not hold)."""
    return shell_line(["sh", "-c", f"{gate()}\n{line}" if gated else line])


def jepl_commands(step: PlannedStep) -> list[str]:
    """What JePL runs in the step's container, one agent-shell-safe command per line."""
    gated = bool(commands.when_env(step.step))
    return [wrap(line, gated) for line in (*step.install, *step.lines)]


def jepl_key(criterion: str) -> str | None:
    """The sqa_criteria key a criterion's steps run under (None: left out)."""
    return criterion if criterion in JEPL_KEYS else JEPL_HOME.get(criterion)


def render(spec: PipelineSpec, env: Environment) -> dict[str, str]:
    steps = plan(spec, repo_dir)
    criteria: dict[str, list[dict[str, object]]] = {}
    left_out: list[str] = []
    for s in steps:
        key = jepl_key(s.criterion)
        if key is None:
            left_out.append(f"{s.criterion} {s.step.name}")
            continue
        criteria.setdefault(key, []).append(
            {"name": s.step.name, "commands": jepl_commands(s), "home": s.criterion}
        )
    services = [
        {"name": s.step.name, "image": s.step.image, "workdir": s.workdir,
         "env": commands.when_env(s.step)}
        for s in steps if jepl_key(s.criterion)
    ]
    if assess := commands.assess_lines(spec):
        main_dir = "/".join(filter(None, (spec.main.name, spec.main.subfolder)))
        lines = [*commands.assess_install(spec), *assess]
        criteria.setdefault(ASSESS_KEY, []).append(
            {"name": ASSESS_STAGE, "commands": [wrap(x, False) for x in lines],
             "home": "every criterion"}
        )
        services.append({"name": ASSESS_STAGE, "image": DEFAULT_IMAGE,
                         "workdir": main_dir, "env": dict(commands.ASSESS_ENV)})
    context = {
        "spec": spec,
        "services": services,
        "criteria": [(key, criteria[key]) for key in sorted(criteria)],
        "left_out": left_out,
        "environment": {**JEPL_DEFAULTS, **spec.environment},
        "jepl_version": JEPL_VERSION,
        "validator_image": VALIDATOR_IMAGE,
        "mount": MOUNT,
        "version": __version__,
    }
    # Compose gets only the spec's variables (JePL's own steer the agent, not the tools),
    # then the step's condition; the build's branch and tag are fixed text in the template.
    for service in services:
        merged = {**spec.environment, **service["env"]}  # type: ignore[dict-item]
        service["env"] = {k: v for k, v in merged.items() if k not in BUILD_VARIABLES}
    return {
        path: env.get_template(template).render(context)
        for path, template in TEMPLATES.items()
    }
