"""yamllint: the repository's ``.yamllint``, sanitised and flattened into one file.

``extends`` may name yamllint's built-in presets or another file: files inside the
repository are merged here (as yamllint merges them), files outside are refused, as are
``ignore-from-file`` paths leaving the repository. Without a repository configuration the
``relaxed`` preset is used.
"""

from __future__ import annotations

import posixpath
from typing import Any

import yaml

from sqaaas.repofs import RepoFS
from sqaaas.tools.configs.base import (
    NOT_ALLOWED,
    READS_OUTSIDE,
    ToolConfig,
    Where,
    as_list,
    inside,
    parse_yaml,
    read_text,
)

FILES = (".yamllint", ".yamllint.yaml", ".yamllint.yml")
PRESETS = frozenset({"default", "relaxed"})
ALLOWED = frozenset({"extends", "rules", "ignore", "ignore-from-file", "yaml-files", "locale"})
MAX_EXTEND_DEPTH = 5


def _load(fs: RepoFS, rel: str) -> dict[str, Any] | None:
    text = read_text(fs, rel)
    if text is None:
        return None
    data = parse_yaml(text, rel)
    return data if isinstance(data, dict) else None


def _ignore_files(fs: RepoFS, value: object, label: str, where: Where,
                  config: ToolConfig) -> list[str]:
    """``ignore-from-file`` entries inside the repository, as the tool will see them."""
    kept = []
    for entry in as_list(value):
        rel = inside(fs, "", entry)
        if rel is None:
            config.refuse(label, f"ignore-from-file {entry[:100]!r}", READS_OUTSIDE)
        else:
            kept.append(posixpath.join(where.src, rel))
    return kept


def _rules(fs: RepoFS, rules: object, label: str, where: Where,
           config: ToolConfig) -> dict[str, Any]:
    if not isinstance(rules, dict):
        return {}
    out: dict[str, Any] = {}
    for name, options in rules.items():
        if isinstance(options, dict) and "ignore-from-file" in options:
            options = dict(options)
            files = _ignore_files(fs, options.pop("ignore-from-file"), f"{label} rules.{name}",
                                  where, config)
            if files:
                options["ignore-from-file"] = files
        out[str(name)] = options
    return out


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """yamllint's own merge: rule options update the base rule's, other keys replace."""
    rules = dict(base.get("rules") or {})
    for name, options in (child.get("rules") or {}).items():
        if isinstance(options, dict) and isinstance(rules.get(name), dict):
            rules[name] = {**rules[name], **options}
        else:
            rules[name] = options
    return {**base, **{k: v for k, v in child.items() if k != "rules"}, "rules": rules}


def _resolve(fs: RepoFS, rel: str, where: Where, config: ToolConfig,
             seen: tuple[str, ...] = ()) -> dict[str, Any]:
    data = _load(fs, rel) or {}
    config.used(rel)
    kept: dict[str, Any] = {}
    for key, val in data.items():
        if key not in ALLOWED:
            config.refuse(rel, str(key), NOT_ALLOWED)
        elif key == "rules":
            kept["rules"] = _rules(fs, val, rel, where, config)
        elif key == "ignore-from-file":
            if files := _ignore_files(fs, val, rel, where, config):
                kept[key] = files
        elif key != "extends":
            kept[key] = val
    extends = data.get("extends")
    if extends is None:
        return kept
    if extends in PRESETS:
        return {"extends": extends, **kept}
    target = inside(fs, posixpath.dirname(rel), str(extends))
    if target is None:
        config.refuse(rel, f"extends {str(extends)[:100]!r}", READS_OUTSIDE)
        return kept
    if target in seen or len(seen) >= MAX_EXTEND_DEPTH:
        config.refuse(rel, "extends", "a loop or too deep a chain of extended files")
        return kept
    return _merge(_resolve(fs, target, where, config, (*seen, rel)), kept)


def yamllint_config(fs: RepoFS, where: Where) -> ToolConfig:
    found = next((name for name in FILES if fs.is_file(name)), None)
    if found is None:
        return ToolConfig(args=["-d", "relaxed"])
    if _load(fs, found) is None:
        config = ToolConfig(args=["-d", "relaxed"], sources=[found])
        config.refuse(found, "(whole file)", "not a YAML mapping; the relaxed preset is used")
        return config
    config = ToolConfig(args=["-c", f"{where.cfg}/yamllint.yaml"])
    settings = _resolve(fs, found, where, config)
    config.files["yamllint.yaml"] = yaml.safe_dump(settings, sort_keys=False)
    return config
