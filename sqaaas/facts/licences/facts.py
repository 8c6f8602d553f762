"""What QC.Lic knows about a repository, computed once per assessment (via ``ctx.fact``).

The project's licence is judged apart from vendored third-party code (``vendor/``,
``third_party/``, ``external/``, git submodules, ``lib/<package>/`` with its own licence:
sqaaas.facts.scope): a vendored file's SPDX header is another project's licence, so it is
neither a licence of the project nor compared with the project's metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from sqaaas.context import RepoContext
from sqaaas.facts.licences.data import licence_data
from sqaaas.facts.licences.declarations import Declaration, declared_licences
from sqaaas.facts.licences.sources import (
    Detection,
    HeaderScan,
    LicenceFile,
    is_licence_name,
    read_licence,
    reuse_files,
    root_licence_files,
    scan_headers,
)
from sqaaas.facts.licences.spdx import agrees
from sqaaas.facts.scope import vendored_paths


@dataclass(frozen=True)
class Conflict:
    message: str
    path: str
    value: str


@dataclass(frozen=True)
class LicenceFacts:
    root_files: tuple[LicenceFile, ...]
    reuse_files: tuple[LicenceFile, ...]
    elsewhere: tuple[str, ...]  # licence-named files outside the root (docs/, .github/)
    file_detections: tuple[Detection, ...]  # from root licence files and LICENSES/
    headers: HeaderScan
    declarations: tuple[Declaration, ...]
    conflicts: tuple[Conflict, ...]

    @property
    def detections(self) -> tuple[Detection, ...]:
        return (*self.file_detections, *self.headers.detections)


def _conflicts(declarations: list[Declaration], found: tuple[Detection, ...]) -> list[Conflict]:
    """Every term the metadata declares must agree with a licence found in the files."""
    if not found:
        return []
    ids = sorted({d.spdx for d in found})
    paths = sorted({d.path for d in found})
    conflicts = []
    for decl in declarations:
        for term in decl.terms:
            if not any(agrees(a, d) for a in term for d in ids):
                conflicts.append(Conflict(
                    f"{decl.path} ({decl.field}) declares {decl.raw!r}, but "
                    f"{', '.join(paths)} hold{'s' if len(paths) == 1 else ''} {', '.join(ids)}",
                    decl.path, decl.raw,
                ))
                break
    return conflicts


def _reuse_detections(files: list[LicenceFile]) -> tuple[list[Detection], list[Conflict]]:
    detections, conflicts = [], []
    for lf in files:
        if lf.declared and lf.matches and not any(agrees(lf.declared, m.spdx) for m in lf.matches):
            text_ids = ", ".join(m.spdx for m in lf.matches)
            conflicts.append(Conflict(
                f"{lf.path} is named {lf.declared} but its text is {text_ids}", lf.path, text_ids
            ))
            detections.extend(
                Detection(m.spdx, lf.path, f"REUSE file, {m.how}") for m in lf.matches
            )
        elif lf.matches:
            spdx = lf.declared or lf.matches[0].spdx
            how = f"REUSE file, its text confirms it: {lf.matches[0].how}"
            detections.append(Detection(spdx, lf.path, how))
        elif lf.declared and lf.status == "unrecognised":
            detections.append(Detection(
                lf.declared, lf.path,
                "REUSE file name (its text is not among the licences known offline)",
            ))
    return detections, conflicts


def licence_facts(ctx: RepoContext) -> LicenceFacts:
    """Everything QC.Lic needs, computed once per assessment (use via ``ctx.fact``)."""
    fs = ctx.fs
    root = [read_licence(fs, rel) for rel in root_licence_files(fs)]
    reuse = reuse_files(fs)
    detections = [Detection(m.spdx, lf.path, m.how) for lf in root for m in lf.matches]
    reuse_found, conflicts = _reuse_detections(reuse)
    detections.extend(reuse_found)
    headers = scan_headers(fs, {lf.path for lf in root}, ctx.fact(vendored_paths))
    declarations = declared_licences(ctx)
    conflicts.extend(_conflicts(declarations, tuple(detections) or headers.detections))
    elsewhere = [] if root or reuse else [
        p for p in fs.find(licence_data().stems, dirs=("docs", "doc", ".github"))
        if is_licence_name(PurePosixPath(p).name)
    ]
    return LicenceFacts(
        root_files=tuple(root),
        reuse_files=tuple(reuse),
        elsewhere=tuple(elsewhere),
        file_detections=tuple(detections),
        headers=headers,
        declarations=tuple(declarations),
        conflicts=tuple(conflicts),
    )
