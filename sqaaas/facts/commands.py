"""What CI really runs: each CI line, and the commands it reaches through the project's tasks.

A CI step often names a task instead of a tool: `npm run test`, `yarn lint`, `make check`,
`tox -e docs`, `nox -s tests`, `just ci`, `./scripts/test.sh`, `bash ci/lint.sh`, or a
local composite action (`uses: ./.github/actions/test`). Each is followed here to the
commands it runs, through the task files read by :mod:`sqaaas.facts.tasks` and the lines
of the repository's own scripts and actions, chain after chain (a script calling
`make`, a recipe calling `tox`), with a depth bound and a bound on the commands reached.
Nothing is executed.

Every probe that looks for something in CI (tests, coverage, linters, security tools,
publishing, documentation builds) searches these :class:`CommandLine` s through
:func:`search`, so `npm run test` whose script is `jest --coverage` counts as tests with
coverage, and the evidence names the chain: the CI file and line, then
"npm run test -> package.json:5 scripts.test: jest --coverage".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence
from sqaaas.facts.ci import PRE_COMMIT, ci_files, pre_commit_lines
from sqaaas.facts.tasks import TASK_FILE_NAMES, TaskFile, task_files

_MAX_DEPTH = 6  # hops from a CI line: npm -> script -> make -> recipe -> tox -> env
_MAX_HOPS = 20_000  # commands reached from all CI lines together
_MAX_PREREQUISITES = 20  # make prerequisites / just dependencies followed this deep
_MAX_SCRIPT_BYTES = 200_000
_MAX_SCRIPT_LINES = 400
_EXCERPT = 200
_MAX_CALL_TEXT = 1_000
_HOP_TEXT = 120

#: Installing a tool is not running it (``pip install pytest tox``, ``npm install``).
INSTALL = re.compile(
    r"\b(?:pip3?|pipx|uv(?:\s+pip|\s+tool)?|poetry|pdm|conda|mamba|micromamba|apt(?:-get)?|yum|dnf"
    r"|apk|brew|choco|npm|pnpm|yarn|bun|gem|cargo|go|dotnet\s+tool|composer)\s+"
    r"(?:install|add|i|get|require)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Hop:
    """One step of a resolution: the command ``text`` written at ``path``:``line``."""

    path: str
    line: int | None
    where: str  # how the task is named there: "scripts.test", "target lint", "script" ...
    text: str

    def describe(self) -> str:
        at = f"{self.path}:{self.line}" if self.line else self.path
        text = self.text if len(self.text) <= _HOP_TEXT else self.text[: _HOP_TEXT - 1] + "…"
        return f"{at} {self.where}: {text}"


@dataclass(frozen=True)
class CommandLine:
    """A command CI runs: a line of a CI file, or one reached from such a line via ``chain``.

    ``path``/``line`` are always the CI file's (their trigger decides when it runs);
    ``text`` is what is matched: the CI line itself, or the last command of the chain.
    """

    path: str
    line: int
    excerpt: str
    system: str
    text: str
    invocation: str = ""  # what the CI line calls, as written: "npm run test"
    chain: tuple[Hop, ...] = ()

    @property
    def source(self) -> tuple[str, int | None]:
        """Where ``text`` is written: the CI line, or the last hop's file and line."""
        return (self.chain[-1].path, self.chain[-1].line) if self.chain else (self.path, self.line)

    def describe(self) -> str:
        """The CI line, or the chain: "npm run test -> package.json:5 scripts.test: jest"."""
        if not self.chain:
            return self.excerpt
        return " -> ".join([self.invocation, *(hop.describe() for hop in self.chain)])

    def evidence(self, message: str) -> Evidence:
        return Evidence(message=message, path=self.path, line=self.line, excerpt=self.describe())


# --- reading a command line for the tasks it calls --------------------------------------

@dataclass(frozen=True)
class Call:
    """A task invocation found in a command: ``npm run test``, ``make -C docs html`` ..."""

    tool: str  # npm | make | tox | nox | just | script | action
    names: tuple[str, ...]  # the tasks named; () runs the default
    written: str  # as written, for evidence
    directory: str | None = None  # stated by cd/--prefix/-C; None: not stated
    file: str | None = None  # make -f, tox -c, just -f: a file named explicitly
    determined: bool = True  # False when a name is a variable or a label (tox -m, nox -k)
    tags: tuple[str, ...] = ()  # nox -t


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SEGMENTS = re.compile(r"&&|\|\||;|\|")
_UNQUOTE = str.maketrans({c: " " for c in "'\"`[]"})
#: Keys whose value is a command: GitHub/CircleCI `run:`, GitLab/Bitbucket/Azure `script:`,
#: Travis `install:`, Drone `commands:`, AppVeyor `ps:`, pre-commit `entry:`, Groovy `sh(script:`
_COMMAND_KEYS = _words(
    "run script before_script after_script before_install install after_success before_deploy "
    "deploy command commands cmd entry sh bat bash pwsh powershell ps test_script build_script "
    "after_test on_success"
)
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=")
#: Words that run the next one: `python -m tox`, `poetry run make test`, `bash ci/lint.sh`.
_WRAPPERS = _words(
    "- sudo time exec env command nohup xvfb-run sh bash zsh pwsh powershell call bat source . "
    "python python3 py uv uvx run pipx poetry pdm hatch npx pnpx bunx corepack"
)
_JS = frozenset({"npm", "pnpm", "yarn", "bun"})
_RUN_ALL = frozenset({"run-s", "run-p", "npm-run-all", "npm-run-all2"})
_MAKE = frozenset({"make", "gmake", "$(MAKE)", "${MAKE}"})
_SCRIPT_SUFFIXES = (".sh", ".bash", ".zsh", ".ksh", ".ps1", ".bat", ".cmd")
_TOOLS = _JS | _RUN_ALL | _MAKE | {"tox", "nox", "just", "cd", "pushd"}
#: Generated wrappers and build scripts: long, and they call no project task.
_NOT_TASK_SCRIPTS = frozenset(
    {"gradlew", "gradlew.bat", "mvnw", "mvnw.cmd", "configure", "config.status", "libtool"}
)
#: yarn/pnpm subcommands that are not scripts (`yarn X` runs script X otherwise)
_PM_BUILTINS = _words(
    "add audit bin cache config create dedupe dlx exec info init install i import link list "
    "ls login logout npm outdated pack patch plugin publish rebuild remove rm set unlink "
    "up update upgrade version why workspace workspaces store fetch prune deploy env setup "
    "constraints node explain licenses"
)
_LOCAL_ACTION = re.compile(r"(?:^|[\s-])uses:\s*['\"]?\./([^\s'\"@#]+)")
_OPTION_VALUES = {
    "js": {"--prefix", "--cwd", "-C", "--dir", "--filter", "-F", "--workspace", "-w"},
    "make": {"-C", "--directory", "-f", "--file", "--makefile", "-j", "--jobs", "-I", "-o", "-W"},
    "tox": {"-e", "--env", "-c", "--conf", "-m", "--labels", "-n", "-x", "--override", "-f"},
    "nox": {"-s", "--session", "--sessions", "-e", "-k", "--keywords", "-t", "--tags",
            "-f", "--noxfile", "-p", "--python", "--pythons", "--envdir"},
    "just": {"-f", "--justfile", "-d", "--working-directory", "--set", "--shell"},
}


def _tokens(segment: str) -> list[str]:
    return [t.strip("),;") for t in segment.translate(_UNQUOTE).split() if t.strip("),;")]


def _command_start(tokens: list[str]) -> int:
    """Index of the word a segment runs, past YAML keys, VAR=x, wrappers and their flags
    (a flag may take one value: `uv run --group dev tox`)."""
    index = 0
    wrapped = flagged = False
    while index < len(tokens):
        token = tokens[index]
        key = token.endswith(":") and token[:-1].rsplit("(", 1)[-1] in _COMMAND_KEYS
        if token in _WRAPPERS or key or _ASSIGNMENT.match(token):
            wrapped, flagged = wrapped or token in _WRAPPERS, False
        elif wrapped and token.startswith("-"):
            flagged = True
        elif flagged and token not in _TOOLS and not token.endswith(_SCRIPT_SUFFIXES):
            flagged = False  # the flag's value
        else:
            break
        index += 1
    return index


def _join(base: str, directory: str) -> str | None:
    """``directory`` relative to ``base``, inside the repository; None when it cannot be told."""
    if "$" in directory or directory.startswith(("/", "~")):
        return None
    parts: list[str] = [p for p in base.split("/") if p]
    for part in directory.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def _options(tool: str, args: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Options with their values, and the positional words (up to ``--``)."""
    takes_value = _OPTION_VALUES.get(tool, set())
    options: dict[str, list[str]] = {}
    positional: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            break
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
            continue
        name, eq, value = arg.partition("=")
        if eq:
            options.setdefault(name, []).append(value)
        elif arg in takes_value and index < len(args):
            options.setdefault(arg, []).append(args[index])
            index += 1
            if arg in ("-s", "--session", "--sessions", "-e") and tool == "nox":
                while index < len(args) and not args[index].startswith("-"):
                    options[arg].append(args[index])
                    index += 1
        elif len(arg) > 2 and arg[:2] in takes_value and not arg.startswith("--"):
            options.setdefault(arg[:2], []).append(arg[2:])  # -Cdocs, -elint
        else:
            options.setdefault(arg, [])
    return options, positional


def _first(options: Mapping[str, list[str]], *names: str) -> str | None:
    return next((v[0] for n in names if (v := options.get(n))), None)


def _js_call(tool: str, args: list[str], written: str) -> Call | None:
    options, positional = _options("js", args)
    directory = _first(options, "--prefix", "--cwd", "-C", "--dir")
    if tool in _RUN_ALL:
        return Call("npm", tuple(positional), written, directory) if positional else None
    if not positional:
        return None
    sub, rest = positional[0], positional[1:]
    if sub in ("run", "run-script", "rum", "urn"):
        name: str | None = rest[0] if rest else None
    elif sub in ("test", "t", "tst") and tool != "bun":  # `bun test` is bun's own runner
        name = "test"
    elif sub in ("start", "stop", "restart") or (tool != "npm" and sub not in _PM_BUILTINS):
        name = sub if tool != "bun" else None
    elif tool == "npm" and sub in ("it", "cit", "install-test", "install-ci-test"):
        name = "test"
    else:
        name = None
    return Call("npm", (name,), written, directory) if name else None


def _make_call(args: list[str], written: str) -> Call:
    options, positional = _options("make", args)
    targets = tuple(a for a in positional if "=" not in a and not a.isdigit())
    return Call(
        "make",
        targets,
        written,
        _first(options, "-C", "--directory"),
        _first(options, "-f", "--file", "--makefile"),
        determined=not any("$" in t for t in targets),
    )


def _tox_call(args: list[str], written: str) -> Call:
    options, _ = _options("tox", args)
    envs = tuple(
        n for value in options.get("-e", []) + options.get("--env", [])
        for n in value.split(",") if n
    )
    labelled = "-m" in options or "--labels" in options
    return Call(
        "tox",
        envs,
        written,
        file=_first(options, "-c", "--conf"),
        determined=not labelled and not any("$" in e or "{" in e for e in envs),
    )


def _nox_call(args: list[str], written: str) -> Call:
    options, _ = _options("nox", args)
    sessions = tuple(
        n for key in ("-s", "--session", "--sessions", "-e")
        for value in options.get(key, []) for n in value.split(",") if n
    )
    tags = tuple(t for key in ("-t", "--tags") for t in options.get(key, []))
    keywords = "-k" in options or "--keywords" in options
    return Call(
        "nox",
        sessions,
        written,
        file=_first(options, "-f", "--noxfile"),
        determined=not keywords and not any("$" in s for s in sessions),
        tags=tags,
    )


def _just_call(args: list[str], written: str) -> Call:
    options, positional = _options("just", args)
    return Call(
        "just",
        tuple(positional),
        written,
        _first(options, "-d", "--working-directory"),
        _first(options, "-f", "--justfile"),
        determined=not any("$" in p for p in positional),
    )


def calls(text: str) -> list[Call]:
    """The task invocations of one command line, in order; a ``cd dir`` applies to later ones.

    Only the line's beginning is read: no real command calls a task after 1,000 characters.
    """
    found: list[Call] = []
    text = text[:_MAX_CALL_TEXT]
    if "uses:" in text and (action := _LOCAL_ACTION.search(text)):
        target = action.group(1).rstrip("/")
        if not target.endswith((".yml", ".yaml")):
            found.append(Call("action", (target,), f"uses: ./{target}"))
        return found
    directory: str | None = None
    for segment in _SEGMENTS.split(text):
        if INSTALL.search(segment):
            continue
        tokens = _tokens(segment)
        start = _command_start(tokens)
        if start >= len(tokens):
            continue
        word, args = tokens[start], tokens[start + 1:]
        written = " ".join(tokens[start:start + 6])
        call: Call | None = None
        if word in ("cd", "pushd") and args:
            directory = args[0]
            continue
        if word in _JS or word in _RUN_ALL:
            call = _js_call(word, args, written)
        elif word in _MAKE:
            call = _make_call(args, written)
        elif word == "tox":
            call = _tox_call(args, written)
        elif word == "nox":
            call = _nox_call(args, written)
        elif word == "just":
            call = _just_call(args, written)
        elif word.lower().endswith(_SCRIPT_SUFFIXES) or "/" in word:
            call = Call("script", (word,), " ".join(tokens[start:start + 3]))
        if call is not None:
            if directory is not None and call.directory is None:
                call = replace(call, directory=directory)
            found.append(call)
    return found


# --- following a call to the commands it runs ---------------------------------------------

#: environment variables choosing tox envs outside the command line
_TOX_VARS = ("TOXENV", "TOX_ENV")
_KINDS = {"npm": "npm", "make": "make", "tox": "tox", "nox": "nox", "just": "just"}
_PYTHON_SUFFIX = re.compile(r"-\d+(?:\.\d+)*$|\(.*\)$")
_WORKSPACE_PREFIXES = ("$GITHUB_WORKSPACE/", "${GITHUB_WORKSPACE}/", "$CI_PROJECT_DIR/",
                       "${CI_PROJECT_DIR}/", "$WORKSPACE/", "${WORKSPACE}/")


def _workspace_relative(path: str) -> str:
    """``$GITHUB_WORKSPACE/x`` -> ``x``: CI variables naming the checkout's root."""
    for prefix in _WORKSPACE_PREFIXES:
        path = path.removeprefix(prefix)
    return path


def _parent(path: str) -> str:
    parent = str(PurePosixPath(path).parent)
    return "" if parent == "." else parent


class _Resolver:
    """Follows calls through one repository's task files, scripts and local actions."""

    def __init__(self, ctx: RepoContext) -> None:
        self.fs = ctx.fs
        self.budget = _MAX_HOPS
        self.by_kind: dict[str, list[TaskFile]] = {}
        # shallowest first, then in each tool's own order (tox.ini before setup.cfg ...)
        order = {name: i for i, name in enumerate(TASK_FILE_NAMES)}
        for tf in sorted(
            ctx.fact(task_files),
            key=lambda tf: (tf.path.count("/"), order.get(PurePosixPath(tf.path).name, 99)),
        ):
            self.by_kind.setdefault(tf.kind, []).append(tf)
        self.reached: set[str] = set()  # task files some call reached
        self.open: set[str] = set()  # task files some call reached without naming its tasks
        self._texts: dict[str, list[tuple[int, str]] | None] = {}

    # which file a call means
    def _task_file(self, call: Call, base: str) -> TaskFile | None:
        candidates = self.by_kind.get(_KINDS[call.tool], [])
        if call.file is not None:
            wanted = _join(_join(base, call.directory or "") or "", call.file)
            return next((tf for tf in candidates if tf.path == wanted), None)
        stated = _join(base, _workspace_relative(call.directory or ""))
        if call.directory is not None and stated is not None:
            return next((tf for tf in candidates if tf.directory == stated), None)
        here = [tf for tf in candidates if tf.directory == base]
        if here and (not call.names or any(self._names(call, here[0]))):
            return here[0]
        if call.names:  # `npm run lint` run from a sub-folder (working-directory, cd ...)
            for tf in candidates:
                if any(self._names(call, tf)):
                    return tf
        return here[0] if here else None

    def _names(self, call: Call, tf: TaskFile) -> list[str]:
        """The tasks of ``tf`` a call runs (its default when it names none)."""
        if call.tags:
            return [t.name for t in tf.tasks.values() if set(call.tags) & set(t.tags)]
        if not call.names:
            return list(tf.default)
        names: list[str] = []
        for name in call.names:
            if name in tf.tasks:
                names.append(name)
            elif call.tool == "tox" and name.upper() == "ALL":
                names.extend(tf.tasks)
            elif any(c in name for c in "*?"):  # npm-run-all globs
                names.extend(t for t in tf.tasks if fnmatchcase(t, name))
            elif call.tool == "nox" and (bare := _PYTHON_SUFFIX.sub("", name)) in tf.tasks:
                names.append(bare)
            elif call.tool == "make" and "%" in tf.tasks:
                names.append("%")  # a catch-all pattern rule, e.g. Sphinx's `%: Makefile`
            elif call.tool == "tox" and "testenv" in tf.tasks:
                names.append("testenv")  # `tox -e py311`: an env made from [testenv]
        return names

    def _task_hops(
        self, tf: TaskFile, name: str, seen: set[str], depth: int = 0
    ) -> Iterator[Hop]:
        """The commands of one task, with those of the tasks it needs first and after
        (prerequisites followed _MAX_PREREQUISITES deep)."""
        task = tf.tasks.get(name)
        if task is None or name in seen or depth > _MAX_PREREQUISITES:
            return
        seen.add(name)
        for before in task.before:
            yield from self._task_hops(tf, before, seen, depth + 1)
        for line, text in task.commands:
            goal = text if name == "%" else text.replace("$@", name)  # make's target variable
            yield Hop(tf.path, line, task.where, goal)
        for after in task.after:
            yield from self._task_hops(tf, after, seen, depth + 1)

    def _file_lines(self, path: str) -> list[tuple[int, str]] | None:
        if path not in self._texts:
            file = self.fs.try_read_text(path, limit=_MAX_SCRIPT_BYTES)
            self._texts[path] = None if file is None else [
                (n, line.strip()) for n, line in _logical(file.text.splitlines())
                if line.strip() and not line.strip().startswith(("#", "//", "::", "REM ", "rem "))
            ][:_MAX_SCRIPT_LINES]
        return self._texts[path]

    def _script_hops(self, call: Call, base: str) -> Iterator[Hop]:
        path = _join(base, _workspace_relative(call.names[0]))
        if path is None or PurePosixPath(path).name in _NOT_TASK_SCRIPTS:
            return
        if not self.fs.is_file(path):
            return
        lines = self._file_lines(path)
        if not lines:
            return
        suffixed = path.lower().endswith(_SCRIPT_SUFFIXES)
        file = self.fs.try_read_text(path, limit=200)
        shebang = file is not None and re.match(r"#!.*\b(?:ba|z|k|da)?sh\b", file.text)
        if suffixed or shebang:
            yield from (Hop(path, n, "script", text) for n, text in lines)

    def _action_hops(self, call: Call) -> Iterator[Hop]:
        directory = _join("", call.names[0])
        for name in ("action.yml", "action.yaml"):
            path = f"{directory}/{name}" if directory else name
            if directory is not None and (lines := self._file_lines(path)):
                runs = next((i for i, (_, text) in enumerate(lines) if text == "runs:"), 0)
                yield from (Hop(path, n, "action", text) for n, text in lines[runs + 1:])
                return

    def hops(self, call: Call, base: str) -> Iterator[Hop]:
        """The commands one call runs, directly (not what those commands call in turn)."""
        if call.tool == "script":
            yield from self._script_hops(call, base)
            return
        if call.tool == "action":
            yield from self._action_hops(call)
            return
        tf = self._task_file(call, base)
        if tf is None:
            return
        self.reached.add(tf.path)
        if not call.determined or (not call.names and not call.tags and tf.default_open):
            self.open.add(tf.path)
        seen: set[str] = set()
        shown: set[tuple[int | None, str]] = set()  # envs sharing [testenv]'s commands: once
        for name in self._names(call, tf):
            for hop in self._task_hops(tf, name, seen):
                if (hop.line, hop.text) not in shown:
                    shown.add((hop.line, hop.text))
                    yield hop

    def chains(
        self,
        call: Call,
        base: str,
        depth: int = 1,
        seen: frozenset[tuple[str, int | None]] = frozenset(),
    ) -> Iterator[tuple[Hop, ...]]:
        """Every chain of commands a call leads to, each command followed by what it calls."""
        for hop in self.hops(call, base):
            key = (hop.path, hop.line)
            if key in seen or self.budget <= 0:
                continue
            self.budget -= 1
            yield (hop,)
            if depth >= _MAX_DEPTH:
                continue
            for sub in calls(hop.text):
                for rest in self.chains(sub, _parent(hop.path), depth + 1, seen | {key}):
                    yield (hop, *rest)


def _logical(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """Lines with trailing-backslash continuations joined, numbered by their first line."""
    pending: list[str] = []
    first = 0
    for number, line in enumerate(lines, start=1):
        if not pending:
            first = number
        if line.rstrip().endswith("\\"):
            pending.append(line.rstrip()[:-1].strip())
            continue
        pending.append(line.strip())
        yield first, " ".join(p for p in pending if p)
        pending = []
    if pending:
        yield first, " ".join(p for p in pending if p)


def _is_comment(text: str) -> bool:
    return not text or text.startswith(("#", "//"))


def _lines_of(
    path: str, system: str, lines: Iterable[str], resolver: _Resolver | None
) -> Iterator[CommandLine]:
    """A file's own (logical) lines, each followed by what it resolves to."""
    for number, text in _logical(lines):
        if _is_comment(text):
            continue
        excerpt = text[:_EXCERPT]
        yield CommandLine(path, number, excerpt, system, text)
        if resolver is None:
            continue
        for call in calls(text):
            for chain in resolver.chains(call, ""):
                yield CommandLine(
                    path, number, excerpt, system, chain[-1].text, call.written, chain
                )


def command_lines(ctx: RepoContext) -> tuple[CommandLine, ...]:
    """Every command CI runs: pipeline lines, what they resolve to, and tox/nox definitions.

    The lines of tox.ini/noxfile.py stand for themselves (as before resolution, with the
    trigger of the pipelines calling tox/nox) unless every call names what it runs:
    `tox -e lint` runs only the ``lint`` environment, so the others' commands do not count.
    """
    resolver = _Resolver(ctx)
    files = ctx.fact(ci_files)
    found: list[CommandLine] = []
    for ci in files:
        if ci.is_pipeline:
            found.extend(_lines_of(ci.path, ci.system, ci.lines, resolver))
    if any(v in line for ci in files if ci.is_pipeline for line in ci.lines for v in _TOX_VARS):
        resolver.open.update(tf.path for tf in resolver.by_kind.get("tox", []))
    reached = {c.source for c in found if c.chain}
    for ci in files:
        if ci.is_pipeline or (ci.path in resolver.reached and ci.path not in resolver.open):
            continue
        own = _lines_of(ci.path, ci.system, ci.lines, None)
        found.extend(c for c in own if (c.path, c.line) not in reached)
    return tuple(found)


def pre_commit_commands(ctx: RepoContext) -> tuple[CommandLine, ...]:
    """The pre-commit configuration's lines, with local hooks' entries resolved."""
    return tuple(_lines_of(PRE_COMMIT, "pre-commit", ctx.fact(pre_commit_lines), _Resolver(ctx)))


def find(
    ctx: RepoContext,
    patterns: Mapping[str, re.Pattern[str]],
    *,
    include_pre_commit: bool = False,
) -> Iterator[tuple[str, CommandLine]]:
    """(label, command line) for each command matching a labelled regex (first label wins)."""
    lines: tuple[CommandLine, ...] = ctx.fact(command_lines)
    if include_pre_commit:
        lines += ctx.fact(pre_commit_commands)
    for line in lines:
        for label, rx in patterns.items():
            if rx.search(line.text):
                yield label, line
                break


def search(
    ctx: RepoContext,
    patterns: Mapping[str, str],
    *,
    include_pre_commit: bool = False,
    limit: int = 10,
) -> list[Evidence]:
    """Commands CI runs matching any regex in ``patterns`` (label -> regex), as evidence.

    Comment-only lines are ignored, so a commented-out step does not count; a command
    reached through a task names its chain in the excerpt.
    """
    compiled = {label: re.compile(rx, re.IGNORECASE) for label, rx in patterns.items()}
    hits: list[Evidence] = []
    for label, line in find(ctx, compiled, include_pre_commit=include_pre_commit):
        if len(hits) >= limit:
            break
        hits.append(line.evidence(label))
    return hits
