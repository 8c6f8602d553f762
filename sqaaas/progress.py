"""Progress display on stderr for long work (cloning, probes); silent with --quiet."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress


class Progress:
    """Context manager offering the callbacks acquire() and assess() accept."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._bar: RichProgress | None = None
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> Progress:
        if self.enabled:
            console = Console(stderr=True)
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
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, exc, tb)

    def _update(self, key: str, description: str, completed: float, total: float) -> None:
        if self._bar is None:
            return
        if key not in self._tasks:
            self._tasks[key] = self._bar.add_task(description, total=total)
        self._bar.update(
            self._tasks[key], description=description, completed=completed, total=total
        )

    def clone_step(self, stage: str, percent: float | None) -> None:
        self._update("clone", f"git: {stage.lower()}", percent or 0, 100)

    def note(self, message: str) -> None:
        """A long step started (a tool, a container run): shown as the current activity."""
        if self._bar is None:
            return
        if "note" not in self._tasks:
            self._tasks["note"] = self._bar.add_task(message, total=None)
        self._bar.update(self._tasks["note"], description=message)

    def probe_step(self, name: str, done: int, total: int) -> None:
        self._update("probes", f"probes ({name})", done, total)
