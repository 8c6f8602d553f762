"""ShellCheck and Hadolint: their configuration files, reduced to rule choices.

A ``.shellcheckrc`` can make ShellCheck follow ``source`` statements into other files
(``external-sources``, ``source-path``): refused. A ``.hadolint.yaml`` can change the output
format sqaaas parses: only rule settings are kept. Both tools are always given our file (or
told to read none), so neither looks for one in the repository.
"""

from __future__ import annotations

from typing import Any

import yaml

from sqaaas.repofs import RepoFS
from sqaaas.tools.configs.base import (
    NOT_ALLOWED,
    READS_FILES,
    ToolConfig,
    Where,
    parse_yaml,
    read_text,
)

SHELLCHECK_FILES = (".shellcheckrc", "shellcheckrc")
SHELLCHECK_ALLOWED = frozenset({"disable", "enable", "shell", "extended-analysis"})
SHELLCHECK_REFUSED = {"external-sources": READS_FILES, "source-path": READS_FILES,
                      "source": READS_FILES}
HADOLINT_FILES = (".hadolint.yaml", ".hadolint.yml")
HADOLINT_ALLOWED = frozenset({"ignored", "override", "trustedRegistries", "label-schema",
                              "strict-labels", "disable-ignore-pragma"})
HADOLINT_OURS = frozenset({"format", "no-color", "no-fail", "failure-threshold", "verbose"})


def shellcheck_config(fs: RepoFS, where: Where) -> ToolConfig:
    found = next((name for name in SHELLCHECK_FILES if fs.is_file(name)), None)
    text = read_text(fs, found) if found else None
    if found is None or text is None:
        return ToolConfig(args=["--norc"])
    config = ToolConfig(args=[f"--rcfile={where.cfg}/shellcheckrc"], sources=[found])
    kept = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key = line.split("=", 1)[0].strip()
        if key in SHELLCHECK_REFUSED:
            config.refuse(found, key, SHELLCHECK_REFUSED[key])
        elif key in SHELLCHECK_ALLOWED and "=" in line:
            kept.append(line)
        else:
            config.refuse(found, key[:60], NOT_ALLOWED)
    config.files["shellcheckrc"] = "".join(f"{line}\n" for line in kept)
    return config


def hadolint_config(fs: RepoFS, where: Where) -> ToolConfig:
    config = ToolConfig(args=["--config", f"{where.cfg}/hadolint.yaml"])
    kept: dict[str, Any] = {}
    found = next((name for name in HADOLINT_FILES if fs.is_file(name)), None)
    if found is not None:
        config.used(found)
        data = parse_yaml(read_text(fs, found) or "", found)
        for key, value in (data if isinstance(data, dict) else {}).items():
            if key in HADOLINT_ALLOWED:
                kept[key] = value
            elif key not in HADOLINT_OURS:
                config.refuse(found, str(key)[:60], NOT_ALLOWED)
    config.files["hadolint.yaml"] = yaml.safe_dump(kept) if kept else "{}\n"
    return config
