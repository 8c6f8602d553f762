"""Checks done in-process, for formats whose 'linter' is simply a strict parser."""

from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import PurePosixPath

from sqaaas.repofs import RepoFS, UnsafePathError
from sqaaas.safeparse import Limits, ParseError, ParseLimitError, load_json
from sqaaas.tools.parsers import ToolFinding

_MAX_JSON_BYTES = 2_000_000
#: the value count only bounds memory, which the size already does for a parse kept nowhere
_JSON_LIMITS = Limits(max_bytes=_MAX_JSON_BYTES, max_nodes=10_000_000)


#: files their tools read as JSON with comments (JSONC): TypeScript and JavaScript project
#: files, VS Code settings, dev containers, and *.jsonc
JSONC_NAMES = ("tsconfig*.json", "jsconfig*.json", "devcontainer.json", ".devcontainer.json",
               "*.jsonc", "*.code-workspace")
JSONC_FOLDERS = (".vscode", ".devcontainer")


def is_jsonc(rel: str) -> bool:
    """Whether the tools that read ``rel`` accept comments and trailing commas in it."""
    parts = PurePosixPath(rel).parts
    return any(fnmatch(parts[-1], p) for p in JSONC_NAMES) or any(
        folder in parts[:-1] for folder in JSONC_FOLDERS
    )


def strip_jsonc(text: str) -> str:
    """JSONC as plain JSON with the same lines and columns: comments become spaces (their
    line breaks kept), trailing commas before ``}`` or ``]`` a space; strings untouched."""
    out = list(text)
    i, n = 0, len(text)
    last_comma: int | None = None  # a comma outside strings, not yet followed by a value
    while i < n:
        ch = text[i]
        if ch == '"':
            last_comma = None
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            continue
        if ch == "/" and text[i + 1 : i + 2] in ("/", "*"):
            end = text.find("\n", i) if text[i + 1] == "/" else text.find("*/", i + 2)
            end = n if end < 0 else (end if text[i + 1] == "/" else end + 2)
            for k in range(i, end):
                if out[k] != "\n":
                    out[k] = " "
            i = end
            continue
        if ch == ",":
            last_comma = i
        elif ch in "}]" and last_comma is not None:
            out[last_comma] = " "
            last_comma = None
        elif not ch.isspace():
            last_comma = None
        i += 1
    return "".join(out)


def json_syntax(fs: RepoFS, files: list[str]) -> list[ToolFinding]:
    """Every .json file must parse; JSONC files (:func:`is_jsonc`: tsconfig.json,
    devcontainer.json, .vscode/ settings...) may hold comments and trailing commas.

    A file over a parsing bound (sqaaas.safeparse: nesting, integer digits, size) raises
    ParseLimitError: it was not checked, which makes the run an error, not a finding.
    """
    findings = []
    for rel in files:
        try:
            file = fs.read_text(rel, limit=_MAX_JSON_BYTES)
            text = strip_jsonc(file.text) if is_jsonc(rel) else file.text
            load_json(text, source=rel, limits=_JSON_LIMITS, size=file.size)
        except ParseLimitError:
            raise
        except ParseError as exc:
            findings.append(ToolFinding(rel, exc.line, "json-syntax", exc.problem, "error"))
        except (OSError, UnsafePathError) as exc:
            findings.append(ToolFinding(rel, None, "unreadable", str(exc), "error"))
    return findings


INTERNAL: dict[str, Callable[[RepoFS, list[str]], list[ToolFinding]]] = {"json_syntax": json_syntax}
