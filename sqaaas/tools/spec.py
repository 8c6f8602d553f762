"""The tool registry: typed, validated entries loaded from criteria/tools.yml."""

from __future__ import annotations

from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sqaaas.datafiles import data_path, load_yaml
from sqaaas.errors import CriteriaDataError

Severity = Literal["error", "warning", "style", "info"]
#: how sure a tool is of a finding (bandit's confidence), where it says
Confidence = Literal["high", "medium", "low"]
_CODES_SHOWN = 4  # codes named when a rule is described in words


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Package(_Strict):
    """Where the tool comes from and which versions we support (reported, and checked)."""

    pypi: str | None = None
    debian: str | None = None
    #: an npm package whose prebuilt binary the tools image copies (``sqaaas setup``); its
    #: version must be pinned (``==X.Y.Z``) so that every image runs the same tool
    npm: str | None = None
    version: str | None = None

    @model_validator(mode="after")
    def _npm_pinned(self) -> Package:
        if self.npm and not (self.version or "").startswith("=="):
            raise ValueError("an npm package needs a pinned version (==X.Y.Z)")
        return self


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


class Condition(_Strict):
    """A finding that matches every field given decides (an unset field matches all):
    e.g. bandit's MEDIUM severity with HIGH confidence, or detect-secrets' private keys."""

    severity: tuple[Severity, ...] = ()
    confidence: tuple[Confidence, ...] = ()
    codes: tuple[str, ...] = Field((), description="fnmatch patterns on the finding's code")
    except_codes: tuple[str, ...] = Field((), description="codes that never decide")

    def matches(self, severity: str, code: str, confidence: str | None) -> bool:
        return (
            (not self.severity or severity in self.severity)
            and (not self.confidence or confidence in self.confidence)
            and (not self.codes or any(fnmatch(code, c) for c in self.codes))
            and not any(fnmatch(code, c) for c in self.except_codes)
        )

    def describe(self, brief: bool = False) -> str:
        """The condition in words; ``brief`` names only the first few codes."""
        parts = [" or ".join(self.severity) if self.severity else "any severity"]
        if self.confidence:
            parts.append(f"with {' or '.join(self.confidence)} confidence")
        if self.codes:
            limit = _CODES_SHOWN if brief else len(self.codes)
            more = len(self.codes) - limit
            parts.append(f"from {', '.join(self.codes[:limit])}"
                         + (f" and {more} more" if more > 0 else ""))
        if self.except_codes:
            parts.append(f"except {', '.join(self.except_codes)}")
        return " ".join(parts)


class CiRun(_Strict):
    """One run of a tool in a generated CI pipeline (no sqaaas there): ``argv`` gets the
    files as arguments and its exit status is the verdict (``fails_on_output``: so is any
    output, for tools such as ``gofmt -l`` that list what they would change)."""

    argv: tuple[str, ...] = Field(min_length=1)
    fails_on_output: bool = False


class Evidencing(_Strict):
    """How one tool's findings weigh on one subcriterion. ``fail_on``: the findings that
    decide (a severity, or a :class:`Condition`); the others are warnings in the evidence.
    ``scope``: ``all`` files, or only the ``product`` code (no tests, fixtures, examples,
    docs or vendored code: sqaaas/facts/scope.py; a repository can change it in .sqaaas.yml)."""

    fail_on: tuple[Severity | Condition, ...] = ()
    scope: Literal["all", "product"] = "all"
    ci: tuple[CiRun, ...] = Field(
        (), description="the runs whose exit status gives this verdict in CI without sqaaas"
    )
    side_fail_on: tuple[Severity | Condition, ...] | None = Field(
        None, description="what decides instead when none of the tool's languages is a main "
        "language of the repository (shell scripts beside Python code: only a script that "
        "does not parse)"
    )

    def on_side_files(self) -> Evidencing:
        """The rule for a repository where the tool's languages are side languages."""
        if self.side_fail_on is None:
            return self
        return self.model_copy(update={"fail_on": self.side_fail_on, "side_fail_on": None})

    def decides(self, severity: str, code: str, confidence: str | None = None) -> bool:
        """Whether a finding with these traits is decisive for the subcriterion."""
        return any(
            severity == rule if isinstance(rule, str) else rule.matches(severity, code, confidence)
            for rule in self.fail_on
        )

    def describe(self, scope: bool = True, brief: bool = False) -> str:
        """The decisive rule in words (and the scope, unless ``scope`` is False), for the
        docs, or ``brief`` for a report's summary line."""
        if not self.fail_on:
            return "evidence only, never decisive"
        rules = [r if isinstance(r, str) else r.describe(brief) for r in self.fail_on]
        text = "decisive: " + "; ".join(rules)
        if self.side_fail_on is not None:
            side = self.on_side_files().describe(False, brief).removeprefix("decisive: ")
            text += f" (where not a main language: {side})"
        if scope and self.scope == "product":
            text += "; product code only (tests, examples, docs and vendored code left out)"
        return text


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
    ok_exit_codes: tuple[int, ...] | Literal["any"] = Field(
        (0,), description="exit codes after which the output is read; 'any' for a tool whose "
        "exit code counts its findings (Checkstyle): its parser then refuses an incomplete report"
    )
    stream: Literal["stdout", "stderr", "both"] = Field(
        "stdout", description="where findings are printed (both: stdout, then stderr)"
    )
    evidences: dict[str, Evidencing] = Field(min_length=1)
    min_score: float | None = None
    not_automated: str | None = Field(
        None, description="declared but not run, and why (reported as evidence, never a verdict)"
    )
    parallel: bool = Field(
        False, description="split the files over one process per core (no cross-file checks)"
    )
    per_file: bool = Field(
        False, description="a file's findings depend on that file and the configuration only: "
        "results are also cached per file, so a changed file re-runs the tool on it alone"
    )
    timeout: float = Field(300, gt=0, le=3600)
    declared_as: tuple[str, ...] = Field(
        (), description="command names under which the repository's own runs of the tool "
        "(tox, pre-commit, CI, make, npm: sqaaas/facts/declared_tools.py) are read and "
        "honoured by its config builder, e.g. flake8 and pycodestyle"
    )

    @property
    def decides_nothing(self) -> bool:
        """Whether the tool's findings are only evidence (no subcriterion fails on them): such
        tools run only when a profile or ``--verbose`` asks for the fuller evidence."""
        return not any(how.fail_on for how in self.evidences.values())

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
