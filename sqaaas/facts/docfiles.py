"""The documentation files of a repository: which, where, whether tracked, their headings.

Facts shared by the QC.Doc probes. Every file is read through ctx.fs with a cap, so a huge
README costs at most a few hundred kilobytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence
from sqaaas.facts.markup import (
    DOC_DIRS,
    FORGE_DIRS,
    MARKUP,
    Heading,
    doc_language,
    file_stem,
    parse_headings,
)

#: Release notes list past changes; their headings say nothing about audiences.
CHANGELOG_STEMS = frozenset({"changelog", "changes", "history", "news"})
README_PREFERENCE = (".md", ".rst", ".adoc", ".asciidoc", ".markdown", ".org", ".txt", "")
#: Where community files (CONTRIBUTING, CODE_OF_CONDUCT, SUPPORT) are looked for: forges
#: show them from these folders.
COMMUNITY_DIRS = ("", "docs", "doc", ".github", ".gitlab", "docs/source", "doc/source")
DOC_LIMIT = 100_000
MAX_SCANNED_DOCS = 200
#: Suffixes a community file may have: the documentation markups and HTML.
COMMUNITY_SUFFIXES = frozenset({*MARKUP, ".html", ".htm"})


@dataclass(frozen=True)
class DocFile:
    path: str
    language: str


def doc_files(ctx: RepoContext) -> tuple[DocFile, ...]:
    """Every documentation file of the tree with its markup language."""
    found = []
    for entry in ctx.fs.files:
        language = doc_language(entry.path)
        if language is not None:
            found.append(DocFile(entry.path, language))
    return tuple(found)


@dataclass(frozen=True)
class DocDir:
    """A top-level documentation folder, its documentation files and whether git tracks it."""

    path: str
    files: tuple[DocFile, ...]
    tracked: bool

    def describe(self) -> Evidence:
        if not self.files:
            return Evidence(message=f"{self.path}/ holds no documentation files", path=self.path)
        state = "tracked by git" if self.tracked else "not tracked by git"
        return Evidence(
            message=f"{self.path}/ holds {len(self.files)} documentation file(s), {state}",
            path=self.path,
            value=[f.path for f in self.files[:5]],
        )


def doc_dirs(ctx: RepoContext) -> tuple[DocDir, ...]:
    """docs/, doc/ and documentation/ (any case) with their documentation files."""
    docs = ctx.fact(doc_files)
    found = []
    for name in ctx.fs.listdir():
        if name.lower() in DOC_DIRS and ctx.fs.is_dir(name):
            files = tuple(f for f in docs if f.path.startswith(name + "/"))
            tracked = bool(files) and ctx.git.is_tracked(ctx.fs.root, name)
            found.append(DocDir(name, files, tracked))
    return tuple(found)


def readme_path(ctx: RepoContext) -> str | None:
    """The root README, preferring a markup format when several exist."""
    candidates = [p for p in ctx.fs.find(["README"]) if PurePosixPath(p).suffix.lower() in MARKUP]
    if not candidates:
        return None

    def rank(path: str) -> int:
        suffix = PurePosixPath(path).suffix.lower()
        return README_PREFERENCE.index(suffix) if suffix in README_PREFERENCE else 99

    return min(candidates, key=rank)


def doc_headings(ctx: RepoContext) -> tuple[Heading, ...]:
    """Headings of the README and documentation files (release notes left out), capped."""
    readme = ctx.fact(readme_path)
    paths = [readme] if readme else []
    paths += [
        f.path for f in ctx.fact(doc_files)
        if f.path != readme and file_stem(PurePosixPath(f.path).name) not in CHANGELOG_STEMS
    ]
    headings: list[Heading] = []
    for path in paths[:MAX_SCANNED_DOCS]:
        if (file := ctx.fs.try_read_text(path, DOC_LIMIT)) is not None:
            headings.extend(parse_headings(path, file.text))
    return tuple(headings)


def community_files(ctx: RepoContext, names: re.Pattern[str]) -> list[str]:
    """Community files (CONTRIBUTING, CODE_OF_CONDUCT, ...) whose name stem ``names`` matches
    in full, in the usual markups.

    Looked for where forges and documentation sites keep them: the root, .github/, .gitlab/,
    and anywhere in the documentation folders (docs/source/community/contributing.rst,
    docs/contributing/index.md); in that order.
    """
    found: list[str] = []
    for entry in ctx.fs.files:
        pure = PurePosixPath(entry.path)
        if pure.suffix.lower() not in COMMUNITY_SUFFIXES or pure.name.startswith("."):
            continue
        top = pure.parts[0].lower() if len(pure.parts) > 1 else ""
        where_ok = len(pure.parts) == 1 or top in DOC_DIRS or (
            len(pure.parts) == 2 and top in FORGE_DIRS
        )
        stem = file_stem(pure.name)
        named = names.fullmatch(stem) or (
            stem in ("index", "readme") and len(pure.parts) > 2
            and names.fullmatch(pure.parts[-2].lower())
        )
        if where_ok and named:
            found.append(entry.path)
    return sorted(found, key=lambda p: (p.count("/"), p))
