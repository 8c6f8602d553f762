"""Bandit: which tests to run or skip, which folders to leave out and which findings to
report, from the repository's own bandit setup, rewritten as a YAML config and options.

Where the choices come from:

1. ``[tool.bandit]`` of pyproject.toml or the ``[bandit]`` section of ``.bandit`` (tests,
   skips, excluded folders, plugin options);
2. a run the repository declares (a CI step, pre-commit hook, tox env, make/npm task:
   sqaaas.facts.declared_tools), the first one found: its severity and confidence levels
   (``-ll``, ``-iii``, ``--severity-level medium``), ``--skip``/``--tests``, ``--exclude``
   paths, its targets (``bandit -r src``) and a ``-c``/``--ini`` configuration file of the
   repository (read through the same allow-list), and ``--ignore-nosec``.

``# nosec`` comments are honoured, as bandit does by default. Anything naming other files
outside the repository, a baseline, a profile or an output file is refused and named;
options on how bandit reports (format, verbosity, exit status) are sqaaas's own. Bandit
loads its plugins from installed packages only, never from configuration.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

import yaml

from sqaaas.repofs import RepoFS
from sqaaas.tools.configs.base import (
    NOT_ALLOWED,
    READS_FILES,
    READS_OUTSIDE,
    WRITES_FILE,
    Declared,
    ToolConfig,
    Where,
    as_list,
    ini_section,
    inside,
    parse_yaml,
    read_text,
    read_toml,
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


LEVELS = ("low", "medium", "high")  # bandit's severity and confidence levels
#: bandit's command-line options a declared run may set (long name -> short name)
CLI_VALUES = {"severity-level": "", "confidence-level": "", "skip": "s", "tests": "t",
              "exclude": "x", "configfile": "c", "ini": ""}
CLI_REFUSED = {"profile": ("p", NOT_ALLOWED), "baseline": ("b", READS_FILES)}
#: how bandit reports and exits, and its file walk: sqaaas's own (value-taking ones marked)
CLI_OURS = {"format": "f", "output": "o", "msg-template": "", "aggregate": "a", "number": "n"}
CLI_FLAGS = frozenset({"recursive", "verbose", "debug", "quiet", "silent", "exit-zero",
                       "version", "help", "ignore-nosec"})
_SHORT_FLAGS = frozenset("lirvdqh")
_TEST_ID = re.compile(r"^B\d{3}$")
_SHORT = {short: name for name, short in (*CLI_VALUES.items(), *CLI_OURS.items(),
                                          *((n, s) for n, (s, _) in CLI_REFUSED.items())) if short}


def _cli(argv: tuple[str, ...]) -> tuple[dict[str, str], list[str], list[str]]:
    """A declared bandit command line: its options (long name -> value; ``-ll`` counted as
    ``level``/``confidence``), its targets, and the options that are not bandit's."""
    options: dict[str, str] = {}
    targets: list[str] = []
    unknown: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            continue
        if word == "-" or not word.startswith("-"):
            targets.append(word)
            continue
        if word.startswith("--"):
            name, sep, value = word[2:].partition("=")
        elif set(word[1:]) <= _SHORT_FLAGS:  # -ll, -iii, -rll: counted flags
            options["level"] = str(int(options.get("level", "0")) + word.count("l"))
            options["confidence"] = str(int(options.get("confidence", "0")) + word.count("i"))
            continue
        elif word[1] in _SHORT:
            name, value, sep = _SHORT[word[1]], word[2:], "=" if len(word) > 2 else ""
        else:
            unknown.append(word)
            continue
        takes = name in CLI_VALUES or name in CLI_OURS or name in CLI_REFUSED
        if not takes and name not in CLI_FLAGS:
            unknown.append(word)
            continue
        if takes and not sep:
            value = next(words, "")
        options[name] = value
    return options, targets, unknown


def _level(options: dict[str, str], count_key: str, name: str) -> str | None:
    """``-ll`` -> medium, ``--severity-level high`` -> high (a level named wins a count)."""
    if options.get(name, "").lower() in LEVELS:
        return options[name].lower()
    count = int(options.get(count_key, "0"))
    return LEVELS[min(count, 3) - 1] if count else None


def _exclude_patterns(value: str, base: str) -> tuple[str, ...]:
    """bandit ``--exclude`` entries as fnmatch patterns on repository paths."""
    patterns: list[str] = []
    for entry in as_list(value):
        entry = entry.removeprefix("./").rstrip("/")
        if not entry or entry.startswith(("/", "~")) or ".." in entry.split("/"):
            continue
        if "/" in entry or base:
            rel = posixpath.normpath(posixpath.join(base, entry))
            patterns += [rel, f"{rel}/*"]
        else:
            patterns += [entry, f"*/{entry}", f"{entry}/*", f"*/{entry}/*"]
    return tuple(patterns)


def _config_file(fs: RepoFS, rel: str, label: str, ini: bool, config: ToolConfig
                 ) -> dict[str, Any]:
    """A configuration file a declared run names (``-c``/``--ini``), through the allow-list."""
    if ini:
        section = ini_section(fs, rel, "bandit")
        data: Any = section
    elif rel.endswith(".toml"):
        data = ((read_toml(fs, rel) or {}).get("tool") or {}).get("bandit")
    else:
        text = read_text(fs, rel)
        data = parse_yaml(text, rel) if text is not None else None
    if not isinstance(data, dict):
        config.notes.append(f"{label}: {rel} has no bandit settings sqaaas can read")
        return {}
    config.used(rel)
    return _sanitise(data, f"{rel} (named by {label})", config)


def _declared_run(fs: RepoFS, run: Declared, config: ToolConfig, kept: dict[str, Any]
                  ) -> list[str]:
    """The allowed options of a declared run as bandit arguments (its configuration file's
    choices merged into ``kept``); the refused ones named in ``config``."""
    options, targets, unknown = _cli(run.argv)
    label, base = run.label, run.directory
    config.used(run.source)
    config.notes.append(f"run with the options {run.describe()}")
    for word in unknown:
        config.refuse(label, word[:60], NOT_ALLOWED)
    args: list[str] = []
    for name, (short, reason) in CLI_REFUSED.items():
        if name in options:
            config.refuse(label, f"--{name}" + (f"/-{short}" if short else ""), reason)
    for key, name in (("level", "severity-level"), ("confidence", "confidence-level")):
        if level := _level(options, key, name):
            args.append(f"--{name}={level}")
    for name in ("skip", "tests"):
        ids = [t for t in as_list(options.get(name, "")) if _TEST_ID.match(t)]
        if ids:
            args.append(f"--{name}={','.join(ids)}")
    if "ignore-nosec" in options:
        args.append("--ignore-nosec")
    config.exclude += _exclude_patterns(options.get("exclude", ""), base)
    for name in ("configfile", "ini"):
        if not options.get(name):
            continue
        rel = inside(fs, base, options[name])
        if rel is None:
            config.refuse(label, f"--{name} {options[name][:60]}", READS_OUTSIDE)
        else:
            kept.update(_config_file(fs, rel, label, name == "ini", config))
    paths = [posixpath.normpath(posixpath.join(base, t)) for t in targets if t != "-"]
    config.paths = tuple(p for p in paths if p == "." or fs.is_file(p) or fs.is_dir(p))
    if base and not config.paths:
        config.paths = (base,)
    return args


def bandit_config(fs: RepoFS, where: Where) -> ToolConfig:
    config = ToolConfig()
    kept: dict[str, Any] = {}
    if (table := tool_table(fs, "bandit")) is not None:
        config.used("pyproject.toml")
        kept = _sanitise(table, "pyproject.toml [tool.bandit]", config)
    elif (section := ini_section(fs, ".bandit", "bandit")) is not None:
        config.used(".bandit")
        kept = _sanitise(section, ".bandit [bandit]", config)
    args = _declared_run(fs, where.declared[0], config, kept) if where.declared else []
    if kept:
        config.files["bandit.yaml"] = yaml.safe_dump(kept, sort_keys=False)
        args = ["-c", f"{where.cfg}/bandit.yaml", *args]
    config.args = args
    return config
