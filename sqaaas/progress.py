"""Progress of long work (cloning, probes, tool and test runs) on stderr; silent with --quiet.

On a terminal a Rich progress bar redraws in place. Anywhere else (a CI log, a pipe) redraws
would be noise, and printing nothing makes a ten-minute test run look hung, or get killed by
a CI system that stops jobs without output: there it prints plain ``sqaaas: ...`` lines, one
when each phase or long step starts, and a heartbeat while nothing else was said.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from sqaaas.console import is_terminal

#: seconds of silence before a "still running" line; SQAAAS_PROGRESS_INTERVAL overrides it
DEFAULT_INTERVAL = 10.0


def heartbeat_interval() -> float:
    """SQAAAS_PROGRESS_INTERVAL when it is a positive number of seconds, else the default."""
    try:
        value = float(os.environ.get("SQAAAS_PROGRESS_INTERVAL", DEFAULT_INTERVAL))
    except ValueError:
        return DEFAULT_INTERVAL
    return value if value > 0 else DEFAULT_INTERVAL


class Progress:
    """Context manager offering the callbacks acquire() and assess() accept."""

    def __init__(
        self,
        enabled: bool = True,
        *,
        stream: TextIO | None = None,
        interactive: bool | None = None,
        interval: float | None = None,
    ) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.interactive = is_terminal(self.stream) if interactive is None else interactive
        self.interval = interval or heartbeat_interval()
        self._bar: RichProgress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._lines: _Lines | None = None

    def __enter__(self) -> Progress:
        if self.enabled and self.interactive:
            console = Console(file=self.stream)
            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
                disable=not console.is_terminal,
            )
            self._bar.__enter__()
        elif self.enabled:
            self._lines = _Lines(self.stream, self.interval)
            self._lines.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, exc, tb)
        if self._lines is not None:
            self._lines.stop()

    def _update(self, key: str, description: str, completed: float, total: float) -> None:
        if self._bar is None:
            return
        if key not in self._tasks:
            self._tasks[key] = self._bar.add_task(description, total=total)
        self._bar.update(
            self._tasks[key], description=description, completed=completed, total=total
        )

    def clone_step(self, stage: str, percent: float | None) -> None:
        if self._lines is not None:
            self._lines.clone_step(stage.lower(), percent)
        self._update("clone", f"git: {stage.lower()}", percent or 0, 100)

    def note(self, message: str) -> None:
        """A long step started (a tool, a container run): shown as the current activity."""
        if self._lines is not None:
            self._lines.say(message, activity=message)
        if self._bar is None:
            return
        if "note" not in self._tasks:
            self._tasks["note"] = self._bar.add_task(message, total=None)
        self._bar.update(self._tasks["note"], description=message)

    def probe_step(self, name: str, done: int, total: int) -> None:
        if self._lines is not None:
            self._lines.probe_step(done, total)
        self._update("probes", f"probes ({name})", done, total)


class _Lines:
    """Plain progress lines, and a daemon thread saying "still running" after each
    ``interval`` of silence, so a log shows the work is alive. stop() ends the thread at
    once (an Event, not a sleep), so neither exit nor Ctrl-C waits for it."""

    def __init__(self, stream: TextIO, interval: float) -> None:
        self.stream = stream
        self.interval = interval
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="sqaaas-progress", daemon=True)
        self._last_line = time.monotonic()
        self._activity = "starting"
        self._since = self._last_line
        self._stage = ""
        self._percent: float | None = None
        self._probes: tuple[int, int] | None = None
        self._probes_since = self._last_line

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def say(self, line: str, activity: str | None = None) -> None:
        """Print one line; with ``activity``, it is what the next heartbeats are about."""
        with self._lock:
            now = time.monotonic()
            if activity is not None:
                self._activity, self._since = activity, now
            self._write(line, now)

    def clone_step(self, stage: str, percent: float | None) -> None:
        """One line per git stage (not per percent: git reports hundreds of them)."""
        self._percent = percent
        if stage != self._stage:
            self._stage = stage
            self.say(f"cloning: {stage}", activity=f"cloning: {stage}")

    def probe_step(self, done: int, total: int) -> None:
        """A line when the probes start and when the last one is done."""
        first = self._probes is None
        self._probes = (done, total)
        if first:
            self._probes_since = time.monotonic()
            self.say(f"probes started ({total})", activity="probes")
        if done == total:
            seconds = time.monotonic() - self._probes_since
            self.say(f"probes done ({total}) in {seconds:.0f} s", activity="finishing")

    def _heartbeat(self, now: float) -> str:
        what = self._activity.removeprefix("running ")  # "still running: Bandit", not twice
        if self._activity.startswith("cloning") and self._percent is not None:
            what += f" {self._percent:.0f}%"
        line = f"still running: {what} ({now - self._since:.0f} s)"
        if self._probes is not None and self._probes[0] < self._probes[1]:
            line += f", probes {self._probes[0]}/{self._probes[1]} done"
        return line

    def _beat(self) -> None:
        wait = self.interval
        while not self._stop.wait(wait):
            with self._lock:
                now = time.monotonic()
                silent = now - self._last_line
                if silent >= self.interval:
                    self._write(self._heartbeat(now), now)
                    wait = self.interval
                else:
                    wait = self.interval - silent

    def _write(self, line: str, now: float) -> None:
        """Callers hold the lock: lines from probe threads and the heartbeat never interleave."""
        self._last_line = now
        try:
            self.stream.write(f"sqaaas: {line}\n")
            self.stream.flush()
        except (OSError, ValueError):  # stderr closed or gone: progress is not worth a crash
            pass
