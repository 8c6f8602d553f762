"""The file that stands for a repository, where a finding about the whole repository is shown.

Code-scanning services (GitHub, GitLab) reject or hide a result without a file and line, yet
many findings are about the repository as a whole ("no licence file", "no release tag").
Such a finding is shown on line 1 of the file that presents the project: its README, else
its licence file, else its package manifest, else any file the assessment saw. Only files
known to exist are chosen: those in the assessed checkout (when it is still on disk) and
those the report's evidence located by line or named as found. Never a path that does not
exist, which a dashboard could not open.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable
from pathlib import Path

from sqaaas.core.model import Report
from sqaaas.core.outcomes import Outcome
from sqaaas.facts.dependencies import KINDS

_README = re.compile(r"readme(?:\.[\w.-]+)?", re.IGNORECASE)
_LICENCE = re.compile(r"(?:licen[cs]e|copying|unlicense)(?:[-._][\w.-]+)?", re.IGNORECASE)
#: package manifests (not lock or requirement files): they name the project itself
_MANIFESTS = tuple(k.name for k in KINDS if k.label not in ("lock file", "requirements file"))
_MAX_LISTED = 2000  # entries read from one directory of an untrusted checkout


def _hidden(path: str) -> bool:
    return posixpath.basename(path).startswith(".")


def _rank(path: str) -> int | None:
    """0 README, 1 licence, 2 manifest; None for another file."""
    name = posixpath.basename(path)
    if _README.fullmatch(name):
        return 0
    if _LICENCE.fullmatch(name):
        return 1
    if any(kind.fullmatch(name.lower()) for kind in _MANIFESTS):
        return 2
    return None


def _listed(root: Path, folder: str) -> list[str]:
    """Regular files (not symlinks) directly in ``root/folder``, repository-relative."""
    try:
        with os.scandir(root / folder) as entries:
            found = []
            for count, entry in enumerate(entries):
                if count >= _MAX_LISTED:
                    break
                if entry.is_file(follow_symlinks=False):
                    found.append(posixpath.join(folder, entry.name) if folder else entry.name)
            return found
    except OSError:  # the checkout is gone (a stored report) or unreadable
        return []


def _shallowest(root: Path, folder: str) -> list[str]:
    """The first regular file of a breadth-first walk below ``root/folder`` (names sorted,
    .git skipped, at most _MAX_LISTED folders visited): for a tree with files only in
    sub-folders."""
    queue = [folder]
    for visited, current in enumerate(queue):
        if visited >= _MAX_LISTED:
            break
        try:
            with os.scandir(root / current) as entries:
                ordered = sorted(entries, key=lambda e: e.name)
        except OSError:
            continue
        for entry in ordered:
            path = posixpath.join(current, entry.name) if current else entry.name
            if entry.is_file(follow_symlinks=False):
                return [path]
            if entry.is_dir(follow_symlinks=False) and entry.name != ".git":
                queue.append(path)
    return []


def repo_path(report: Report, path: str) -> str:
    """A path of the evidence (relative to the assessed folder) relative to the repository."""
    return posixpath.normpath(posixpath.join(report.repository.subfolder or "", path)).lstrip("/")


def _seen_in_report(report: Report) -> Iterable[str]:
    """Files the evidence shows exist: located by line, or named as found by a passing line."""
    for criterion in report.criteria.values():
        for sub in criterion.subcriteria.values():
            for ev in sub.evidence:
                if not ev.path:
                    continue
                found = ev.failing is False or sub.outcome is Outcome.PASS
                if ev.line or (found and _rank(ev.path) is not None):
                    yield repo_path(report, ev.path)


def known_files(report: Report) -> set[str]:
    """Repository-relative files known to exist (see the module docstring)."""
    files = set(_seen_in_report(report))
    root = Path(report.repository.path)
    if not root.is_absolute():  # a service's report has no checkout: never read the cwd
        return files
    subfolder = (report.repository.subfolder or "").strip("/")
    for folder in dict.fromkeys((subfolder, "")):
        files.update(_listed(root, folder))
    if all(_hidden(f) for f in files):  # only dot-files: a file of the project is better
        files.update(_shallowest(root, subfolder))
    return files


def stand_in(report: Report, known: set[str] | None = None) -> str | None:
    """Repository-relative path of the file standing for the repository (None: no file known).

    A README, licence file or manifest (in that order) of the assessed folder, else of the
    repository root, else anywhere; failing those, the shallowest other known file (dot-files
    last).
    """
    files = known_files(report) if known is None else known
    subfolder = (report.repository.subfolder or "").strip("/")

    def order(path: str) -> tuple[bool, int, int, bool, int, str]:
        folder = posixpath.dirname(path)
        where = 0 if folder == subfolder else 1 if folder == "" else 2
        rank = _rank(path)
        return (rank is None, where, rank or 0, _hidden(path), path.count("/"), path)

    return min(files, key=order) if files else None
