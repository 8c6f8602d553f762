"""What to install before a repository's Python tests can run, read from its files.

Read on the host through RepoFS (no repository code runs here): the project itself when it
is pip-installable (pyproject.toml with [project]/[build-system], setup.py, setup.cfg), its
test extras and dependency groups, and its requirements files.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass

from sqaaas.repofs import RepoFS
from sqaaas.safeparse import ParseError, load_toml

#: Extras and dependency groups that hold what the tests need.
TEST_EXTRAS = ("test", "tests", "testing", "dev")
_REQUIREMENTS = re.compile(r"^(?!.*doc).*requirements.*\.txt$", re.IGNORECASE)
_REQUIREMENTS_DIR_FILE = re.compile(
    r"^(?:base|common|dev|test|tests|testing|requirements)\b.*\.txt$"
)
_COVERAGE_SECTION = re.compile(r"^\[coverage:", re.MULTILINE)


@dataclass(frozen=True)
class InstallPlan:
    project: bool = False
    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.project or self.requirements or self.groups)

    def describe(self) -> str:
        parts = []
        if self.project:
            extras = f"[{','.join(self.extras)}]" if self.extras else ""
            parts.append(f"the project{extras}")
        parts += [f"dependency group '{g}'" for g in self.groups]
        parts += self.requirements
        return ", ".join(parts) or "nothing"


def _text(fs: RepoFS, name: str) -> str | None:
    file = fs.try_read_text(name)
    return file.text if file else None


def _pyproject(fs: RepoFS) -> dict[str, object]:
    text = _text(fs, "pyproject.toml")
    try:  # invalid or over a parsing bound: no extras to install (QC.Del reports the file)
        return load_toml(text, source="pyproject.toml") if text else {}
    except ParseError:
        return {}


def _setup_cfg(fs: RepoFS) -> configparser.ConfigParser | None:
    text = _text(fs, "setup.cfg")
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return parser


def _table(data: object, *keys: str) -> object:
    """``data[k1][k2]...`` or None when a level is missing or not a table."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def pyproject_table(fs: RepoFS, *keys: str) -> object:
    """``pyproject.toml``'s value at ``keys``, None when missing (or the file is invalid)."""
    return _table(_pyproject(fs), *keys)


def _keys(table: object) -> list[str]:
    return [str(k) for k in table] if isinstance(table, dict) else []


def install_plan(fs: RepoFS) -> InstallPlan:
    pyproject = _pyproject(fs)
    cfg = _setup_cfg(fs)
    project = (
        "project" in pyproject
        or "build-system" in pyproject
        or fs.is_file("setup.py")
        or bool(cfg and (cfg.has_section("metadata") or cfg.has_section("options")))
    )
    extras = _keys(_table(pyproject, "project", "optional-dependencies"))
    if cfg is not None and cfg.has_section("options.extras_require"):
        extras += cfg.options("options.extras_require")
    groups = _keys(pyproject.get("dependency-groups"))
    requirements = [n for n in fs.listdir() if _REQUIREMENTS.match(n) and fs.is_file(n)]
    requirements += [
        f"requirements/{n}"
        for n in fs.listdir("requirements")
        if _REQUIREMENTS_DIR_FILE.match(n) and fs.is_file(f"requirements/{n}")
    ]
    return InstallPlan(
        project=project,
        extras=tuple(e for e in TEST_EXTRAS if e in extras) if project else (),
        groups=tuple(g for g in TEST_EXTRAS if g in groups),
        requirements=tuple(requirements),
    )


def coverage_config(fs: RepoFS) -> str | None:
    """The file holding the repository's own coverage settings, if it has any."""
    if fs.is_file(".coveragerc"):
        return ".coveragerc"
    if isinstance(_table(_pyproject(fs), "tool", "coverage"), dict):
        return "pyproject.toml"
    for name in ("setup.cfg", "tox.ini"):
        if (text := _text(fs, name)) and _COVERAGE_SECTION.search(text):
            return name
    return None
