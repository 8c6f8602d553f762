"""Licences found in the repository's files: root licence files, REUSE, SPDX headers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqaaas.core.outcomes import Evidence
from sqaaas.facts.licences.data import licence_data
from sqaaas.facts.licences.matching import Match, match_text
from sqaaas.facts.licences.spdx import canonical_id, expression_terms
from sqaaas.languages import language_of
from sqaaas.repofs import FileEntry, RepoFS, UnsafePathError

_HEADER = re.compile(r"SPDX-License-Identifier\s*[:=]\s*(.+)")
_HEADER_END = re.compile(r"\*/|-->|\"\"\"|'''|#\}|--\}\}|\\n|\"\s*,?\s*$")


@dataclass(frozen=True)
class LicenceFile:
    """One candidate licence file and what became of it."""

    path: str
    status: str  # matched | unrecognised | empty | refused | unreadable
    matches: tuple[Match, ...] = ()
    note: str = ""
    declared: str | None = None  # REUSE: the id the LICENSES/<id>.txt name declares


@dataclass(frozen=True)
class Detection:
    """A licence found in the repository: where and how."""

    spdx: str
    path: str
    how: str
    alternatives: tuple[str, ...] = ()  # other licences offered with OR (SPDX headers)
    line: int | None = None

    @property
    def options(self) -> tuple[str, ...]:
        return (self.spdx, *self.alternatives)


def detection_evidence(d: Detection) -> Evidence:
    """A licence found, as evidence: QC.Lic01 and the FAIR licence indicator show it alike."""
    ids = " OR ".join(d.options)
    return Evidence(
        message=f"{ids} detected in {d.path}: {d.how}",
        path=d.path,
        line=d.line,
        value=list(d.options) if d.alternatives else d.spdx,
    )


@dataclass(frozen=True)
class HeaderScan:
    sampled: int
    detections: tuple[Detection, ...]
    invalid: tuple[tuple[str, str], ...]  # (path, expression) with no SPDX id in it
    #: vendored third-party files left out of the sample: (why, how many), most first
    vendored: tuple[tuple[str, int], ...] = ()

    def vendored_evidence(self) -> Evidence | None:
        """The vendored files judged apart from the project's licence, or None."""
        if not self.vendored:
            return None
        total = sum(n for _, n in self.vendored)
        shown = ", ".join(f"{why} {n}" for why, n in self.vendored[:5])
        more = f", and {len(self.vendored) - 5} more" if len(self.vendored) > 5 else ""
        return Evidence(
            message=f"{total} vendored third-party file(s) judged apart from the project's "
            f"licence (their SPDX headers are another project's): {shown}{more}",
            value=total,
            failing=False,
        )


def is_licence_name(name: str) -> bool:
    """LICENSE, COPYING.md, LICENSE-MIT, COPYING.LESSER ... but not license.py."""
    data = licence_data()
    lower = name.lower()
    for ext in data.text_extensions:
        if lower.endswith(ext):
            lower = lower[: -len(ext)]
            break
    else:
        if language_of(FileEntry(name, 0, 0, False)) is not None:
            return False
    return any(lower == s or lower.startswith((f"{s}-", f"{s}.", f"{s}_")) for s in data.stems)


def read_licence(fs: RepoFS, rel: str, declared: str | None = None) -> LicenceFile:
    data = licence_data()
    if fs.is_outside_link(rel):
        return LicenceFile(rel, "refused", declared=declared,
                           note="symlink pointing outside the repository: refused, not read")
    try:
        text = fs.read_text(rel, limit=data.limit("max_licence_bytes"))
    except UnsafePathError:
        return LicenceFile(rel, "refused", declared=declared,
                           note="path leaves the repository: refused, not read")
    except OSError as exc:
        return LicenceFile(rel, "unreadable", declared=declared, note=f"cannot read: {exc}")
    notes = []
    if text.lossy:
        notes.append("not valid UTF-8 (undecodable bytes replaced)")
    if text.truncated:
        notes.append(f"only the first {data.limit('max_licence_bytes')} bytes read")
    note = "; ".join(notes)
    if not text.text.strip():
        return LicenceFile(rel, "empty", declared=declared, note=note)
    match = match_text(text.text)
    if match is not None:
        return LicenceFile(rel, "matched", (match,), note, declared)
    in_file = [
        Match(spdx, "SPDX-License-Identifier line in the file (no licence text)")
        for _, expr in _headers_in(text.text)
        for term in expression_terms(expr)[0]
        for spdx in term
    ]
    if in_file:
        return LicenceFile(rel, "matched", tuple(in_file), note, declared)
    return LicenceFile(rel, "unrecognised", (), note, declared)


def _headers_in(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        found = _HEADER.search(line)
        if found:
            expr = _HEADER_END.split(found.group(1), maxsplit=1)[0].strip().strip("\"'")
            if expr:
                yield number, expr


def root_licence_files(fs: RepoFS) -> list[str]:
    return [name for name in fs.listdir("") if is_licence_name(name)
            and (fs.is_file(name) or fs.is_outside_link(name))]


def reuse_files(fs: RepoFS) -> list[LicenceFile]:
    data = licence_data()
    if not fs.is_dir(data.reuse_dir):
        return []
    found = []
    for name in fs.listdir(data.reuse_dir)[: data.limit("max_reuse_files")]:
        rel = f"{data.reuse_dir}/{name}"
        if fs.is_file(rel) or fs.is_outside_link(rel):
            found.append(read_licence(fs, rel, declared=canonical_id(PurePosixPath(name).stem)))
    return found


def _sample(files: Iterable[FileEntry], size: int) -> list[FileEntry]:
    """Evenly spread over the sorted tree, so one big directory does not fill the sample."""
    pool = sorted(files, key=lambda f: f.path)
    if len(pool) <= size:
        return pool
    step = len(pool) / size
    return [pool[int(i * step)] for i in range(size)]


def scan_headers(fs: RepoFS, skip: set[str], vendored: Mapping[str, str]) -> HeaderScan:
    """SPDX-License-Identifier headers in a bounded sample of the project's own files:
    ``vendored`` files (path -> why, sqaaas.facts.scope) are another project's and left out."""
    data = licence_data()
    reuse_prefix = data.reuse_dir + "/"
    candidates = []
    left_out: dict[str, int] = {}
    for f in fs.files:
        if f.path in skip or f.path.startswith(reuse_prefix) or not (
            language_of(f) is not None or f.suffix == ".license" or f.name == "REUSE.toml"
        ):
            continue
        if (why := vendored.get(f.path)) is not None:
            left_out[why] = left_out.get(why, 0) + 1
        else:
            candidates.append(f)
    sample = _sample(candidates, data.limit("header_sample_files"))
    per_expr: dict[tuple[tuple[str, ...], ...], dict[str, int]] = {}  # -> {path: line}
    invalid: list[tuple[str, str]] = []
    for entry in sample:
        if (file := fs.try_read_text(entry.path, limit=data.limit("header_bytes"))) is None:
            continue
        text = file.text
        for line, expr in _headers_in(text):
            terms, _unknown = expression_terms(expr)
            if terms:
                per_expr.setdefault(terms, {}).setdefault(entry.path, line)
            else:
                invalid.append((entry.path, expr))
    detections = []
    for terms, where in per_expr.items():
        how = f"SPDX-License-Identifier in {len(where)} of {len(sample)} sampled files"
        path, line = next(iter(where.items()))
        detections.extend(
            Detection(term[0], path, how, alternatives=term[1:], line=line) for term in terms
        )
    by_count = tuple(sorted(left_out.items(), key=lambda kv: (-kv[1], kv[0])))
    return HeaderScan(len(sample), tuple(detections), tuple(invalid), by_count)
