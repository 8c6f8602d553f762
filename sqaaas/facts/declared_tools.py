"""How the repository itself runs a tool: its declared QA setup, read as data.

A project that runs ``pycodestyle --max-line-length=100 .`` in a tox env, ``bandit -r src
-ll`` in a pre-commit hook or ``flake8 src`` in CI has said which options its code is held
to. sqaaas runs the same tool with those options (through each tool's allow-list in
sqaaas/tools/configs/: never the repository's code or plugins) and says where they came from.

API (stable: the style and the security checks both use it)::

    declared_invocations(ctx, ("pycodestyle", "flake8")) -> tuple[Invocation, ...]

Each :class:`Invocation` is one command that starts the tool: its arguments as written
(``argv``; tox's ``{posargs}`` as tox fills it with no extra arguments), the file and line,
the folder it runs in, and ``where`` it is declared: ``ci`` (pipeline lines and what they
reach through tasks: sqaaas.facts.commands), ``pre-commit`` (hooks and their ``args``), and
the task files of sqaaas.facts.tasks (``tox``, ``nox``, ``make``, ``npm``, ``just``), in
that order of preference. Nothing is executed.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sqaaas.context import RepoContext
from sqaaas.facts import ci, commands, tasks
from sqaaas.safeparse import Limits, ParseError, load_yaml

Where = Literal["ci", "pre-commit", "tox", "nox", "make", "npm", "just"]
#: the order in which declarations are preferred: what gates every change first
WHERE_ORDER: tuple[Where, ...] = ("ci", "pre-commit", "tox", "nox", "make", "npm", "just")

_MAX_BYTES = 500_000
_LIMITS = Limits(max_bytes=_MAX_BYTES)
#: pre-commit hook ids that are another name for a tool
HOOK_ALIASES = {"ruff-check": "ruff", "flake8-docker": "flake8"}
#: words that may stand before a tool's name without being another program
_RUNNERS = frozenset(
    {
        "python", "python3", "py", "-m", "-I", "-u", "-B", "-X", "--", "run", "exec", "env",
        "poetry", "uv", "uvx", "pdm", "hatch", "pipenv", "pipx", "rye", "pixi", "conda",
        "mamba", "micromamba", "npx", "pnpx", "bunx", "yarn", "pnpm", "npm", "command",
        "time", "nice", "xargs",
    }
)
_PYTHON = re.compile(r"^python\d*(?:\.\d+)?$")
_ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_MAKE_VARIABLE = re.compile(r"^\$[({][^)}]*[)}]$")
_SEPARATORS = re.compile(r"\s*(?:&&|\|\||;|\|(?!\|))\s*")
_REDIRECT = re.compile(r"^\d*[<>]")
#: a CI line's YAML or Groovy around the command: "- run: ", "script: ", "sh '...'"
_CI_PREFIX = re.compile(
    r"^\s*(?:-\s+)?(?:[\w-]*(?:run|script|command|commands|cmd|entry)\s*:\s*[|>]?[-+]?\s*)?"
    r"(?:-\s+)?(?:(?:sh|bat|powershell)\b\s*\(?\s*(?:script\s*:\s*)?)?"
)
_TOX_SUBSTITUTION = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Invocation:
    """One declared run of a tool: what the repository runs, and where it says so."""

    tool: str  # the name asked for (a hook id alias is resolved: ruff-check -> ruff)
    argv: tuple[str, ...]  # the arguments after the tool's name, as written
    source: str  # repository path of the declaring file
    line: int | None
    where: Where
    context: str = ""  # "[testenv:pep8]", a hook id, "target lint", "scripts.lint", a chain
    directory: str = ""  # the repository folder it runs in ("": the root)

    @property
    def label(self) -> str:
        """Where it is declared, for the report: ``tox.ini [testenv:pep8]``."""
        at = f"{self.source}" + (f" line {self.line}" if self.line else "")
        if self.where == "pre-commit":
            return f"{self.source} hook {self.context}"
        if self.where == "ci":
            return at + (f" ({self.context})" if self.context else "")
        return f"{self.source} {self.context}" if self.context else at

    @property
    def command(self) -> str:
        return shlex.join((self.tool, *self.argv))

    def describe(self) -> str:
        """``as declared in tox.ini [testenv:pep8]: pycodestyle --max-line-length=100 .``"""
        return f"as declared in {self.label}: {self.command}"


@dataclass(frozen=True)
class _Command:
    """A command line found in a declaring file, split into words."""

    words: tuple[str, ...]
    source: str
    line: int | None
    where: Where
    context: str = ""
    directory: str = ""


def declared_invocations(ctx: RepoContext, tool_names: Iterable[str]) -> tuple[Invocation, ...]:
    """Every declared run of any of ``tool_names``, preferred first (see WHERE_ORDER); the
    same command reached twice (a CI step calling a tox env, and the env) is given once."""
    names = frozenset(tool_names)
    found = [inv for cmd in ctx.fact(declared_commands) if (inv := _invocation(cmd, names))]
    found += [inv for inv in ctx.fact(pre_commit_hooks) if inv.tool in names]
    found.sort(key=lambda inv: WHERE_ORDER.index(inv.where))
    unique: dict[tuple[str, tuple[str, ...], str, int | None], Invocation] = {}
    for inv in found:
        unique.setdefault((inv.tool, inv.argv, inv.source, inv.line), inv)
    return tuple(unique.values())


def declared_commands(ctx: RepoContext) -> tuple[_Command, ...]:
    """Every command of the repository's CI, local pre-commit hooks and task files (a fact:
    read once per assessment, whichever tools are asked about)."""
    return (*_ci_commands(ctx), *_local_hook_commands(ctx), *_task_commands(ctx))


# --- matching a command to a tool ----------------------------------------------------------


def _runner_word(word: str) -> bool:
    return (
        word in _RUNNERS
        or bool(_PYTHON.match(word))
        or (word.startswith("-") and word != "-")
        or bool(_ENV_ASSIGNMENT.match(word))
        or bool(_MAKE_VARIABLE.match(word))
    )


def _invocation(cmd: _Command, names: frozenset[str]) -> Invocation | None:
    """The tool ``cmd`` starts, when it is one of ``names`` and everything before its name
    only launches it (``python -m``, ``poetry run``, ``$(PYTHON) -m``...)."""
    for index, word in enumerate(cmd.words):
        name = posixpath.basename(word)
        if name in names:
            argv = []
            for arg in cmd.words[index + 1 :]:
                if _REDIRECT.match(arg):
                    break
                argv.append(arg)
            return Invocation(name, tuple(argv), cmd.source, cmd.line, cmd.where, cmd.context,
                              cmd.directory)
        if not _runner_word(word):
            return None
    return None


def _split(text: str) -> list[tuple[str, ...]]:
    """The simple commands of one shell line (split on ``&&``, ``||``, ``;``, ``|``), as
    words; a segment the shell lexer cannot read (an unclosed quote) is left out."""
    out = []
    for segment in _SEPARATORS.split(text):
        try:
            words = tuple(shlex.split(segment, comments=True))
        except ValueError:
            continue
        if words:
            out.append(words)
    return out


# --- CI pipelines ----------------------------------------------------------------------


def _ci_commands(ctx: RepoContext) -> list[_Command]:
    """Command lines of the CI pipelines, and what they reach through the project's tasks
    (sqaaas.facts.commands: ``tox -e pep8`` -> tox.ini's ``[testenv:pep8]`` commands)."""
    pipelines = {f.path for f in ctx.fact(ci.pipelines)}
    out = []
    for found in ctx.fact(commands.command_lines):
        if found.path not in pipelines:
            continue  # tox.ini/noxfile.py standing for themselves: read as task files below
        source, line = found.source
        text = found.text if found.chain else _unwrapped(_CI_PREFIX.sub("", found.text, count=1))
        text = _tox_words(text) if found.chain and found.chain[-1].where.startswith("[") \
            else text
        chain = found.describe() if found.chain else ""
        context = f"{found.path}:{found.line}: {chain}" if chain else ""
        out += [_Command(words, source, line, "ci", context) for words in _split(text.strip())]
    return out


def _unwrapped(text: str) -> str:
    """A command quoted as one string by its CI syntax (Groovy ``sh 'flake8 src'``, a YAML
    scalar ``"flake8 src"``), without those quotes."""
    text = text.strip()
    if text.endswith(")") and text[:1] in "'\"":
        text = text[:-1].rstrip()
    if len(text) > 1 and text[0] in "'\"" and text[-1] == text[0]:
        return text[1:-1]
    return text


# --- pre-commit ------------------------------------------------------------------------


def _line_of(lines: list[str], pattern: str) -> int | None:
    rx = re.compile(pattern)
    return next((n for n, line in enumerate(lines, start=1) if rx.search(line)), None)


def _hooks(ctx: RepoContext) -> tuple[tuple[dict, int | None, bool], ...]:
    """Each hook of .pre-commit-config.yaml with its line, and whether it is a local one."""
    file = ctx.fs.try_read_text(ci.PRE_COMMIT, limit=_MAX_BYTES)
    if file is None:
        return ()
    try:
        data = load_yaml(file.text, source=ci.PRE_COMMIT, limits=_LIMITS)
    except ParseError:
        return ()
    lines = file.text.splitlines()
    repos = data.get("repos") if isinstance(data, dict) else None
    out = []
    for repo in repos if isinstance(repos, list) else []:
        if not isinstance(repo, dict) or not isinstance(repo.get("hooks"), list):
            continue
        local = repo.get("repo") in ("local", "meta")
        for hook in repo["hooks"]:
            if isinstance(hook, dict) and isinstance(hook.get("id"), str):
                where = _line_of(lines, rf"\bid\s*:\s*['\"]?{re.escape(hook['id'])}\b")
                out.append((hook, where, local))
    return tuple(out)


def _args(hook: dict) -> tuple[str, ...]:
    args = hook.get("args")
    return tuple(str(a) for a in args) if isinstance(args, list) else ()


def pre_commit_hooks(ctx: RepoContext) -> tuple[Invocation, ...]:
    """Hooks of published hook repositories, as invocations of the tool their id names
    (``id: flake8`` with ``args: [--max-line-length=100]``); local hooks are commands."""
    return tuple(
        Invocation(HOOK_ALIASES.get(hook["id"], hook["id"]), _args(hook), ci.PRE_COMMIT, line,
                   "pre-commit", hook["id"])
        for hook, line, local in ctx.fact(_hooks)
        if not local
    )


def _local_hook_commands(ctx: RepoContext) -> list[_Command]:
    """Local hooks run their ``entry`` with their ``args`` (and the files) appended."""
    out = []
    for hook, line, local in ctx.fact(_hooks):
        entry = hook.get("entry")
        if local and isinstance(entry, str) and hook.get("language") != "pygrep":
            for words in _split(entry):
                out.append(_Command((*words, *_args(hook)), ci.PRE_COMMIT, line, "pre-commit",
                                    hook["id"]))
    return out


# --- task files (tox, nox, make, npm, just) -------------------------------------------------


def _tox_words(text: str) -> str:
    """A tox command with its substitutions resolved as tox would with no extra arguments:
    ``{posargs:src tests}`` -> ``src tests``, ``{toxinidir}`` -> ``.``, others dropped."""

    def value(match: re.Match[str]) -> str:
        body = match.group(1)
        if body.startswith("posargs"):
            return body.partition(":")[2]
        if body in ("toxinidir", "tox_root"):
            return "."
        if body in ("envpython", "env_python"):
            return "python"
        return ""

    return _TOX_SUBSTITUTION.sub(value, text)


def _task_commands(ctx: RepoContext) -> list[_Command]:
    """The commands of every task of the task files (sqaaas.facts.tasks), in their folder."""
    out = []
    for file in ctx.fact(tasks.task_files):
        kind: Where = file.kind if file.kind in WHERE_ORDER else "make"  # type: ignore[assignment]
        seen: set[tuple[int | None, str]] = set()
        for task in file.tasks.values():
            for line, text in task.commands:
                if (line, text) in seen:
                    continue  # a [testenv] command shared by every env: read once
                seen.add((line, text))
                if kind == "tox":
                    text = _tox_words(text)
                out += [_Command(words, file.path, line, kind, task.where, file.directory)
                        for words in _split(text)]
    return out


__all__ = ["WHERE_ORDER", "Invocation", "Where", "declared_commands", "declared_invocations"]
