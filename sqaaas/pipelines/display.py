"""Live per-step status of ``sqaaas run`` on stderr: the running step with its elapsed time
(a spinner on a terminal), then one line per finished step; nothing with ``--quiet``."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from sqaaas.pipelines.results import STYLE, StepResult
from sqaaas.pipelines.run import Listener


class StepDisplay:
    """Context manager whose ``listener`` feeds ``run_pipeline``'s progress to stderr."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.console = Console(stderr=True, highlight=False)
        self._live: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> StepDisplay:
        if self.enabled and self.console.is_terminal:
            self._live = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._live.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.__exit__(kind, exc, tb)

    @property
    def listener(self) -> Listener:
        return Listener(started=self.started, finished=self.finished)

    def started(self, name: str, criterion: str) -> None:
        if not self.enabled:
            return
        if self._live is None:
            self.console.print(f"{name} ({criterion}): running")
            return
        self._task = self._live.add_task(f"{name} ({criterion})", total=None)

    def finished(self, result: StepResult) -> None:
        if not self.enabled:
            return
        if self._live is not None and self._task is not None:
            self._live.remove_task(self._task)
            self._task = None
        style = STYLE[result.status]
        detail = f" - {result.reason}" if result.status.value != "pass" else ""
        self.console.print(
            f"{result.name} ({result.criterion}): [{style}]{result.status.value}[/] "
            f"in {result.seconds:.1f} s{detail}"
        )
