"""Read a JePL ``.sqa/config.yml`` (+ its ``docker-compose.yml``) into a pipeline spec.

Both files are untrusted input written by the original SQAaaS, by ``sqaaas pipeline
generate --target jenkins`` or by hand. Known keys are mapped; unknown ones are reported
(never silently dropped); an invalid file gives one line naming the key.

Mapping: ``config.project_repos`` -> repositories; ``environment`` and ``timeout`` as they
are; each ``sqa_criteria.<QC.X>.repos.<stage>`` -> one step of that criterion, its image
from the compose service named by ``container``, ``commands`` as given or ``tox`` as
``tox -c <tox_file> -e <envs>``; a criterion's ``when`` applies to each of its steps.
Stages that ``sqaaas pipeline generate`` wrote for a sqaaas check or a registry tool
(install lines, then the check and its gate) become that check again, so ``sqaaas run``
judges them exactly as ``sqaaas assess`` does.

Which repository a stage runs in: the project repository named by the first folder of the
compose service's ``working_dir`` (JePL checks each one out into a folder named after its
key), else by the stage name (or its first word, as in ``github.com/org/repo flake8``),
else the repository holding ``.sqa/`` itself.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from sqaaas.pipelines import commands, toolci
from sqaaas.pipelines.spec import (
    DEFAULT_IMAGE,
    PipelineSpec,
    Repository,
    SpecError,
    Step,
    When,
    parse_spec,
)
from sqaaas.pipelines.targets import jenkins
from sqaaas.platform import images
from sqaaas.safeparse import ParseError, load_yaml, read_document

MAIN_NAME = "this_repo"
_TOP_KEYS = {"config", "environment", "timeout", "sqa_criteria"}
_CONFIG_KEYS = {"project_repos", "credentials", "node_agent", "deploy_template", "project_name"}
_REPO_KEYS = {"repo", "branch", "dockerhub", "dockertag"}
_CRITERION_KEYS = {"repos", "when"}
_STAGE_KEYS = {"container", "commands", "tox"}
_TOX_KEYS = {"testenv", "tox_file"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class JeplError(SpecError):
    """A JePL configuration or its compose file is invalid."""


@dataclass
class JeplPipeline:
    """The spec read from a JePL configuration, and what could not be mapped."""

    spec: PipelineSpec
    notes: list[str] = field(default_factory=list)
    main_from: str | None = None  # the project_repos key standing for the checkout, if any


@dataclass
class _Service:
    image: str | None
    build: bool
    working_dir: str | None
    mount: str | None
    environment: dict[str, str] = field(default_factory=dict)


def _mapping(value: object, where: str, source: str) -> dict[str, object]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise JeplError(f"{source}: {where}: expected a mapping, got {type(value).__name__}")
    bad = next((k for k in value if not isinstance(k, str)), None)
    if bad is not None:
        raise JeplError(f"{source}: {where}: key {bad!r} is not a string")
    return value


def _text(value: object, where: str, source: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float) or value == "":
        raise JeplError(f"{source}: {where}: expected a non-empty string")
    return str(value)


def _unknown(data: dict[str, object], known: set[str], where: str, notes: list[str]) -> None:
    for key in data:
        if key not in known:
            notes.append(f"{where}{key}: unknown key, ignored")


def _read_yaml(path: Path, what: str) -> object:
    """The data of a JePL file, read and parsed with sqaaas.safeparse's bounds (the file
    comes from a repository: it may be a bomb, huge, or no regular file)."""
    try:
        return load_yaml(read_document(path, kind="YAML"), source=str(path))
    except OSError as exc:
        raise JeplError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    except ParseError as exc:
        if not exc.problem.startswith("invalid YAML: "):  # over a bound, no file, not text
            raise JeplError(str(exc)) from None
        where = f"line {exc.line}: " if exc.line else ""
        problem = exc.problem.removeprefix("invalid YAML: ")
        raise JeplError(f"{path}: not valid YAML: {where}{problem}") from None


def _clean(raw: str) -> str:
    return _UNSAFE.sub("-", raw).strip("-._")[:63] or "stage"


def _safe_name(raw: str, taken: set[str], prefix: str = "") -> str:
    """A valid, unused name for ``raw``; on a clash ``<prefix>-<raw>``, then a number."""
    name = _clean(raw)
    if name in taken and prefix:
        name = _clean(f"{prefix}-{raw}")
    candidate, n = name, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate, n = name[: 63 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def _same_repo(a: str, b: str) -> bool:
    def norm(url: str) -> str:
        url = url.strip().rstrip("/")
        return (url[:-4] if url.endswith(".git") else url).lower()

    return norm(a) == norm(b)


def _services(path: Path | None, notes: list[str]) -> dict[str, _Service] | None:
    if path is None or not path.is_file():
        return None
    source = str(path)
    data = _mapping(_read_yaml(path, "compose file"), "(top level)", source)
    services: dict[str, _Service] = {}
    for name, raw in _mapping(data.get("services"), "services", source).items():
        svc = _mapping(raw, f"services.{name}", source)
        image = svc.get("image")
        mount = None
        for volume in svc.get("volumes") or []:
            if isinstance(volume, dict) and volume.get("source") in ("./", ".", "${PWD}"):
                mount = str(volume.get("target") or "") or None
            elif isinstance(volume, str) and volume.split(":")[0] in ("./", "."):
                mount = volume.split(":")[1] if ":" in volume else None
        services[name] = _Service(
            image=_text(image, f"services.{name}.image", source) if image is not None else None,
            build="build" in svc,
            working_dir=str(svc["working_dir"]) if svc.get("working_dir") else None,
            mount=mount,
            environment=_environment(svc.get("environment")),
        )
    return services


def _environment(raw: object) -> dict[str, str]:
    """A compose service's environment, as a mapping or a list of NAME=value."""
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items() if v is not None}
    if isinstance(raw, list):
        return dict(str(item).partition("=")[::2] for item in raw)  # type: ignore[misc]
    return {}


def _gate_when(env: dict[str, str]) -> When | None:
    """The ``when`` the jenkins target wrote into a service's environment for its gate."""
    comparator = env.get("SQAAAS_WHEN_COMPARATOR", "")
    pattern = env.get("SQAAAS_WHEN_PATTERN", "")
    branch = {"pattern": pattern, "comparator": comparator} if comparator and pattern else None
    try:
        return When.model_validate(
            {"branch": branch, "building_tag": env.get("SQAAAS_WHEN_TAG") == "true"}
        )
    except ValidationError:
        return None


def _compose_path(config: Path, data: dict[str, object]) -> Path:
    template = data.get("deploy_template")
    if isinstance(template, str) and template:
        return config.parent.parent / template
    return config.parent / "docker-compose.yml"


def _unwrap(command: str) -> str:
    """The line inside ``sh -c '<line>'`` (how the jenkins target wraps each command)."""
    try:
        words = shlex.split(command)
    except ValueError:
        return command
    if len(words) == 3 and words[:2] == ["sh", "-c"] and commands.shell_line(words) == command:
        return words[2]
    return command


def _ungated(line: str) -> tuple[str, bool]:
    """A line without the when-gate the jenkins target puts before a conditional step's
    commands, and whether it had it (the condition itself is in the compose service)."""
    prefix = jenkins.gate() + "\n"
    return (line[len(prefix):], True) if line.startswith(prefix) else (line, False)


def _tool_args(line: str, argv: tuple[str, ...]) -> tuple[str, ...] | None:
    """The extra arguments of a tool's CI line (what follows its argv after ``xargs``)."""
    _, found, tail = line.rpartition("xargs -0 -r ")
    try:
        words = shlex.split(tail) if found else []
    except ValueError:
        return None
    return tuple(words[len(argv):]) if tuple(words[: len(argv)]) == argv else None


def _as_check(name: str, criterion: str, lines: list[str], base: dict[str, object]) -> Step | None:
    """The tools or tool step whose install + check lines are exactly ``lines``, if any: the
    tools image already holds those tools, so ``sqaaas run`` runs the checks only."""
    candidates: list[dict[str, object]] = [{}]
    for check in toolci.ci_checks(criterion):
        for line in lines:
            args = _tool_args(line, check.runs[0].argv)
            if args is not None:
                candidates.append({"tool": check.tool.name, "args": args})
    for fields in candidates:
        try:
            step = Step.model_validate({**base, "name": name, **fields})
            expected = [*commands.install_commands(step, criterion),
                        *commands.step_lines(step, criterion)]
        except (ValidationError, SpecError):
            continue
        if lines == expected:
            return step
    return None


def _repeated_stages(criteria: dict[str, object]) -> set[str]:
    """Stage names that more than one criterion uses (the original service's ``this_repo``)."""
    seen: dict[str, int] = {}
    for block in criteria.values():
        stages = block.get("repos") if isinstance(block, dict) else None
        for stage in stages if isinstance(stages, dict) else ():
            seen[str(stage)] = seen.get(str(stage), 0) + 1
    return {stage for stage, count in seen.items() if count > 1}


def _tox_command(raw: dict[str, object], where: str, source: str, notes: list[str]) -> str:
    _unknown(raw, _TOX_KEYS, f"{where}.", notes)
    envs = raw.get("testenv")
    if isinstance(envs, str):
        envs = [e.strip() for e in envs.split(",") if e.strip()]
    if not isinstance(envs, list) or not envs:
        raise JeplError(f"{source}: {where}.testenv: expected a tox environment or a list of them")
    names = [_text(e, f"{where}.testenv", source) for e in envs]
    tox_file = _text(raw.get("tox_file", "tox.ini"), f"{where}.tox_file", source)
    return commands.shell_line(["tox", "-c", tox_file, "-e", ",".join(names)])


def load_jepl(config: Path, *, main_url: str | None = None) -> JeplPipeline:
    """Read ``config`` (and the compose file next to it) into a spec.

    ``main_url`` is the origin of the checkout the pipeline runs on: the project repository
    with that URL (else the first one) stands for the checkout itself.
    """
    source = str(config)
    notes: list[str] = []
    data = _mapping(_read_yaml(config, "JePL configuration"), "(top level)", source)
    if not data:
        raise JeplError(f"{source}: empty configuration")
    _unknown(data, _TOP_KEYS, "", notes)
    cfg = _mapping(data.get("config"), "config", source)
    _unknown(cfg, _CONFIG_KEYS, "config.", notes)
    if cfg.get("credentials"):
        notes.append("config.credentials: not used by sqaaas run (steps get no credentials)")

    taken: set[str] = set()
    repos: dict[str, Repository] = {}
    for key, raw in _mapping(cfg.get("project_repos"), "config.project_repos", source).items():
        where = f"config.project_repos.{key}"
        entry = _mapping(raw, where, source)
        _unknown(entry, _REPO_KEYS, f"{where}.", notes)
        if "repo" not in entry:
            raise JeplError(f"{source}: {where}.repo: missing")
        repos[key] = _repository(key, entry, where, source, taken)
    main_key = next((k for k, r in repos.items() if main_url and _same_repo(r.url, main_url)),
                    None if main_url else next(iter(repos), None))

    services = _services(_compose_path(config, cfg), notes)
    if services is None:
        notes.append("no docker-compose.yml next to the configuration: steps use the tools image")
    criteria = _mapping(data.get("sqa_criteria"), "sqa_criteria", source)
    if not criteria:
        raise JeplError(f"{source}: sqa_criteria: missing or empty")

    steps: dict[str, list[Step]] = {}
    stage_names: set[str] = set()
    subfolders: dict[str, str] = {}
    repeated = _repeated_stages(criteria)
    if repeated:
        notes.append(f"stage names used by several criteria ({', '.join(sorted(repeated))}): "
                     "those steps are named <criterion>-<stage>")
    for criterion, raw in criteria.items():
        where = f"sqa_criteria.{criterion}"
        block = _mapping(raw, where, source)
        _unknown(block, _CRITERION_KEYS, f"{where}.", notes)
        when = _when(block.get("when"), f"{where}.when", source)
        stages = _mapping(block.get("repos"), f"{where}.repos", source)
        if not stages:
            raise JeplError(f"{source}: {where}.repos: missing or empty")
        for stage, settings in stages.items():
            step = _stage(
                criterion, stage, _mapping(settings, f"{where}.repos.{stage}", source),
                when=when, repos=repos, main_key=main_key, services=services,
                name=f"{criterion}-{stage}" if stage in repeated else stage,
                names=stage_names, subfolders=subfolders, source=source, notes=notes,
            )
            if step is not None:
                steps.setdefault(criterion, []).append(step)

    for key, sub in subfolders.items():
        repos[key] = Repository.model_validate({**repos[key].model_dump(), "subfolder": sub})
    main = repos.get(main_key) if main_key else None
    if main is None:
        main = Repository(name=_safe_name(MAIN_NAME, taken), url=main_url or ".")
    others = [r for k, r in repos.items() if k != main_key]
    spec_data = {
        "name": _text(cfg.get("project_name", "jepl"), "config.project_name", source),
        "repositories": [r.model_dump() for r in (main, *others)],
        "environment": {
            str(k): _text(v, f"environment.{k}", source)
            for k, v in _mapping(data.get("environment"), "environment", source).items()
        },
        "criteria": {c: [s.model_dump() for s in group] for c, group in steps.items()},
    }
    if "timeout" in data:
        spec_data["timeout"] = data["timeout"]
    try:
        spec = parse_spec(spec_data, source)
    except SpecError as exc:
        raise JeplError(str(exc)) from None
    return JeplPipeline(spec=spec, notes=notes, main_from=main_key)


def _repository(
    key: str, entry: dict[str, object], where: str, source: str, taken: set[str]
) -> Repository:
    try:
        return Repository(
            name=_safe_name(key, taken),
            url=_text(entry["repo"], f"{where}.repo", source),
            branch=_text(entry.get("branch", "master"), f"{where}.branch", source),
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        raise JeplError(f"{source}: {where}.{err['loc'][0]}: {err['msg']}") from None


def _when(raw: object, where: str, source: str) -> When | None:
    if raw is None:
        return None
    try:
        return When.model_validate(_mapping(raw, where, source))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise JeplError(f"{source}: {where}{'.' + loc if loc else ''}: {err['msg']}") from None


def _stage_repo(
    stage: str, service: _Service | None, repos: dict[str, Repository]
) -> tuple[str | None, str | None]:
    """(project_repos key, or None for the folder holding .sqa/; sub-folder) of a stage."""
    if service and service.working_dir and service.mount:
        rel = posixpath.relpath(posixpath.normpath(service.working_dir), service.mount)
        if not rel.startswith(".."):
            parts = [] if rel == "." else rel.split("/")
            for n in range(len(parts), 0, -1):
                key = "/".join(parts[:n])
                if key in repos:
                    return key, "/".join(parts[n:]) or None
    for key in (stage, stage.split(" ")[0]):
        if key in repos:
            return key, None
    return None, None


def _stage(
    criterion: str,
    stage: str,
    settings: dict[str, object],
    *,
    when: When | None,
    name: str,
    repos: dict[str, Repository],
    main_key: str | None,
    services: dict[str, _Service] | None,
    names: set[str],
    subfolders: dict[str, str],
    source: str,
    notes: list[str],
) -> Step | None:
    where = f"sqa_criteria.{criterion}.repos.{stage}"
    _unknown(settings, _STAGE_KEYS, f"{where}.", notes)
    if "commands" in settings and "tox" in settings:
        raise JeplError(f"{source}: {where}: give either 'commands' or 'tox', not both")
    if "tox" in settings:
        tox = _mapping(settings["tox"], f"{where}.tox", source)
        lines = [_tox_command(tox, f"{where}.tox", source, notes)]
        container = settings.get("container", "tox")
    elif "commands" in settings:
        raw = settings["commands"]
        if not isinstance(raw, list) or not raw:
            raise JeplError(f"{source}: {where}.commands: expected a non-empty list of commands")
        lines = [_text(c, f"{where}.commands[{i}]", source) for i, c in enumerate(raw)]
        container = settings.get("container")
        if container is None:
            raise JeplError(f"{source}: {where}.container: missing (commands need a service)")
    else:
        raise JeplError(f"{source}: {where}: needs 'commands' or 'tox'")
    container = _text(container, f"{where}.container", source)
    if stage == jenkins.ASSESS_STAGE and any(
        _unwrap(line).startswith(f"{commands.SQAAAS} assess ") for line in lines
    ):
        notes.append(f"{where}: the full sqaaas assess stage is not run here: run "
                     "'sqaaas assess' on this machine for its verdict")
        return None

    service = None
    image = DEFAULT_IMAGE
    if services is not None:
        service = services.get(container)
        if service is None:
            raise JeplError(
                f"{source}: {where}.container: no service {container!r} in the compose file"
            )
        if service.image:
            image = service.image
        elif service.build:
            image = images.tools_image()
            notes.append(f"{where}: service {container!r} is built from a Dockerfile; "
                         "sqaaas run builds no images, so it runs in the tools image")
    repo_key, subfolder = _stage_repo(stage, service, repos)
    if repo_key is not None and subfolder:
        known = subfolders.setdefault(repo_key, subfolder)
        if known != subfolder:
            notes.append(f"{where}: sub-folder {subfolder!r} differs from {known!r} of another "
                         f"stage of {repo_key!r}; {known!r} is used")
    if repo_key == main_key:
        repo_key = None
    wanted, name = name, _safe_name(name, names, prefix=criterion)
    if name != wanted:
        notes.append(f"{where}: step named {name!r}")
    unwrapped = [_ungated(_unwrap(line)) for line in lines]
    if unwrapped and all(gated for _, gated in unwrapped) and when is None and service:
        when = _gate_when(service.environment)  # the jenkins target's gate: its condition
    if when is not None:  # sqaaas run evaluates the condition itself
        unwrapped = [(line, False) for line, _ in unwrapped]
    base: dict[str, object] = {
        "image": image,
        "when": when.model_dump() if when else None,
        "repository": repos[repo_key].name if repo_key else None,
    }
    unwrapped = [line if not gated else jenkins.gate() + "\n" + line for line, gated in unwrapped]
    if (check := _as_check(name, criterion, unwrapped, base)) is not None:
        return check
    try:
        return Step.model_validate({**base, "name": name, "commands": tuple(unwrapped)})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise JeplError(f"{source}: {where}: {err['msg']}") from None
