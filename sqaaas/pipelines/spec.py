"""The pipeline spec: what to check, where, and under which conditions, as validated data.

One spec renders to every CI target and runs locally with ``sqaaas run``; each target only
changes the syntax, never the checks (a step runs the registry tools of its criterion, one
of them, or the user's raw commands: see commands.py), so CI and local verdicts agree.
"""

from __future__ import annotations

import re
from enum import StrEnum
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sqaaas.errors import SqaaasError
from sqaaas.pipelines import DEFAULT_SPEC_FILE as _SPEC_FILE
from sqaaas.safeparse import ParseError, load_json, load_yaml, read_document

SPEC_VERSION = 1
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
_CRITERION = re.compile(r"^[A-Za-z]+\.[A-Za-z]+$")
DEFAULT_IMAGE = "python:3.11-slim"
DEFAULT_SPEC_FILE = _SPEC_FILE  # re-exported for the modules that read specs


class SpecError(SqaaasError):
    """A pipeline spec (YAML/JSON, a JePL config) is invalid."""


class Comparator(StrEnum):
    EQUALS = "EQUALS"
    GLOB = "GLOB"
    REGEXP = "REGEXP"


def _check_name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError("use letters, digits, '.', '_' or '-' (at most 63)")
    return value


#: repository and step names: safe as folder names, compose services and YAML keys
Name = Annotated[str, AfterValidator(_check_name)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BranchCondition(_Strict):
    pattern: str = Field(min_length=1, max_length=200)
    comparator: Comparator = Comparator.EQUALS

    @model_validator(mode="after")
    def _regexp_compiles(self) -> BranchCondition:
        if self.comparator is Comparator.REGEXP:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"invalid regular expression: {exc}") from None
        return self

    def matches(self, branch: str) -> bool:
        """EQUALS: the same name; GLOB: shell-style pattern where ``*`` also matches ``/``;
        REGEXP: the whole name matches."""
        if self.comparator is Comparator.EQUALS:
            return branch == self.pattern
        if self.comparator is Comparator.GLOB:
            return fnmatchcase(branch, self.pattern)
        return re.fullmatch(self.pattern, branch) is not None


class When(_Strict):
    """Run a step only on matching branches and/or when building a tag (JePL semantics)."""

    branch: BranchCondition | None = None
    building_tag: bool = False

    def matches(self, branch: str | None, building_tag: bool) -> bool:
        """Whether the step runs: when any given condition holds (a tag build satisfies
        ``building_tag``; the current branch satisfies ``branch``); with no condition, always.

        The generated CI files test the same rule in shell (see commands.WHEN_GATE).
        """
        if self.building_tag and building_tag:
            return True
        if self.branch is None:
            return not self.building_tag
        return branch is not None and self.branch.matches(branch)


class Repository(_Strict):
    name: Name = Field(description="short name, used for folders and JePL project_repos keys")
    url: str = Field(min_length=1, max_length=2000)
    branch: str = Field("main", min_length=1, max_length=200)
    subfolder: str | None = None

    @field_validator("subfolder")
    @classmethod
    def _inside(cls, value: str | None) -> str | None:
        if value is not None and (value.startswith("/") or ".." in Path(value).parts):
            raise ValueError("subfolder must be a relative path inside the repository")
        return value


class Step(_Strict):
    """One stage: either the sqaaas check of its criterion (default), a registry tool, or
    raw commands in an image."""

    name: Name
    tool: str | None = Field(None, description="a tool of criteria/tools.yml")
    args: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    image: str = DEFAULT_IMAGE
    network: bool = Field(False, description="network inside the step when run locally")
    timeout: int = Field(1800, gt=0, le=86_400)
    when: When | None = None
    repository: str | None = Field(None, description="repository name; default the first")

    @model_validator(mode="after")
    def _one_kind(self) -> Step:
        if self.tool and self.commands:
            raise ValueError("give either 'tool' or 'commands', not both")
        return self


class PipelineSpec(_Strict):
    version: int = SPEC_VERSION
    name: str = "sqaaas"
    repositories: tuple[Repository, ...] = Field(min_length=1)
    environment: dict[str, str] = Field(default_factory=dict)
    timeout: int = Field(3600, gt=0, le=86_400)
    criteria: dict[str, tuple[Step, ...]] = Field(min_length=1)
    sqaaas_requirement: str | None = Field(
        None,
        min_length=1,
        max_length=500,
        description="pip requirement installing sqaaas in CI (a URL, or a version pin once "
        "sqaaas is published): adds a step running the full 'sqaaas assess' with its JSON and "
        "SARIF reports; without it the steps run the registry tools only",
    )
    fail_under: str | None = Field(
        None,
        description="badge level the sqaaas assess step must reach (bronze, silver, gold); "
        "needs sqaaas_requirement",
    )

    @field_validator("version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value != SPEC_VERSION:
            raise ValueError(f"this sqaaas reads pipeline spec version {SPEC_VERSION}")
        return value

    @field_validator("environment")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,127}", key):
                raise ValueError(f"invalid environment variable name {key!r}")
        return value

    @field_validator("sqaaas_requirement")
    @classmethod
    def _requirement(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            name = Requirement(value).name
        except InvalidRequirement as exc:
            raise ValueError(f"not a pip requirement: {exc}") from None
        if name.lower() != "sqaaas":
            raise ValueError(f"must install sqaaas, not {name!r}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> PipelineSpec:
        if self.fail_under is not None and self.sqaaas_requirement is None:
            raise ValueError("fail_under needs sqaaas_requirement (the sqaaas assess step)")
        names = [r.name for r in self.repositories]
        if len(set(names)) != len(names):
            raise ValueError("repository names must be unique")
        stages: set[str] = set()
        for criterion, steps in self.criteria.items():
            if not _CRITERION.match(criterion):
                raise ValueError(f"{criterion!r} is not a criterion id like QC.Sty")
            for step in steps:
                if step.repository and step.repository not in names:
                    raise ValueError(f"step {step.name}: unknown repository {step.repository!r}")
                if step.name in stages:
                    raise ValueError(f"step name {step.name!r} is used twice")
                stages.add(step.name)
        return self

    @property
    def main(self) -> Repository:
        return self.repositories[0]


def load_spec(path: Path) -> PipelineSpec:
    """Read a spec from YAML or JSON, with errors naming the file and the field.

    Read and parsed with sqaaas.safeparse's bounds: a spec may come from a repository.
    """
    kind = "JSON" if path.suffix == ".json" else "YAML"
    try:
        text = read_document(path, kind=kind)
        raw = (load_json if kind == "JSON" else load_yaml)(text, source=str(path))
    except OSError as exc:
        raise SpecError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ParseError as exc:
        raise SpecError(str(exc)) from None
    return parse_spec(raw, str(path))


def parse_spec(raw: object, source: str = "spec") -> PipelineSpec:
    if not isinstance(raw, dict):
        raise SpecError(f"{source}: expected a mapping")
    try:
        return PipelineSpec.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise SpecError(f"{source}: {where}: {err['msg']}") from None


def dump_spec(spec: PipelineSpec) -> str:
    """YAML text of a spec (what `sqaaas pipeline init` writes)."""
    data = spec.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
