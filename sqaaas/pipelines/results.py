"""The result of ``sqaaas run``: per-step statuses, the JSON shape, the summary table.

The JSON fields are documented in docs/pipelines-run.md (a test keeps the two in step);
``RunResult.model_json_schema()`` is the machine-readable form of the same shape.
"""

from __future__ import annotations

import io
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console
from rich.table import Table

from sqaaas.console import FittingConsole

RESULT_SCHEMA_VERSION = 1


class StepStatus(StrEnum):
    PASS = "pass"  # the check passed (every tool and command exited 0)
    FAIL = "fail"  # the check ran and failed
    ERROR = "error"  # no verdict: timed out, killed, no image, no report, engine failure
    SKIPPED = "skipped"  # not run: its `when` does not hold, or --fail-fast stopped the run


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Verdict(_Model):
    """The verdict of a ``tools`` or ``tool`` step (its tools' exit status: the CI rules that
    mirror ``sqaaas assess``)."""

    criterion: str
    valid: bool
    details: list[str] = Field(default_factory=list)
    badge_level: str | None = Field(
        None, description="the lowest badge level that needs this criterion, if any"
    )


class StepResult(_Model):
    name: str
    criterion: str
    kind: str  # tools | tool | commands
    repository: str
    status: StepStatus
    reason: str
    seconds: float
    exit_code: int | None = None
    timed_out: bool = False
    image: str | None = None
    requested_image: str
    network: bool
    timeout_s: int
    log: str | None = None
    report: str | None = None
    commands: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    verdict: Verdict | None = None


class SourceInfo(_Model):
    kind: str  # spec | jepl
    path: str


class CheckoutInfo(_Model):
    path: str
    url: str | None
    commit: str | None
    branch: str | None


class BuildInfo(_Model):
    branch: str | None
    building_tag: bool
    tag: str | None


class RunResult(_Model):
    schema_version: int = RESULT_SCHEMA_VERSION
    run_id: str
    sqaaas_version: str
    source: SourceInfo
    repository: CheckoutInfo
    build: BuildInfo
    tools_image: str
    started_at: str
    duration_s: float
    status: StepStatus  # pass when no step failed or errored, else fail
    counts: dict[str, int]
    run_dir: str
    notes: list[str] = Field(default_factory=list)
    steps: list[StepResult]

    @property
    def exit_code(self) -> int:
        return 0 if self.status is StepStatus.PASS else 1


def overall(steps: list[StepResult]) -> tuple[StepStatus, dict[str, int]]:
    counts = {s.value: 0 for s in StepStatus}
    for step in steps:
        counts[step.status.value] += 1
    bad = counts[StepStatus.FAIL.value] + counts[StepStatus.ERROR.value]
    return (StepStatus.FAIL if bad else StepStatus.PASS), counts


STYLE = {
    StepStatus.PASS: "green",
    StepStatus.FAIL: "red",
    StepStatus.ERROR: "magenta",
    StepStatus.SKIPPED: "dim",
}


def render_summary(console: Console, result: RunResult) -> None:
    """The summary table (logs relative to the run folder), then why each step that did not
    pass did not, then the notes (a note shared by several steps once)."""
    table = Table(title=f"sqaaas run {result.run_id}", title_justify="left")
    for column in ("step", "criterion", "status", "seconds", "log"):
        table.add_column(column, no_wrap=True)
    for step in result.steps:
        log = step.log.removeprefix(result.run_dir).lstrip("/") if step.log else "-"
        table.add_row(
            step.name,
            step.criterion,
            f"[{STYLE[step.status]}]{step.status.value}[/]",
            f"{step.seconds:.1f}",
            log,
        )
    console.print(table)
    for step in result.steps:
        if step.status is not StepStatus.PASS:
            console.print(f"{step.name}: {step.status.value}: {step.reason}", highlight=False)
    shared: dict[str, list[str]] = {}
    for step in result.steps:
        for note in step.notes:
            shared.setdefault(note, []).append(step.name)
    for note, names in shared.items():
        console.print(f"note ({', '.join(names)}): {note}", highlight=False)
    for note in result.notes:
        console.print(f"note: {note}", highlight=False)
    counts = ", ".join(f"{n} {k}" for k, n in result.counts.items() if n)
    console.print(
        f"[{STYLE[result.status]}]{result.status.value}[/]: {counts} in "
        f"{result.duration_s:.1f} s; logs in {result.run_dir}",
        highlight=False,
    )


def render_plain(result: RunResult) -> str:
    """The summary as plain text, 160 columns wide and without colours: a file's view."""
    buffer = io.StringIO()
    render_summary(FittingConsole(file=buffer, width=160, no_color=True), result)
    return buffer.getvalue()
