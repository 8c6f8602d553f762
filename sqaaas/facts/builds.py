"""What the build files near a repository's root declare: a buildable production artefact?

Nothing is built: each recognised build file (pyproject.toml, package.json, Dockerfile,
Cargo.toml, go.mod, ...) is read, TOML/JSON parsed with sqaaas.safeparse, never executed,
and summed up as a :class:`Declaration`. Files in tests, examples or docs, or too deep in
the tree, describe no product and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqaaas.context import RepoContext
from sqaaas.repofs import UnsafePathError
from sqaaas.safeparse import ParseError, ParseLimitError, load_json, load_toml

_MAX_MANIFEST_BYTES = 500_000
#: Build files deeper than this (root = 0) are examples or fixtures more often than products.
_MAX_DEPTH = 2
#: Folders whose build files describe examples, fixtures or docs, not the product.
_NOT_PRODUCT_DIRS = frozenset(
    {"test", "tests", "testing", "fixtures", "example", "examples", "samples", "docs", "doc"}
)


@dataclass(frozen=True)
class Declaration:
    """What one build file says: ``ok`` False when it declares nothing buildable."""

    ok: bool
    message: str
    line: int | None = None
    broken: bool = False  # unparseable: the build itself would fail
    limit: int | None = None  # over this parsing bound: not read, nothing can be concluded


Reader = Callable[[str], Declaration]


def _first(text: str, pattern: str) -> tuple[str, int] | None:
    """First match of ``pattern`` (multiline): its capture (or whole match) and line number."""
    match = re.search(pattern, text, re.MULTILINE)
    if not match:
        return None
    found = match.group(1) if match.groups() else match.group(0)
    return found.strip(), text.count("\n", 0, match.start()) + 1


def _line_of(text: str, pattern: str) -> int | None:
    found = _first(text, pattern)
    return found[1] if found else None


def _marker(pattern: str, what: str, missing: str) -> Reader:
    """Build files recognised by one line, e.g. ``module x`` in go.mod; ``{}`` = the capture."""

    def read(text: str) -> Declaration:
        found = _first(text, pattern)
        if found is None:
            return Declaration(False, missing)
        return Declaration(True, what.format(found[0]), found[1])

    return read


def _toml(text: str) -> dict[str, object] | Declaration:
    """The parsed table, or a broken declaration naming the line of the syntax error.

    ParseLimitError (nesting, integer digits...) propagates to build_declarations.
    """
    try:
        return load_toml(text, source="build file")
    except ParseLimitError:
        raise
    except ParseError as exc:
        return Declaration(False, exc.problem, exc.line, broken=True)


def _names(requires: object) -> str:
    if not isinstance(requires, list) or not requires:
        return "nothing"
    return ", ".join(re.split(r"[\s<>=!~;\[]", str(r), maxsplit=1)[0] for r in requires)


def _pyproject(text: str) -> Declaration:
    data = _toml(text)
    if isinstance(data, Declaration):
        return data
    build = data.get("build-system")
    project = data.get("project")
    poetry = data.get("tool", {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    if isinstance(build, dict):
        backend = build.get("build-backend")
        tail = f", build-backend {backend}" if backend else ""
        return Declaration(
            True,
            f"[build-system] requires {_names(build.get('requires'))}{tail}",
            _line_of(text, r"^\s*\[build-system\]"),
        )
    if isinstance(project, dict):
        name = project.get("name", "?")
        return Declaration(
            True,
            f"[project] name = {name} (no [build-system]: pip falls back to setuptools)",
            _line_of(text, r"^\s*\[project\]"),
        )
    if isinstance(poetry, dict):
        return Declaration(
            True, f"[tool.poetry] package {poetry.get('name', '?')}",
            _line_of(text, r"^\s*\[tool\.poetry\]"),
        )
    return Declaration(
        False, "no [build-system], [project] or [tool.poetry] table: tool settings only"
    )


def _setup_cfg(text: str) -> Declaration:
    line = _line_of(text, r"^\s*\[(metadata|options)\]")
    if line is None:
        return Declaration(False, "no [metadata] or [options] section: tool settings only")
    name = _first(text, r"^\s*name\s*=\s*(\S+)")
    return Declaration(True, f"setuptools metadata{f' for {name[0]}' if name else ''}", line)


def _package_json(text: str) -> Declaration:
    try:
        data = load_json(text, source="package.json")
    except ParseLimitError:
        raise
    except ParseError as exc:
        return Declaration(False, exc.problem, exc.line, broken=True)
    if not isinstance(data, dict):
        return Declaration(False, "not a JSON object", broken=True)
    if data.get("private") is True:
        return Declaration(False, '"private": true: marked as never to be published')
    name = data.get("name")
    if not name:
        return Declaration(False, "no package name")
    return Declaration(
        True, f"npm package {name}@{data.get('version', '?')}", _line_of(text, r'"name"\s*:')
    )


def _pom(text: str) -> Declaration:
    # Regex, not an XML parser: no entity expansion from an untrusted file.
    artifact = _first(text, r"<artifactId>\s*([^<\s]+)\s*</artifactId>")
    if artifact is None:
        return Declaration(False, "no <artifactId>")
    packaging = _first(text, r"<packaging>\s*([^<\s]+)\s*</packaging>")
    kind = packaging[0] if packaging else "jar"
    return Declaration(True, f"Maven artifact {artifact[0]} ({kind})", artifact[1])


def _gradle(text: str) -> Declaration:
    plugin = _first(text, r"^\s*(?:id|apply\s+plugin:)\s*\(?\s*['\"]([\w.-]+)['\"]")
    what = f" with plugin {plugin[0]}" if plugin else ""
    return Declaration(True, f"Gradle build{what}", plugin[1] if plugin else None)


def _cargo(text: str) -> Declaration:
    data = _toml(text)
    if isinstance(data, Declaration):
        return data
    package = data.get("package")
    if isinstance(package, dict):
        return Declaration(
            True, f"Rust crate {package.get('name', '?')}", _line_of(text, r"^\s*\[package\]")
        )
    if isinstance(data.get("workspace"), dict):
        return Declaration(True, "Cargo workspace", _line_of(text, r"^\s*\[workspace\]"))
    return Declaration(False, "no [package] or [workspace] table")


def _julia_project(text: str) -> Declaration:
    data = _toml(text)
    if isinstance(data, Declaration):
        return data
    if not data.get("name") or not data.get("uuid"):
        return Declaration(False, "no package name and uuid: an environment, not a package")
    return Declaration(True, f"Julia package {data['name']}", _line_of(text, r"^\s*name\s*="))


def _conda_recipe(text: str) -> Declaration:
    # meta.yaml is a Jinja template: search it instead of parsing it as YAML.
    name = _first(text, r"^\s+name:\s*(\S+)")
    line = _line_of(text, r"^package:")
    if line is None:
        return Declaration(False, "no package: section")
    return Declaration(True, f"conda recipe for {name[0] if name else '?'}", line)


_dockerfile = _marker(
    r"^\s*FROM\s+(?:--\S+\s+)*(\S+)", "container image built FROM {}",
    "no FROM instruction: not a buildable image",
)
_gemspec = _marker(r"Gem::Specification\.new", "Ruby gem specification", "no Gem::Specification")
_makefile = _marker(r"^install\s*:", "Makefile with an install target", "no install target")
_PROJECT_CALL = r"^\s*project\s*\(\s*['\"]?([\w.+-]+)"

#: exact file name -> reader
_BY_NAME: dict[str, Reader] = {
    "pyproject.toml": _pyproject,
    "setup.py": _marker(
        r"\bsetup\s*\(", "setuptools build script calling setup()", "setup.py never calls setup()"
    ),
    "setup.cfg": _setup_cfg,
    "Dockerfile": _dockerfile,
    "Containerfile": _dockerfile,
    "package.json": _package_json,
    "pom.xml": _pom,
    "build.gradle": _gradle,
    "build.gradle.kts": _gradle,
    "Cargo.toml": _cargo,
    "go.mod": _marker(r"^\s*module\s+(\S+)", "Go module {}", "no module directive"),
    "CMakeLists.txt": _marker(_PROJECT_CALL, "CMake project {}", "no project() call"),
    "meson.build": _marker(_PROJECT_CALL, "Meson project {}", "no project() call"),
    "DESCRIPTION": _marker(
        r"^Package:\s*(\S+)", "R package {}", "no 'Package:' field: not an R package DESCRIPTION"
    ),
    "Project.toml": _julia_project,
    "Makefile": _makefile,
    "GNUmakefile": _makefile,
}
_RECIPE_DIRS = frozenset({"recipe", "conda", "conda.recipe", "conda-recipe"})
#: readers that parse their file (TOML/JSON) rather than search it: a cut text misleads them
_PARSED: frozenset[Reader] = frozenset({_pyproject, _package_json, _cargo, _julia_project})


def _reader_for(path: str) -> Reader | None:
    pure = PurePosixPath(path)
    name = pure.name
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name.startswith(("Dockerfile.", "Containerfile.")) or name.endswith(".Dockerfile"):
        return _dockerfile
    if name.endswith(".gemspec"):
        return _gemspec
    if name in ("meta.yaml", "recipe.yaml") and (
        len(pure.parts) == 1 or pure.parent.name in _RECIPE_DIRS
    ):
        return _conda_recipe
    return None


def _is_product_path(path: str) -> bool:
    parts = PurePosixPath(path).parts[:-1]
    return len(parts) <= _MAX_DEPTH and not any(
        part.startswith(".") or part.lower() in _NOT_PRODUCT_DIRS
        for part in parts
    )


def build_declarations(ctx: RepoContext) -> list[tuple[str, Declaration]]:
    """Every recognised build file near the root, with what it declares (root first)."""
    found: list[tuple[str, Declaration]] = []
    for entry in sorted(ctx.fs.files, key=lambda e: (e.path.count("/"), e.path)):
        reader = _reader_for(entry.path)
        if reader is None or not _is_product_path(entry.path):
            continue
        try:
            text = ctx.fs.read_text(entry.path, limit=_MAX_MANIFEST_BYTES)
        except (OSError, UnsafePathError) as exc:
            found.append((entry.path, Declaration(False, f"unreadable: {exc}", broken=True)))
            continue
        found.append((entry.path, _declaration(reader, text.text, text.truncated)))
    return found


def _declaration(reader: Reader, text: str, truncated: bool) -> Declaration:
    """What ``reader`` finds in ``text``; a parsed format (TOML, JSON) over a parsing bound,
    or cut at the read cap, is a declaration that could not be read."""
    parsed = reader in _PARSED
    if truncated and parsed:
        limit = _MAX_MANIFEST_BYTES
        return Declaration(False, f"larger than {limit} bytes; not parsed", limit=limit)
    try:
        return reader(text)
    except ParseLimitError as exc:
        return Declaration(False, exc.problem, exc.line, limit=exc.limit)
