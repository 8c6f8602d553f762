"""``sqaaas run``: execute a pipeline spec's steps locally, one container per step.

Each step runs in a fresh container (``sqaaas.platform.containers``): its repository mounted
read-only at ``/src``, a per-step scratch folder read-write at ``/out``, no network unless
the step asks for it, the step's timeout (capped by what is left of the pipeline's), a
read-only root file system, an unprivileged user and resource limits.

* ``tools`` and ``tool`` steps run their CI lines (``commands.step_lines``: the registry
  tools on the files they cover) in the tools image, which holds those tools at the versions
  CI installs, so the install lines are not run; the exit status is the verdict, as in CI.
* ``commands`` steps run the user's commands (``sh``, one after the other, stopping at the
  first failure) in the step's image when this machine has it; a registry image that is not
  here is never pulled: the step runs in the tools image and its result says so.

Steps run in spec order; a failed step does not stop the others unless ``keep_going`` is
off. Logs and reports stay under ``<cache>/runs/<run id>/``.
"""

from __future__ import annotations

import os
import posixpath
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqaaas import __version__
from sqaaas.acquire import Checkout, acquire
from sqaaas.core.catalogue import default_catalogue
from sqaaas.errors import SqaaasError
from sqaaas.gitinfo import GitInfo
from sqaaas.paths import default_cache_dir
from sqaaas.pipelines import commands
from sqaaas.pipelines.commands import StepKind
from sqaaas.pipelines.jepl import load_jepl
from sqaaas.pipelines.results import (
    BuildInfo,
    CheckoutInfo,
    SourceInfo,
    StepResult,
    StepStatus,
    Verdict,
    overall,
)
from sqaaas.pipelines.results import RunResult as PipelineResult
from sqaaas.pipelines.spec import DEFAULT_SPEC_FILE, PipelineSpec, Repository, Step, load_spec
from sqaaas.pipelines.when import BuildRef, selected
from sqaaas.platform import images
from sqaaas.platform.containers import (
    CONTAINER_CA,
    Engine,
    EngineError,
    Limits,
    Mount,
    RunResult,
    engine_for,
    host_ca_bundle,
    proxy_vars,
)

#: What ``sqaaas pipeline init`` writes, read when neither --spec nor --jepl is given.
DEFAULT_SPEC = DEFAULT_SPEC_FILE
DEFAULT_JEPL = ".sqa/config.yml"
SRC = "/src"
OUT = "/out"
REPORTS = f"{OUT}/reports"
#: Runs a step's commands in one shell, in order, each echoed first (output and errors
#: interleaved as they happen); the first failing command ends the step with its status.
#: The commands are arguments of this fixed script, never part of its text.
COMMANDS_SCRIPT = (
    'exec 2>&1; for sqaaas_cmd in "$@"; do printf "+ %s\\n" "$sqaaas_cmd"; '
    'eval "$sqaaas_cmd" || exit $?; done'
)
_FIXED_ENV = {
    "HOME": "/tmp",  # nosec B108 - the container's private tmpfs
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
    "GIT_OPTIONAL_LOCKS": "0",  # git status must not try to write the read-only checkout
    "GIT_CONFIG_COUNT": "1",  # the checkout belongs to another user than the step's
    "GIT_CONFIG_KEY_0": "safe.directory",
    "GIT_CONFIG_VALUE_0": "*",
    "SQAAAS_CACHE_DIR": "/tmp/sqaaas-cache",  # nosec B108
    "SQAAAS_CONFIG_DIR": "/tmp/sqaaas-config",  # nosec B108
    "SQAAAS_OUT": OUT,
    "TOX_WORK_DIR": "/tmp/tox",  # nosec B108 - tox's envs cannot live in the read-only checkout
    "CI": "true",
}


class RunError(SqaaasError):
    """The pipeline cannot start (no engine, no tools image, an invalid spec)."""


@dataclass(frozen=True)
class RunOptions:
    """How the run behaves; tests pass small limits."""

    keep_going: bool = True
    memory: str = "2g"
    pids: int = 1024
    tmp_size: str = "1g"
    cache_dir: Path | None = None


@dataclass
class Listener:
    """Callbacks for live progress (a step starts; a step ends)."""

    started: Callable[[str, str], None] = lambda name, criterion: None
    finished: Callable[[StepResult], None] = lambda result: None


@dataclass
class _Planned:
    criterion: str
    step: Step
    repository: Repository


@dataclass
class _Context:
    spec: PipelineSpec
    engine: Engine
    tools: str
    checkout: Checkout
    ref: BuildRef
    options: RunOptions
    run_dir: Path
    deadline: float
    checkouts: dict[str, Path] = field(default_factory=dict)


def load_pipeline(
    checkout: Checkout, spec_path: Path | None, jepl_path: Path | None
) -> tuple[PipelineSpec, SourceInfo, list[str]]:
    """The spec to run, where it came from, and notes (JePL keys that were not mapped).

    Without a file given: the checkout's .sqaaas-pipeline.yml, else its .sqa/config.yml.
    """
    if spec_path is None and jepl_path is None:
        if (checkout.root / DEFAULT_SPEC).is_file():
            spec_path = checkout.root / DEFAULT_SPEC
        elif (checkout.root / DEFAULT_JEPL).is_file():
            jepl_path = checkout.root / DEFAULT_JEPL
        else:
            raise RunError(
                f"no pipeline in {checkout.root}: give --spec or --jepl, or write one with "
                "'sqaaas pipeline init'"
            )
    if jepl_path is not None:
        jepl = load_jepl(jepl_path, main_url=checkout.url)
        return jepl.spec, SourceInfo(kind="jepl", path=str(jepl_path)), jepl.notes
    assert spec_path is not None
    return load_spec(spec_path), SourceInfo(kind="spec", path=str(spec_path)), []


def _badge_level(criterion: str) -> str | None:
    for scheme in default_catalogue().badges.values():
        for level in scheme.levels:
            if criterion in level.criteria:
                return level.name
    return None


def new_run_id() -> str:
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


def _engine() -> tuple[Engine, str]:
    tools = images.tools_image()
    try:
        engine = engine_for(tools)
    except EngineError as exc:
        raise RunError(str(exc)) from None
    if not engine.image_exists(tools):
        raise RunError(
            f"the tools image {tools} of this sqaaas version is missing: run 'sqaaas setup'"
        )
    return engine, tools


def run_pipeline(
    spec: PipelineSpec,
    checkout: Checkout,
    ref: BuildRef,
    *,
    source: SourceInfo,
    notes: list[str] | None = None,
    options: RunOptions | None = None,
    listener: Listener | None = None,
) -> PipelineResult:
    """Run every step of ``spec`` on ``checkout`` (the spec's first repository)."""
    options = options or RunOptions()
    listener = listener or Listener()
    commands.validate(spec)
    engine, tools = _engine()
    run_id = new_run_id()
    run_dir = Path(options.cache_dir or default_cache_dir()) / "runs" / run_id
    run_dir.mkdir(parents=True)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    ctx = _Context(spec, engine, tools, checkout, ref, options, run_dir,
                   deadline=started + spec.timeout)
    ctx.checkouts[spec.main.name] = checkout.root
    repos = {r.name: r for r in spec.repositories}
    results: list[StepResult] = []
    stopped_by: str | None = None
    for criterion, steps in spec.criteria.items():
        for step in steps:
            planned = _Planned(criterion, step, repos[step.repository or spec.main.name])
            run, why = selected(step.when, ref)
            if stopped_by is not None:
                result = _skipped(planned, f"not run: --fail-fast after step {stopped_by}")
            elif not run:
                result = _skipped(planned, f"'when' does not hold: {why}")
            else:
                listener.started(step.name, criterion)
                result = _run_step(ctx, planned)
                if result.status in (StepStatus.FAIL, StepStatus.ERROR) and not options.keep_going:
                    stopped_by = f"{step.name} ({result.status.value})"
            results.append(result)
            listener.finished(result)
    status, counts = overall(results)
    result = PipelineResult(
        run_id=run_id,
        sqaaas_version=__version__,
        source=source,
        repository=CheckoutInfo(path=str(checkout.root), url=checkout.url,
                                commit=checkout.commit, branch=checkout.branch),
        build=BuildInfo(branch=ref.branch, building_tag=ref.building_tag, tag=ref.tag),
        tools_image=tools,
        started_at=started_at,
        duration_s=round(time.monotonic() - started, 2),
        status=status,
        counts=counts,
        run_dir=str(run_dir),
        notes=list(notes or []),
        steps=results,
    )
    (run_dir / "result.json").write_text(result.model_dump_json(indent=2) + "\n",
                                         encoding="utf-8")
    return result


def _base(planned: _Planned, **fields: object) -> dict[str, object]:
    step = planned.step
    return {
        "name": step.name,
        "criterion": planned.criterion,
        "kind": commands.step_kind(step).value,
        "repository": planned.repository.name,
        "requested_image": step.image,
        "network": step.network,
        "timeout_s": step.timeout,
        "seconds": 0.0,
        **fields,
    }


def _skipped(planned: _Planned, reason: str) -> StepResult:
    return StepResult.model_validate(_base(planned, status=StepStatus.SKIPPED, reason=reason))


def _error(planned: _Planned, reason: str, **fields: object) -> StepResult:
    return StepResult.model_validate(
        _base(planned, status=StepStatus.ERROR, reason=reason, **fields)
    )


def _repository_root(ctx: _Context, repo: Repository) -> Path:
    """The checkout of ``repo``: the given one for the main repository, else a clone."""
    if repo.name not in ctx.checkouts:
        cache = ctx.options.cache_dir
        ctx.checkouts[repo.name] = acquire(repo.url, branch=repo.branch, cache_dir=cache).root
    return ctx.checkouts[repo.name]


def _mount_root(root: Path) -> tuple[Path, str]:
    """The folder to mount and the step's folder inside it: a folder inside a git work tree
    is run with the whole work tree mounted, so git (and sqaaas) see the repository."""
    top = GitInfo(root).repo
    tree = top.root.resolve() if top else None
    if tree is None or tree == root or tree not in root.parents:
        return root, ""
    return tree, root.relative_to(tree).as_posix()


def _run_step(ctx: _Context, planned: _Planned) -> StepResult:
    step = planned.step
    left = ctx.deadline - time.monotonic()
    if left < 1:
        return _error(planned, f"not run: the pipeline's timeout ({ctx.spec.timeout} s) is spent")
    try:
        root = _repository_root(ctx, planned.repository)
    except SqaaasError as exc:
        return _error(planned, f"cannot get repository {planned.repository.name}: {exc}")
    sub = planned.repository.subfolder
    if sub and not (root / sub).is_dir():
        return _error(planned, f"sub-folder {sub!r} not found in {planned.repository.name}")
    root, inside = _mount_root(root)
    workdir = posixpath.join(SRC, inside, sub or "").rstrip("/")
    kind = commands.step_kind(step)
    notes: list[str] = []
    if kind is StepKind.COMMANDS:
        image, problem = _commands_image(ctx, step, notes)
        if image is None:
            return _error(planned, problem, notes=notes)
    else:  # the tools image holds the tools at the versions CI installs: no install lines
        image = ctx.tools
    shown = commands.step_lines(step, planned.criterion)
    argv = ["sh", "-c", COMMANDS_SCRIPT, "sqaaas-step", *shown]
    scratch = ctx.run_dir / step.name
    (scratch / "reports").mkdir(parents=True)
    for folder in (scratch, scratch / "reports"):
        folder.chmod(0o777)  # nosec B103 - the step's unprivileged user writes here
    budget = min(step.timeout, int(left))
    result = _contain(ctx, step, image, argv, root, scratch, workdir, budget)
    log = _write_log(ctx.run_dir / f"{step.name}.log", planned, image, shown, result)
    fields: dict[str, object] = {
        "seconds": round(result.duration, 2),
        "exit_code": result.rc,
        "timed_out": result.timed_out,
        "image": image,
        "log": str(log),
        "commands": shown,
        "notes": notes,
        "timeout_s": budget,
    }
    if result.timed_out:
        limit = "the pipeline's remaining time" if budget < step.timeout else "its timeout"
        return _error(planned, f"timed out after {budget} s ({limit})", **fields)
    if result.killed:
        return _error(planned, f"killed (out of memory? the limit is {ctx.options.memory})",
                      **fields)
    if kind is StepKind.COMMANDS:
        ok = result.rc == 0
        reason = "all commands exited 0" if ok else f"a command exited {result.rc}"
        status = StepStatus.PASS if ok else StepStatus.FAIL
        return StepResult.model_validate(_base(planned, status=status, reason=reason, **fields))
    return _judged(planned, result, fields)


def _commands_image(ctx: _Context, step: Step, notes: list[str]) -> tuple[str | None, str]:
    """The image a commands step runs in, or None and why not (images are never pulled)."""
    if ctx.engine.image_exists(step.image):
        return step.image, ""
    if step.image.startswith("localhost/"):
        return None, f"image {step.image} is not on this machine (sqaaas run never pulls)"
    notes.append(
        f"image {step.image} is not on this machine and sqaaas run pulls nothing: the commands "
        f"ran in the sqaaas tools image instead (tag a local image as {step.image} to use it)"
    )
    return ctx.tools, ""


def _contain(
    ctx: _Context, step: Step, image: str, argv: list[str], root: Path, scratch: Path,
    workdir: str, wall_time: int,
) -> RunResult:
    mounts = [Mount(root, SRC), Mount(scratch, OUT, read_only=False)]
    env = {**ctx.spec.environment, **_FIXED_ENV}
    inherit: list[str] = []
    if step.network:
        if bundle := host_ca_bundle():
            mounts.append(Mount(Path(bundle), CONTAINER_CA))
            env |= {"PIP_CERT": CONTAINER_CA, "SSL_CERT_FILE": CONTAINER_CA,
                    "REQUESTS_CA_BUNDLE": CONTAINER_CA}
        inherit = proxy_vars()
    limits = Limits(
        cpus=float(min(2, os.cpu_count() or 1)),
        memory=ctx.options.memory,
        pids=ctx.options.pids,
        wall_time=float(wall_time),
        tmp_size=ctx.options.tmp_size,
    )
    try:
        return ctx.engine.run(image, argv, mounts=mounts, network=step.network, limits=limits,
                              env=env, inherit_env=inherit, workdir=workdir)
    except EngineError as exc:
        return RunResult(rc=-1, stdout="", stderr=str(exc), timed_out=False, duration=0.0)


def _judged(planned: _Planned, result: RunResult, fields: dict[str, object]) -> StepResult:
    """Status of a tools or tool step: its tools' exit status, as in CI. A tool that is not
    there or cannot run (126, 127) gives no verdict: an error, never a failing criterion."""
    criterion = planned.criterion
    last = _last_line(result.output) or f"exit status {result.rc}"
    if result.rc in (126, 127) or result.rc < 0:
        return _error(planned, f"a tool could not run: {last}", **fields)
    valid = result.rc == 0
    details = [line for line in result.output.splitlines() if line.strip()][:50]
    fields["verdict"] = Verdict(criterion=criterion, valid=valid, details=details,
                                badge_level=_badge_level(criterion))
    status = StepStatus.PASS if valid else StepStatus.FAIL
    reason = (f"{criterion}: no decisive finding" if valid
              else f"{criterion}: a decisive finding ({last})")
    return StepResult.model_validate(_base(planned, status=status, reason=reason, **fields))


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _write_log(
    path: Path, planned: _Planned, image: str, shown: list[str], result: RunResult
) -> Path:
    state = (f"timed out after {result.duration:.0f} s" if result.timed_out
             else f"exit status {result.rc}")
    header = [
        f"# step {planned.step.name} ({planned.criterion}), repository "
        f"{planned.repository.name}: {state}, {result.duration:.1f} s",
        f"# image {image}",
        *(f"$ {line}" for line in shown),
    ]
    path.write_text("\n".join(header) + "\n\n" + result.output + "\n", encoding="utf-8")
    return path
