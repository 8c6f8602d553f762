"""Consoles for text written to stdout or to a file.

On a terminal the reader's window decides the width and Rich lays the text out for it. A CI
log, a pipe or a file has no width to respect, and there a cut evidence path (``src/…``) or
a folded ``path:line`` is lost for good: nobody can widen the window afterwards. So output
that is not for a terminal gets a console that grows to fit what it prints.
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

from rich.console import Console
from rich.measure import Measurement
from rich.protocol import is_renderable

#: width of non-terminal text when $COLUMNS is not set (lines that need more get more)
DEFAULT_WIDTH = 120
#: how wide a renderable is measured against: "unlimited" for any real report
_UNLIMITED = 1_000_000


class FittingConsole(Console):
    """A console at least ``width`` wide that widens each print to the natural width of what
    it prints, so no table cell, evidence path or line number is wrapped, folded or cut."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        base = self.width
        unlimited = self.options.update_width(_UNLIMITED)
        needed = [
            Measurement.get(self, unlimited, item).maximum
            for item in objects
            if is_renderable(item)  # anything else Rich pretty-prints at the base width
        ]
        self.width = max([base, *needed])
        try:
            with self.capture() as captured:
                super().print(*objects, **kwargs)
        finally:
            self.width = base
        # Rich pads every row to the widest one: hundreds of trailing blanks in a CI log
        self.file.write("\n".join(line.rstrip() for line in captured.get().split("\n")))

    def on_broken_pipe(self) -> None:
        """The reader left (``sqaaas criteria | head``) while Rich itself was writing (a rule,
        a line): end as every closed pipe ends, through the command line's handler (exit
        141), not with Rich's own exit 1, which would depend on when the reader left."""
        raise BrokenPipeError


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal (not FORCE_COLOR's idea of one: CI logs set that)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def columns() -> int:
    """$COLUMNS when set to a positive number, else DEFAULT_WIDTH."""
    value = os.environ.get("COLUMNS", "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_WIDTH


def stdout_console() -> Console:
    """The console every text view of the CLI prints to: Rich's own on a terminal, a
    FittingConsole for CI logs and pipes (``sqaaas assess . | less``, ``> report.txt``)."""
    if is_terminal(sys.stdout):
        return Console()
    return FittingConsole(width=columns())
