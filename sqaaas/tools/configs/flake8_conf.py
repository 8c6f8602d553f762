"""PEP 8 (flake8 limited to pycodestyle's E/W rules): the options the project holds itself to.

QC.Sty01 judges Python by PEP 8, whose reference checker is pycodestyle; flake8 runs the same
rules and also reads what projects write for it (``per-file-ignores``, ``# noqa: E501``).
Where the options come from, first found wins:

1. a run the repository declares (tox env, pre-commit hook, CI step, make/npm/just task:
   sqaaas.facts.declared_tools) of flake8, pycodestyle or pep8, with the ``[flake8]`` or
   ``[pycodestyle]`` section of setup.cfg/tox.ini/.flake8 underneath, as the tool reads them;
   a run that selects only syntax checks (GitHub's starter ``--select=E9,F63,F7,F82``) is not
   a style check and is passed over;
2. the ``[flake8]`` (or ``[pycodestyle]``/``[pep8]``) section on its own;
3. the line length of the project's formatter or linter (``[tool.black]``, ruff's
   ``line-length``, with black's documented flake8 settings when black is configured).

Only pycodestyle's codes are checked (``select`` keeps its E/W codes; without one, pyflakes'
and mccabe's codes are ignored, so pycodestyle's default choices hold), options go through an
allow-list (never plugins, output files or other configuration files), and ``exclude`` and the
declared run's paths choose the files on the host (flake8 would not apply a folder pattern to
the files it is given).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping

from sqaaas.repofs import RepoFS
from sqaaas.tools.configs.base import (
    LOADS_CODE,
    NOT_ALLOWED,
    READS_FILES,
    WRITES_FILE,
    Declared,
    ToolConfig,
    Where,
    as_list,
    ini_section,
    read_toml,
)

NAMES = ("flake8", "pycodestyle", "pep8")
#: options passed on, with the kind of value each takes
ALLOWED = {
    "max-line-length": "int", "max-doc-length": "int", "indent-size": "int",
    "ignore": "codes", "extend-ignore": "codes", "select": "codes", "extend-select": "codes",
    "per-file-ignores": "text", "hang-closing": "flag", "disable-noqa": "flag",
    "exclude": "patterns", "extend-exclude": "patterns",
}
REFUSED = {
    "output-file": WRITES_FILE, "tee": WRITES_FILE, "config": READS_FILES,
    "append-config": READS_FILES, "enable-extensions": LOADS_CODE,
    "require-plugins": LOADS_CODE, "benchmark": NOT_ALLOWED,
}
#: how the tool reports or runs, set by sqaaas; and pyflakes/mccabe settings (not PEP 8)
IGNORED = frozenset(
    {
        "count", "statistics", "show-source", "show-pep8", "no-show-source", "format",
        "exit-zero", "jobs", "j", "quiet", "q", "verbose", "v", "color", "isolated",
        "max-complexity", "builtins", "doctests", "diff", "bug-report", "stdin-display-name",
        "filename", "first", "repeat", "r", "hang_closing",
    }
)
#: options that make a run print something other than findings
INFORMATIONAL = frozenset({"version", "help", "h", "bug-report", "install-hook"})
#: command-line options that take their value as the next word
TAKES_VALUE = frozenset(
    {*(k for k, v in ALLOWED.items() if v != "flag"), "output-file", "config", "append-config",
     "format", "jobs", "j", "max-complexity", "builtins", "color", "enable-extensions",
     "require-plugins", "stdin-display-name", "filename", "tee"}
)
NOT_PEP8 = ("F", "C9")  # pyflakes' and mccabe's codes, which flake8 selects by default
_CODE = re.compile(r"^[A-Z]{1,3}[0-9]{0,3}$")
SETTINGS_FILES = {"flake8": ("setup.cfg", "tox.ini", ".flake8"),
                  "pycodestyle": ("setup.cfg", "tox.ini")}
SECTIONS = {"flake8": ("flake8",), "pycodestyle": ("pycodestyle", "pep8")}
BLACK_LINE_LENGTH = 88  # also ruff's default
#: black's documented flake8 settings (black.readthedocs.io "Using Black with other tools")
BLACK_IGNORES = ("E203", "E701", "E704")


def _pep8_codes(codes: list[str]) -> list[str]:
    """The pycodestyle codes of a select list (its E/W prefixes; F, C and plugins dropped)."""
    return [c for c in codes if c[:1] in ("E", "W")]


def _syntax_only(options: Mapping[str, str]) -> bool:
    """A run that selects nothing of PEP 8 but syntax errors (E9): a build check, not style."""
    if "select" not in options:
        return False
    kept = _pep8_codes(as_list(options["select"]))
    return all(c.startswith("E9") for c in kept)


def _cli_options(argv: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """A declared command line's options (name -> value, ``""`` for a flag) and its paths."""
    options: dict[str, str] = {}
    paths: list[str] = []
    words = iter(argv)
    for word in words:
        if not word.startswith("-") or word == "-":
            paths.append(word)
            continue
        name, sep, value = word.lstrip("-").partition("=")
        if not sep and name in TAKES_VALUE:
            value = next(words, "")
        elif not sep and not word.startswith("--") and len(name) > 1 and name[0] in "jq":
            name, value = name[0], name[1:]  # -j4
        options[name] = value
    return options, paths


def _section(fs: RepoFS, tool: str) -> tuple[str, dict[str, str]] | None:
    """The configuration section the tool itself would read, as ``(label, options)``."""
    for rel in SETTINGS_FILES[tool]:
        for name in SECTIONS[tool]:
            found = ini_section(fs, rel, name)
            if found is not None:
                return f"{rel} [{name}]", {k.replace("_", "-"): v for k, v in found.items()}
    return None


def _patterns(value: str, base: str) -> Iterator[str]:
    """flake8 ``exclude`` entries as fnmatch patterns on repository paths: a bare name matches
    a file or folder of that name anywhere, a path is relative to the configuration."""
    for entry in as_list(value):
        entry = entry.removeprefix("./").rstrip("/")
        if not entry or entry == ".":
            continue
        if "/" in entry:
            rel = posixpath.normpath(posixpath.join(base, entry))
            yield from (rel, f"{rel}/*")
        else:
            yield from (entry, f"*/{entry}", f"{entry}/*", f"*/{entry}/*")


def _formatter_line_length(fs: RepoFS, config: ToolConfig) -> dict[str, str]:
    """Options from the project's formatter or linter when nothing names PEP 8 options."""
    pyproject = read_toml(fs, "pyproject.toml") or {}
    tools = pyproject.get("tool") if isinstance(pyproject.get("tool"), dict) else {}
    black = tools.get("black")
    if isinstance(black, dict):
        length = black.get("line-length", BLACK_LINE_LENGTH)
        config.used("pyproject.toml")
        config.notes.append(
            f"PEP 8 line length {length} and black's flake8 settings (extend-ignore "
            f"{','.join(BLACK_IGNORES)}) from pyproject.toml [tool.black]"
        )
        return {"max-line-length": str(length), "extend-ignore": ",".join(BLACK_IGNORES)}
    for rel in ("ruff.toml", ".ruff.toml", "pyproject.toml"):
        data = read_toml(fs, rel) if rel != "pyproject.toml" else tools.get("ruff")
        if isinstance(data, dict):
            length = data.get("line-length", BLACK_LINE_LENGTH)
            label = "pyproject.toml [tool.ruff]" if rel == "pyproject.toml" else rel
            config.used(rel)
            config.notes.append(
                f"PEP 8 line length {length} from {label} (the project's ruff; its formatter "
                f"writes black's style, so black's flake8 settings apply too)"
            )
            return {"max-line-length": str(length), "extend-ignore": ",".join(BLACK_IGNORES)}
    return {}


def _accept(options: Mapping[str, str], label: str, config: ToolConfig,
            base: str) -> dict[str, str]:
    """The allowed options (values checked), each refused one named."""
    kept: dict[str, str] = {}
    for name, value in options.items():
        if name in IGNORED:
            continue
        if name in REFUSED:
            config.refuse(label, name, REFUSED[name])
            continue
        kind = ALLOWED.get(name)
        if kind is None:
            config.refuse(label, name[:60], NOT_ALLOWED)
        elif kind == "int" and not value.strip().isdigit():
            config.refuse(label, f"{name} = {value[:40]!r}", "not a number")
        elif kind == "codes":
            codes = [c for c in as_list(value) if _CODE.match(c)]
            if name in ("select", "extend-select"):
                codes = _pep8_codes(codes)
            kept[name] = ",".join(codes)
        elif kind == "patterns":
            config.exclude += tuple(_patterns(value, base))
        else:
            kept[name] = " ".join(value.split()) if kind == "text" else value.strip()
    return kept


Chosen = tuple[Declared, dict[str, str], list[str]]  # a declared run, its options, its paths


def _declared(where: Where, config: ToolConfig) -> Chosen | None:
    """The first declared run that checks style, its options and its paths."""
    for run in where.declared:
        options, paths = _cli_options(run.argv)
        if INFORMATIONAL.intersection(options):
            continue  # flake8 --version checks nothing
        if _syntax_only(options):
            config.notes.append(
                f"not used: {run.describe()} (it selects syntax checks only, not PEP 8)"
            )
            continue
        return run, options, paths
    return None


def flake8_config(fs: RepoFS, where: Where) -> ToolConfig:
    """PEP 8 options for flake8 limited to pycodestyle's codes (see the module's docstring)."""
    config = ToolConfig()
    chosen = _declared(where, config)
    tool = "pycodestyle" if chosen and chosen[0].tool in ("pycodestyle", "pep8") else "flake8"
    section = _section(fs, tool) or (None if chosen else _section(fs, "pycodestyle"))
    options: dict[str, str] = {}
    if section is not None:
        label, values = section
        config.used(label.split(" ")[0])
        if _syntax_only(values):
            config.notes.append(f"{label} select = {values['select']} not used: it selects "
                                "syntax checks only, not PEP 8")
            values = {k: v for k, v in values.items() if k != "select"}
        options.update(_accept(values, label, config, ""))
    elif chosen is None:
        options.update(_formatter_line_length(fs, config))
    if chosen is not None:
        run, cli, paths = chosen
        config.used(run.source)
        config.notes.append(f"run with the options {run.describe()}")
        base = run.directory
        options.update(_accept(cli, run.label, config, base))
        inside = [posixpath.normpath(posixpath.join(base, p)) for p in paths]
        config.paths = tuple(p for p in inside if p == "." or fs.is_file(p) or fs.is_dir(p))
        if base and not paths:
            config.paths = (base,)
    if not options.get("select"):
        # flake8's own default (E,F,W,C90) less pyflakes and mccabe: an explicit --select=E,W
        # would also switch on what pycodestyle leaves out by default (E226, W503...)
        options.pop("select", None)
        extend = as_list(options.get("extend-ignore", ""))
        options["extend-ignore"] = ",".join([*extend, *NOT_PEP8])
    config.args = [
        f"--{name}" if ALLOWED[name] == "flag" else f"--{name}={value}"
        for name, value in options.items()
        if (value.lower() in ("", "1", "true", "yes", "on") if ALLOWED[name] == "flag" else value)
    ]
    return config
