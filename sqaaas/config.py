"""Per-repository configuration: ``.sqaaas.yml`` or ``[tool.sqaaas]`` in pyproject.toml.

Skipping anything requires a written reason, which the report shows next to the skip.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sqaaas.errors import ConfigError
from sqaaas.repofs import RepoFS, UnsafePathError
from sqaaas.safeparse import Limits, ParseError, load_toml, load_yaml

CONFIG_FILES = (".sqaaas.yml", ".sqaaas.yaml")
_MAX_CONFIG_BYTES = 200_000


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    coverage: float = Field(70.0, ge=0, le=100, description="QC.Uni01 line coverage, percent")
    readme_min_words: int = Field(
        50, ge=0, description="QC.Doc06.1 reports fewer words as short (evidence, not a gate)"
    )


class SecurityScope(BaseModel):
    """Which files QC.Sec02 (SAST, secrets) judges. By default tests, fixtures, examples,
    docs and vendored third-party code are left out (sqaaas/facts/scope.py); a repository
    can leave out more (``exclude``), bring paths back (``include``) or drop the defaults."""

    model_config = ConfigDict(extra="forbid")

    default_excludes: bool = Field(
        True, description="leave out tests, fixtures, examples, docs and vendored code"
    )
    exclude: list[str] = Field(default_factory=list, max_length=100)
    include: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("exclude", "include")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if not pattern.strip() or len(pattern) > 200:
                raise ValueError("a path pattern is a non-empty string of at most 200 characters")
            if pattern.startswith(("/", "~")) or ".." in pattern.split("/"):
                raise ValueError(f"{pattern!r}: patterns are paths inside the repository")
        return value


class RepoConfig(BaseModel):
    """Validated settings; every field has a safe default so no file is needed."""

    model_config = ConfigDict(extra="forbid")

    skip: dict[str, str] = Field(default_factory=dict)
    subfolder: str | None = None
    thresholds: Thresholds = Field(default_factory=Thresholds)
    public_forges: list[str] = Field(default_factory=list)
    security: SecurityScope = Field(default_factory=SecurityScope)
    source: str | None = None  # where it was read from, for evidence

    def with_subfolder(self, subfolder: str) -> RepoConfig:
        """This config assessing ``subfolder`` instead (a request's choice overrides the file's),
        validated as a file's would be."""
        return type(self).model_validate({**self.model_dump(), "subfolder": subfolder})

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
            file = fs.read_text("pyproject.toml")
            data = load_toml(file.text, source="pyproject.toml", size=file.size)
        except (ParseError, OSError, UnsafePathError):
            # Unreadable, invalid or over a parsing bound (sqaaas.safeparse): that is
            # QC.Del's business (an error or fail there), not config.
            return RepoConfig()
        tool = data.get("tool")
        section = tool.get("sqaaas") if isinstance(tool, dict) else None
        if section is not None:
            return _validate(section, "pyproject.toml [tool.sqaaas]")
    return RepoConfig()


def _parse_yaml(fs: RepoFS, name: str) -> RepoConfig:
    """The settings of a ``.sqaaas.yml``; ConfigError (one line, exit 2) when unreadable.

    Read with sqaaas.safeparse: syntax errors, values PyYAML cannot build (a date like
    2024-13-45) and files over a parsing bound (alias bombs, nesting, integers of thousands
    of digits, size) are all a ConfigError naming the file, the line or the limit.
    """
    try:
        file = fs.read_text(name, limit=_MAX_CONFIG_BYTES)
        raw = load_yaml(
            file.text, source=name, limits=Limits(max_bytes=_MAX_CONFIG_BYTES), size=file.size
        )
    except ParseError as exc:
        where = f" line {exc.line}" if exc.line else ""
        raise ConfigError(f"{name}{where}: {exc.problem}") from None
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
