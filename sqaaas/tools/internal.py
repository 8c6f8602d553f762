"""Checks done in-process, for formats whose 'linter' is simply a strict parser."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqaaas.repofs import RepoFS, UnsafePathError
from sqaaas.tools.parsers import ToolFinding


def json_syntax(fs: RepoFS, files: list[str]) -> list[ToolFinding]:
    """Every .json file must parse (JSON with comments such as tsconfig is reported too)."""
    findings = []
    for rel in files:
        try:
            json.loads(fs.read_text(rel, limit=2_000_000).text)
        except json.JSONDecodeError as exc:
            findings.append(
                ToolFinding(
                    rel, exc.lineno, "json-syntax", f"invalid JSON: {exc.msg}", "error", exc.colno
                )
            )
        except (OSError, UnsafePathError) as exc:
            findings.append(ToolFinding(rel, None, "unreadable", str(exc), "error"))
    return findings


INTERNAL: dict[str, Callable[[RepoFS, list[str]], list[ToolFinding]]] = {"json_syntax": json_syntax}
