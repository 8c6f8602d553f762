"""CITATION.cff parsed safely and checked against the CFF 1.2.0 schema, errors at their lines.

YAML goes through sqaaas.safeparse (alias expansion, nesting, size and integers bounded;
a file over a bound raises ParseLimitError, an ``error`` for the probes reading it), dates
are kept as the ISO strings the schema expects, and each schema error is explained by the
closest alternative and located at the line of the key it concerns.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from sqaaas import __version__, resultcache
from sqaaas.core.outcomes import Evidence
from sqaaas.safeparse import BoundedLoader, ParseError, ParseLimitError, load_yaml_document

if TYPE_CHECKING:  # jsonschema is imported only when a CITATION.cff is validated
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import ValidationError

CFF_SCHEMA_VERSION = "1.2.0"
_MAX_ERRORS = 20
_MAX_MESSAGE = 240


def line_excerpt(text: str, line: int | None) -> str | None:
    """The stripped text of line ``line`` (1-based), or None when there is no such line."""
    lines = text.splitlines()
    if line is None or not 1 <= line <= len(lines):
        return None
    return lines[line - 1].strip()[:200] or None


class _CffLoader(BoundedLoader):
    """The bounded safe loader, with YAML dates turned into ISO strings as the CFF schema
    expects."""


def _timestamp_as_text(loader: BoundedLoader, node: yaml.ScalarNode) -> str:
    try:
        return loader.construct_yaml_timestamp(node).isoformat()
    except ValueError:  # looks like a date but is not one (2024-13-45): let the schema say so
        return str(loader.construct_scalar(node))


_CffLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _load_yaml(text: str, path: str) -> tuple[yaml.Node | None, Any]:
    return load_yaml_document(text, source=path, loader=_CffLoader)


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
    from jsonschema import Draft7Validator  # here for start-up speed: only a CITATION.cff needs it

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
    """Schema errors as evidence, cached by the text (importing jsonschema alone costs ~0.4 s)."""
    key = resultcache.make_key("cff", CFF_SCHEMA_VERSION, __version__, path, text)
    if (cached := resultcache.load("cff", key)) is not None:
        return [Evidence.model_validate(item) for item in cached]
    problems = _validate(data, node, path, text)
    resultcache.store("cff", key, [p.model_dump(mode="json") for p in problems])
    return problems


def _validate(data: Any, node: yaml.Node | None, path: str, text: str) -> list[Evidence]:
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
                excerpt=line_excerpt(text, line),
                tool=f"jsonschema (CFF {CFF_SCHEMA_VERSION} schema)",
            )
        )
    if len(problems) > _MAX_ERRORS:
        extra = len(problems) - _MAX_ERRORS
        problems = problems[:_MAX_ERRORS]
        problems.append(Evidence(message=f"... and {extra} more schema errors", path=path))
    return problems


def check_cff(path: str, text: str) -> tuple[Any, list[Evidence], list[Evidence]]:
    """(document or None, problems, notes) of a CITATION.cff text."""
    problems: list[Evidence] = []
    try:
        node, data = _load_yaml(text, path)
    except ParseLimitError:
        raise
    except ParseError as exc:
        problems.append(
            Evidence(
                message=exc.problem, path=path, line=exc.line,
                excerpt=line_excerpt(text, exc.line),
            )
        )
        return None, problems, []
    if data is None:
        problems.append(Evidence(message=f"{path} is empty", path=path))
        return None, problems, []
    if isinstance(data, dict) and isinstance(data.get("version"), int | float):
        # An unquoted 1.10 is the float 1.1 in YAML; keep the version as written.
        found = _child(node, "version") if node is not None else None
        if found is not None and isinstance(found[1], yaml.ScalarNode):
            data["version"] = found[1].value
    problems.extend(_schema_problems(data, node, path, text))
    notes = []
    if isinstance(data, dict) and "version" not in data:
        notes.append(
            Evidence(
                message="CITATION.cff has no 'version': add the released version so "
                "citations name it",
                path=path,
            )
        )
    return data, problems, notes
