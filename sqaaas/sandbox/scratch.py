"""The size-limited writable areas of one sandboxed run, and the memory they cost.

Assessed code may write without end; nothing it writes may land on the host's disk. Each
run therefore gets three tmpfs volumes of fixed size: /work (the repository's copy, its
virtualenv, whatever its build and tests write), /wheels (what the download step fetched;
read-only to every step that runs repository code) and /out (the reports). A tmpfs volume
loses its files when no container has it mounted, so a holder container keeps the three
mounted from the first step to the last. Files in a tmpfs are memory charged to the
container that writes them: each step's memory limit is its own budget plus the sizes of
the areas it may write (its /tmp included), so a full disk area is a clear "no space
left", not an out-of-memory kill.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from types import TracebackType

from sqaaas import interrupt
from sqaaas.platform.containers import Engine, Limits

_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
_SIZE = re.compile(r"^\s*(\d+)\s*([bkmg]?)\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes in a size as the engine writes it: ``512m``, ``2g``, ``65536``."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"not a size: {text!r}")
    return int(match[1]) * _UNITS[match[2].lower()]


@dataclass(frozen=True)
class ScratchSizes:
    """Sizes of the writable areas; the defaults suit ordinary projects."""

    work: str = "2g"
    wheels: str = "1g"
    out: str = "128m"


def with_areas(limits: Limits, *areas: str) -> Limits:
    """``limits`` with memory for the program plus its /tmp and the writable ``areas``."""
    total = sum(parse_size(size) for size in (limits.memory, limits.tmp_size, *areas))
    return replace(limits, memory=f"{-(-total // (1 << 20))}m")


class Scratch:
    """The three volumes of one run, held mounted while the run lasts (a context manager)."""

    def __init__(self, engine: Engine, image: str, sizes: ScratchSizes, seconds: float) -> None:
        self.engine = engine
        self.image = image
        self.sizes = sizes
        self.seconds = seconds
        self.work = self.wheels = self.out = ""
        self._holder: str | None = None

    def __enter__(self) -> Scratch:
        try:
            self.work = self.engine.create_volume("sqaaas-work", size=parse_size(self.sizes.work))
            self.wheels = self.engine.create_volume(
                "sqaaas-wheels", size=parse_size(self.sizes.wheels)
            )
            self.out = self.engine.create_volume("sqaaas-out", size=parse_size(self.sizes.out))
            volumes = [self.work, self.wheels, self.out]
            self._holder = self.engine.hold(self.image, volumes, self.seconds)
        except BaseException:
            self._remove()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._remove()

    def _remove(self) -> None:
        if interrupt.stopping():
            return  # stop_all removes all this process' containers and volumes at once
        if self._holder:
            self.engine.remove_container(self._holder)
        if volumes := [v for v in (self.work, self.wheels, self.out) if v]:
            self.engine.remove_volume(*volumes)
