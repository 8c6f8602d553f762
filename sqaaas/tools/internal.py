"""Checks done in-process, for formats whose 'linter' is simply a strict parser."""

from __future__ import annotations

from collections.abc import Callable

from sqaaas.repofs import RepoFS, UnsafePathError
from sqaaas.safeparse import Limits, ParseError, ParseLimitError, load_json
from sqaaas.tools.parsers import ToolFinding

_MAX_JSON_BYTES = 2_000_000
#: the value count only bounds memory, which the size already does for a parse kept nowhere
_JSON_LIMITS = Limits(max_bytes=_MAX_JSON_BYTES, max_nodes=10_000_000)


def json_syntax(fs: RepoFS, files: list[str]) -> list[ToolFinding]:
    """Every .json file must parse (JSON with comments such as tsconfig is reported too).

    A file over a parsing bound (sqaaas.safeparse: nesting, integer digits, size) raises
    ParseLimitError: it was not checked, which makes the run an error, not a finding.
    """
    findings = []
    for rel in files:
        try:
            file = fs.read_text(rel, limit=_MAX_JSON_BYTES)
            load_json(file.text, source=rel, limits=_JSON_LIMITS, size=file.size)
        except ParseLimitError:
            raise
        except ParseError as exc:
            findings.append(ToolFinding(rel, exc.line, "json-syntax", exc.problem, "error"))
        except (OSError, UnsafePathError) as exc:
            findings.append(ToolFinding(rel, None, "unreadable", str(exc), "error"))
    return findings


INTERNAL: dict[str, Callable[[RepoFS, list[str]], list[ToolFinding]]] = {"json_syntax": json_syntax}
