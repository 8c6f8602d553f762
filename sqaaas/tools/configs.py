"""Respect a repository's own tool configuration without letting it run code on the host.

Pylint configuration can load plugins and run ``init-hook`` Python code: we rebuild it
into a private rcfile without those keys. yamllint and bandit configuration is plain data.
"""

from __future__ import annotations

import configparser
import tomllib
from collections.abc import Callable
from pathlib import Path

from sqaaas.repofs import RepoFS

#: pylint options that load or execute code, dropped from any repository configuration
PYLINT_UNSAFE = frozenset(
    {
        "load-plugins",
        "init-hook",
        "extension-pkg-allow-list",
        "extension-pkg-whitelist",
        "unsafe-load-any-extension",
        "rcfile",
        "output-format",
        "jobs",
        "persistent",
        "fail-under",
        "exit-zero",
        "from-stdin",
        "clear-cache-post-run",
    }
)
ConfigBuilder = Callable[[RepoFS, Path], tuple[list[str], list[str]]]


def _read(fs: RepoFS, rel: str) -> str | None:
    file = fs.try_read_text(rel, limit=500_000)
    return file.text if file else None


def _ini_value(value: object) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def pylint_config(fs: RepoFS, workdir: Path) -> tuple[list[str], list[str]]:
    """A sanitised rcfile from the repository's pylint config (args, config files used)."""
    sections: dict[str, dict[str, str]] = {}
    used: list[str] = []
    for name in ("pylintrc", ".pylintrc", "setup.cfg", "tox.ini"):
        text = _read(fs, name)
        if text is None:
            continue
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(text)
        except configparser.Error:
            continue
        relevant = [
            s for s in parser.sections() if name.endswith("pylintrc") or s.startswith("pylint")
        ]
        for section in relevant:
            key = section.removeprefix("pylint.").upper()
            sections.setdefault(key, {}).update(dict(parser.items(section)))
        if relevant:
            used.append(name)
            break
    if not used and (text := _read(fs, "pyproject.toml")) is not None:
        try:
            pylint = tomllib.loads(text).get("tool", {}).get("pylint", {})
        except tomllib.TOMLDecodeError:
            pylint = {}
        for section, options in pylint.items():
            if isinstance(options, dict):
                sections.setdefault(section.upper(), {}).update(
                    {k: _ini_value(v) for k, v in options.items()}
                )
        if pylint:
            used.append("pyproject.toml")
    rcfile = configparser.ConfigParser(interpolation=None)
    for section, options in sections.items():
        rcfile[section] = {k: v for k, v in options.items() if k not in PYLINT_UNSAFE}
    path = workdir / "pylintrc"
    with open(path, "w", encoding="utf-8") as handle:
        rcfile.write(handle)
    return [f"--rcfile={path}"], used


def yamllint_config(fs: RepoFS, workdir: Path) -> tuple[list[str], list[str]]:
    """The repository's .yamllint (found by yamllint itself), else the 'relaxed' preset."""
    for name in (".yamllint", ".yamllint.yaml", ".yamllint.yml"):
        if fs.is_file(name):
            return ["-c", name], [name]
    return ["-d", "relaxed"], []


def bandit_config(fs: RepoFS, workdir: Path) -> tuple[list[str], list[str]]:
    text = _read(fs, "pyproject.toml")
    if text is not None and "[tool.bandit" in text:
        return ["-c", "pyproject.toml"], ["pyproject.toml"]
    if fs.is_file(".bandit"):
        return ["--ini", ".bandit"], [".bandit"]
    return [], []


CONFIGS: dict[str, ConfigBuilder] = {
    "pylint": pylint_config,
    "yamllint": yamllint_config,
    "bandit": bandit_config,
}
