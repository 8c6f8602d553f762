"""Which repository paths are the project's own product code, and which are tests, fixtures,
examples, docs or vendored third-party code: the one home of that knowledge.

QC.Sec02 (SAST and secrets) judges only the product code (:func:`sec_scope`): a dummy key
in a test fixture or an ``assert`` in a test is not a vulnerability of the software, and
vendored code is another project's. The licence checks judge the project's licence apart
from vendored files (:func:`vendored_paths`, :func:`is_vendored`).

Examples are ``examples/``, ``example/`` and ``samples/`` folders, except one that is a
Python package (an ``__init__.py`` in it: importable code the project ships under that name).
Vendored code is recognised by folder names (``vendor/``, ``third_party/``, ``external/``,
``extern/``, ``deps/``...), by git submodules (``.gitmodules``) and, inside ``lib/`` or
``libs/``, by a folder carrying its own licence file (``lib/`` alone is usually the
project's own code in JavaScript, Ruby or Python, so it is never vendored by its name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import PurePosixPath

from sqaaas.context import RepoContext
from sqaaas.facts.testsuites import test_path_marker
from sqaaas.repofs import MINIFIED_SUFFIXES

#: Folder names that hold third-party code copied into the repository, at any depth.
VENDORED_DIRS = frozenset(
    {
        "vendor", "vendors", "vendored", "third_party", "third-party", "thirdparty",
        "3rdparty", "3rd_party", "3rd-party", "external", "externals", "extern", "deps",
        "node_modules", "bower_components",
    }
)
#: Folders whose subfolders are third-party packages when they carry their own licence.
LIBRARY_DIRS = frozenset({"lib", "libs"})
#: Folder names of examples and of documentation, at any depth.
EXAMPLE_DIRS = frozenset({"examples", "example", "samples"})
DOC_DIRS = frozenset({"docs", "doc", "documentation"})
#: A licence file name (LICENSE, COPYING.txt, LICENCE-MIT, NOTICE). Kept apart from
#: sqaaas.facts.licences (which imports this module for its vendored paths): only whether
#: a folder carries a licence of its own matters here, not which licence it is.
_LICENCE_FILE = re.compile(r"^(?:licen[cs]e|copying|notice)(?:[-._][\w.-]*)?$", re.IGNORECASE)
_SUBMODULE_PATH = re.compile(r"^\s*path\s*=\s*(?P<path>.+?)\s*$", re.MULTILINE)
_MAX_GITMODULES_BYTES = 100_000

#: the default exclusions of the security scope, in the order they are named
CATEGORIES = ("tests", "examples", "docs", "vendored")


def _dirs(path: str) -> tuple[str, ...]:
    return PurePosixPath(path).parts[:-1]


def _named_dir(path: str, names: frozenset[str]) -> str | None:
    for part in _dirs(path):
        if part.lower() in names:
            return f"{part}/"
    return None


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(f"{root.rstrip('/')}/")


def vendored_marker(path: str, roots: Mapping[str, str] | Iterable[str] = ()) -> str | None:
    """Why ``path`` is vendored third-party code (``vendor/``, ``minified file``, or the
    reason of the vendored root it is under), or None."""
    if named := _named_dir(path, VENDORED_DIRS):
        return named
    if path.lower().endswith(MINIFIED_SUFFIXES):
        return "minified file"
    reasons = roots if isinstance(roots, Mapping) else dict.fromkeys(roots, "vendored folder")
    for root, why in reasons.items():
        if _under(path, root):
            return f"{root.rstrip('/')}/ ({why})"
    return None


def is_vendored(path: str, roots: Mapping[str, str] | Iterable[str] = ()) -> bool:
    """Vendored by its name alone, or under one of ``roots`` (:func:`vendored_roots`)."""
    return vendored_marker(path, roots) is not None


def _submodules(ctx: RepoContext) -> list[str]:
    file = ctx.fs.try_read_text(".gitmodules", limit=_MAX_GITMODULES_BYTES)
    if file is None:
        return []
    found = []
    for m in _SUBMODULE_PATH.finditer(file.text):
        rel = m["path"].strip("\"'").strip("/")
        if rel and not rel.startswith("/") and ".." not in rel.split("/"):
            found.append(rel)
    return found


def vendored_roots(ctx: RepoContext) -> dict[str, str]:
    """Folders of this repository holding third-party code beyond what names show: git
    submodules, and folders inside ``lib/``/``libs/`` with a licence file of their own
    (folder -> why). A fact."""
    roots = {rel: "git submodule in .gitmodules" for rel in _submodules(ctx)}
    for entry in ctx.fs.files:
        parts = PurePosixPath(entry.path).parts
        # lib/<package>/LICENSE (at any depth): that package is another project's
        if len(parts) >= 3 and parts[-3].lower() in LIBRARY_DIRS and _LICENCE_FILE.match(
            parts[-1]
        ):
            roots.setdefault("/".join(parts[:-1]), f"its own licence file {parts[-1]}")
    return roots


def vendored_paths(ctx: RepoContext) -> dict[str, str]:
    """The repository's vendored files (path -> why): another project's code, judged apart
    from the project's own (security scope, the project's licence). A fact."""
    roots = ctx.fact(vendored_roots)
    return {
        e.path: why for e in ctx.fs.files if (why := vendored_marker(e.path, roots)) is not None
    }


def _examples_folder(path: str, packages: frozenset[str]) -> str | None:
    """The examples folder ``path`` is in, unless that folder is a Python package (it holds
    an ``__init__.py``: importable code the project ships, e.g. a package named example)."""
    parts = _dirs(path)
    for i, part in enumerate(parts):
        if part.lower() in EXAMPLE_DIRS:
            return None if "/".join(parts[: i + 1]) in packages else f"{part}/"
    return None


def python_packages(ctx: RepoContext) -> frozenset[str]:
    """Folders holding an ``__init__.py`` (importable Python packages). A fact."""
    return frozenset(
        str(PurePosixPath(e.path).parent) for e in ctx.fs.files if e.name == "__init__.py"
    )


def default_exclusion(
    path: str, roots: Mapping[str, str], packages: frozenset[str] = frozenset()
) -> tuple[str, str] | None:
    """(category, marker) of a path the security scope leaves out by default, or None."""
    if marker := test_path_marker(path):
        return "tests", marker
    if marker := _examples_folder(path, packages):
        return "examples", marker
    if marker := _named_dir(path, DOC_DIRS):
        return "docs", marker
    if marker := vendored_marker(path, roots):
        return "vendored", marker
    return None


def matches(path: str, pattern: str) -> bool:
    """gitignore-like: a pattern without ``/`` matches any folder or file name, one with
    ``/`` the path from the root (``*`` crosses folders); a folder matches all below it."""
    bare = pattern.strip("/")
    if "/" not in bare:
        return any(fnmatch(part, bare) for part in PurePosixPath(path).parts)
    return fnmatch(path, bare) or fnmatch(path, f"{bare}/*")


@dataclass(frozen=True)
class Scope:
    """The files a check covers: all but the default exclusions (unless turned off) and the
    repository's own ``exclude`` patterns, except what its ``include`` patterns bring back."""

    roots: Mapping[str, str] = field(default_factory=dict)
    packages: frozenset[str] = frozenset()  # Python packages: never examples by their name
    defaults: bool = True
    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    source: str | None = None  # the configuration file the choices come from

    def why_excluded(self, path: str) -> str | None:
        """Why ``path`` is out of scope (``tests: tests/``, ``.sqaaas.yml exclude:
        scripts/``), or None when it is in."""
        if any(matches(path, p) for p in self.include):
            return None
        for pattern in self.exclude:
            if matches(path, pattern):
                return f"{self.source or 'configuration'} exclude: {pattern}"
        if self.defaults and (found := default_exclusion(path, self.roots, self.packages)):
            return f"{found[0]}: {found[1]}"
        return None

    def describe(self) -> str:
        """The scope in one sentence, for evidence."""
        parts = []
        if self.defaults:
            parts.append(f"{', '.join(CATEGORIES)} left out by default")
        else:
            parts.append(f"default exclusions turned off in {self.source}")
        if self.exclude:
            parts.append(f"{self.source} excludes {', '.join(self.exclude)}")
        if self.include:
            parts.append(f"{self.source} includes {', '.join(self.include)}")
        return "; ".join(parts)


def sec_scope(ctx: RepoContext) -> Scope:
    """QC.Sec02's scope: the product code, as the repository's ``security:`` settings in
    .sqaaas.yml shape it (sqaaas.config.SecurityScope). A fact."""
    settings = ctx.config.security
    return Scope(
        roots=ctx.fact(vendored_roots) if settings.default_excludes else {},
        packages=ctx.fact(python_packages),
        defaults=settings.default_excludes,
        exclude=tuple(settings.exclude),
        include=tuple(settings.include),
        source=ctx.config.source,
    )


@dataclass
class Partition:
    """Paths split by a scope: those in it and, per reason, those left out."""

    kept: list[str] = field(default_factory=list)
    left_out: dict[str, list[str]] = field(default_factory=dict)

    def summary(self, limit: int = 6) -> str:
        """``12 file(s): tests/ 10, examples/ 2`` (the most frequent reasons first)."""
        counts = sorted(self.left_out.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        shown = ", ".join(f"{why} {len(paths)}" for why, paths in counts[:limit])
        more = f", {len(counts) - limit} more reason(s)" if len(counts) > limit else ""
        return f"{sum(len(p) for _, p in counts)} file(s): {shown}{more}"


def partition(scope: Scope, paths: Iterable[str]) -> Partition:
    """``paths`` split into those in ``scope`` and those left out (by reason)."""
    split = Partition()
    for path in paths:
        if (why := scope.why_excluded(path)) is None:
            split.kept.append(path)
        else:
            split.left_out.setdefault(why, []).append(path)
    return split
