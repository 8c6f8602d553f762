"""Where a repository declares, in machine-readable form, what its software needs to run.

Package manifests, requirement files, environment files and lock files are recognised by
their names and the line that declares dependencies is located in their text (nothing is
installed, resolved or run). An explicitly empty list still counts: it states that nothing
else is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence

_MAX_BYTES = 500_000
#: Folders that conventionally hold requirement or environment files of the project itself.
_DEPENDENCY_DIRS = frozenset(
    {"", "requirements", "binder", ".binder", "conda", "recipe", "conda.recipe", "conda-recipe"}
)
_ANY_LINE = r"^\s*[^\s#-]"


@dataclass(frozen=True)
class _Kind:
    name: re.Pattern[str]  # the file name, lower-cased
    label: str
    declares: str  # regex (multiline) of the line declaring dependencies


def _kind(name: str, label: str, declares: str) -> _Kind:
    return _Kind(re.compile(name), label, declares)


KINDS = (
    _kind(r"pyproject\.toml", "pyproject.toml", r"^\s*dependencies\s*=|^\[tool\.poetry\."
          r"(?:group\.\w+\.)?dependencies\]|^\s*dynamic\s*=.*\"dependencies\""),
    _kind(r"setup\.cfg", "setup.cfg", r"^\s*install_requires\s*="),
    _kind(r"setup\.py", "setup.py", r"\binstall_requires\s*="),
    _kind(r"requirements[\w.-]*\.(?:txt|in)|[\w.-]+\.txt", "requirements file", _ANY_LINE),
    _kind(r"pipfile", "Pipfile", r"^\[(?:dev-)?packages\]"),
    _kind(r"environment[\w.-]*\.ya?ml", "conda environment", r"^dependencies\s*:"),
    _kind(r"meta\.ya?ml", "conda recipe", r"^requirements\s*:"),
    _kind(r"package\.json", "package.json", r"\"(?:peer|dev)?[dD]ependencies\"\s*:"),
    _kind(r"description", "R DESCRIPTION", r"^(?:Imports|Depends|LinkingTo)\s*:"),
    _kind(r"cargo\.toml", "Cargo.toml", r"^\[(?:[\w.-]+\.)?dependencies\]"),
    _kind(r"go\.mod", "go.mod", r"^require\b"),
    _kind(r"pom\.xml", "Maven pom.xml", r"<dependencies>"),
    _kind(r"build\.gradle(?:\.kts)?", "Gradle build", r"^\s*dependencies\s*\{"),
    _kind(r"composer\.json", "composer.json", r"\"require(?:-dev)?\"\s*:"),
    _kind(r"project\.toml", "Julia Project.toml", r"^\[deps\]"),
    _kind(r"gemfile|[\w.-]+\.gemspec", "Ruby gems", r"^\s*gem\s+['\"]|add_(?:runtime_)?dependency"),
    _kind(r"conanfile\.txt|vcpkg\.json", "C/C++ package manager",
          r"^\[requires\]|\"dependencies\"\s*:"),
    _kind(r"(?:poetry|uv|pdm|pixi|cargo|composer|gemfile|pipfile|renv|conda-lock|"
          r"package-lock|yarn|pnpm-lock)\.(?:lock|json|ya?ml)|go\.sum|manifest\.toml",
          "lock file", _ANY_LINE),
)


@dataclass(frozen=True)
class DependencyFile:
    path: str
    label: str
    line: int
    excerpt: str

    def evidence(self) -> Evidence:
        return Evidence(
            message=f"dependencies declared in {self.path} ({self.label})",
            path=self.path, line=self.line, excerpt=self.excerpt,
        )


def _kind_of(path: str) -> _Kind | None:
    parent, name = str(PurePosixPath(path).parent), PurePosixPath(path).name.lower()
    parent = "" if parent == "." else parent.lower()
    if parent not in _DEPENDENCY_DIRS:
        return None
    kind = next((k for k in KINDS if k.name.fullmatch(name)), None)
    plain_text = kind is not None and kind.label == "requirements file"
    if plain_text and parent != "requirements" and not name.startswith("requirements"):
        return None  # any .txt counts inside requirements/ only
    return kind


def dependency_files(ctx: RepoContext) -> tuple[DependencyFile, ...]:
    """Manifests and lock files near the root that declare dependencies (use via ctx.fact)."""
    found: list[DependencyFile] = []
    for entry in sorted(ctx.fs.files, key=lambda e: (e.path.count("/"), e.path)):
        kind = _kind_of(entry.path)
        if kind is None or (file := ctx.fs.try_read_text(entry.path, _MAX_BYTES)) is None:
            continue
        if match := re.search(kind.declares, file.text, re.MULTILINE):
            line = file.text.count("\n", 0, match.start()) + 1
            excerpt = file.text.splitlines()[line - 1].strip()[:200]
            found.append(DependencyFile(entry.path, kind.label, line, excerpt))
    return tuple(found)
