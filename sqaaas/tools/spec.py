"""The tool registry: typed, validated entries loaded from criteria/tools.yml."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sqaaas.datafiles import data_path, load_yaml
from sqaaas.errors import CriteriaDataError

Severity = Literal["error", "warning", "style", "info"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Package(_Strict):
    """Where the tool comes from and which versions we support (reported, and checked)."""

    pypi: str | None = None
    debian: str | None = None
    version: str | None = None


class Executable(_Strict):
    """How to start the tool where the tools run: a Python module (``python -I -m``: isolated,
    so no file of the repository can shadow it), a binary, or built into sqaaas."""

    module: str | None = None
    binary: str | None = None
    internal: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Executable:
        if sum(x is not None for x in (self.module, self.binary, self.internal)) != 1:
            raise ValueError("give exactly one of module, binary, internal")
        return self


class Evidencing(_Strict):
    fail_on: tuple[Severity, ...] = ()


class ToolSpec(_Strict):
    name: str
    title: str
    languages: tuple[str, ...] = Field(min_length=1)
    include: tuple[str, ...] = Field(min_length=1)
    package: Package | None = None
    executable: Executable
    args: tuple[str, ...] = ()
    config: str | None = None
    parser: str
    ok_exit_codes: tuple[int, ...] = (0,)
    stream: Literal["stdout", "stderr"] = Field("stdout", description="where findings are printed")
    evidences: dict[str, Evidencing] = Field(min_length=1)
    min_score: float | None = None
    not_automated: str | None = Field(
        None, description="declared but not run, and why (reported as evidence, never a verdict)"
    )
    parallel: bool = Field(
        False, description="split the files over one process per core (no cross-file checks)"
    )
    timeout: float = Field(300, gt=0, le=3600)

    def applies_to(self, languages: dict[str, int]) -> bool:
        return "*" in self.languages or any(lang in languages for lang in self.languages)


def load_tools(path: Path | None = None) -> dict[str, ToolSpec]:
    """Load and validate the registry; an invalid entry is named with its file."""
    path = path or data_path("criteria") / "tools.yml"
    try:
        raw = load_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise CriteriaDataError(f"{path}: cannot read the tool registry: {exc}") from exc
    if not isinstance(raw, dict):
        raise CriteriaDataError(f"{path}: expected a mapping of tool name -> entry")
    tools: dict[str, ToolSpec] = {}
    for name, entry in raw.items():
        try:
            tools[name] = ToolSpec.model_validate({"name": name, **(entry or {})})
        except (ValidationError, TypeError) as exc:
            detail = exc.errors()[0] if isinstance(exc, ValidationError) else {"msg": str(exc)}
            where = ".".join(str(p) for p in detail.get("loc", ()))
            raise CriteriaDataError(f"{path}: entry {name} ({where}): {detail['msg']}") from exc
    return tools


@cache
def default_tools() -> dict[str, ToolSpec]:
    return load_tools()
