"""QC.Del: is a production artefact built from the repository, and is it published?

Nothing is built: the build configuration is read (TOML/JSON parsed with sqaaas.safeparse,
never executed) and the CI configuration is searched for a step that uploads the artefact
to a registry. A build file over a parsing bound makes the verdict an ``error``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts import ci
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


@probe("del.build_config")
def build_config(ctx: RepoContext) -> Finding:
    """A packaging or image build configuration declares a production artefact."""
    declared = ctx.fact(build_declarations)
    evidence = {
        path: Evidence(message=f"{'declares ' if d.ok else ''}{d.message}", path=path, line=d.line)
        for path, d in declared
    }
    unread = {path: d.limit for path, d in declared if d.limit is not None}
    if unread:  # nothing can be concluded from a file that was not read: no verdict
        context = [
            e.model_copy(update={"failing": False})
            for path, e in evidence.items()
            if path not in unread
        ]
        return Finding(
            outcome=Outcome.ERROR,
            evidence=[
                evidence[path].model_copy(update={"value": limit})
                for path, limit in unread.items()
            ] + context,
            hint=f"{', '.join(unread)} could not be read within sqaaas' parsing bounds "
            "(the evidence names the bound): no build file needs to be that large or nested.",
        )
    broken = [path for path, d in declared if d.broken]
    if broken:
        others = [  # the readable ones are context, not the failure
            e.model_copy(update={"failing": False})
            for path, e in evidence.items()
            if path not in broken
        ]
        return Finding(
            outcome=Outcome.FAIL,
            evidence=[evidence[path] for path in broken] + others,
            hint=f"Fix {', '.join(broken)}: the build cannot read it, so no artefact can be "
            "built (the evidence names the line).",
        )
    built = [evidence[path] for path, d in declared if d.ok]
    if built:
        return Finding(outcome=Outcome.PASS, evidence=built)
    if evidence:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=list(evidence.values()),
            hint="Declare how the artefact is built, e.g. a [build-system] table in "
            "pyproject.toml, a package name in package.json (not private) or a Dockerfile.",
        )
    return Finding.failed(
        "no packaging or build configuration found (pyproject.toml, setup.py, package.json, "
        "pom.xml, build.gradle, Cargo.toml, go.mod, CMakeLists.txt, DESCRIPTION, Dockerfile, ...)",
    )  # no hint of its own: QC.Del01's hint for the repository's language says what to add


#: label -> regex of a CI line that uploads an artefact to a public registry
PUBLISH_PATTERNS: dict[str, str] = {
    "publishes to PyPI (pypa/gh-action-pypi-publish)": r"pypa/gh-action-pypi-publish",
    "uploads with twine": r"\btwine\s+upload\b",
    "publishes a Python package": r"\b(poetry|flit|uv|hatch|pdm)\s+publish\b",
    "publishes to npm": r"\b(npm|yarn|pnpm)\s+(npm\s+)?publish\b",
    "pushes a container image": r"\b(docker|podman|buildah)\s+(image\s+)?push\b",
    "publishes to crates.io": r"\bcargo\s+publish\b",
    "deploys with Maven": r"\bmvnw?\b.*\bdeploy\b",
    "publishes with Gradle": r"\bgradlew?\b.*\bpublish(?!ToMavenLocal)",
    "releases with GoReleaser": r"goreleaser",
    "creates a GitHub release": r"\bgh\s+release\s+create\b|softprops/action-gh-release"
    r"|ncipollo/release-action",
    "releases with semantic-release": r"semantic-release",
    "uploads to Anaconda.org": r"\banaconda\b.*\bupload\b|\bconda\s+upload\b",
    "pushes a Ruby gem": r"\bgem\s+push\b",
    "pushes a NuGet package": r"\bnuget\s+push\b",
    "publishes a Helm chart": r"helm/chart-releaser-action|\bhelm\s+push\b",
    "registers a Julia release (TagBot)": r"JuliaRegistries/TagBot",
    "creates a GitLab release": r"\brelease-cli\s+create\b",
}
_BUILD_PUSH = {"builds an image (docker/build-push-action)": r"docker/build-push-action"}
_PUSH_TRUE = {"pushes it (push: true)": r"^\s*push:\s*(true|\$\{\{)"}
_GITLAB_RELEASE = {"GitLab release: keyword": r"^\s*release:\s*$"}


def _publish_hits(ctx: RepoContext) -> list[Evidence]:
    hits = ci.search(ctx, PUBLISH_PATTERNS, limit=50)
    image_files = {h.path for h in ci.search(ctx, _BUILD_PUSH, limit=50)}
    hits += [h for h in ci.search(ctx, _PUSH_TRUE, limit=50) if h.path in image_files]
    hits += [
        h for h in ci.search(ctx, _GITLAB_RELEASE, limit=50)
        if (h.path or "").startswith(".gitlab-ci.")
    ]
    return hits


@probe("del.publish_in_ci")
def publish_in_ci(ctx: RepoContext) -> Finding:
    """A CI step uploads the artefact to a public registry (PyPI, npm, a container registry...)."""
    hits, not_run = ci.split_by_trigger(ctx, _publish_hits(ctx), every_change=False)
    zenodo = [
        Evidence(
            message="Zenodo metadata: archives releases with a DOI, which is not a package "
            "registry users install from",
            path=path,
        )
        for path in ctx.fs.find([".zenodo.json"])
    ]
    if hits:
        return Finding(outcome=Outcome.PASS, evidence=hits[:10] + zenodo)
    searched = len(ctx.fact(ci.ci_files))
    return Finding(
        outcome=Outcome.FAIL,
        evidence=[
            Evidence(
                message=f"no publishing step in {searched} CI file(s): nothing uploads an "
                "artefact to a public registry",
                value=searched,
            ),
            *not_run,
            *zenodo,
        ],
        hint="Add a release job that publishes the artefact, e.g. a GitHub workflow on "
        "'release: published' using pypa/gh-action-pypi-publish (PyPI trusted publishing), "
        "'npm publish', or docker/build-push-action with push: true to ghcr.io.",
    )
