"""Persistent identifiers (DOI, SWHID, ARK, Handle) a repository gives for itself.

Looked for where research software states them: CITATION.cff (``doi``, ``identifiers``),
codemeta.json (``identifier``, ``@id``, ``sameAs``), .zenodo.json (``doi``, ``conceptdoi``)
and badges in the README. A field meant to hold a DOI whose value is not one
(``10.abc/x``, a dummy Zenodo suffix) is reported as malformed rather than ignored, so the
FAIR checks can say what to fix. The files are parsed once by :mod:`sqaaas.facts.metadata`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence
from sqaaas.facts.cff import line_excerpt
from sqaaas.facts.docfiles import readme_path
from sqaaas.facts.metadata import CFF, CODEMETA, ZENODO, MetadataFile, metadata_files
from sqaaas.facts.project_urls import line_of

DOI, SWHID, ARK, HANDLE = "DOI", "SWHID", "ARK", "Handle"
#: DOI syntax (ISO 26324): "10." + a registrant code of digits (4 or more, optionally with
#: dot-separated subdivisions) + "/" + a suffix of any printable characters (old SICI DOIs
#: hold "<>" and parentheses). Matched against whole field values, not searched in prose.
DOI_RE = re.compile(r"10\.\d{4,9}(?:\.\d+)*/\S+")
_SCHEMES = {
    DOI: DOI_RE,
    SWHID: re.compile(r"swh:1:(?:cnt|dir|rev|rel|snp):[0-9a-f]{40}"),
    ARK: re.compile(r"ark:/?[0-9bcdfghjkmnpqrstvwxz]{5,}/[^\s\"'<>]+"),
    HANDLE: re.compile(r"(?<=hdl\.handle\.net/)\d+(?:\.\d+)*/[^\s\"'<>]+"),
}
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_MEANT_AS_DOI = re.compile(r"^\s*(?:doi:|10\.|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_ZENODO_DOI = re.compile(r"10\.5281/zenodo\.\d+")
_DUMMY_SUFFIX = re.compile(r"x{4,}|n{4,}|\.\.\.|your[-_]?doi", re.IGNORECASE)
_TRAILING = ".,;:!?)]}*_`"
_BADGE_LINE = re.compile(r"!\[|<img\b|\bimage::|:target:", re.IGNORECASE)
_BADGE_DOI = re.compile(r"(?:badge/DOI/|(?:dx\.)?doi\.org/)(\S+)", re.IGNORECASE)
_README_LIMIT = 200_000
DOI_SYNTAX = "a DOI is 10.<registrant digits, at least 4>/<suffix>, e.g. 10.5281/zenodo.1234567"


@dataclass(frozen=True)
class Identifier:
    """A well-formed persistent identifier and where it was stated."""

    scheme: str
    value: str  # normalised: a DOI without resolver prefix, a SWHID without qualifiers
    path: str
    field: str  # e.g. "doi", "identifiers[0]", "DOI badge"
    line: int | None
    excerpt: str | None

    def evidence(self) -> Evidence:
        return Evidence(
            message=f"{self.scheme} {self.value} in {self.path} ({self.field})",
            path=self.path, line=self.line, value=self.value, excerpt=self.excerpt,
        )


@dataclass(frozen=True)
class Malformed:
    """A value stated as an identifier that is not a well-formed one."""

    raw: str
    reason: str
    path: str
    field: str
    line: int | None
    excerpt: str | None

    def evidence(self) -> Evidence:
        return Evidence(
            message=f"{self.path} ({self.field}): {self.raw!r} is not a well-formed "
            f"identifier: {self.reason}",
            path=self.path, line=self.line, value=self.raw[:200], excerpt=self.excerpt,
        )


@dataclass(frozen=True)
class IdentifierScan:
    found: tuple[Identifier, ...]
    malformed: tuple[Malformed, ...]
    unreadable: tuple[Evidence, ...]  # metadata files whose fields could not be read

    def first(self, *paths: str) -> Identifier | None:
        """The first identifier stated in one of ``paths`` (any file when none is given)."""
        return next((i for i in self.found if not paths or i.path in paths), None)


def _clean(candidate: str) -> str:
    candidate = unquote(candidate).rstrip(_TRAILING)
    return re.sub(r"\.(?:svg|png)$", "", candidate, flags=re.IGNORECASE)


def doi_problem(value: str) -> str | None:
    """Why ``value`` (a DOI, maybe with doi: or a resolver URL) is not a usable DOI, else None."""
    doi = _DOI_PREFIX.sub("", value.strip())
    if not DOI_RE.fullmatch(doi):
        return DOI_SYNTAX
    if _DUMMY_SUFFIX.search(doi.split("/", 1)[1]):
        return "the suffix is a dummy value, not a registered DOI"
    if doi.startswith("10.5281/") and not _ZENODO_DOI.fullmatch(doi):
        return "Zenodo DOIs are 10.5281/zenodo.<record number>"
    return None


def parse_pid(value: str) -> tuple[str, str] | None:
    """(scheme, normalised value) when ``value`` is, or resolves as, a persistent identifier."""
    text = unquote(value.strip())
    doi = _DOI_PREFIX.sub("", text)
    if DOI_RE.fullmatch(doi) and doi_problem(doi) is None:
        return DOI, doi
    for scheme in (SWHID, ARK, HANDLE):
        if found := _SCHEMES[scheme].search(text):
            return scheme, _clean(found.group(0))
    return None


class _Collector:
    """Classifies the values of one metadata file into identifiers and malformed ones."""

    def __init__(self, meta: MetadataFile) -> None:
        self.meta = meta
        self.found: list[Identifier] = []
        self.malformed: list[Malformed] = []

    def _where(self, raw: str, key: str) -> tuple[int | None, str | None]:
        line = line_of(self.meta.text, raw) or self.meta.field_line(key)
        return line, line_excerpt(self.meta.text, line)

    def add(self, value: object, field: str, key: str, *, declared_doi: bool = False) -> None:
        """Record ``value``; a declared DOI field must hold a DOI, other fields may hold URLs."""
        if declared_doi and value is not None and not isinstance(value, str):
            value = str(value)  # a number or a list where a DOI belongs: say so
        if not isinstance(value, str) or not value.strip():
            return
        line, excerpt = self._where(value.strip(), key)
        pid = parse_pid(value)
        if pid is not None and (pid[0] == DOI or not declared_doi):
            self.found.append(Identifier(pid[0], pid[1], self.meta.path, field, line, excerpt))
        elif declared_doi or _MEANT_AS_DOI.match(value):
            reason = doi_problem(value) or DOI_SYNTAX
            self.malformed.append(
                Malformed(value.strip(), reason, self.meta.path, field, line, excerpt)
            )


def _values(value: Any) -> Iterator[tuple[Any, bool]]:
    """(value, stated as a DOI) of a codemeta identifier: text, PropertyValue, list of them."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            is_doi = str(item.get("propertyID", "")).strip().upper() == DOI
            yield item.get("value") or item.get("@id") or item.get("url"), is_doi
        else:
            yield item, False


def _from_metadata(meta: MetadataFile, data: dict[str, Any]) -> _Collector:
    found = _Collector(meta)
    if meta.kind == CFF:
        found.add(data.get("doi"), "doi", "doi", declared_doi=True)
        entries = data.get("identifiers")
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict):
                kind = str(entry.get("type", "")).lower()
                found.add(entry.get("value"), f"identifiers[{index}] {kind}", "value",
                          declared_doi=kind == "doi")
    elif meta.kind == CODEMETA:
        for key in ("identifier", "@id", "sameAs"):
            for value, is_doi in _values(data.get(key)):
                found.add(value, key, key, declared_doi=is_doi)
    elif meta.kind == ZENODO:
        for key in ("doi", "conceptdoi"):
            found.add(data.get(key), key, key, declared_doi=True)
    return found


def _readme_badges(ctx: RepoContext) -> tuple[list[Identifier], list[Malformed]]:
    """DOIs and other PIDs on the badge lines of the README (image links and their targets)."""
    path = ctx.fact(readme_path)
    file = ctx.fs.try_read_text(path, _README_LIMIT) if path else None
    if path is None or file is None:
        return [], []
    found: list[Identifier] = []
    malformed: list[Malformed] = []
    for number, line in enumerate(file.text.splitlines(), start=1):
        if not _BADGE_LINE.search(line):
            continue
        excerpt = line.strip()[:200]
        for match in _BADGE_DOI.finditer(line):
            candidate = _clean(re.split(r"[)\]\"'<>]", match.group(1))[0])
            if (problem := doi_problem(candidate)) is None:
                found.append(Identifier(DOI, candidate, path, "DOI badge", number, excerpt))
            else:
                malformed.append(Malformed(candidate, problem, path, "DOI badge", number, excerpt))
        for scheme in (SWHID, ARK):
            for pid in _SCHEMES[scheme].finditer(line):
                value = _clean(pid.group(0))
                found.append(Identifier(scheme, value, path, f"{scheme} badge", number, excerpt))
    return found, malformed


def identifiers(ctx: RepoContext) -> IdentifierScan:
    """Every persistent identifier the repository states for itself (use via ``ctx.fact``)."""
    found: list[Identifier] = []
    malformed: list[Malformed] = []
    unreadable: list[Evidence] = []
    for meta in ctx.fact(metadata_files):
        if (problem := meta.unusable()) is not None:
            unreadable.append(problem)
            continue
        collected = _from_metadata(meta, meta.mapping or {})
        found += collected.found
        malformed += collected.malformed
    badges, bad_badges = _readme_badges(ctx)
    unique = {(i.scheme, i.value.lower(), i.path): i for i in [*found, *badges]}
    return IdentifierScan(
        tuple(unique.values()), tuple([*malformed, *bad_badges]), tuple(unreadable)
    )
