"""Per-repository configuration: ``.sqaaas.yml`` or ``[tool.sqaaas]`` in pyproject.toml.

Skipping anything requires a written reason, which the report shows next to the skip.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sqaaas.errors import ConfigError
from sqaaas.repofs import RepoFS, UnsafePathError

CONFIG_FILES = (".sqaaas.yml", ".sqaaas.yaml")


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    coverage: float = Field(70.0, ge=0, le=100, description="QC.Uni01 line coverage, percent")
    readme_min_words: int = Field(50, ge=0, description="QC.Doc06.1: fewer words is a stub")


class RepoConfig(BaseModel):
    """Validated settings; every field has a safe default so no file is needed."""

    model_config = ConfigDict(extra="forbid")

    skip: dict[str, str] = Field(default_factory=dict)
    subfolder: str | None = None
    thresholds: Thresholds = Field(default_factory=Thresholds)
    public_forges: list[str] = Field(default_factory=list)
    source: str | None = None  # where it was read from, for evidence

    @field_validator("skip")
    @classmethod
    def _reasons_required(cls, value: dict[str, str]) -> dict[str, str]:
        for key, reason in value.items():
            if not isinstance(reason, str) or len(reason.strip()) < 5:
                raise ValueError(f"skipping {key} needs a written reason (a sentence)")
        return value

    @field_validator("subfolder")
    @classmethod
    def _relative(cls, value: str | None) -> str | None:
        if value is not None and (value.startswith("/") or ".." in Path(value).parts):
            raise ValueError("subfolder must be a path inside the repository")
        return value


def load_config(fs: RepoFS) -> RepoConfig:
    """Read the repository's configuration, or defaults when it has none."""
    for name in CONFIG_FILES:
        if fs.is_file(name):
            return _parse_yaml(fs, name)
    if fs.is_file("pyproject.toml"):
        try:
            data = tomllib.loads(fs.read_text("pyproject.toml").text)
        except (tomllib.TOMLDecodeError, OSError, UnsafePathError):
            return RepoConfig()  # an unreadable pyproject is QC.Del's business, not config
        section = data.get("tool", {}).get("sqaaas")
        if section is not None:
            return _validate(section, "pyproject.toml [tool.sqaaas]")
    return RepoConfig()


def _parse_yaml(fs: RepoFS, name: str) -> RepoConfig:
    try:
        raw = yaml.safe_load(fs.read_text(name, limit=200_000).text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{name}{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    except (OSError, UnsafePathError) as exc:
        raise ConfigError(f"{name}: cannot read: {exc}") from None
    return _validate(raw if raw is not None else {}, name)


def _validate(raw: object, source: str) -> RepoConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping of settings")
    try:
        return RepoConfig.model_validate({**raw, "source": source})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{source}: {where}: {err['msg']}") from None
