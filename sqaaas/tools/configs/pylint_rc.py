"""Pylint: the repository's configuration rebuilt into a private rcfile.

Pylint options can load plugins (``load-plugins``), run Python (``init-hook``, the REPORTS
``evaluation`` expression), import compiled extensions and write files (import graphs, the
spelling word list): those are refused. Pylint is always given our rcfile, so it never
looks for one in the repository itself.
"""

from __future__ import annotations

import configparser
import io

from sqaaas.repofs import RepoFS
from sqaaas.tools.configs.base import (
    LOADS_CODE,
    NOT_ALLOWED,
    READS_FILES,
    RUNS_CODE,
    WRITES_FILE,
    ToolConfig,
    Where,
    parse_toml,
    read_text,
)

SECTIONS = frozenset(
    {
        "MAIN", "MASTER", "BASIC", "CLASSES", "DESIGN", "EXCEPTIONS", "FORMAT", "IMPORTS",
        "LOGGING", "METHOD_ARGS", "MESSAGES CONTROL", "MISCELLANEOUS", "REFACTORING",
        "REPORTS", "SIMILARITIES", "SPELLING", "STRING", "TYPECHECK", "VARIABLES",
    }
)
#: the only options of MAIN/MASTER passed on (the rest there steers how pylint runs)
MAIN_ALLOWED = frozenset(
    {
        "analyse-fallback-blocks", "confidence", "disable", "enable", "fail-on", "ignore",
        "ignore-paths", "ignore-patterns", "ignored-modules", "limit-inference-results",
        "prefer-stubs", "py-version", "source-roots", "suggestion-mode",
    }
)
REFUSED = {
    "load-plugins": LOADS_CODE,
    "init-hook": RUNS_CODE,
    "extension-pkg-allow-list": LOADS_CODE,
    "extension-pkg-whitelist": LOADS_CODE,
    "unsafe-load-any-extension": LOADS_CODE,
    "evaluation": RUNS_CODE,
    "rcfile": READS_FILES,
    "output": WRITES_FILE,
    "import-graph": WRITES_FILE,
    "ext-import-graph": WRITES_FILE,
    "int-import-graph": WRITES_FILE,
    "spelling-private-dict-file": READS_FILES,
    "spelling-store-unknown-words": WRITES_FILE,
}
#: set by sqaaas for every run (output format, parallelism, exit status): silently replaced
OURS = frozenset(
    {
        "output-format", "jobs", "persistent", "fail-under", "exit-zero", "from-stdin",
        "clear-cache-post-run", "recursive", "reports", "score", "msg-template",
    }
)
INI_FILES = ("pylintrc", ".pylintrc", "setup.cfg", "tox.ini")


def _ini_value(value: object) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _from_ini(name: str, text: str) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return {}
    own = name.endswith("pylintrc")
    return {
        section.removeprefix("pylint.").upper(): dict(parser.items(section))
        for section in parser.sections()
        if own or section.startswith("pylint")
    }


def _from_toml(text: str) -> dict[str, dict[str, str]]:
    data = parse_toml(text, "pyproject.toml")
    if data is None:
        return {}
    pylint = data.get("tool", {}).get("pylint", {})
    return {
        section.upper(): {k: _ini_value(v) for k, v in options.items()}
        for section, options in pylint.items()
        if isinstance(options, dict)
    }


def _discover(fs: RepoFS) -> tuple[str, dict[str, dict[str, str]]] | None:
    """The configuration pylint itself would pick, in pylint's order."""
    for name in ("pylintrc", "pylintrc.toml", ".pylintrc", ".pylintrc.toml", "pyproject.toml",
                 "setup.cfg", "tox.ini"):
        text = read_text(fs, name)
        if text is None:
            continue
        sections = _from_toml(text) if name.endswith(".toml") else _from_ini(name, text)
        if sections or name in INI_FILES[:2]:
            return name, sections
    return None


def _where(source: str, section: str) -> str:
    if source.endswith(".toml"):
        return f"[tool.pylint.{section.lower()}]"
    return f"[{section}]"


def pylint_config(fs: RepoFS, where: Where) -> ToolConfig:
    """A sanitised rcfile from the repository's pylint configuration."""
    config = ToolConfig(args=[f"--rcfile={where.cfg}/pylintrc"])
    rcfile = configparser.ConfigParser(interpolation=None)
    found = _discover(fs)
    if found is not None:
        source, sections = found
        config.used(source)
        for section, options in sections.items():
            label = f"{source} {_where(source, section)}"
            if section not in SECTIONS:
                config.refuse(label, "(whole section)", NOT_ALLOWED)
                continue
            kept = {}
            for key, value in options.items():
                if key in REFUSED:
                    config.refuse(label, key, REFUSED[key])
                elif key in OURS:
                    continue
                elif section in ("MAIN", "MASTER") and key not in MAIN_ALLOWED:
                    config.refuse(label, key, NOT_ALLOWED)
                else:
                    kept[key] = value
            target = "MAIN" if section == "MASTER" else section
            if not rcfile.has_section(target):
                rcfile.add_section(target)
            for key, value in kept.items():
                rcfile.set(target, key, value)
    buffer = io.StringIO()
    rcfile.write(buffer)
    config.files["pylintrc"] = buffer.getvalue()
    return config
