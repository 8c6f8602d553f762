"""Citation and software metadata of a repository: CITATION.cff, codemeta.json, .zenodo.json.

Each file is read, parsed and checked once per assessment. QC.Met reports on the result and
the FAIR checks reuse the parsed documents (authors, identifiers, licence) without reading
or validating the files again. Parsing is safe (sqaaas.safeparse): sizes, nesting, alias
expansion and integers are bounded, and nothing in the files is ever executed. A file over
one of those bounds raises ParseLimitError: the probes reading it say ``error``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence
from sqaaas.facts.cff import check_cff, line_excerpt
from sqaaas.facts.manifests import package_json, pyproject
from sqaaas.repofs import TextFile, UnsafePathError
from sqaaas.safeparse import Limits, ParseError, ParseLimitError, load_json

CFF = "CITATION.cff"
CODEMETA = "codemeta.json"
ZENODO = ".zenodo.json"
CODEMETA_RECOMMENDED = ("author", "license", "codeRepository", "description")

_MAX_BYTES = 1_000_000
#: CodeMeta 2.0 and 3.x contexts in their published spellings (DOI, w3id, purl, raw GitHub).
_CODEMETA_CONTEXT = re.compile(
    r"codemeta[/-]v?(?:2\.0|3\.\d+)\b|codemeta/codemeta/(?:master|main)/codemeta\.jsonld", re.I
)


@dataclass(frozen=True)
class MetadataFile:
    """One metadata file as found: its parsed document and what is wrong with it."""

    kind: str  # the canonical name: CITATION.cff, codemeta.json or .zenodo.json
    path: str  # where it was found (the case of the name may differ from ``kind``)
    data: Any = None  # the parsed document (CFF dates as ISO strings); None when unreadable
    problems: tuple[Evidence, ...] = ()  # what makes the file invalid
    notes: tuple[Evidence, ...] = ()  # worth reporting, not a failure
    tracked: bool = False
    text: str = field(default="", repr=False)

    @property
    def valid(self) -> bool:
        return self.data is not None and not self.problems

    @property
    def mapping(self) -> dict[str, Any] | None:
        """The document when it is a mapping: what field look-ups can use, even if invalid."""
        return self.data if isinstance(self.data, dict) else None

    def unusable(self) -> Evidence | None:
        """Why no field can be read from this file (unparseable, not a mapping), else None."""
        if self.mapping is not None:
            return None
        if self.data is None and self.problems:
            first = self.problems[0]
            return first.model_copy(update={"message": f"{self.path}: {first.message}"})
        return Evidence(message=f"{self.path}: the top level is not a mapping", path=self.path)

    def field_line(self, key: str) -> int | None:
        """Line of the first ``key:`` (YAML) or ``"key":`` (JSON) in the file's text."""
        pattern = re.compile(rf"""(?:^|[{{,])\s*(?:-\s+)?["']?{re.escape(key)}["']?\s*:""")
        for number, line in enumerate(self.text.splitlines(), start=1):
            if pattern.search(line):
                return number
        return None


@dataclass(frozen=True)
class DeclaredVersion:
    """A version number the repository states about itself, and where."""

    source: str  # e.g. "CITATION.cff version"
    path: str
    value: str
    line: int | None


# --- reading ---------------------------------------------------------------------------


def _locate(ctx: RepoContext, name: str) -> str | None:
    """The root file called ``name``, tolerating a different case (reported as a problem)."""
    if ctx.fs.is_file(name):
        return name
    for entry in ctx.fs.listdir():
        if entry.lower() == name.lower() and ctx.fs.is_file(entry):
            return entry
    return None


def _read(ctx: RepoContext, rel: str) -> tuple[TextFile | None, list[Evidence]]:
    try:
        text = ctx.fs.read_text(rel, limit=_MAX_BYTES)
    except (OSError, UnsafePathError) as exc:
        return None, [Evidence(message=f"cannot read {rel}: {exc}", path=rel)]
    if text.truncated:
        raise ParseLimitError(rel, f"larger than {_MAX_BYTES} bytes; not parsed", _MAX_BYTES)
    problems = []
    if text.lossy:
        problems.append(Evidence(message=f"{rel} is not valid UTF-8", path=rel))
    return text, problems


def _parsed(
    ctx: RepoContext, kind: str, parse: Callable[[MetadataFile, str], MetadataFile]
) -> MetadataFile | None:
    """Locate and read a metadata file, then ``parse`` its text into the full record."""
    path = _locate(ctx, kind)
    if path is None:
        return None
    text, problems = _read(ctx, path)
    if path != kind:
        problems.append(
            Evidence(
                message=f"the file is named {path}; tools and forges only look for {kind}",
                path=path,
            )
        )
    tracked = ctx.git.is_tracked(ctx.fs.root, path)
    record = MetadataFile(kind, path, problems=tuple(problems), tracked=tracked)
    if text is None:
        return record
    return parse(replace(record, text=text.text), text.text)


def _parse_cff(record: MetadataFile, text: str) -> MetadataFile:
    data, problems, notes = check_cff(record.path, text)
    return replace(
        record, data=data, problems=record.problems + tuple(problems), notes=tuple(notes)
    )


# --- JSON metadata -----------------------------------------------------------------------


def _load_json(text: str, path: str) -> tuple[Any, list[Evidence]]:
    """The document, or the syntax error as evidence at its line; ParseLimitError raised."""
    try:
        return load_json(text, source=path, limits=Limits(max_bytes=_MAX_BYTES)), []
    except ParseLimitError:
        raise
    except ParseError as exc:
        return None, [
            Evidence(
                message=exc.problem, path=path, line=exc.line,
                excerpt=line_excerpt(text, exc.line),
            )
        ]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        yield from (v for v in value if isinstance(v, str))


def _present(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return (
        isinstance(value, int | float | list | dict) and not isinstance(value, bool) and value != []
    )


def _codemeta_problems(data: dict[str, Any], path: str) -> tuple[list[Evidence], list[Evidence]]:
    problems: list[Evidence] = []
    context = data.get("@context")
    if context is None:
        problems.append(
            Evidence(message="no '@context': a codemeta.json names the CodeMeta context", path=path)
        )
    elif not any(_CODEMETA_CONTEXT.search(c) for c in _strings(context)):
        problems.append(
            Evidence(
                message="'@context' does not reference the CodeMeta 2.0 or 3.x context",
                path=path,
                value=json.dumps(context)[:200],
            )
        )
    if not (isinstance(data.get("name"), str) and data["name"].strip()):
        problems.append(Evidence(message="no 'name' (a non-empty string)", path=path))
    if not any(_present(data.get(key)) for key in ("version", "softwareVersion")):
        problems.append(
            Evidence(message="neither 'version' nor 'softwareVersion' is given", path=path)
        )
    missing = [key for key in CODEMETA_RECOMMENDED if not _present(data.get(key))]
    notes = []
    if missing:
        notes.append(
            Evidence(
                message=f"recommended field(s) missing: {', '.join(missing)}",
                path=path,
                value=missing,
            )
        )
    return problems, notes


def _parse_json(record: MetadataFile, text: str) -> MetadataFile:
    data, problems = _load_json(text, record.path)
    notes: list[Evidence] = []
    if data is not None and not isinstance(data, dict):
        problems.append(Evidence(message="the top level is not a JSON object", path=record.path))
    elif isinstance(data, dict) and record.kind == CODEMETA:
        problems, notes = _codemeta_problems(data, record.path)
    return replace(
        record, data=data, problems=record.problems + tuple(problems), notes=tuple(notes)
    )


def citation_cff(ctx: RepoContext) -> MetadataFile | None:
    """CITATION.cff at the root, parsed safely and validated against the CFF 1.2.0 schema."""
    return _parsed(ctx, CFF, _parse_cff)


def codemeta(ctx: RepoContext) -> MetadataFile | None:
    """codemeta.json at the root: JSON object with a CodeMeta context, name and version."""
    return _parsed(ctx, CODEMETA, _parse_json)


def zenodo(ctx: RepoContext) -> MetadataFile | None:
    """.zenodo.json at the root (what Zenodo archives a GitHub release with): JSON object."""
    return _parsed(ctx, ZENODO, _parse_json)


def metadata_files(ctx: RepoContext) -> tuple[MetadataFile, ...]:
    """CITATION.cff, codemeta.json and .zenodo.json, those present, in that order."""
    found = (ctx.fact(citation_cff), ctx.fact(codemeta), ctx.fact(zenodo))
    return tuple(meta for meta in found if meta is not None)


# --- declared versions -------------------------------------------------------------------


def _line_of(text: str, key: str, value: str) -> int | None:
    """First line assigning ``value`` to ``key`` (YAML, JSON or TOML spelling)."""
    pattern = re.compile(
        rf"""(?<![\w.-])["']?{re.escape(key)}["']?\s*[:=]\s*"""
        rf"""["']?{re.escape(value)}["']?\s*(?:[,#]|$)"""
    )
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return number
    return None


def _version_text(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value).strip()
    return text or None


def _manifest_versions(ctx: RepoContext) -> Iterator[DeclaredVersion]:
    """project.version of pyproject.toml and version of package.json, when stated statically."""
    for fact, table in ((pyproject, "project"), (package_json, "")):
        manifest = ctx.fact(fact)
        if manifest is None:
            continue  # absent, or unreadable: that is QC.Del's concern, not a metadata version
        section = manifest.table(table) if table else manifest.data
        value = _version_text(section.get("version"))
        if value is not None:
            source = f"{manifest.path} version"
            line = _line_of(manifest.text, "version", value)
            yield DeclaredVersion(source, manifest.path, value, line)


def declared_versions(ctx: RepoContext) -> tuple[DeclaredVersion, ...]:
    """Every version the metadata files and package manifests declare."""
    found: list[DeclaredVersion] = []
    for meta, keys in (
        (ctx.fact(citation_cff), ("version",)),
        (ctx.fact(codemeta), ("version", "softwareVersion")),
        (ctx.fact(zenodo), ("version",)),
    ):
        if meta is None or not isinstance(meta.data, dict):
            continue
        for key in keys:
            value = _version_text(meta.data.get(key))
            if value is not None:
                line = _line_of(meta.text, key, value)
                found.append(DeclaredVersion(f"{meta.path} {key}", meta.path, value, line))
    found.extend(_manifest_versions(ctx))
    return tuple(found)
