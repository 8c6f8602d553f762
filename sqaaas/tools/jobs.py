"""One batch of tool runs: from planned tools to the driver's job list, and from the driver's
answer back to one ToolRun per tool (parsed on the host: the container only runs tools).
"""

from __future__ import annotations

import os
from pathlib import PurePath
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from sqaaas.tools.incontainer import STDOUT_CAP, Batch, Job
from sqaaas.tools.model import Plan, ToolRun
from sqaaas.tools.parsers import PARSERS, ParseError, ToolFinding
from sqaaas.tools.spec import ToolSpec

BATCH = 400  # paths per invocation: far below ARG_MAX, few enough processes
MIN_PARALLEL_BATCH = 10  # below this, another process costs more than it saves
MAX_CONTAINER_SECONDS = 3600.0


def cpus() -> int:
    """CPUs one batch may use (the container's --cpus; also how files are split)."""
    return max(1, min(os.cpu_count() or 1, 4))


def workers() -> int:
    """Tool processes at a time: one per CPU, plus one to cover process start-up."""
    return cpus() + 1


def _chunks(spec: ToolSpec, files: list[str]) -> list[list[str]]:
    size = BATCH
    if spec.parallel and len(files) >= 2 * MIN_PARALLEL_BATCH:
        size = min(BATCH, -(-len(files) // cpus()))  # one share per CPU
    return [files[i : i + size] for i in range(0, len(files), size)]


def _args(spec: ToolSpec, config_args: list[str]) -> list[str]:
    out: list[str] = []
    for arg in spec.args:
        out.extend(config_args if arg == "{config}" else [arg])
    return out


def build_batch(plans: list[Plan], src: str, cfg: str) -> Batch:
    """The driver's input: every job of every planned tool (the longest-running first)."""
    jobs: list[Job] = []
    for plan in plans:
        spec, exe = plan.spec, plan.spec.executable
        for number, files in enumerate(_chunks(spec, plan.files)):
            jobs.append(
                Job(
                    id=f"{spec.name}#{number}",
                    tool=spec.name,
                    module=exe.module,
                    binary=exe.binary,
                    args=_args(spec, plan.config.args),
                    files=files,
                    workdir=plan.config.workdir,
                    env=dict(plan.config.env),
                    timeout=spec.timeout,
                )
            )
    versions = {
        p.spec.name: {
            "pypi": p.spec.package.pypi if p.spec.package else None,
            "binary": p.spec.executable.binary,
        }
        for p in plans
    }
    return Batch(src=src, cfg=cfg, workers=workers(), versions=versions, jobs=jobs)


def wall_time(plans: list[Plan]) -> float:
    """A backstop for the whole batch: each tool has its own budget inside it."""
    budgets = [p.spec.timeout for p in plans]
    return min(MAX_CONTAINER_SECONDS, max(budgets) + sum(budgets) / workers() + 60)


def version_supported(spec: ToolSpec, version: str | None) -> bool:
    """The registry's version constraint holds (unknown versions are given the benefit)."""
    wanted = spec.package.version if spec.package else None
    if not wanted or not version:
        return True
    try:
        return Version(version) in SpecifierSet(wanted)
    except InvalidVersion:
        return True


def _failure(spec: ToolSpec, job: dict[str, Any], missing_hint: str) -> str | None:
    """Why one job gives no result, or None when its output is to be parsed."""
    status = job.get("status")
    if status == "missing":
        return f"{spec.title} is not installed where the tools run: {missing_hint}"
    if status == "timeout":
        return f"{spec.title} timed out after {spec.timeout:.0f} s"
    if status == "output":
        return f"{spec.title} printed more than {STDOUT_CAP // 1_000_000} MB of output"
    if status != "done":
        return f"{spec.title} {job.get('message') or 'failed'}"
    if spec.ok_exit_codes != "any" and job.get("rc") not in spec.ok_exit_codes:
        tail = (job.get("stderr") or job.get("stdout") or "").strip().splitlines()[-3:]
        return f"{spec.title} exited with {job.get('rc')}: {' | '.join(tail)}"
    return None


def _made(plan: Plan, version: str | None, status: str, message: str = "",
          findings: list[ToolFinding] | None = None, score: float | None = None) -> ToolRun:
    return ToolRun(
        plan.spec.name, status, version, findings or [], score, files=len(plan.files),
        message=message, config_files=list(plan.config.sources), notes=list(plan.notes),
        unreadable=plan.unreadable,
    )


def _output(spec: ToolSpec, job: dict[str, Any]) -> str:
    """The stream(s) the tool prints its findings on (gofmt: file names on stdout, syntax
    errors on stderr)."""
    if spec.stream == "both":
        return "\n".join(job.get(name) or "" for name in ("stdout", "stderr"))
    return job.get(spec.stream) or ""


def assemble(plan: Plan, answer: dict[str, Any], root: PurePath, missing_hint: str) -> ToolRun:
    """One tool's ToolRun from the driver's answer; any failing job makes it an error."""
    spec = plan.spec
    version = (answer.get("versions") or {}).get(spec.name)
    if not version_supported(spec, version):
        wanted = spec.package.version if spec.package else "?"
        return _made(plan, version, "error", f"{spec.title} {version} is installed but sqaaas "
                     f"needs {wanted}: {missing_hint}")
    findings: list[ToolFinding] = []
    scores: list[float] = []
    suppressed = 0
    suppressed_in: dict[str, int] = {}
    jobs = answer.get("jobs") or {}
    for number in range(len(_chunks(spec, plan.files))):
        job = jobs.get(f"{spec.name}#{number}") or {"status": "error", "message": "gave no answer"}
        if why := _failure(spec, job, missing_hint):
            return _made(plan, version, "missing" if job.get("status") == "missing" else "error",
                         why)
        output = _output(spec, job)
        try:
            parsed = PARSERS[spec.parser](output, root)
        except ParseError as exc:
            return _made(plan, version, "error", f"cannot read {spec.title} output: {exc}")
        findings.extend(parsed.findings)
        suppressed += parsed.suppressed
        suppressed_in |= parsed.suppressed_in
        if parsed.score is not None:
            scores.append(parsed.score)
    run = _made(plan, version, "ok", findings=findings,
                score=round(min(scores), 2) if scores else None)
    run.suppressed = suppressed
    run.suppressed_in = suppressed_in
    return run
