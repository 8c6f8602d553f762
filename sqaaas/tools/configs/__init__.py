"""Respect a repository's own tool configuration without letting it load code, write files,
read outside the repository or fetch URLs: one allow-list builder per tool (see base.py).

The registry (criteria/tools.yml) names a tool's builder in its ``config`` field.
"""

from __future__ import annotations

from sqaaas.tools.configs.bandit_conf import bandit_config
from sqaaas.tools.configs.base import ConfigBuilder, ToolConfig, Where
from sqaaas.tools.configs.biome_conf import biome_config
from sqaaas.tools.configs.checkstyle_conf import checkstyle_config
from sqaaas.tools.configs.cpp_conf import cppcheck_config
from sqaaas.tools.configs.flake8_conf import flake8_config
from sqaaas.tools.configs.markdown_conf import pymarkdown_config
from sqaaas.tools.configs.pylint_rc import pylint_config
from sqaaas.tools.configs.radon_conf import radon_config
from sqaaas.tools.configs.rst_conf import rstcheck_config
from sqaaas.tools.configs.ruff_toml import ruff_config
from sqaaas.tools.configs.shell_conf import hadolint_config, shellcheck_config
from sqaaas.tools.configs.yamllint_conf import yamllint_config

CONFIGS: dict[str, ConfigBuilder] = {
    "pylint": pylint_config,
    "ruff": ruff_config,
    "flake8": flake8_config,
    "cppcheck": cppcheck_config,
    "yamllint": yamllint_config,
    "bandit": bandit_config,
    "pymarkdown": pymarkdown_config,
    "rstcheck": rstcheck_config,
    "radon": radon_config,
    "shellcheck": shellcheck_config,
    "hadolint": hadolint_config,
    "biome": biome_config,
    "checkstyle": checkstyle_config,
}

__all__ = ["CONFIGS", "ConfigBuilder", "ToolConfig", "Where"]
