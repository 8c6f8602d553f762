"""Radon: ``exclude``/``ignore`` patterns from radon.cfg, setup.cfg or ``[tool.radon]``.

Radon reads those files from its working directory and takes ``output_file`` from them
(where its report is written instead of printed). So radon runs in an empty folder with no
configuration; the file patterns are applied by sqaaas when choosing the files to pass it.
"""

from __future__ import annotations

from sqaaas.repofs import RepoFS
from sqaaas.tools.configs.base import (
    WRITES_FILE,
    ToolConfig,
    Where,
    as_list,
    ini_section,
    tool_table,
)

REFUSED = {"output_file": WRITES_FILE}


def _found(fs: RepoFS) -> tuple[str, dict[str, object]] | None:
    if (section := ini_section(fs, "radon.cfg", "radon")) is not None:
        return "radon.cfg [radon]", dict(section)
    if (table := tool_table(fs, "radon")) is not None:
        return "pyproject.toml [tool.radon]", table
    if (section := ini_section(fs, "setup.cfg", "radon")) is not None:
        return "setup.cfg [radon]", dict(section)
    return None


def radon_config(fs: RepoFS, where: Where) -> ToolConfig:
    config = ToolConfig(workdir="empty")
    if (found := _found(fs)) is None:
        return config
    label, options = found
    config.used(label.split(" ")[0])
    patterns: list[str] = []
    for key, value in options.items():
        if key in REFUSED:
            config.refuse(label, key, REFUSED[key])
        elif key == "exclude":
            patterns += as_list(value)
        elif key == "ignore":  # folder names, at any depth
            patterns += [f"{name}/*" for name in as_list(value)]
            patterns += [f"*/{name}/*" for name in as_list(value)]
    config.exclude = tuple(patterns)
    return config
