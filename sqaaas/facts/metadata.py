"""Citation and software metadata of a repository: CITATION.cff, codemeta.json, .zenodo.json.

Each file is read, parsed and checked once per assessment. QC.Met reports on the result and
the FAIR checks reuse the parsed documents (authors, identifiers, licence) without reading
or validating the files again. Parsing is safe: YAML through the safe loader, sizes capped,
alias bombs refused, and nothing in the files is ever executed.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

import git
import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

from sqaaas.context import RepoContext
from sqaaas.outcomes import Evidence
from sqaaas.repofs import TextFile, UnsafePathError

CFF = "CITATION.cff"
CODEMETA = "codemeta.json"
ZENODO = ".zenodo.json"
CFF_SCHEMA_VERSION = "1.2.0"
CODEMETA_RECOMMENDED = ("author", "license", "codeRepository", "description")

_MAX_BYTES = 1_000_000
_MAX_NODES = 50_000  # far beyond any real CITATION.cff; stops YAML alias expansion bombs
_MAX_ERRORS = 20
_MAX_MESSAGE = 240
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


def _tracked(ctx: RepoContext, rel: str) -> bool:
    """Whether the file is under git; an absolute path keeps this right for subfolders."""
    if ctx.git.repo is None:
        return False
    try:
        return ctx.git.tracked(str(ctx.fs.root / rel))
    except git.GitCommandError:
        return False


def _read(ctx: RepoContext, rel: str) -> tuple[TextFile | None, list[Evidence]]:
    try:
        text = ctx.fs.read_text(rel, limit=_MAX_BYTES)
    except (OSError, UnsafePathError) as exc:
        return None, [Evidence(message=f"cannot read {rel}: {exc}", path=rel)]
    if text.truncated:
        return None, [
            Evidence(message=f"{rel} is larger than {_MAX_BYTES} bytes; not parsed", path=rel)
        ]
    problems = []
    if text.lossy:
        problems.append(Evidence(message=f"{rel} is not valid UTF-8", path=rel))
    return text, problems


def _line_excerpt(text: str, line: int | None) -> str | None:
    lines = text.splitlines()
    if line is None or not 1 <= line <= len(lines):
        return None
    return lines[line - 1].strip()[:200] or None


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
    record = MetadataFile(kind, path, problems=tuple(problems), tracked=_tracked(ctx, path))
    if text is None:
        return record
    return parse(replace(record, text=text.text), text.text)


# --- CITATION.cff ----------------------------------------------------------------------


class _CffLoader(yaml.SafeLoader):
    """The safe loader, with YAML dates turned into ISO strings as the CFF schema expects."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    try:
        return loader.construct_yaml_timestamp(node).isoformat()
    except ValueError:  # looks like a date but is not one (2024-13-45): let the schema say so
        return str(loader.construct_scalar(node))


_CffLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


class _TooComplexError(Exception):
    """The YAML document expands to more nodes than any citation file needs."""


def _count_nodes(root: yaml.Node) -> None:
    """Raise when the (alias-expanded) node tree exceeds _MAX_NODES, before constructing it."""
    stack, seen = [root], 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > _MAX_NODES:
            raise _TooComplexError
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


def _load_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    loader = _CffLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _count_nodes(node)
        return node, loader.construct_document(node)
    finally:
        loader.dispose()


def _child(node: yaml.Node, step: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    """(node whose line locates it, value node) of a mapping key or sequence item."""
    if isinstance(node, yaml.MappingNode):
        return next(((k, v) for k, v in node.value if str(k.value) == str(step)), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        return node.value[step], node.value[step]
    return None


def _line_at(root: yaml.Node | None, where: tuple[str | int, ...]) -> int | None:
    """Line (1-based) of the deepest key/item on ``where`` that exists; None for the document."""
    node, line = root, None
    for step in where:
        found = _child(node, step) if node is not None else None
        if found is None:
            break
        line, node = found[0].start_mark.line + 1, found[1]
    return line


def json_path(where: tuple[str | int, ...]) -> str:
    return "$" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in where)


@cache
def cff_validator() -> Draft7Validator:
    """Draft-07 validator for the CFF 1.2.0 schema vendored by check-jsonschema, with formats."""
    vendored = resources.files("check_jsonschema.builtin_schemas.vendor")
    schema = json.loads(vendored.joinpath("citation-file-format.json").read_text("utf-8"))
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def _location(error: ValidationError) -> tuple[str | int, ...]:
    """Where an error is; a missing required key is located at the key it should be."""
    where = tuple(error.absolute_path)
    if error.validator == "required" and isinstance(error.validator_value, list):
        missing = next(
            (k for k in error.validator_value if error.message.startswith(repr(k))), None
        )
        if missing is not None:
            where += (missing,)
    return where


def _closest(error: ValidationError) -> list[ValidationError]:
    """The errors worth showing for ``error``.

    An anyOf/oneOf failure (an author that is neither a valid person nor a valid entity)
    is explained by the alternative that came closest, i.e. with the fewest errors: a
    person with a malformed ORCID gets the ORCID error, not "'given-names' unexpected".
    """
    if not error.context:
        return [error]
    branches: dict[object, list[ValidationError]] = {}
    for sub in error.context:
        key = sub.relative_schema_path[0] if sub.relative_schema_path else None
        branches.setdefault(key, []).append(sub)
    closest = min(branches.values(), key=len)
    return [found for sub in closest for found in _closest(sub)]


def _schema_problems(data: Any, node: yaml.Node | None, path: str, text: str) -> list[Evidence]:
    located: dict[tuple[str | int, ...], dict[str, str]] = {}
    for error in cff_validator().iter_errors(data):
        for specific in _closest(error):
            messages = located.setdefault(_location(specific), {})
            messages.setdefault(specific.message[:_MAX_MESSAGE], str(specific.validator))
    texts_at: dict[tuple[str | int, ...], list[str]] = {}
    for where, messages in located.items():
        # "is not a 'date'" says it all; the schema's regex for the same value adds noise.
        has_format = "format" in messages.values()
        texts_at[where] = [m for m, v in messages.items() if not (has_format and v == "pattern")]
    problems = []
    for where, texts in sorted(texts_at.items(), key=lambda item: json_path(item[0])):
        line = _line_at(node, where)
        problems.append(
            Evidence(
                message=f"{json_path(where)}: {'; '.join(texts)}",
                path=path,
                line=line,
                value=json_path(where),
                excerpt=_line_excerpt(text, line),
                tool=f"jsonschema (CFF {CFF_SCHEMA_VERSION} schema)",
            )
        )
    if len(problems) > _MAX_ERRORS:
        extra = len(problems) - _MAX_ERRORS
        problems = problems[:_MAX_ERRORS]
        problems.append(Evidence(message=f"... and {extra} more schema errors", path=path))
    return problems


def _parse_cff(record: MetadataFile, text: str) -> MetadataFile:
    problems = list(record.problems)
    try:
        node, data = _load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        context, started_at = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and started_at:
            problem += f" ({context} at line {started_at.line + 1})"
        excerpt = _line_excerpt(text, line)
        problems.append(
            Evidence(
                message=f"invalid YAML: {problem}", path=record.path, line=line, excerpt=excerpt
            )
        )
        return replace(record, problems=tuple(problems))
    except (_TooComplexError, RecursionError):
        problems.append(
            Evidence(
                message=f"YAML too deeply nested or expanding to over {_MAX_NODES} nodes",
                path=record.path,
            )
        )
        return replace(record, problems=tuple(problems))
    if data is None:
        problems.append(Evidence(message=f"{record.path} is empty", path=record.path))
        return replace(record, problems=tuple(problems))
    if isinstance(data, dict) and isinstance(data.get("version"), int | float):
        # An unquoted 1.10 is the float 1.1 in YAML; keep the version as written.
        found = _child(node, "version") if node is not None else None
        if found is not None and isinstance(found[1], yaml.ScalarNode):
            data["version"] = found[1].value
    problems.extend(_schema_problems(data, node, record.path, text))
    notes = []
    if isinstance(data, dict) and "version" not in data:
        notes.append(
            Evidence(
                message="CITATION.cff has no 'version': add the released version so "
                "citations name it",
                path=record.path,
            )
        )
    return replace(record, data=data, problems=tuple(problems), notes=tuple(notes))


# --- JSON metadata -----------------------------------------------------------------------


def _load_json(text: str, path: str) -> tuple[Any, list[Evidence]]:
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        return None, [
            Evidence(
                message=f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                path=path,
                line=exc.lineno,
                excerpt=_line_excerpt(text, exc.lineno),
            )
        ]
    except (ValueError, RecursionError) as exc:
        return None, [
            Evidence(message=f"invalid JSON: {type(exc).__name__}: {exc}"[:300], path=path)
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


# --- declared versions -------------------------------------------------------------------


def _line_of(text: str, key: str, value: str) -> int | None:
    """First line assigning ``value`` to ``key`` (YAML, JSON or TOML spelling)."""
    pattern = re.compile(
        rf"""(?<![\w.-])["']?{re.escape(key)}["']?\s*[:=]\s*["']?{re.escape(value)}["']?\s*(?:[,#]|$)"""
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
    for path, parse, lookup in (
        ("pyproject.toml", tomllib.loads, lambda d: d.get("project", {}).get("version")),
        ("package.json", json.loads, lambda d: d.get("version")),
    ):
        if not ctx.fs.is_file(path):
            continue
        try:
            text = ctx.fs.read_text(path, limit=_MAX_BYTES).text
            data = parse(text)
            value = _version_text(lookup(data)) if isinstance(data, dict) else None
        except (OSError, UnsafePathError, ValueError, RecursionError, AttributeError):
            continue  # an unreadable manifest is QC.Del's concern, not a metadata version
        if value is not None:
            yield DeclaredVersion(f"{path} version", path, value, _line_of(text, "version", value))


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
