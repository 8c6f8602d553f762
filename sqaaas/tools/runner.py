"""Run one registry tool on a repository: select files, run with a time budget, parse, cache.

Host tools only read files. They run as separate processes (in their own session, so a
timeout kills the whole group), several at a time, and each result is cached by the
content of the files it read, the tool's version and the configuration.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatch
from functools import cache
from importlib import metadata
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from sqaaas import interrupt, resultcache
from sqaaas.repofs import RepoFS, UnsafePathError
from sqaaas.tools import internal
from sqaaas.tools.configs import CONFIGS
from sqaaas.tools.parsers import PARSERS, Parsed, ParseError, ToolFinding
from sqaaas.tools.spec import ToolSpec

BATCH = 400  # paths per invocation: far below ARG_MAX, few enough processes
MIN_PARALLEL_BATCH = 10  # below this, another process costs more than it saves
MAX_INPUT_BYTES = 2_000_000  # larger files are generated or data, not code to lint


@dataclass
class ToolRun:
    """What happened when a tool ran: ok (with findings), error, or missing."""

    tool: str
    status: str  # ok | error | missing
    version: str | None = None
    findings: list[ToolFinding] = field(default_factory=list)
    score: float | None = None
    files: int = 0
    duration_s: float = 0.0
    cached: bool = False
    message: str = ""
    config_files: list[str] = field(default_factory=list)


def select_files(fs: RepoFS, spec: ToolSpec) -> list[str]:
    """Repository files the tool should read (vendored/generated trees are already excluded)."""
    chosen = []
    for entry in fs.files:
        if entry.size > MAX_INPUT_BYTES or entry.is_symlink:
            continue
        if any(fnmatch(entry.name, pattern) for pattern in spec.include):
            chosen.append(entry.path)
    return chosen


@cache
def _bin_dirs() -> tuple[str, ...]:
    """Where pip put the tools: beside this interpreter first, then PATH."""
    return (str(Path(sys.executable).parent), *os.environ.get("PATH", "").split(os.pathsep))


def command_prefix(spec: ToolSpec) -> list[str] | None:
    """argv start for the tool, or None when it is not installed."""
    exe = spec.executable
    if exe.module:
        top = exe.module.split(".")[0]
        return [sys.executable, "-m", exe.module] if importlib.util.find_spec(top) else None
    if exe.binary:
        found = shutil.which(exe.binary, path=os.pathsep.join(_bin_dirs()))
        return [found] if found else None
    return []


def tool_version(spec: ToolSpec) -> str | None:
    """Installed version (package metadata, else ``--version``), looked up once per process."""
    key = (
        spec.executable.model_dump_json(),
        spec.package.model_dump_json() if spec.package else "",
    )
    if key not in _VERSIONS:
        _VERSIONS[key] = _lookup_version(spec)
    return _VERSIONS[key]


_VERSIONS: dict[tuple[str, str], str | None] = {}


def _lookup_version(spec: ToolSpec) -> str | None:
    package = spec.package
    if package and package.pypi:
        with contextlib.suppress(metadata.PackageNotFoundError):
            return metadata.version(package.pypi)
    prefix = command_prefix(spec)
    if spec.executable.internal:
        from sqaaas import __version__

        return f"sqaaas {__version__}"
    if not prefix:
        return None
    try:
        out = subprocess.run([*prefix, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    words = (out.stdout or out.stderr).split()
    return next((w.strip(",") for w in words if w[:1].isdigit()), None)


def version_supported(spec: ToolSpec, version: str | None) -> bool:
    """The registry's version constraint holds (unknown versions are given the benefit)."""
    wanted = spec.package.version if spec.package else None
    if not wanted or not version:
        return True
    try:
        return Version(version) in SpecifierSet(wanted)
    except InvalidVersion:
        return True


def install_hint(spec: ToolSpec) -> str:
    package = spec.package
    if package and package.pypi:
        return f"pip install '{package.pypi}{package.version or ''}' (or reinstall sqaaas)"
    if package and package.debian:
        return f"sqaaas setup (installs the Debian package {package.debian})"
    return "reinstall sqaaas"


def _digest(fs: RepoFS, paths: list[str], parts: list[str]) -> str:
    digest = hashlib.sha256("\0".join(parts).encode())
    for rel in paths:
        digest.update(rel.encode() + b"\0")
        try:
            data, _ = fs.read_bytes(rel, limit=MAX_INPUT_BYTES)
        except (OSError, UnsafePathError):
            data = b"<unreadable>"
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def _load_cached(data: object) -> ToolRun | None:
    if not isinstance(data, dict):
        return None
    try:
        findings = [ToolFinding(**f) for f in data["findings"]]
        return ToolRun(**{**data, "findings": findings, "cached": True})
    except (TypeError, KeyError):
        return None


def _run_process(argv: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run one tool process; an interrupt (``interrupt.stop_all``) kills its group and raises
    ``Interrupted`` here: the worker thread ends instead of waiting for the tool."""
    interrupt.check()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYLINT"))}
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8", NO_COLOR="1")
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
    )
    try:
        with interrupt.tracked(proc):
            out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    except BaseException:  # Ctrl-C in this thread: the tool's own session would outlive us
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    interrupt.check()  # killed by stop_all: no output to parse or cache
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def run_tool(spec: ToolSpec, fs: RepoFS, cache_dir: Path | None) -> ToolRun:
    """Run ``spec`` on the repository in ``fs`` (served from the cache when unchanged)."""
    started = time.monotonic()
    files = select_files(fs, spec)
    version = tool_version(spec)
    prefix = command_prefix(spec)
    if prefix is None:
        return ToolRun(
            spec.name, "missing", message=f"{spec.title} is not installed: {install_hint(spec)}"
        )
    if not version_supported(spec, version):
        return ToolRun(
            spec.name,
            "error",
            version,
            message=f"{spec.title} {version} is installed but "
            f"sqaaas needs {spec.package.version if spec.package else '?'}: {install_hint(spec)}",
        )
    if not files:
        return ToolRun(spec.name, "ok", version, files=0)
    with tempfile.TemporaryDirectory(prefix="sqaaas-tool-") as workdir:
        config_args, config_files = ([], [])
        if spec.config:
            config_args, config_files = CONFIGS[spec.config](fs, Path(workdir))
        key = _digest(
            fs,
            files + config_files,
            [
                spec.name,
                version or "?",
                *spec.args,
                *[a for a in config_args if not a.startswith("--rcfile")],
                _config_text(config_args),
            ],
        )
        cached = resultcache.load("tool-results", key, cache_dir) if cache_dir else None
        if cached is not None and (hit := _load_cached(cached)):
            return hit
        result = _execute(spec, prefix, files, config_args, fs)
    result.version, result.files, result.config_files = version, len(files), config_files
    result.duration_s = round(time.monotonic() - started, 3)
    if cache_dir and result.status == "ok":
        resultcache.store("tool-results", key, asdict(result), cache_dir)
    return result


def _config_text(config_args: list[str]) -> str:
    """Content of a generated rcfile, so the cache key follows the sanitised config."""
    for arg in config_args:
        if arg.startswith("--rcfile="):
            with contextlib.suppress(OSError):
                return Path(arg.removeprefix("--rcfile=")).read_text(encoding="utf-8")
    return ""


def _expand(args: tuple[str, ...], config_args: list[str]) -> list[str]:
    out: list[str] = []
    for arg in args:
        out.extend(config_args if arg == "{config}" else [arg])
    return out


def _execute(
    spec: ToolSpec, prefix: list[str], files: list[str], config_args: list[str], fs: RepoFS
) -> ToolRun:
    if spec.executable.internal:
        return ToolRun(
            spec.name, "ok", findings=internal.INTERNAL[spec.executable.internal](fs, files)
        )
    deadline = time.monotonic() + spec.timeout
    argv = [*prefix, *_expand(spec.args, config_args)]
    # "./" keeps a hostile file name such as "-rf.py" from being read as an option,
    # including by tools that do not accept the "--" end-of-options marker.
    paths = [f"./{rel}" for rel in files]
    size = BATCH
    if spec.parallel and len(paths) >= 2 * MIN_PARALLEL_BATCH:
        size = min(BATCH, -(-len(paths) // (os.cpu_count() or 1)))  # one batch per core
    batches = [paths[i : i + size] for i in range(0, len(paths), size)]
    with ThreadPoolExecutor(max_workers=len(batches) if spec.parallel else 1) as pool:
        outcomes = list(
            pool.map(lambda b: _run_batch(spec, [*argv, *b], fs.root, deadline), batches)
        )
    findings: list[ToolFinding] = []
    scores: list[float] = []
    for outcome in outcomes:
        if isinstance(outcome, ToolRun):
            return outcome  # the first failure to run decides: never a partial pass
        findings.extend(outcome.findings)
        if outcome.score is not None:
            scores.append(outcome.score)
    score = round(min(scores), 2) if scores else None
    return ToolRun(spec.name, "ok", findings=findings, score=score)


def _run_batch(spec: ToolSpec, argv: list[str], root: Path, deadline: float) -> Parsed | ToolRun:
    """One invocation: parsed findings, or a ToolRun saying why it is an error."""
    try:
        proc = _run_process(argv, root, max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return ToolRun(
            spec.name, "error", message=f"{spec.title} timed out after {spec.timeout:.0f} s"
        )
    except OSError as exc:
        return ToolRun(spec.name, "error", message=f"{spec.title} could not start: {exc}")
    if proc.returncode not in spec.ok_exit_codes:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return ToolRun(
            spec.name,
            "error",
            message=f"{spec.title} exited with {proc.returncode}: {' | '.join(tail)}",
        )
    try:
        return PARSERS[spec.parser](proc.stderr if spec.stream == "stderr" else proc.stdout, root)
    except ParseError as exc:
        return ToolRun(spec.name, "error", message=f"cannot read {spec.title} output: {exc}")
