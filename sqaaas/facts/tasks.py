"""The named tasks a project declares in its task files, and the commands each runs.

CI steps often call a task rather than a tool (`npm run test`, `make lint`, `tox -e docs`,
`nox -s tests`, `just check`): to know what CI really runs, the task's commands are read
here, statically and bounded: package.json ``scripts``, Makefile rules and recipes, tox
environments (tox.ini, setup.cfg, pyproject.toml, tox.toml), nox sessions (noxfile.py
parsed with ``ast``, never executed) and justfile recipes. Nothing is run and no variable
is evaluated beyond a Makefile's plain ``VAR = value`` assignments.

:mod:`sqaaas.facts.commands` follows CI lines through these tasks; the tables are also a
fact of their own (:func:`task_files`) for whoever needs what a repository declares.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from sqaaas.context import RepoContext
from sqaaas.safeparse import Limits, ParseError, load_json, load_toml

_MAX_BYTES = 300_000
_LIMITS = Limits(max_bytes=_MAX_BYTES)
#: Task files deeper than this (root = 0) are not read: they belong to examples or vendored code.
_MAX_DEPTH = 3
_MAX_FILES_PER_KIND = 30
_MAX_COMMANDS_PER_TASK = 200
_MAX_EXPANSION = 4  # passes of Makefile variable expansion
_MAX_EXPANDED = 4_000  # characters of one expanded command
_MAX_NAMES = 200  # names one tox generative expression expands to


@dataclass(frozen=True)
class Task:
    """A named task and the commands it runs, in order, each with its line (1-based)."""

    name: str
    where: str  # how evidence names it: "scripts.test", "target test", "[testenv:lint]" ...
    commands: tuple[tuple[int | None, str], ...]
    before: tuple[str, ...] = ()  # tasks of the same file run first (prerequisites, pre-scripts)
    after: tuple[str, ...] = ()  # tasks run afterwards (npm post-scripts, just's `&& dep`)
    tags: tuple[str, ...] = ()  # nox session tags


@dataclass(frozen=True)
class TaskFile:
    """One task file: its tasks by name and what a bare invocation (`make`, `tox`) runs."""

    path: str
    kind: str  # npm | make | tox | nox | just
    tasks: Mapping[str, Task] = field(default_factory=dict)
    default: tuple[str, ...] = ()
    #: a bare invocation depends on settings outside the file (tox-gh-actions' mapping)
    default_open: bool = False

    @property
    def directory(self) -> str:
        parent = str(PurePosixPath(self.path).parent)
        return "" if parent == "." else parent


def _line_finder(text: str) -> Callable[[str, int], int | None]:
    """``find(needle, start)``: the first line (1-based) at or after ``start`` holding needle."""
    lines = text.splitlines()

    def find(needle: str, start: int = 1) -> int | None:
        for number in range(max(start, 1), len(lines) + 1):
            if needle in lines[number - 1]:
                return number
        return None

    return find


# --- package.json ------------------------------------------------------------------------


def parse_package_json(path: str, text: str) -> TaskFile | None:
    """``scripts`` of a package.json; npm and yarn run ``pre<name>``/``post<name>`` around it."""
    try:
        data = load_json(text, source=path, limits=_LIMITS)
    except ParseError:
        return None
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return None
    find = _line_finder(text)
    start = find('"scripts"') or 1
    tasks: dict[str, Task] = {}
    for name, command in scripts.items():
        if not isinstance(command, str):
            continue
        line = find(f'"{name}"', start)
        tasks[name] = Task(
            name,
            f"scripts.{name}",
            ((line, command),),
            before=tuple(p for p in (f"pre{name}",) if p in scripts),
            after=tuple(p for p in (f"post{name}",) if p in scripts),
        )
    return TaskFile(path, "npm", tasks, default=())


# --- Makefile -----------------------------------------------------------------------------

_MAKE_ASSIGN = re.compile(
    r"^(?:(?:override|export)\s+)*([A-Za-z_][\w.-]*)\s*(?::::?=|:=|\?=|\+=|!=|=)\s*(.*)$"
)
_MAKE_RULE = re.compile(r"^([^\t#=:][^#=:]*?)\s*::?(?!=)\s*(.*)$")
_MAKE_CONDITIONAL = re.compile(r"^\s*(?:ifeq|ifneq|ifdef|ifndef|else|endif)\b")
_MAKE_VAR = re.compile(r"\$[({]([A-Za-z_][\w.-]*)[)}]")


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Lines with backslash continuations joined, each with the number of its first line."""
    pending: list[str] = []
    first = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            first = number
        if raw.endswith("\\"):
            pending.append(raw[:-1].rstrip())
            continue
        pending.append(raw)
        yield first, " ".join(part.strip() if i else part for i, part in enumerate(pending))
        pending = []
    if pending:
        yield first, " ".join(pending)


def _expand(value: str, variables: Mapping[str, str]) -> str:
    """Plain ``$(VAR)``/``${VAR}`` references replaced by their assigned text (unknown kept;
    a few passes, and never past a length bound: `A = $(B)$(B)` nested is no bomb)."""
    for _ in range(_MAX_EXPANSION):
        parts: list[str] = []
        size, start = 0, 0
        for match in _MAKE_VAR.finditer(value):
            text = variables.get(match.group(1), match.group(0))
            size += match.start() - start + len(text)
            if size > _MAX_EXPANDED:
                return value
            parts += [value[start:match.start()], text]
            start = match.end()
        expanded = "".join(parts) + value[start:]
        if expanded == value:
            break
        value = expanded
    return value


def parse_makefile(path: str, text: str) -> TaskFile:
    """Rules (targets, prerequisites, recipe lines) of a Makefile; the first target is default."""
    variables: dict[str, str] = {"MAKE": "make"}
    requires: dict[str, list[str]] = {}
    recipes: dict[str, list[tuple[int, str]]] = {}
    current: list[str] = []  # the targets whose recipe the following tab lines belong to
    default: str | None = None
    for number, line in _logical_lines(text):
        if line.startswith("\t"):
            command = line.strip().lstrip("@+-").strip()
            if command and not command.startswith("#"):
                for target in current:
                    if len(recipes[target]) < _MAX_COMMANDS_PER_TASK:
                        recipes[target].append((number, command))
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or _MAKE_CONDITIONAL.match(line):
            continue
        current = []
        if assign := _MAKE_ASSIGN.match(stripped):
            name, value = assign.groups()
            variables[name] = value.split(" #", 1)[0].strip()
            if name == ".DEFAULT_GOAL":
                default = variables[name]
            continue
        if (rule := _MAKE_RULE.match(line)) is None:
            continue
        prerequisites, _, inline = rule.group(2).partition(";")
        needed = [
            p for p in prerequisites.split("|", 1)[0].split() if "%" not in p and "=" not in p
        ]
        for target in rule.group(1).split():
            catch_all = target == "%"  # `%: Makefile` (Sphinx): any goal runs its recipe
            if target.startswith(".") or ("%" in target and not catch_all):
                continue
            default = default or (None if catch_all else target)
            requires.setdefault(target, []).extend(needed)
            recipes.setdefault(target, [])
            if inline.strip():
                recipes[target].append((number, inline.strip()))
            current.append(target)
    tasks = {
        target: Task(
            target,
            f"target {target}",
            tuple((n, _expand(c, variables)) for n, c in recipe),
            before=tuple(_expand(p, variables) for p in requires[target]),
        )
        for target, recipe in recipes.items()
    }
    return TaskFile(path, "make", tasks, default=(_expand(default, variables),) if default else ())


# --- tox ----------------------------------------------------------------------------------

_INI_SECTION = re.compile(r"^\[([^\]]+)\]\s*$")
_INI_KEY = re.compile(r"^([\w.-]+)\s*[=:]\s*(.*)$")
_FACTOR_CONDITION = re.compile(r"^([\w{},.!-]+):\s+(\S.*)$")
_TOX_COMMAND_KEYS = ("commands_pre", "commands", "commands_post")


def ini_sections(text: str) -> dict[str, dict[str, list[tuple[int, str]]]]:
    """INI sections -> key -> its non-empty value lines with their numbers (continuations too).

    configparser forgets line numbers, which evidence needs.
    """
    sections: dict[str, dict[str, list[tuple[int, str]]]] = {}
    section: dict[str, list[tuple[int, str]]] | None = None
    key: list[tuple[int, str]] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if line[:1].isspace():
            if key is not None:
                key.append((number, stripped))
            continue
        if header := _INI_SECTION.match(line):
            section = sections.setdefault(header.group(1).strip(), {})
            key = None
        elif section is not None and (item := _INI_KEY.match(line)):
            key = section.setdefault(item.group(1).lower(), [])
            key.clear()
            if value := item.group(2).strip():
                key.append((number, value))
        else:
            key = None
    return sections


def _braces(name: str) -> list[str]:
    """tox's generative names: ``py{38,39}-lint`` -> py38-lint, py39-lint (at most
    _MAX_NAMES; expanded breadth-first, without recursion)."""
    names = [name]
    while any("{" in n for n in names):
        expanded: list[str] = []
        for current in names:
            match = re.search(r"\{([^{}]*)\}", current)
            if match is None:
                expanded.append(current)
                continue
            head, tail = current[: match.start()], current[match.end():]
            expanded.extend(head + c.strip() + tail for c in match.group(1).split(","))
        if len(expanded) > _MAX_NAMES or expanded == names:
            return expanded[:_MAX_NAMES]
        names = expanded
    return names


def _split_list(lines: list[tuple[int, str]]) -> list[str]:
    """An env list: names separated by commas or blanks, outside braces."""
    names: list[str] = []
    for _, value in lines:
        for part in re.findall(r"(?:[^\s,{}]|\{[^{}]*\})+", value):
            names.extend(_braces(part))
    return names


def _factor_applies(condition: str, env: str) -> bool:
    """A tox factor condition (``lint:``, ``py38,py39:``, ``!docs:``) for one env name."""
    factors = set(env.split("-"))
    for alternative in _braces(condition):
        for option in alternative.split(","):
            parts = [p for p in option.split("-") if p]
            if parts and all((p[1:] not in factors) if p.startswith("!") else (p in factors)
                             for p in parts):
                return True
    return False


def _joined(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Value lines with trailing-backslash continuations joined (numbered by the first)."""
    joined: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, value in lines:
        if value.startswith("#"):
            continue
        if pending is not None:
            number, value = pending[0], f"{pending[1]} {value}"
        pending = (number, value[:-1].rstrip()) if value.endswith("\\") else None
        if pending is None:
            joined.append((number, value))
    if pending is not None:
        joined.append(pending)
    return joined


def _tox_commands(lines: list[tuple[int, str]], env: str) -> list[tuple[int, str]]:
    commands: list[tuple[int, str]] = []
    for number, value in _joined(lines):
        if conditional := _FACTOR_CONDITION.match(value):
            if not _factor_applies(conditional.group(1), env):
                continue
            value = conditional.group(2)
        commands.append((number, re.sub(r"^-\s+", "", value).strip()))  # `- cmd`: errors ignored
    return commands[:_MAX_COMMANDS_PER_TASK]


def parse_tox_ini(path: str, text: str, *, core: str = "tox") -> TaskFile | None:
    """tox environments of tox.ini (``core`` section ``tox``) or setup.cfg (``tox:tox``)."""
    sections = ini_sections(text)
    if core not in sections and not any(s.startswith("testenv") for s in sections):
        return None
    settings = sections.get(core, {})
    declared = _split_list(settings.get("envlist") or settings.get("env_list") or [])
    base = sections.get("testenv", {})
    named: dict[str, str] = {}
    for section in sections:
        if section.startswith("testenv:"):
            for name in _braces(section.split(":", 1)[1].strip()):
                named[name] = section
    tasks: dict[str, Task] = {}
    for env in dict.fromkeys([*declared, *named]):
        section = named.get(env, "testenv")
        keys = sections.get(section, {})
        commands: list[tuple[int, str]] = []
        for key in _TOX_COMMAND_KEYS:
            lines = keys.get(key, base.get(key, []) if section != "testenv" else [])
            commands.extend(_tox_commands(lines, env))
        tasks[env] = Task(env, f"[{section}]", tuple(commands))
    if "testenv" in sections:
        commands = [c for key in _TOX_COMMAND_KEYS for c in _tox_commands(base.get(key, []), "")]
        tasks.setdefault("testenv", Task("testenv", "[testenv]", tuple(commands)))
    default = tuple(declared) or (("testenv",) if "testenv" in sections else ())
    return TaskFile(path, "tox", tasks, default=default, default_open="gh-actions" in sections)


def _toml_command(command: object) -> str | None:
    """One tox TOML command: a list of arguments (``{replace = ...}`` tables left out)."""
    if isinstance(command, list):
        return " ".join(str(a) for a in command if isinstance(a, str | int | float)) or None
    return None


def parse_tox_toml(path: str, text: str, table: Mapping[str, Any]) -> TaskFile | None:
    """tox 4's native TOML configuration (tox.toml, or ``[tool.tox]`` of pyproject.toml)."""
    if isinstance(legacy := table.get("legacy_tox_ini"), str):
        parsed = parse_tox_ini(path, legacy)
        if parsed is None:
            return None
        offset = (_line_finder(text)("legacy_tox_ini") or 1)
        return _shifted(parsed, offset)
    find = _line_finder(text)
    base = table.get("env_run_base") if isinstance(table.get("env_run_base"), dict) else {}
    envs = table.get("env") if isinstance(table.get("env"), dict) else {}
    declared = [str(e) for e in table.get("env_list") or [] if isinstance(e, str)]
    tasks: dict[str, Task] = {}
    for env in dict.fromkeys([*declared, *envs]):
        spec = envs.get(env) if isinstance(envs.get(env), dict) else {}
        header = find(f"env.{env}]") or find(f'env."{env}"]') or find("env_run_base")
        commands: list[tuple[int | None, str]] = []
        for key in _TOX_COMMAND_KEYS:
            listed = spec.get(key, base.get(key, []))
            for command in listed if isinstance(listed, list) else []:
                if (joined := _toml_command(command)) is not None:
                    commands.append((header, joined))
        where = f"[env.{env}]" if env in envs else "[env_run_base]"
        tasks[env] = Task(env, where, tuple(commands[:_MAX_COMMANDS_PER_TASK]))
    if not tasks and not base:
        return None
    return TaskFile(path, "tox", tasks, default=tuple(declared))


def _shifted(parsed: TaskFile, offset: int) -> TaskFile:
    """Line numbers of an embedded INI text (legacy_tox_ini) as lines of the outer file."""
    tasks = {
        name: Task(
            task.name,
            task.where,
            tuple((n + offset if n else n, c) for n, c in task.commands),
        )
        for name, task in parsed.tasks.items()
    }
    return TaskFile(parsed.path, parsed.kind, tasks, parsed.default, parsed.default_open)


# --- nox ----------------------------------------------------------------------------------


def _is_session_decorator(node: ast.expr) -> bool:
    """``@nox.session``, ``@session``, ``@nox.session(...)`` (any module's ``session``)."""
    target = node.func if isinstance(node, ast.Call) else node
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name == "session"


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _strings(node: ast.expr | None) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple):
        return [
            e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
    return []


def _argument(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float):
        return str(node.value)
    return "…"  # a variable or an f-string: not evaluated


def _session_commands(
    function: ast.FunctionDef | ast.AsyncFunctionDef, param: str
) -> list[tuple[int, str]]:
    """``session.run(...)``/``run_always`` calls as command lines; ``notify`` as a nox call."""
    commands: list[tuple[int, str]] = []
    for node in ast.walk(function):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        if not (isinstance(owner, ast.Name) and owner.id == param):
            continue
        if node.func.attr in ("run", "run_always", "run_install"):
            words = [_argument(a) for a in node.args if not isinstance(a, ast.Starred)]
            if words:
                commands.append((node.lineno, " ".join(words)))
        elif node.func.attr == "notify" and node.args and (names := _strings(node.args[0])):
            commands.append((node.lineno, f"nox -s {' '.join(names)}"))
    commands.sort()
    return commands[:_MAX_COMMANDS_PER_TASK]


def parse_noxfile(path: str, text: str) -> TaskFile | None:
    """nox sessions of a noxfile.py, read with ``ast`` (the file is never executed)."""
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    tasks: dict[str, Task] = {}
    default: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "sessions"
            and isinstance(t.value, ast.Attribute) and t.value.attr == "options"
            for t in node.targets
        ):
            default = _strings(node.value)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        marks = [d for d in node.decorator_list if _is_session_decorator(d)]
        if not marks or not node.args.args:
            continue
        call = marks[0] if isinstance(marks[0], ast.Call) else None
        names = _strings(_keyword(call, "name")) if call else []
        name = names[0] if names else node.name
        tags = tuple(_strings(_keyword(call, "tags"))) if call else ()
        param = node.args.args[0].arg
        commands = _session_commands(node, param)
        tasks[name] = Task(name, f"session {name}", tuple(commands), tags=tags)
    if not tasks:
        return None
    return TaskFile(path, "nox", tasks, default=tuple(default) or tuple(tasks))


# --- justfile -----------------------------------------------------------------------------

_JUST_RECIPE = re.compile(r"^@?([A-Za-z_][\w-]*)((?:\s+[^:]*?)?)\s*:(?!=)\s*(.*)$")
_JUST_NOT_RECIPE = re.compile(r"^(?:set|alias|export|import|mod|\[)")


def parse_justfile(path: str, text: str) -> TaskFile | None:
    """Recipes of a justfile: their dependencies and body lines; the first one is the default."""
    tasks: dict[str, Task] = {}
    current: tuple[str, list[str], list[str], list[tuple[int, str]]] | None = None

    def close() -> None:
        if current is not None:
            name, before, after, body = current
            tasks[name] = Task(name, f"recipe {name}", tuple(body), tuple(before), tuple(after))

    for number, line in _logical_lines(text):
        if line[:1] in (" ", "\t"):
            command = line.strip().lstrip("@-").strip()
            keep = command and not command.startswith("#")
            if keep and current is not None and len(current[3]) < _MAX_COMMANDS_PER_TASK:
                current[3].append((number, command))
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        close()
        current = None
        if _JUST_NOT_RECIPE.match(stripped) or ":=" in stripped:
            continue
        if recipe := _JUST_RECIPE.match(stripped):
            deps, _, later = recipe.group(3).partition("&&")
            current = (recipe.group(1), _just_deps(deps), _just_deps(later), [])
    close()
    if not tasks:
        return None
    return TaskFile(path, "just", tasks, default=(next(iter(tasks)),))


def _just_deps(text: str) -> list[str]:
    """Dependency names of a recipe header: ``lint (build "x") test`` -> lint, build, test."""
    return re.findall(r"(?:^|[\s(])([A-Za-z_][\w-]*)", re.sub(r"\"[^\"]*\"|'[^']*'", " ", text))


# --- the fact -------------------------------------------------------------------------------

_MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
_JUSTFILES = ("justfile", "Justfile", ".justfile", "JUSTFILE")
TASK_FILE_NAMES = (
    "package.json", *_MAKEFILES, "tox.ini", "setup.cfg", "pyproject.toml", "tox.toml",
    "noxfile.py", *_JUSTFILES,
)


def _parse(path: str, text: str) -> TaskFile | None:
    name = PurePosixPath(path).name
    if name == "package.json":
        return parse_package_json(path, text)
    if name in _MAKEFILES:
        return parse_makefile(path, text)
    if name == "tox.ini":
        return parse_tox_ini(path, text)
    if name == "setup.cfg":
        return parse_tox_ini(path, text, core="tox:tox") if "[tox:tox]" in text else None
    if name in ("pyproject.toml", "tox.toml"):
        return _tox_toml_file(path, text, pyproject=name == "pyproject.toml")
    if name == "noxfile.py":
        return parse_noxfile(path, text)
    if name in _JUSTFILES:
        return parse_justfile(path, text)
    return None


def _tox_toml_file(path: str, text: str, *, pyproject: bool) -> TaskFile | None:
    if pyproject and "[tool.tox" not in text:
        return None
    try:
        data = load_toml(text, source=path, limits=_LIMITS)
    except ParseError:
        return None
    table = data.get("tool", {}).get("tox") if pyproject else data
    return parse_tox_toml(path, text, table) if isinstance(table, dict) else None


def task_files(ctx: RepoContext) -> tuple[TaskFile, ...]:
    """Every task file of the repository (up to a few levels deep), parsed once.

    Unreadable or unparseable files are left out: what they would run is unknown, and the
    criteria that judge those files (QC.Del01 for package.json) say why.
    """
    found: list[TaskFile] = []
    counts: dict[str, int] = {}
    wanted = set(TASK_FILE_NAMES)
    for entry in sorted(ctx.fs.files, key=lambda e: (e.path.count("/"), e.path)):
        if entry.name not in wanted or entry.path.count("/") > _MAX_DEPTH:
            continue
        if counts.get(entry.name, 0) >= _MAX_FILES_PER_KIND:
            continue
        file = ctx.fs.try_read_text(entry.path, limit=_MAX_BYTES)
        if file is None or file.truncated:
            continue
        if (parsed := _parse(entry.path, file.text)) is not None:
            found.append(parsed)
            counts[entry.name] = counts.get(entry.name, 0) + 1
    return tuple(found)
