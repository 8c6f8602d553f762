"""What the networked download step may fetch, read statically on the host (RepoFS).

The download step is the only one with network, so nothing the repository controls may
make it run code: a requirements file can name a local path (``-e .``, ``./pkg``), a URL
or a VCS checkout, each of which pip would build, running that code with the network on.
Here requirements files (with their ``-r``/``-c`` includes inside the repository) and
dependency groups are read as text; only named requirements of the package registry pass,
everything else is left out with a note in the install log. A line that is no requirement
at all fails the install, as it fails pip. The project's own dependencies are not read
here: its build backend says them offline (the ``meta`` step); ``checked`` vets that answer.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement

from sqaaas.repofs import RepoFS, UnsafePathError
from sqaaas.sandbox.plan import InstallPlan, pyproject_table

#: Build backends may ask for these through get_requires_for_build_* (older setuptools
#: asks for wheel): a few small wheels, fetched just in case.
EXTRA_BUILD = ("wheel",)
DEFAULT_BUILD = ("setuptools>=40.8.0",)  # what pip assumes without [build-system]
_MAX_FILES = 50
_MAX_DEPTH = 5
_MAX_REQUIREMENTS = 2000
_MAX_LENGTH = 500
_INCLUDE = re.compile(r"^(-r|-c|--requirement|--constraint)(?:=|\s+|(?<=-r)|(?<=-c))\s*(\S+)$")
_LINE_OPTION = re.compile(r"\s+--?[A-Za-z]")  # per-requirement options (--hash=...) start here
_COMMENT = re.compile(r"(^|\s)#.*$")
_NOT_A_NAME = re.compile(r"^(?:[./~\\]|[A-Za-z][A-Za-z0-9+.-]*:)|\.(?:whl|zip|tar\.gz|tgz)$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


@dataclass
class Downloads:
    """What the download step fetches (named requirements only) and what was left out."""

    build: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # left out, and why
    errors: list[str] = field(default_factory=list)  # the install fails, as pip would

    def payload(self) -> dict[str, list[str]]:
        return {"requirements": self.requirements, "constraints": self.constraints}


def _named(text: str, where: str, found: Downloads) -> str | None:
    """``text`` as a requirement string when it names a registry package, else None."""
    if len(text) > _MAX_LENGTH:
        found.errors.append(f"{where}: a requirement longer than {_MAX_LENGTH} characters")
        return None
    if "${" in text or _NOT_A_NAME.search(text):
        found.notes.append(f"{where}: left out, not a package of the registry: {text}")
        return None
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        found.errors.append(f"{where}: Invalid requirement: {text!r}: {exc}")
        return None
    if req.url:
        found.notes.append(f"{where}: left out, a direct reference (not the registry): {text}")
        return None
    return str(req)


def checked(lines: Iterable[object], where: str, found: Downloads) -> list[str]:
    """Named requirements among ``lines`` (e.g. the Requires-Dist the offline build backend
    reported: untrusted, hence vetted like a requirements file)."""
    kept = []
    for n, line in enumerate(lines, start=1):
        if n > _MAX_REQUIREMENTS:
            found.errors.append(f"{where}: more than {_MAX_REQUIREMENTS} requirements")
            break
        if isinstance(line, str) and (req := _named(line.strip(), where, found)):
            kept.append(req)
    return kept


def valid_name(name: object) -> str | None:
    return name if isinstance(name, str) and _NAME.match(name) else None


def _logical_lines(text: str) -> Iterable[tuple[int, str]]:
    """(line number, line) of a requirements file: continuations joined, comments gone."""
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw) if not raw.rstrip().endswith("\\") else raw
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined = (pending + line).strip()
        pending = ""
        if joined:
            yield start, joined


class _FileReader:
    """Reads requirements files and their includes, inside the repository only."""

    def __init__(self, fs: RepoFS, found: Downloads) -> None:
        self.fs = fs
        self.found = found
        self.seen: set[str] = set()

    def read(self, path: str, constraints: bool = False, depth: int = 0) -> None:
        if path in self.seen or len(self.seen) >= _MAX_FILES or depth > _MAX_DEPTH:
            return
        self.seen.add(path)
        try:
            file = self.fs.try_read_text(path)
        except (OSError, UnsafePathError):
            file = None
        if file is None:
            self.found.notes.append(f"{path}: cannot be read inside the repository: left out")
            return
        for number, line in _logical_lines(file.text):
            self._line(path, number, line, constraints, depth)

    def _line(self, path: str, number: int, line: str, constraints: bool, depth: int) -> None:
        where = f"{path} line {number}"
        if include := _INCLUDE.match(line):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), include[2]))
            if target.startswith(("../", "/")) or target == "..":
                self.found.notes.append(f"{where}: left out, outside the repository: {line}")
            else:
                self.read(target, constraints or include[1] in ("-c", "--constraint"), depth + 1)
            return
        if line.startswith("-"):
            self.found.notes.append(f"{where}: option ignored (wheels come from PyPI): {line}")
            return
        text = _LINE_OPTION.split(line, maxsplit=1)[0].strip()
        if (req := _named(text, where, self.found)) is not None:
            (self.found.constraints if constraints else self.found.requirements).append(req)


def _group(groups: dict[str, object], name: str, found: Downloads, stack: tuple[str, ...]) -> None:
    """A PEP 735 dependency group, with the groups it includes."""
    entries = groups.get(name)
    if not isinstance(entries, list) or name in stack:
        return
    for entry in entries:
        where = f"pyproject.toml [dependency-groups] {name}"
        if isinstance(entry, str):
            if req := _named(entry, where, found):
                found.requirements.append(req)
        elif isinstance(entry, dict) and isinstance(entry.get("include-group"), str):
            _group(groups, entry["include-group"], found, (*stack, name))


def downloads(fs: RepoFS, plan: InstallPlan) -> Downloads:
    """The registry packages ``plan`` needs, besides what the project itself declares."""
    found = Downloads()
    reader = _FileReader(fs, found)
    for path in plan.requirements:
        reader.read(path)
    groups = pyproject_table(fs, "dependency-groups")
    for group in plan.groups:
        _group(groups if isinstance(groups, dict) else {}, group, found, ())
    if plan.project:
        requires = pyproject_table(fs, "build-system", "requires")
        declared = requires if isinstance(requires, list) else list(DEFAULT_BUILD)
        found.build = checked([*declared, *EXTRA_BUILD], "pyproject.toml [build-system]", found)
    return found
