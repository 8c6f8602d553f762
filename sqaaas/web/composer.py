"""The pipeline composer's form, both ways: submitted fields -> PipelineSpec, and a spec ->
the values the form shows.

The field names, the rows the form holds and the route from a validation error back to the
field at fault all live here, so the template, the parser and the error display cannot
drift apart. The spec's own validators (sqaaas.pipelines.spec) stay the only rules; this
module adds only what a form needs (blank rows, names derived when left empty, friendlier
messages for a few common slips).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from pydantic import ValidationError

from sqaaas.acquire import check_url
from sqaaas.core.catalogue import default_catalogue
from sqaaas.errors import SqaaasError
from sqaaas.pipelines import DEFAULT_TARGET, TARGETS, commands, toolci
from sqaaas.pipelines.commands import StepKind
from sqaaas.pipelines.init import repository_name, step_name
from sqaaas.pipelines.spec import (
    DEFAULT_IMAGE,
    Comparator,
    PipelineSpec,
    SpecError,
    Step,
    When,
)

#: rows kept from one submission (more are dropped: a form is not a bulk interface)
MAX_REPOSITORIES = 10
MAX_ENVIRONMENT = 30
MAX_STEPS = 10
#: blank rows offered for typing into, beyond the filled ones (JavaScript can add more)
MIN_REPOSITORY_ROWS = 3
MIN_ENVIRONMENT_ROWS = 2

GENERAL = "form"  # errors that belong to no single field
NAME, TARGET, TIMEOUT, REQUIREMENT = "name", "target", "timeout", "sqaaas_requirement"
FAIL_UNDER = "fail_under"
CRITERIA, REPOSITORIES, ENVIRONMENT = "criteria", "repositories", "environment"
ORDER = "criteria_order"  # hidden: the order of a loaded spec's criteria (steps run in it)
KINDS = tuple(kind.value for kind in StepKind)
COMPARATORS = tuple(c.value for c in Comparator)
DEFAULT_STEP_TIMEOUT = Step.model_fields["timeout"].default

_ROW = re.compile(r"^(repo|env)-(\d{1,4})-(\w+)$")
_STEP = re.compile(r"^step-([A-Za-z]+\.[A-Za-z]+)-(\d{1,4})-(\w+)$")


def repo_field(index: int, key: str) -> str:
    return f"repo-{index}-{key}"


def env_field(index: int, key: str) -> str:
    return f"env-{index}-{key}"


def when_field(criterion: str, key: str) -> str:
    return f"when-{criterion}-{key}"


def step_field(criterion: str, index: int, key: str) -> str:
    return f"step-{criterion}-{index}-{key}"


@dataclass
class RepoRow:
    name: str = ""
    url: str = ""
    branch: str = ""
    subfolder: str = ""

    def blank(self) -> bool:
        return not (self.name or self.url or self.branch or self.subfolder)


@dataclass
class EnvRow:
    name: str = ""
    value: str = ""

    def blank(self) -> bool:
        return not (self.name or self.value)


@dataclass
class StepRow:
    """One step as typed: ``kind`` picks which of tool/args or commands is used."""

    name: str = ""
    kind: str = StepKind.TOOLS.value
    tool: str = ""
    args: str = ""  # one argument per line
    commands: str = ""  # one command per line
    image: str = ""  # blank: the spec's default image
    repository: str = "0"  # index of the repository row
    timeout: str = ""
    network: bool = False

    def blank(self) -> bool:
        typed = (self.name, self.tool, self.args, self.commands, self.image, self.timeout)
        elsewhere = self.repository not in ("", "0")
        return self.kind == StepKind.TOOLS.value and not (any(typed) or self.network or elsewhere)


@dataclass
class CriterionRows:
    """A criterion of the catalogue: whether it is chosen, its ``when``, its steps."""

    chosen: bool = False
    when_pattern: str = ""
    when_comparator: str = Comparator.EQUALS.value
    when_tag: bool = False
    steps: list[StepRow] = field(default_factory=list)


@dataclass
class ComposerForm:
    """Every value of the form, as text, exactly as entered (so errors can show it again)."""

    name: str = "sqaaas"
    target: str = DEFAULT_TARGET
    timeout: str = "3600"
    requirement: str = ""  # empty: no sqaaas assess step (sqaaas is not on PyPI)
    fail_under: str = ""  # the badge level the sqaaas assess step must reach; empty: none
    repositories: list[RepoRow] = field(default_factory=list)
    environment: list[EnvRow] = field(default_factory=list)
    criteria: dict[str, CriterionRows] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # chosen criteria first, in this order
    unknown_criteria: list[str] = field(default_factory=list)  # only a forged form has them


@dataclass(frozen=True)
class ToolChoice:
    name: str
    label: str


@dataclass(frozen=True)
class CriterionChoice:
    id: str
    title: str
    description: str
    tools: tuple[ToolChoice, ...]


Errors = dict[str, list[str]]


@cache
def criterion_choices() -> tuple[CriterionChoice, ...]:
    """Criteria of the software baseline, each with the registry tools that decide it in CI."""
    return tuple(
        CriterionChoice(
            id=c.id,
            title=c.title,
            description=c.description,
            tools=tuple(
                ToolChoice(t.name, f"{t.title} ({', '.join(t.languages)})")
                for t in toolci.tools_of(c.id)
            ),
        )
        for c in default_catalogue().of_baseline("software")
    )


def blank_form() -> ComposerForm:
    return ComposerForm(criteria={c.id: CriterionRows() for c in criterion_choices()})


# --- submitted fields -> form -----------------------------------------------------------------


class FormData(Protocol):
    """What the parser needs of a submitted form (Starlette's FormData is one)."""

    def __iter__(self) -> Iterator[str]: ...

    def get(self, key: str, default: object = None) -> object: ...

    def getlist(self, key: str) -> list[object]: ...


def _text(value: object) -> str:
    """A submitted value as text: a file upload where text belongs counts as empty."""
    return value if isinstance(value, str) else ""


def _rows(found: dict[int, dict[str, str]], limit: int) -> list[dict[str, str]]:
    """Rows in index order, densely re-numbered (a removed row leaves no gap)."""
    return [found[i] for i in sorted(found)[:limit]]


def parse_form(data: FormData) -> ComposerForm:
    """The form as submitted; unknown fields and rows beyond the limits are ignored."""
    form = blank_form()
    form.name = _text(data.get(NAME)).strip()
    form.target = _text(data.get(TARGET))
    form.timeout = _text(data.get(TIMEOUT)).strip()
    form.requirement = _text(data.get(REQUIREMENT)).strip()
    form.fail_under = _text(data.get(FAIL_UNDER)).strip()
    rows: dict[str, dict[int, dict[str, str]]] = {"repo": {}, "env": {}}
    steps: dict[str, dict[int, dict[str, str]]] = {cid: {} for cid in form.criteria}
    for key in data:
        if m := _ROW.match(key):
            rows[m[1]].setdefault(int(m[2]), {})[m[3]] = _text(data.get(key))
        elif (m := _STEP.match(key)) and m[1] in steps:
            steps[m[1]].setdefault(int(m[2]), {})[m[3]] = _text(data.get(key))
    form.repositories = [
        RepoRow(**{k: v.strip() for k, v in row.items() if k in RepoRow.__dataclass_fields__})
        for row in _rows(rows["repo"], MAX_REPOSITORIES)
    ]
    form.environment = [
        EnvRow(name=row.get("name", "").strip(), value=row.get("value", ""))
        for row in _rows(rows["env"], MAX_ENVIRONMENT)
    ]
    chosen = {_text(v) for v in data.getlist(CRITERIA)}
    form.unknown_criteria = sorted(chosen - set(form.criteria))[:5]
    order = _text(data.get(ORDER)).split(",")
    form.order = [cid for cid in dict.fromkeys(order) if cid in form.criteria]
    for cid, block in form.criteria.items():
        block.chosen = cid in chosen
        block.when_pattern = _text(data.get(when_field(cid, "pattern")))
        block.when_comparator = _text(data.get(when_field(cid, "comparator"))) or "EQUALS"
        block.when_tag = data.get(when_field(cid, "tag")) is not None
        block.steps = [_step_row(row) for row in _rows(steps[cid], MAX_STEPS)]
    return form


def _step_row(row: dict[str, str]) -> StepRow:
    return StepRow(
        name=row.get("name", "").strip(),
        kind=row.get("kind", StepKind.TOOLS.value),
        tool=row.get("tool", ""),
        args=row.get("args", ""),
        commands=row.get("commands", ""),
        image=row.get("image", "").strip(),
        repository=row.get("repository", "0"),
        timeout=row.get("timeout", "").strip(),
        network="network" in row,
    )


# --- form -> spec -----------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass
class _Build:
    """The raw spec being built, and which form row each spec item came from."""

    errors: Errors = field(default_factory=dict)
    repo_rows: list[int] = field(default_factory=list)
    step_rows: dict[str, list[int]] = field(default_factory=dict)
    env_names: list[str] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        if message not in self.errors.setdefault(name, []):
            self.errors[name].append(message)


def _repositories(form: ComposerForm, build: _Build) -> tuple[list[dict[str, object]], list[str]]:
    """Raw repositories, and the spec name of every form row ('' for a blank row)."""
    raw: list[dict[str, object]] = []
    names: list[str] = []
    for i, row in enumerate(form.repositories):
        if row.blank():
            names.append("")
            continue
        if not row.url:
            build.error(repo_field(i, "url"), "give the repository URL")
        else:
            try:
                check_url(row.url)
            except SqaaasError as exc:
                build.error(repo_field(i, "url"), str(exc))
        name = row.name or repository_name(row.url)
        names.append(name)
        repo: dict[str, object] = {"name": name, "url": row.url}
        if row.branch:
            repo["branch"] = row.branch
        if row.subfolder:
            repo["subfolder"] = row.subfolder
        raw.append(repo)
        build.repo_rows.append(i)
    if not raw and not build.errors:
        build.error(repo_field(0, "url"), "give at least the main repository")
    return raw, names


def _auto_name(criterion: str, row: StepRow, taken: set[str]) -> str:
    """A unique step name when none was typed: qc_sty, qc_sty_ruff, qc_uni_commands..."""
    base = step_name(criterion)
    if row.kind == StepKind.TOOL.value and row.tool:
        base = f"{base}_{row.tool}"
    elif row.kind == StepKind.COMMANDS.value:
        base = f"{base}_commands"
    name, n = base[:60], 2
    while name in taken:
        name, n = f"{base[:56]}_{n}", n + 1
    taken.add(name)
    return name


def _step(
    criterion: str, j: int, row: StepRow, name: str, repo_names: list[str], build: _Build
) -> dict[str, object]:
    raw: dict[str, object] = {"name": name}
    if row.kind == StepKind.TOOL.value:
        if not row.tool:
            build.error(step_field(criterion, j, "tool"), "choose a tool")
        raw["tool"] = row.tool or None
        if args := _lines(row.args):
            raw["args"] = args
    elif row.kind == StepKind.COMMANDS.value:
        if not (lines := _lines(row.commands)):
            build.error(step_field(criterion, j, "commands"), "give at least one command")
        raw["commands"] = lines
    elif row.kind != StepKind.TOOLS.value:
        build.error(step_field(criterion, j, "kind"), "choose what the step runs")
    if row.image:
        raw["image"] = row.image
    if row.timeout:
        raw["timeout"] = row.timeout
    if row.network:
        raw["network"] = True
    if row.repository not in ("", "0"):
        index = int(row.repository) if row.repository.isdigit() else -1
        if not 0 <= index < len(repo_names) or not repo_names[index]:
            build.error(step_field(criterion, j, "repository"), "that repository row is empty")
        else:
            raw["repository"] = repo_names[index]
    return raw


def _when(block: CriterionRows) -> dict[str, object] | None:
    when: dict[str, object] = {}
    if block.when_pattern:
        when["branch"] = {"pattern": block.when_pattern, "comparator": block.when_comparator}
    if block.when_tag:
        when["building_tag"] = True
    return when or None


def _criteria(
    form: ComposerForm, repo_names: list[str], build: _Build
) -> dict[str, list[dict[str, object]]]:
    ordered = dict.fromkeys([*form.order, *form.criteria])
    chosen = {cid: form.criteria[cid] for cid in ordered if form.criteria[cid].chosen}
    taken = {row.name for b in chosen.values() for row in b.steps if row.name and not row.blank()}
    raw: dict[str, list[dict[str, object]]] = {}
    for cid, block in chosen.items():
        used = [(j, row) for j, row in enumerate(block.steps) if not row.blank()]
        when = _when(block)
        steps = []
        for j, row in used:
            name = row.name or _auto_name(cid, row, taken)
            steps.append(_step(cid, j, row, name, repo_names, build))
        if not steps:
            steps.append({"name": _auto_name(cid, StepRow(), taken)})
            used = [(-1, StepRow())]
        if when:
            steps = [{**step, "when": when} for step in steps]
        raw[cid] = steps
        build.step_rows[cid] = [j for j, _ in used]
    for cid in form.unknown_criteria:
        build.error(CRITERIA, f"unknown criterion {cid} (see 'sqaaas criteria')")
    if not raw:
        build.error(CRITERIA, "choose at least one criterion")
    return raw


def _environment(form: ComposerForm, build: _Build) -> dict[str, str]:
    env: dict[str, str] = {}
    for i, row in enumerate(form.environment):
        if row.blank():
            continue
        if not row.name:
            build.error(env_field(i, "name"), "give the variable's name")
        elif row.name in env:
            build.error(env_field(i, "name"), f"{row.name} is set twice")
        else:
            env[row.name] = row.value
            build.env_names.append(row.name)
    return env


def _error_field(loc: tuple[int | str, ...], build: _Build) -> str:
    """The form field a pydantic error location points at."""
    match loc:
        case ("repositories", int(i), str(key), *_) if i < len(build.repo_rows):
            return repo_field(build.repo_rows[i], key)
        case ("criteria", str(cid), int(_), "when", *_):
            return when_field(cid, "pattern")
        case ("criteria", str(cid), int(j), str(key), *_) if cid in build.step_rows:
            return step_field(cid, max(build.step_rows[cid][j], 0), key)
        case ("criteria", str(cid), int(j)) if cid in build.step_rows:
            return step_field(cid, max(build.step_rows[cid][j], 0), "kind")
        case ("sqaaas_requirement", *_):
            return REQUIREMENT
        case ("fail_under", *_):
            return FAIL_UNDER
        case (str(top), *_) if top in (NAME, TIMEOUT, CRITERIA, REPOSITORIES, ENVIRONMENT):
            return top
    return GENERAL


def _message(error: Mapping[str, object]) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


def _check_tools(spec: PipelineSpec, build: _Build) -> None:
    """Registry checks the spec model cannot make: the tool exists and checks its criterion,
    and a criterion's registry tools exist where a step runs them all."""
    for cid, steps in spec.criteria.items():
        for j, step in enumerate(steps):
            kind = commands.step_kind(step)
            if kind is StepKind.COMMANDS:
                continue
            try:
                if kind is StepKind.TOOL:
                    commands.registry_tool(step, cid)
                else:
                    commands.validate(spec.model_copy(update={"criteria": {cid: (step,)}}))
            except SpecError as exc:
                row = max(build.step_rows[cid][j], 0)
                field_name = "tool" if kind is StepKind.TOOL else "kind"
                build.error(step_field(cid, row, field_name), str(exc).split(": ", 1)[-1])


def to_spec(form: ComposerForm) -> tuple[PipelineSpec | None, Errors]:
    """The spec the form describes, or None and the errors keyed by field name."""
    build = _Build()
    if form.target not in TARGETS:
        build.error(TARGET, f"choose one of {', '.join(TARGETS)}")
    repositories, repo_names = _repositories(form, build)
    raw: dict[str, object] = {
        "name": form.name or "sqaaas",
        "repositories": repositories,
        "environment": _environment(form, build),
        "criteria": _criteria(form, repo_names, build),
        "sqaaas_requirement": form.requirement or None,
        "fail_under": form.fail_under or None,
    }
    if form.fail_under and form.fail_under not in default_catalogue().level_names:
        build.error(FAIL_UNDER, f"choose one of {', '.join(default_catalogue().level_names)}")
    if form.timeout:
        raw["timeout"] = form.timeout
    try:
        spec = PipelineSpec.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            build.error(_error_field(tuple(error["loc"]), build), _message(error))
        return None, build.errors
    _check_tools(spec, build)
    return (None, build.errors) if build.errors else (spec, {})


# --- spec -> form -----------------------------------------------------------------------------


def _when_of(criterion: str, steps: Iterable[Step]) -> When | None:
    whens = {step.when for step in steps}
    if len(whens) > 1:
        raise SpecError(
            f"criteria.{criterion}: its steps have different 'when' conditions; the composer "
            "sets one condition per criterion (as Jenkins/JePL does)"
        )
    return next(iter(whens), None)


def from_spec(spec: PipelineSpec, target: str = DEFAULT_TARGET) -> ComposerForm:
    """The form showing ``spec``; SpecError for what the form cannot express."""
    unknown = [cid for cid in spec.criteria if cid not in {c.id for c in criterion_choices()}]
    if unknown:
        raise SpecError(f"criteria: unknown criterion {unknown[0]} (see 'sqaaas criteria')")
    form = blank_form()
    form.name = spec.name
    form.target = target
    form.timeout = str(spec.timeout)
    form.requirement = spec.sqaaas_requirement or ""
    form.fail_under = spec.fail_under or ""
    form.repositories = [
        RepoRow(name=r.name, url=r.url, branch=r.branch, subfolder=r.subfolder or "")
        for r in spec.repositories
    ]
    form.environment = [EnvRow(name=k, value=v) for k, v in spec.environment.items()]
    form.order = list(spec.criteria)
    index = {r.name: str(i) for i, r in enumerate(spec.repositories)}
    for cid, steps in spec.criteria.items():
        block = form.criteria[cid]
        block.chosen = True
        when = _when_of(cid, steps)
        if when is not None:
            if when.branch is not None:
                block.when_pattern = when.branch.pattern
                block.when_comparator = when.branch.comparator.value
            block.when_tag = when.building_tag
        block.steps = [
            StepRow(
                name=step.name,
                kind=commands.step_kind(step).value,
                tool=step.tool or "",
                args="\n".join(step.args),
                commands="\n".join(step.commands),
                image="" if step.image == DEFAULT_IMAGE else step.image,
                repository=index.get(step.repository or "", "0"),
                timeout="" if step.timeout == DEFAULT_STEP_TIMEOUT else str(step.timeout),
                network=step.network,
            )
            for step in steps
        ]
    return form


# --- what the page shows ----------------------------------------------------------------------

_LABELS = {
    NAME: "Pipeline name",
    TARGET: "CI system",
    TIMEOUT: "Pipeline timeout",
    REQUIREMENT: "sqaaas requirement",
    FAIL_UNDER: "Badge level to reach",
    CRITERIA: "Criteria",
    REPOSITORIES: "Repositories",
    ENVIRONMENT: "Environment variables",
    "spec": "Spec",
}
_WHEN = re.compile(r"^when-([A-Za-z]+\.[A-Za-z]+)-(\w+)$")


def describe(name: str) -> str:
    """Where a field is, for people: ``step-QC.Sty-0-tool`` -> ``QC.Sty, step 1: tool``."""
    if name in _LABELS:
        return _LABELS[name]
    if m := _ROW.match(name):
        what = "Repository" if m[1] == "repo" else "Environment variable"
        return f"{what} {int(m[2]) + 1}: {m[3]}"
    if m := _STEP.match(name):
        return f"{m[1]}, step {int(m[2]) + 1}: {m[3]}"
    if m := _WHEN.match(name):
        return f"{m[1]}, run only when: {m[2]}"
    return name


def for_display(form: ComposerForm) -> ComposerForm:
    """The form with blank rows to type into: at least the minimum, and one spare."""
    form.repositories += [
        RepoRow()
        for _ in range(max(MIN_REPOSITORY_ROWS - len(form.repositories), _spare(form.repositories)))
    ]
    form.environment += [
        EnvRow()
        for _ in range(max(MIN_ENVIRONMENT_ROWS - len(form.environment), _spare(form.environment)))
    ]
    for block in form.criteria.values():
        block.steps += [StepRow() for _ in range(_spare(block.steps))]
    return form


def _spare(rows: list[RepoRow] | list[EnvRow] | list[StepRow]) -> int:
    """1 when every row is filled (and the limit allows another), else 0."""
    limit = {RepoRow: MAX_REPOSITORIES, EnvRow: MAX_ENVIRONMENT, StepRow: MAX_STEPS}
    if rows and len(rows) >= limit[type(rows[0])]:
        return 0
    return 0 if rows and rows[-1].blank() else 1
