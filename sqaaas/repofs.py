"""Read-only, symlink-safe access to the files of an assessed repository.

Every probe reads through this class so that a hostile repository cannot make sqaaas
read outside its tree (symlinks are only followed when they stay inside), nor exhaust
memory (reads are capped), nor trip on bad encodings, nor on folders nested deeper than
Python's recursion limit (walks are iterative). Names that are not UTF-8 are kept as
``os.fsdecode`` gives them (lone surrogates), so they still open the file they name;
reports escape them (``sqaaas.textsafe``).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

#: Directory names never descended into: VCS data, dependencies, vendored and generated trees.
IGNORED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "bower_components",
        "vendor",
        "third_party",
        "third-party",
        "dist",
        "build",
        "_build",
        "site-packages",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".eggs",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".gradle",
        ".idea",
        ".vscode",
        ".cache",  # CI tool caches (e.g. GitLab pip cache in the project dir)
        ".sqaaas-repos",  # extra repositories cloned by generated pipelines
    }
)
MINIFIED_SUFFIXES = (".min.js", ".min.css", ".min.mjs")
DEFAULT_READ_LIMIT = 1_000_000


class UnsafePathError(Exception):
    """The path is a symlink leading outside the repository, or escapes it with '..'."""


@dataclass(frozen=True, slots=True)
class FileEntry:
    """A regular file (or an in-repo symlink to one) found while walking the tree."""

    path: str  # POSIX path relative to the repository root
    size: int
    mode: int
    is_symlink: bool

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.path).suffix.lower()


@dataclass(frozen=True, slots=True)
class TextFile:
    """Decoded text of a file; ``lossy`` when it was not valid UTF-8, ``truncated`` when capped."""

    path: str
    text: str
    lossy: bool
    truncated: bool
    size: int


class RepoFS:
    """The files of one repository tree (optionally a subfolder of it), read-only."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _abs(self, rel: str) -> Path:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts:
            raise UnsafePathError(f"{rel}: path leaves the repository")
        return self.root / pure

    def _inside(self, path: Path) -> bool:
        try:
            return path.resolve().is_relative_to(self.root)
        except (OSError, RuntimeError):  # symlink loops
            return False

    def safe_target(self, rel: str) -> Path:
        """Absolute path for ``rel`` after checking it (and any symlink) stays inside."""
        path = self._abs(rel)
        if not self._inside(path):
            raise UnsafePathError(f"{rel}: symlink points outside the repository; not read")
        return path

    def _holds(self, rel: str, check: Callable[[Path], bool]) -> bool:
        """``check`` on the checked path; False for a path leading outside."""
        try:
            return check(self.safe_target(rel))
        except UnsafePathError:
            return False

    def exists(self, rel: str) -> bool:
        return self._holds(rel, Path.exists)

    def is_file(self, rel: str) -> bool:
        return self._holds(rel, Path.is_file)

    def is_dir(self, rel: str) -> bool:
        return self._holds(rel, Path.is_dir)

    def is_outside_link(self, rel: str) -> bool:
        """True when ``rel`` exists as a symlink whose target leaves the repository."""
        path = self._abs(rel)
        return path.is_symlink() and not self._inside(path)

    def listdir(self, rel: str = "") -> list[str]:
        """Names in a directory of the repository (empty if it is missing or unsafe)."""
        try:
            path = self.safe_target(rel) if rel else self.root
            return sorted(os.listdir(path))
        except (UnsafePathError, OSError):
            return []

    def read_bytes(self, rel: str, limit: int = DEFAULT_READ_LIMIT) -> tuple[bytes, int]:
        """Up to ``limit`` bytes of a file and its full size. Raises UnsafePathError/OSError."""
        path = self.safe_target(rel)
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            return handle.read(limit), size

    def read_text(self, rel: str, limit: int = DEFAULT_READ_LIMIT) -> TextFile:
        """Decoded text (UTF-8, BOM tolerated; undecodable bytes replaced and flagged)."""
        data, size = self.read_bytes(rel, limit)
        try:
            text, lossy = data.decode("utf-8-sig"), False
        except UnicodeDecodeError as exc:
            # A cut in the middle of a multi-byte character is not an encoding problem.
            lossy = not (size > limit and exc.start >= len(data) - 4)
            text = data.decode("utf-8-sig", errors="replace")
        return TextFile(path=rel, text=text, lossy=lossy, truncated=size > limit, size=size)

    def try_read_text(self, rel: str, limit: int = DEFAULT_READ_LIMIT) -> TextFile | None:
        """:meth:`read_text`, or None when the file is missing, unreadable or leads outside.

        For readers to whom such a file is simply absent; those that report why a file
        could not be read call :meth:`read_text` and catch the errors themselves.
        """
        try:
            return self.read_text(rel, limit)
        except (OSError, UnsafePathError):
            return None

    def find(self, names: Iterable[str], dirs: Iterable[str] = ("",)) -> list[str]:
        """Files whose name (case-insensitive, any extension) matches one of ``names``.

        ``names`` are stems like ``CONTRIBUTING``; ``CONTRIBUTING.md``, ``contributing.rst``
        and ``CONTRIBUTING`` all match. Searched only directly inside ``dirs``.
        """
        wanted = {n.lower() for n in names}
        found: list[str] = []
        for directory in dirs:
            for entry in self.listdir(directory):
                stem = entry.split(".", 1)[0].lower() if not entry.startswith(".") else entry
                if stem in wanted or entry.lower() in wanted:
                    rel = f"{directory}/{entry}" if directory else entry
                    if self.is_file(rel):
                        found.append(rel)
        return found

    @cached_property
    def files(self) -> tuple[FileEntry, ...]:
        """Every file of the tree, skipping ignored dirs, virtualenvs and minified files."""
        return tuple(self._walk())

    def _walk(self) -> Iterator[FileEntry]:
        """Depth-first, in name order, with an explicit stack (no recursion: see above)."""
        stack: list[tuple[str, Iterator[os.DirEntry[str]]]] = [("", _listing(self.root, ""))]
        while stack:
            prefix, entries = stack[-1]
            entry = next(entries, None)
            if entry is None:
                stack.pop()
                continue
            rel = f"{prefix}{entry.name}"
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                if entry.name not in IGNORED_DIRS:
                    stack.append((rel + "/", _listing(entry.path, rel + "/")))
            elif stat.S_ISREG(st.st_mode):
                if not entry.name.lower().endswith(MINIFIED_SUFFIXES):
                    yield FileEntry(rel, st.st_size, st.st_mode, False)
            elif stat.S_ISLNK(st.st_mode):
                target = Path(entry.path)
                if self._inside(target) and target.is_file():
                    yield FileEntry(rel, target.stat().st_size, st.st_mode, True)

    def world_writable(self) -> list[str]:
        """Files and directories (not symlinks) writable by everyone, ignoring VCS data.

        Iterative, like ``_walk`` (``os.walk`` recurses once per folder level).
        """
        found: list[str] = []
        pending = [(str(self.root), "")]
        while pending:
            directory, prefix = pending.pop()
            try:
                with os.scandir(directory) as scan:
                    entries = list(scan)
            except OSError:
                continue
            for entry in entries:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                rel = f"{prefix}{entry.name}"
                if not stat.S_ISLNK(st.st_mode) and st.st_mode & stat.S_IWOTH:
                    found.append(rel)
                if stat.S_ISDIR(st.st_mode) and entry.name != ".git":
                    pending.append((entry.path, rel + "/"))
        return sorted(found)


def _listing(directory: str | Path, prefix: str) -> Iterator[os.DirEntry[str]]:
    """The entries of ``directory`` in name order; none for an unreadable folder or for a
    virtualenv below the top (recognised by its ``pyvenv.cfg``)."""
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return iter(())
    if prefix and any(e.name == "pyvenv.cfg" for e in entries):
        return iter(())
    return iter(entries)
