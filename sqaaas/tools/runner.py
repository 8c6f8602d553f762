"""Run registry tools on a repository: plan on the host, run in one sandboxed batch, parse here.

The host only reads repository files as data: it selects each tool's files, builds the
sanitised configurations (sqaaas/tools/configs/), looks results up in a cache keyed by the
content of the files, the configuration and the tools image, and parses the tools' output.
Every third-party tool runs in the batch (sqaaas/tools/executor.py): one container for all
the tools of an assessment that miss the cache, never a process on the host.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, replace
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

from sqaaas import __version__, resultcache
from sqaaas.repofs import RepoFS, UnsafePathError
from sqaaas.safeparse import ParseLimitError
from sqaaas.tools import filecache, internal, jobs
from sqaaas.tools.configs import CONFIGS, ToolConfig, Where
from sqaaas.tools.configs.base import Declared
from sqaaas.tools.executor import BatchError, Executor, resolve
from sqaaas.tools.model import Plan, ToolRun
from sqaaas.tools.parsers import ToolFinding
from sqaaas.tools.spec import ToolSpec

MAX_INPUT_BYTES = 2_000_000  # larger files are generated or data, not code to lint
Notify = Callable[[str], None]
_NOT_RUN = ToolRun("", "missing")


def _quiet(_: str) -> None:
    """Library default: no progress notes."""


def _under(path: str, paths: tuple[str, ...]) -> bool:
    """``path`` is one of ``paths`` or inside one of them (``.`` is the whole repository)."""
    return any(p in ("", ".") or path == p or path.startswith(p.rstrip("/") + "/")
               for p in paths)


def select_files(
    fs: RepoFS, spec: ToolSpec, exclude: tuple[str, ...] = (), paths: tuple[str, ...] = ()
) -> list[str]:
    """Repository files the tool should read (vendored/generated trees are already excluded),
    within ``paths`` when the configuration limits it to some folders."""
    chosen = []
    for entry in fs.files:
        if entry.size > MAX_INPUT_BYTES or entry.is_symlink:
            continue
        if paths and not _under(entry.path, paths):
            continue
        if any(fnmatch(entry.name, pattern) for pattern in spec.include) and not any(
            fnmatch(entry.path, pattern) for pattern in exclude
        ):
            chosen.append(entry.path)
    return chosen


class _Readable:
    """Whether the contained (unprivileged) user can read a file: o+r on it, o+x on every
    folder above it. Files it cannot read are left out, and the report says how many."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._dirs: dict[str, bool] = {}

    def _dir_ok(self, rel: str) -> bool:
        if rel not in self._dirs:
            try:
                mode = os.stat(self.root / rel if rel else self.root).st_mode
            except OSError:
                mode = 0
            parent = rel.rpartition("/")[0] if rel else None
            above = self._dir_ok(parent) if parent is not None else True
            self._dirs[rel] = bool(mode & stat.S_IXOTH) and above
        return self._dirs[rel]

    def __call__(self, rel: str, mode: int) -> bool:
        return bool(mode & stat.S_IROTH) and self._dir_ok(rel.rpartition("/")[0])


def _content_hashes(fs: RepoFS, paths: list[str]) -> dict[str, bytes]:
    hashes = {}
    for rel in paths:
        try:
            data, _ = fs.read_bytes(rel, limit=MAX_INPUT_BYTES)
        except (OSError, UnsafePathError):
            data = b"<unreadable>"
        hashes[rel] = hashlib.sha256(data).digest()
    return hashes


def _digest(hashes: dict[str, bytes], paths: list[str], parts: list[str]) -> str:
    digest = hashlib.sha256("\0".join(parts).encode())
    for rel in paths:
        digest.update(os.fsencode(rel) + b"\0")  # a name that is not UTF-8: its bytes
        digest.update(hashes[rel])
    return digest.hexdigest()


def _load_cached(data: object) -> ToolRun | None:
    if not isinstance(data, dict):
        return None
    try:
        findings = [ToolFinding(**f) for f in data["findings"]]
        return ToolRun(**{**data, "findings": findings, "cached": True})
    except (TypeError, KeyError):
        return None


def _plan(spec: ToolSpec, fs: RepoFS, executor: Executor, where: Where) -> Plan:
    config = CONFIGS[spec.config](fs, where) if spec.config else ToolConfig()
    files = select_files(fs, spec, config.exclude, config.paths)
    notes = [*config.notes, *config.refused]
    unreadable = 0
    if executor.other_user:
        readable = _Readable(fs.root)
        modes = {e.path: e.mode for e in fs.files}
        kept = [rel for rel in files if readable(rel, modes[rel])]
        unreadable = len(files) - len(kept)
        if unreadable:
            notes.append(f"{unreadable} file(s) not readable by other users left out (the "
                         "tools run as an unprivileged user)")
        files = kept
    hashes = _content_hashes(fs, files + config.sources)
    parts = [spec.name, executor.identity, *spec.args, *config.args, config.workdir,
             json.dumps(config.files, sort_keys=True), json.dumps(config.env, sort_keys=True)]
    key = _digest(hashes, files + config.sources, parts)
    file_keys = {}
    if spec.per_file:
        setting = _digest(hashes, config.sources, parts)  # everything but the files read
        file_keys = {rel: filecache.file_key(setting, rel, hashes[rel]) for rel in files}
    return Plan(spec, files, config, key, notes, unreadable, file_keys)


def _write_configs(cfg: Path, plans: list[Plan]) -> None:
    """The sanitised configurations, readable by the contained user, one folder per tool."""
    cfg.chmod(0o755)
    for plan in plans:
        folder = cfg / plan.spec.name
        folder.mkdir(mode=0o755, exist_ok=True)
        folder.chmod(0o755)
        for name, text in plan.config.files.items():
            path = folder / name
            path.write_text(text, encoding="utf-8")
            path.chmod(0o644)


def _error(spec: ToolSpec, message: str) -> ToolRun:
    return ToolRun(spec.name, "error", message=message)


def _internal(spec: ToolSpec, fs: RepoFS) -> ToolRun:
    """Checks sqaaas does itself (a strict parser): no third-party tool involved."""
    started = time.monotonic()
    files = select_files(fs, spec)
    try:
        findings = internal.INTERNAL[spec.executable.internal or ""](fs, files) if files else []
    except ParseLimitError as exc:  # a file over a parsing bound was not checked: no verdict
        return _error(spec, str(exc))
    return ToolRun(spec.name, "ok", f"sqaaas {__version__}", findings, files=len(files),
                   duration_s=round(time.monotonic() - started, 3))


def run_tools(
    specs: list[ToolSpec],
    fs: RepoFS,
    cache_dir: Path | None,
    notify: Notify = _quiet,
    declared: Mapping[str, Sequence[Declared]] | None = None,
) -> dict[str, ToolRun]:
    """Run ``specs`` on the repository in ``fs``: cached results where the inputs are
    unchanged, the rest in one sandboxed batch. Never a partial pass: a tool whose batch
    failed, or that cannot run at all, is an ``error`` saying why and how to fix it.
    ``declared``: tool name -> the runs of it the repository declares (tox, pre-commit,
    CI...), whose allowed options the tool's configuration builder passes on."""
    declared = declared or {}
    runs = {s.name: _internal(s, fs) for s in specs if s.executable.internal}
    external = [s for s in specs if not s.executable.internal and not s.not_automated]
    if not external:
        return runs
    executor = resolve()
    if isinstance(executor, str):
        notify(f"not running {', '.join(s.title for s in external)}: {executor}")
        return runs | {s.name: _error(s, executor) for s in external}
    with tempfile.TemporaryDirectory(prefix="sqaaas-tools-cfg-") as tmp:
        cfg = Path(tmp)
        src, cfg_seen = executor.where(fs.root, cfg)
        plans = [
            _plan(s, fs, executor, Where(src, f"{cfg_seen}/{s.name}",
                                         tuple(declared.get(s.name, ()))))
            for s in external
        ]
        todo: list[Plan] = []
        reused: dict[str, dict[str, ToolRun]] = {}
        for plan in plans:
            hit = resultcache.load("tool-results", plan.key, cache_dir) if cache_dir else None
            if hit is not None and (found := _load_cached(hit)) is not None:
                runs[plan.spec.name] = found
                continue
            kept = filecache.reuse(plan, cache_dir) if plan.file_keys and cache_dir else {}
            if kept and len(kept) == len(plan.files):
                runs[plan.spec.name] = _stored(plan, filecache.merge(plan, None, kept), cache_dir)
            elif not plan.files and plan.unreadable:
                runs[plan.spec.name] = _error(
                    plan.spec, f"{plan.spec.title}: none of its {plan.unreadable} file(s) is "
                    "readable by other users, and the tools run as an unprivileged user: "
                    "make them readable (chmod -R o+rX) to have them checked",
                )
            elif not plan.files:
                runs[plan.spec.name] = ToolRun(
                    plan.spec.name, "ok", files=0, config_files=plan.config.sources,
                    notes=plan.notes, unreadable=plan.unreadable,
                )
            else:
                reused[plan.spec.name] = kept
                todo.append(plan)
        if cached := [p.spec.title for p in plans if runs.get(p.spec.name, _NOT_RUN).cached]:
            notify(f"{', '.join(cached)}: files unchanged, results from the cache")
        if todo:
            runs |= _run_changed(todo, reused, fs, executor, cfg, src, cfg_seen, cache_dir,
                                 notify)
    return runs


def _stored(plan: Plan, run: ToolRun, cache_dir: Path | None) -> ToolRun:
    """Keep a successful run of the whole plan under its key (the next run's first look)."""
    if cache_dir and run.status == "ok":
        resultcache.store("tool-results", plan.key, asdict(run), cache_dir)
    return run


def _run_changed(
    todo: list[Plan], reused: dict[str, dict[str, ToolRun]], fs: RepoFS, executor: Executor,
    cfg: Path, src: str, cfg_seen: str, cache_dir: Path | None, notify: Notify,
) -> dict[str, ToolRun]:
    """Run the plans in one batch, each per-file tool on the files without a cached result
    only, and put every tool's run back together over all of its files."""
    narrowed = [
        replace(p, files=[f for f in p.files if f not in reused.get(p.spec.name, {})])
        for p in todo
    ]
    if partly := [p.spec.title for p in todo if reused.get(p.spec.name)]:
        notify(f"{', '.join(partly)}: running on the changed files only")
    fresh = _run_batch(narrowed, fs, executor, cfg, src, cfg_seen, notify)
    runs = {}
    for plan, ran in zip(todo, narrowed, strict=True):
        run = fresh[plan.spec.name]
        if plan.file_keys:
            if cache_dir:
                filecache.store(ran, run, cache_dir)
            run = filecache.merge(plan, run, reused.get(plan.spec.name, {}))
        runs[plan.spec.name] = _stored(plan, run, cache_dir)
    return runs


def _run_batch(
    todo: list[Plan], fs: RepoFS, executor: Executor, cfg: Path, src: str, cfg_seen: str,
    notify: Notify,
) -> dict[str, ToolRun]:
    batch = jobs.build_batch(todo, src, cfg_seen)
    _write_configs(cfg, todo)
    (cfg / "jobs.json").write_text(json.dumps(batch), encoding="utf-8")
    (cfg / "jobs.json").chmod(0o644)
    titles = ", ".join(p.spec.title for p in todo)
    notify(f"running {titles} in {executor.place} ({len(batch['jobs'])} process(es))")
    started = time.monotonic()
    try:
        answer = executor.run(fs.root, cfg, jobs.cpus(), jobs.wall_time(todo))
    except BatchError as exc:
        return {p.spec.name: _error(p.spec, f"{p.spec.title} did not run: {exc}") for p in todo}
    seconds = round(time.monotonic() - started, 3)
    runs = {}
    for plan in todo:
        run = jobs.assemble(plan, answer, PurePosixPath(src), executor.fix)
        run.duration_s = seconds
        runs[plan.spec.name] = run
    return runs


def run_tool(
    spec: ToolSpec, fs: RepoFS, cache_dir: Path | None, declared: Sequence[Declared] = ()
) -> ToolRun:
    """Run one tool (its own batch); ``run_tools`` batches several."""
    return run_tools([spec], fs, cache_dir, declared={spec.name: declared})[spec.name]
