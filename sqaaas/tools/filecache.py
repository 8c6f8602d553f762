"""Per-file results of the tools whose findings depend on one file alone (ToolSpec.per_file).

The whole-run cache (keyed by every file a tool reads) misses as soon as one file changes;
for these tools each file's findings are also kept under a key of its own (the tool, its
sanitised configuration and that file's content), so a changed file re-runs the tool on
the changed files only and the others' findings come from here. A run whose findings name
a file it was not given is never split up (its findings are not the files' own).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

from sqaaas import resultcache
from sqaaas.tools.model import Plan, ToolRun
from sqaaas.tools.parsers import ToolFinding

NAMESPACE = "tool-file-results"


def file_key(run_key: str, rel: str, content: bytes) -> str:
    """``run_key``: the tool's key over its configuration alone; ``content``: the file's hash."""
    return resultcache.make_key(run_key, rel, content)


def _entry(data: object) -> ToolRun | None:
    if not isinstance(data, dict):
        return None
    try:
        findings = [ToolFinding(**f) for f in data["findings"]]
        return ToolRun(data["tool"], "ok", data.get("version"), findings,
                       suppressed=int(data.get("suppressed", 0)))
    except (TypeError, KeyError, ValueError):
        return None


def reuse(plan: Plan, cache_dir: Path) -> dict[str, ToolRun]:
    """The files of ``plan`` whose own results are cached, with them."""
    found = {}
    for rel, key in plan.file_keys.items():
        if (entry := _entry(resultcache.load(NAMESPACE, key, cache_dir))) is not None:
            found[rel] = entry
    return found


def store(plan: Plan, run: ToolRun, cache_dir: Path) -> None:
    """Keep each file's findings of a successful run on ``plan.files``."""
    if run.status != "ok" or not plan.file_keys:
        return
    mine = set(plan.files)
    by_file: dict[str, list[ToolFinding]] = defaultdict(list)
    for finding in run.findings:
        if finding.path not in mine:
            return  # a finding about another file: the results are not per file
        by_file[finding.path].append(finding)
    if sum(run.suppressed_in.values()) != run.suppressed:
        return  # the tool counted suppressions it did not attribute to files
    for rel in plan.files:
        data = {"tool": run.tool, "version": run.version,
                "findings": [asdict(f) for f in by_file.get(rel, [])],
                "suppressed": run.suppressed_in.get(rel, 0)}
        resultcache.store(NAMESPACE, plan.file_keys[rel], data, cache_dir)


def merge(plan: Plan, fresh: ToolRun | None, reused: dict[str, ToolRun]) -> ToolRun:
    """The run of the whole ``plan``: the fresh run on the changed files (None: every file
    came from the cache) plus the reused files' findings, in the files' order."""
    if fresh is not None and fresh.status != "ok":
        return fresh
    order = {rel: n for n, rel in enumerate(plan.files)}
    findings = [f for entry in reused.values() for f in entry.findings]
    findings += fresh.findings if fresh is not None else []
    findings.sort(key=lambda f: (order.get(f.path, len(order)), f.line or 0, f.column or 0))
    suppressed_in = {rel: e.suppressed for rel, e in reused.items() if e.suppressed}
    suppressed_in |= fresh.suppressed_in if fresh is not None else {}
    version = fresh.version if fresh is not None else next(iter(reused.values())).version
    return ToolRun(
        plan.spec.name, "ok", version, findings, files=len(plan.files),
        duration_s=fresh.duration_s if fresh is not None else 0.0, cached=fresh is None,
        config_files=list(plan.config.sources), notes=list(plan.notes),
        unreadable=plan.unreadable, suppressed=sum(suppressed_in.values()),
        suppressed_in=suppressed_in,
    )
