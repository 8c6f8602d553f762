"""Ruff: the repository's configuration, sanitised, given with ``--config`` (which also stops
ruff from discovering configuration files in the repository's sub-folders).

Ruff settings are data, but ``extend`` reads another file (refused when it leaves the
repository; inside, it is merged here) and ``cache-dir`` names a folder ruff writes to.
Path patterns are relative to the file that sets them; since the sanitised copy lives in
another folder, patterns with a ``/`` are made absolute under the repository.
"""

from __future__ import annotations

import posixpath
from typing import Any

from sqaaas.repofs import RepoFS
from sqaaas.tools.configs import toml_text
from sqaaas.tools.configs.base import (
    NOT_ALLOWED,
    READS_OUTSIDE,
    WRITES_FILE,
    ToolConfig,
    Where,
    inside,
    parse_toml,
    read_text,
)

FILES = (".ruff.toml", "ruff.toml", "pyproject.toml")  # ruff's own order in one folder
ALLOWED = frozenset(
    {
        "builtins", "exclude", "extend-exclude", "extend-include", "force-exclude", "include",
        "indent-width", "line-length", "namespace-packages", "per-file-target-version",
        "preview", "respect-gitignore", "src", "target-version", "lint", "format",
        # lint settings still accepted at the top level (deprecated there, but valid)
        "select", "ignore", "extend-select", "extend-ignore", "fixable", "unfixable",
        "extend-fixable", "per-file-ignores", "extend-per-file-ignores", "dummy-variable-rgx",
        "allowed-confusables", "explicit-preview-rules", "external",
        "ignore-init-module-imports", "logger-objects", "task-tags", "typing-modules",
        "isort", "mccabe", "pep8-naming", "pycodestyle", "pydocstyle", "pyflakes", "pylint",
        "pyupgrade", "ruff",
    }
)
REFUSED = {"cache-dir": WRITES_FILE}
OURS = frozenset(
    {"output-format", "fix", "fix-only", "unsafe-fixes", "show-fixes", "show-source",
     "required-version"}
)
PATTERN_LISTS = frozenset({"exclude", "extend-exclude", "include", "extend-include", "src",
                           "namespace-packages"})
PATTERN_TABLES = frozenset({"per-file-ignores", "extend-per-file-ignores",
                            "per-file-target-version"})
MAX_EXTEND_DEPTH = 5


def _absolute(pattern: str, base: str) -> str:
    """A pattern naming a path (it holds a '/') made absolute; bare names match anywhere."""
    negated = pattern.startswith("!")
    body = pattern[1:] if negated else pattern
    if "/" in body and not body.startswith("/"):
        body = posixpath.join(base, body.removeprefix("./"))
    return ("!" if negated else "") + body


def _rebase(table: dict[str, Any], base: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, val in table.items():
        if key in PATTERN_LISTS and isinstance(val, list):
            out[key] = [_absolute(str(p), base) for p in val]
        elif key in PATTERN_TABLES and isinstance(val, dict):
            out[key] = {_absolute(str(p), base): v for p, v in val.items()}
        elif key in ("lint", "format") and isinstance(val, dict):
            out[key] = _rebase(val, base)
        else:
            out[key] = val
    return out


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Child settings win; tables merge; ``extend-*`` lists accumulate (as ruff does)."""
    out = dict(base)
    for key, val in child.items():
        if isinstance(val, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], val)
        elif key.startswith("extend-") and isinstance(val, list) and isinstance(out.get(key), list):
            out[key] = [*out[key], *val]
        else:
            out[key] = val
    return out


def _load(fs: RepoFS, rel: str) -> dict[str, Any] | None:
    text = read_text(fs, rel)
    if text is None:
        return None
    data = parse_toml(text, rel)
    if data is None:
        return None
    if posixpath.basename(rel) == "pyproject.toml":
        data = data.get("tool", {}).get("ruff")
    return data if isinstance(data, dict) else None


def _label(rel: str) -> str:
    return f"{rel} [tool.ruff]" if posixpath.basename(rel) == "pyproject.toml" else rel


def _resolve(fs: RepoFS, rel: str, where: Where, config: ToolConfig,
             seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """The settings of ``rel`` with its in-repository ``extend`` chain merged in."""
    data = _load(fs, rel) or {}
    config.used(rel)
    folder = posixpath.dirname(rel)
    kept: dict[str, Any] = {}
    for key, val in data.items():
        if key == "extend":
            continue
        if key in REFUSED:
            config.refuse(_label(rel), key, REFUSED[key])
        elif key in OURS:
            continue
        elif key in ALLOWED or key.startswith("flake8-"):
            kept[key] = val
        else:
            config.refuse(_label(rel), key, NOT_ALLOWED)
    kept = _rebase(kept, posixpath.join(where.src, folder) if folder else where.src)
    if "extend" not in data:
        return kept
    target = inside(fs, folder, str(data["extend"]))
    if target is None:
        config.refuse(_label(rel), f"extend = {str(data['extend'])[:100]!r}", READS_OUTSIDE)
        return kept
    if target in seen or len(seen) >= MAX_EXTEND_DEPTH:
        config.refuse(_label(rel), "extend", "a loop or too deep a chain of extended files")
        return kept
    return _merge(_resolve(fs, target, where, config, (*seen, rel)), kept)


def ruff_config(fs: RepoFS, where: Where) -> ToolConfig:
    config = ToolConfig(args=["--config", f"{where.cfg}/ruff.toml"])
    settings: dict[str, Any] = {}
    found = next((name for name in FILES if _load(fs, name) is not None), None)
    if found is not None:
        settings = _resolve(fs, found, where, config)
    config.files["ruff.toml"] = toml_text.document(settings)
    return config
