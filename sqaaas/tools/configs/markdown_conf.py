"""PyMarkdown: rule and extension settings from ``[tool.pymarkdown]`` and ``.pymarkdown``.

PyMarkdown loads plugin code named by ``plugins.additional_paths`` and writes a log file
named by ``log.file``: refused. It always reads ``pyproject.toml`` and ``.pymarkdown`` from
its working directory, which therefore is an empty folder (files are passed by full path).
"""

from __future__ import annotations

import json
from typing import Any

from sqaaas.repofs import RepoFS
from sqaaas.tools.configs.base import (
    LOADS_CODE,
    NOT_ALLOWED,
    WRITES_FILE,
    ToolConfig,
    Where,
    parse_yaml,
    read_text,
    tool_table,
)

FILES = (".pymarkdown", ".pymarkdown.json", ".pymarkdown.yaml", ".pymarkdown.yml")
REFUSED_PLUGIN_KEYS = {"additional_paths": LOADS_CODE}


def _load(fs: RepoFS, rel: str) -> dict[str, Any] | None:
    """JSON, or YAML (which also reads most JSON); JSON5 comments make it unreadable."""
    text = read_text(fs, rel)
    if text is None:
        return None
    data = parse_yaml(text, rel, json_first=True)
    return data if isinstance(data, dict) else None


def _sanitise(data: dict[str, Any], label: str, config: ToolConfig) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if key == "plugins" and isinstance(value, dict):
            plugins = {}
            for name, options in value.items():
                if name in REFUSED_PLUGIN_KEYS:
                    config.refuse(label, f"plugins.{name}", REFUSED_PLUGIN_KEYS[name])
                else:
                    plugins[name] = options
            kept["plugins"] = plugins
        elif key in ("extensions", "mode") and isinstance(value, dict):
            kept[key] = value
        elif key == "log":
            if isinstance(value, dict) and "file" in value:
                config.refuse(label, "log.file", WRITES_FILE)
        else:
            config.refuse(label, str(key), NOT_ALLOWED)
    return kept


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in child.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(
            out.get(key), dict) else value
    return out


def pymarkdown_config(fs: RepoFS, where: Where) -> ToolConfig:
    """pyproject.toml first, then .pymarkdown over it (PyMarkdown's own order)."""
    config = ToolConfig(args=["--config", f"{where.cfg}/pymarkdown.json"], workdir="empty")
    settings: dict[str, Any] = {}
    if (table := tool_table(fs, "pymarkdown")) is not None:
        config.used("pyproject.toml")
        settings = _sanitise(table, "pyproject.toml [tool.pymarkdown]", config)
    for name in FILES:
        if (data := _load(fs, name)) is not None:
            config.used(name)
            settings = _merge(settings, _sanitise(data, name, config))
            break
    config.files["pymarkdown.json"] = json.dumps(settings)
    return config
