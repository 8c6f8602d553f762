"""Installing an assessed repository's dependencies while none of its code has the network.

Each step is a container (see ``steps`` and the driver): ``fetch`` (network on, binary
wheels only) downloads the build requirements, then ``meta`` (network off) lets the
project's own build backend say what the project needs, then ``fetch`` downloads that with
the requirements files and dependency groups (read statically, ``requirements``), then
``install`` (network off, ``--no-index``) installs everything from the downloaded wheels.
Without a project to build (requirements files only) there is a single fetch. The steps
share the install step's wall-time budget; their logs go into one install log.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

from sqaaas.platform.containers import Limits, RunResult
from sqaaas.sandbox.plan import InstallPlan
from sqaaas.sandbox.requirements import Downloads, checked, valid_name
from sqaaas.sandbox.results import RunStatus, StepLog
from sqaaas.sandbox.steps import META_MARKER, Steps, log_section, tail
from sqaaas.sandbox.wheelcache import WheelCache


class _Failed(Exception):
    """A step ended the install: the status to report."""

    def __init__(self, status: RunStatus) -> None:
        super().__init__(status.value)
        self.status = status


class DependencyInstall:
    """The install steps of one run, with their shared time budget and log."""

    def __init__(
        self, steps: Steps, limits: Limits, log: Path, wheels: WheelCache | None = None
    ) -> None:
        self.steps = steps
        self.limits = limits
        self.log = log
        self.wheels = wheels
        self.deadline = time.monotonic() + limits.wall_time
        self.sections: list[str] = []
        self.last: RunResult | None = None
        self.seconds = 0.0

    def run(self, plan: InstallPlan, wanted: Downloads) -> tuple[StepLog, RunStatus | None]:
        if wanted.notes:
            self.sections.append("# left out of the download\n" + "\n".join(wanted.notes) + "\n")
        status = None
        try:
            if wanted.errors:
                self.sections.append("# requirements that pip cannot read\n")
                self.sections.append("\n".join(wanted.errors) + "\n")
                raise _Failed(RunStatus.INSTALL_FAILED)
            self._install(plan, wanted)
        except _Failed as failed:
            status = failed.status
        self.log.write_text("\n".join(self.sections), encoding="utf-8")
        last = self.last
        log_tail = tail(last.output) if last is not None else tail("\n".join(wanted.errors))
        step_log = StepLog(
            rc=last.rc if last is not None else 1,
            seconds=round(self.seconds, 2),
            log=str(self.log),
            tail=log_tail,
        )
        return step_log, status

    def _install(self, plan: InstallPlan, wanted: Downloads) -> None:
        project: dict[str, object] | None = None
        if plan.project:
            self._step("download of the build requirements", "fetch", {"build": wanted.build})
            meta = self._step("the project's metadata (offline)", "meta", {"extras": plan.extras})
            project = self._project(meta, wanted)
            project["extras"] = list(plan.extras)
        if wanted.requirements or (project and project["requires"]):
            payload = {**wanted.payload(), "project": project}
            self._step("download of the dependencies", "fetch", payload)
        target = {**wanted.payload(), "project": plan.project, "extras": list(plan.extras)}
        self._step("install (offline)", "install", target)

    def _fetch(self, payload: object, limits: Limits) -> RunResult:
        """Download, or reuse the wheels of an identical earlier download."""
        if self.wheels is None:
            return self.steps.fetch(payload, limits)
        key = self.wheels.key(payload)
        if (cached := self.wheels.find(key)) is not None:
            return self.steps.restore(cached, limits)
        partial = self.wheels.reserve(key)
        result = self.steps.fetch(payload, limits, save=partial)
        if result.rc == 0 and not result.timed_out:
            self.wheels.commit(key, partial)
        else:
            self.wheels.discard(partial)
        return result

    def _project(self, meta: RunResult, wanted: Downloads) -> dict[str, object]:
        """Name and Requires-Dist from the meta step's last line: what the repository's
        own code said, hence vetted before it reaches the networked step."""
        lines = [line for line in meta.stdout.splitlines() if line.startswith(META_MARKER)]
        try:
            found = json.loads(lines[-1][len(META_MARKER):]) if lines else None
        except ValueError:
            found = None
        if not isinstance(found, dict) or not isinstance(found.get("requires"), list):
            self.sections.append("# the metadata step reported no dependencies\n")
            raise _Failed(RunStatus.INSTALL_FAILED)
        notes = Downloads()
        requires = checked(found["requires"], "the project's Requires-Dist", notes)
        if notes.notes or notes.errors:
            self.sections.append("# left out of the download\n" + "\n".join(
                [*notes.notes, *notes.errors]) + "\n")
        return {"name": valid_name(found.get("name")) or "", "requires": requires}

    def _step(self, title: str, step: str, payload: object) -> RunResult:
        remaining = self.deadline - time.monotonic()
        if remaining < 1:
            raise _Failed(RunStatus.INSTALL_TIMED_OUT)
        limits = replace(self.limits, wall_time=remaining)
        if step == "fetch":
            result = self._fetch(payload, limits)
        else:
            result = self.steps.offline(step, payload, limits)
        self.last = result
        self.seconds += result.duration
        self.sections.append(log_section(title, result))
        if result.timed_out:
            raise _Failed(RunStatus.INSTALL_TIMED_OUT)
        if result.rc != 0:
            raise _Failed(RunStatus.INSTALL_FAILED)
        return result
