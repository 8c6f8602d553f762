"""Biome: the repository's ``biome.json``/``biome.jsonc``, reduced to its lint rule choices.

Biome is always given our configuration file (``--config-path``), so it never reads one
from the repository: a repository's ``extends`` (other files, npm packages), ``plugins``
(GritQL code) and ``overrides`` are refused and named. What a maintainer declares about the
lint rules is kept: ``recommended``, and each group's rule levels (``off``, ``info``,
``warn``, ``error``) with their options, over sqaaas's defaults (Biome's recommended rules,
those stricter than ESLint's recommended set as warnings); negated ``includes`` (and
Biome 1's ``ignore``) leave those files out. The formatter, import sorting and VCS
integration stay off.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqaaas.repofs import RepoFS
from sqaaas.safeparse import Limits, ParseError, load_json
from sqaaas.tools.configs.base import (
    CONFIG_READ_LIMIT,
    LOADS_CODE,
    NOT_ALLOWED,
    READS_FILES,
    ToolConfig,
    Where,
    read_text,
)

BIOME_FILES = ("biome.json", "biome.jsonc")
LEVELS = frozenset({"off", "on", "info", "warn", "error"})
REFUSED = {"extends": READS_FILES, "plugins": LOADS_CODE, "overrides": NOT_ALLOWED}
#: settings of Biome's other tools (formatter, import sorting, VCS, other languages): not
#: about linting JavaScript/TypeScript, so dropped without a note
IGNORED = frozenset({"$schema", "root", "formatter", "assist", "organizeImports", "vcs",
                     "css", "json", "graphql", "html", "grit", "javascript", "files",
                     "linter"})
#: Recommended Biome rules that are errors in Biome but stricter than ESLint's recommended
#: set, the de-facto JavaScript standard (eqeqeq, isNaN, assignments in expressions, var in
#: blocks...): warnings in the evidence, unless the repository's biome.json sets them
ADVISORY_RULES = {
    "suspicious": {"noDoubleEquals": "warn", "noGlobalIsNan": "warn", "noGlobalIsFinite": "warn",
                   "noAssignInExpressions": "warn", "useIterableCallbackReturn": "warn",
                   "noArrayIndexKey": "warn"},
    "correctness": {"noInnerDeclarations": "warn"},
}
FILE_BYTES = 2_000_000  # sqaaas reads files up to this size (sqaaas/tools/runner.py)
_LIMITS = Limits(max_bytes=CONFIG_READ_LIMIT)
# strings first, so that "//" inside a string is kept; then comments and trailing commas
_JSONC = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/|,(?=\s*[}\]])', re.DOTALL)


def _loads(text: str, source: str) -> Any:
    """Biome's JSON, which allows comments and trailing commas; None when unreadable."""
    plain = _JSONC.sub(lambda m: m.group(1) or "", text)
    try:
        return load_json(plain, source=source, limits=_LIMITS)
    except ParseError:
        return None


def _rule(value: object) -> object | None:
    """A rule's setting when it is only a level (and options): else None."""
    if isinstance(value, str):
        return value if value in LEVELS else None
    if isinstance(value, dict) and value.get("level") in LEVELS:
        return {k: v for k, v in value.items() if k in ("level", "options")}
    return None


def _rules(rules: dict[str, Any], source: str, config: ToolConfig) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for group, value in rules.items():
        if group == "recommended" and isinstance(value, bool):
            kept[group] = value
        elif isinstance(value, dict):
            chosen = {}
            for name, setting in value.items():
                if name == "recommended" and isinstance(setting, bool):
                    chosen[name] = setting
                elif (rule := _rule(setting)) is not None:
                    chosen[name] = rule
                else:
                    config.refuse(source, f"linter.rules.{group}.{name}"[:80], NOT_ALLOWED)
            kept[group] = chosen
        else:
            config.refuse(source, f"linter.rules.{group}"[:80], NOT_ALLOWED)
    return kept


def _excluded(data: dict[str, Any]) -> tuple[str, ...]:
    """fnmatch patterns for the files the configuration leaves out (``!glob`` in Biome 2's
    ``includes``, Biome 1's ``ignore`` lists), for files and for the linter."""
    patterns: list[str] = []
    for section in (data.get("files"), data.get("linter")):
        if not isinstance(section, dict):
            continue
        for entry in section.get("includes") or ():
            if isinstance(entry, str) and entry.startswith("!"):
                patterns.append(entry.lstrip("!"))
        patterns += [p for p in section.get("ignore") or () if isinstance(p, str)]
    out = []
    for pattern in patterns:
        bare = pattern.removeprefix("./").removeprefix("**/").rstrip("/")
        if bare:
            # fnmatch's * crosses folders: "dist/**" and "**/dist" both cover dist/ anywhere
            out += [bare.replace("**", "*"), f"*/{bare.replace('**', '*')}"]
            if not bare.endswith("*"):
                out += [f"{bare}/*", f"*/{bare}/*"]
    return tuple(dict.fromkeys(out))


def biome_config(fs: RepoFS, where: Where) -> ToolConfig:
    config = ToolConfig(args=[f"--config-path={where.cfg}/biome.json"])
    rules: dict[str, Any] = {"recommended": True}
    declared: dict[str, Any] = {}
    found = next((name for name in BIOME_FILES if fs.is_file(name)), None)
    data = _loads(read_text(fs, found) or "", found) if found else None
    if found and not isinstance(data, dict):
        config.refused.append(f"{found} could not be read as JSON: Biome's defaults are used")
    elif found and isinstance(data, dict):
        config.used(found)
        for key in data:
            if key in REFUSED:
                config.refuse(found, key, REFUSED[key])
            elif key not in IGNORED:
                config.refuse(found, str(key)[:60], NOT_ALLOWED)
        linter = data.get("linter") if isinstance(data.get("linter"), dict) else {}
        if isinstance(linter.get("rules"), dict):
            declared = _rules(linter["rules"], found, config)
        config.exclude = _excluded(data)
    for group, advisory in ADVISORY_RULES.items():
        rules[group] = dict(advisory)
    for group, value in declared.items():  # the repository's choices win
        rules[group] = {**rules.get(group, {}), **value} if isinstance(value, dict) else value
    ours = {
        "root": True,
        "vcs": {"enabled": False},
        "files": {"ignoreUnknown": True, "maxSize": FILE_BYTES},
        "formatter": {"enabled": False},
        "assist": {"enabled": False},
        "linter": {"enabled": True, "rules": rules},
    }
    config.files["biome.json"] = json.dumps(ours, indent=1, sort_keys=True) + "\n"
    return config
