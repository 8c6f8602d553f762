"""What a tool-configuration builder returns, and the reading helpers all builders share.

A repository's own tool configuration is respected, but only through an allow-list per tool:
style options pass; options that load plugins, run hooks, write output files, read files
outside the repository or fetch URLs are dropped, and each one dropped is named (it reaches
the report as evidence). Builders only read repository files as data (on the host, through
RepoFS); the tools see the sanitised copy, never the original.
"""

from __future__ import annotations

import configparser
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqaaas.repofs import RepoFS, UnsafePathError
from sqaaas.safeparse import Limits, ParseError, load_json, load_toml, load_yaml

CONFIG_READ_LIMIT = 500_000
_LIMITS = Limits(max_bytes=CONFIG_READ_LIMIT)

LOADS_CODE = "loads code"
RUNS_CODE = "runs code"
WRITES_FILE = "writes a file"
READS_OUTSIDE = "reads a file outside the repository"
READS_FILES = "reads other files"
NOT_ALLOWED = "not on sqaaas's allow-list for this tool"


class Declared(Protocol):
    """One run of the tool that the repository itself declares (a tox env, a pre-commit hook,
    a CI step...): sqaaas.facts.declared_tools.Invocation. Named here by shape only, since
    the tools floor does not import the facts floor; the probes hand the runs in."""

    @property
    def tool(self) -> str: ...  # the command name, e.g. pycodestyle for the flake8 entry

    @property
    def argv(self) -> tuple[str, ...]: ...  # its arguments as written

    @property
    def source(self) -> str: ...  # the declaring file, e.g. tox.ini

    @property
    def label(self) -> str: ...  # e.g. "tox.ini [testenv:pep8]"

    @property
    def directory(self) -> str: ...  # the repository folder it runs in ("": the root)

    def describe(self) -> str: ...  # "as declared in tox.ini [testenv:pep8]: pycodestyle ..."


@dataclass(frozen=True)
class Where:
    """What a builder is given besides the repository: where the tool will see it and the
    folder of sanitised configurations (``/src`` and ``/cfg`` in the tools container), and
    the runs of the tool the repository declares, preferred first (a builder that honours
    them passes their allowed options on and names the refused ones)."""

    src: str
    cfg: str
    declared: tuple[Declared, ...] = ()


@dataclass
class ToolConfig:
    """The sanitised configuration of one tool, and what was refused on the way."""

    args: list[str] = field(default_factory=list)  # stand for "{config}" in the registry args
    files: dict[str, str] = field(default_factory=dict)  # name in the config folder -> text
    sources: list[str] = field(default_factory=list)  # repository files it was read from
    refused: list[str] = field(default_factory=list)  # one sentence per refused option
    env: dict[str, str] = field(default_factory=dict)  # extra variables ({cfg} expanded)
    workdir: str = "repo"  # "empty": the tool reads config from its cwd, keep it out of the repo
    exclude: tuple[str, ...] = ()  # fnmatch patterns of repository paths not to give the tool
    #: repository folders or files the tool is limited to (a declared run's paths); () = all
    paths: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)  # what the report says about the config

    def refuse(self, source: str, key: str, reason: str) -> None:
        """Record a refused option, e.g. 'pyproject.toml [tool.pylint] load-plugins'."""
        self.refused.append(f"{source} {key} refused: {reason}")

    def used(self, source: str) -> None:
        if source not in self.sources:
            self.sources.append(source)


ConfigBuilder = Callable[[RepoFS, Where], ToolConfig]


def read_text(fs: RepoFS, rel: str) -> str | None:
    """A repository file's text (capped), or None when absent, unreadable or outside."""
    try:
        file = fs.try_read_text(rel, limit=CONFIG_READ_LIMIT)
    except UnsafePathError:
        return None
    return file.text if file else None


def parse_toml(text: str, source: str) -> dict[str, Any] | None:
    """TOML as data; None when invalid or over a parsing bound (sqaaas.safeparse: a bomb,
    deep nesting, a huge integer), so that the tool runs with sqaaas's defaults."""
    try:
        return load_toml(text, source=source, limits=_LIMITS)
    except ParseError:
        return None


def parse_yaml(text: str, source: str, *, json_first: bool = False) -> Any:
    """YAML (JSON first when ``json_first``) as data; None when invalid or over a parsing
    bound, like :func:`parse_toml`."""
    if json_first:
        try:
            return load_json(text, source=source, limits=_LIMITS)
        except ParseError:
            pass
    try:
        return load_yaml(text, source=source, limits=_LIMITS)
    except ParseError:
        return None


def read_toml(fs: RepoFS, rel: str) -> dict[str, Any] | None:
    """A TOML file as data, or None when absent, not TOML or over a parsing bound."""
    text = read_text(fs, rel)
    return None if text is None else parse_toml(text, rel)


def tool_table(fs: RepoFS, tool: str) -> dict[str, Any] | None:
    """``[tool.<tool>]`` of pyproject.toml, or None."""
    data = read_toml(fs, "pyproject.toml")
    table = (data or {}).get("tool", {}).get(tool)
    return table if isinstance(table, dict) else None


def ini_section(fs: RepoFS, rel: str, section: str) -> dict[str, str] | None:
    """One section of an INI file (no interpolation), or None."""
    text = read_text(fs, rel)
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return dict(parser.items(section)) if parser.has_section(section) else None


def inside(fs: RepoFS, base_dir: str, target: str) -> str | None:
    """``target`` (relative to the repository folder ``base_dir``) as a repository path when
    it is a file inside the repository; None when it leaves it (absolute, ``~``, ``..``,
    or a symlink pointing out) or does not exist."""
    if not target or target.startswith(("/", "~", "\\")) or "://" in target:
        return None
    rel = posixpath.normpath(posixpath.join(base_dir, target))
    if rel.startswith("../") or rel == "..":
        return None
    return rel if fs.is_file(rel) else None


def as_list(value: object) -> list[str]:
    """A comma-separated string or a list, as a list of non-empty strings."""
    if isinstance(value, str):
        return [v.strip() for v in value.replace("\n", ",").split(",") if v.strip()]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return []
