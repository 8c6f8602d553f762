"""Bandit: which tests to run or skip and which folders to leave out, from ``[tool.bandit]``
of pyproject.toml or the ``[bandit]`` section of ``.bandit``, rewritten as a YAML config.

A ``.bandit`` file can also name other targets, another config file or an output file:
refused. Bandit loads its plugins from installed packages only, never from configuration.
"""

from __future__ import annotations

from typing import Any

import yaml

from sqaaas.repofs import RepoFS
from sqaaas.tools.configs.base import (
    NOT_ALLOWED,
    READS_FILES,
    WRITES_FILE,
    ToolConfig,
    Where,
    as_list,
    ini_section,
    tool_table,
)

#: options of bandit's own plugins (plain data)
PLUGIN_OPTIONS = frozenset(
    {
        "assert_used", "hardcoded_tmp_directory", "shell_injection", "ssl_with_bad_version",
        "ssl_with_bad_defaults", "markupsafe_xss", "try_except_continue", "try_except_pass",
        "weak_cryptographic_key", "any_other_function_with_shell_equals_true",
    }
)
LISTS = frozenset({"skips", "tests", "exclude_dirs"})
REFUSED = {
    "targets": READS_FILES,
    "configfile": READS_FILES,
    "baseline": READS_FILES,
    "output": WRITES_FILE,
    "output_file": WRITES_FILE,
}
#: .bandit options sqaaas sets itself (format, verbosity, severity filters): replaced
OURS = frozenset({"recursive", "aggregate", "number", "level", "confidence", "format",
                  "msg-template", "verbose", "debug", "quiet", "ignore-nosec", "profile"})


def _sanitise(options: dict[str, Any], label: str, config: ToolConfig) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in options.items():
        name = "exclude_dirs" if key == "exclude" else key
        if key in REFUSED:
            config.refuse(label, key, REFUSED[key])
        elif key in OURS:
            continue
        elif name in LISTS:
            kept[name] = as_list(value)
        elif name in PLUGIN_OPTIONS and isinstance(value, dict):
            kept[name] = value
        else:
            config.refuse(label, key, NOT_ALLOWED)
    return kept


def bandit_config(fs: RepoFS, where: Where) -> ToolConfig:
    config = ToolConfig()
    if (table := tool_table(fs, "bandit")) is not None:
        config.used("pyproject.toml")
        kept = _sanitise(table, "pyproject.toml [tool.bandit]", config)
    elif (section := ini_section(fs, ".bandit", "bandit")) is not None:
        config.used(".bandit")
        kept = _sanitise(section, ".bandit [bandit]", config)
    else:
        return config
    config.files["bandit.yaml"] = yaml.safe_dump(kept, sort_keys=False)
    config.args = ["-c", f"{where.cfg}/bandit.yaml"]
    return config
