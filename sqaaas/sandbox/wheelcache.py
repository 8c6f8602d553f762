"""Downloaded dependency wheels kept between sandboxed runs, keyed by what was asked for.

A changed tree runs its tests again, but its dependencies rarely change: each download step
is keyed by its request (requirement lines, constraints, the project's Requires-Dist), the
test image and the day (so unpinned requirements pick up new releases at least daily).
When the key is known, the wheels are copied back into the run's /wheels area by a step
without network, and nothing is downloaded. Entries are whole or absent: a download saves
into a folder of its own that is renamed into place only when the step succeeded. The
oldest entries go beyond ``KEEP``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from pathlib import Path

KEEP = 40  # entries; each is at most the /wheels area (1 GB by default), usually far less
_COMPLETE = ".complete"


class WheelCache:
    """The wheel folders of earlier downloads under ``root`` (the sandbox cache)."""

    def __init__(self, root: Path, image_id: str) -> None:
        self.root = root
        self.image_id = image_id

    def key(self, request: object) -> str:
        day = time.strftime("%Y-%m-%d", time.gmtime())
        text = json.dumps([request, self.image_id, day], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def find(self, key: str) -> Path | None:
        """The complete folder of ``key``, or None."""
        entry = self.root / key
        return entry if (entry / _COMPLETE).is_file() else None

    def reserve(self, key: str) -> Path:
        """A fresh folder the download step saves into (the contained user may write it)."""
        self.root.mkdir(parents=True, exist_ok=True)
        partial = self.root / f"{key}.partial-{os.getpid()}-{time.monotonic_ns()}"
        partial.mkdir(mode=0o777)
        partial.chmod(0o777)  # the step runs as an unprivileged user
        return partial

    def commit(self, key: str, partial: Path) -> None:
        """Make ``partial`` the entry of ``key`` (unless another run was first)."""
        (partial / _COMPLETE).write_text("", encoding="utf-8")
        try:
            partial.rename(self.root / key)
        except OSError:  # another run stored the same key meanwhile: theirs is as good
            shutil.rmtree(partial, ignore_errors=True)
        self._prune()

    @staticmethod
    def discard(partial: Path) -> None:
        shutil.rmtree(partial, ignore_errors=True)

    def _prune(self) -> None:
        """Keep the ``KEEP`` newest entries; drop partial folders of runs long gone."""
        entries = [p for p in self.root.iterdir() if (p / _COMPLETE).is_file()]
        stale = sorted(entries, key=lambda p: p.stat().st_mtime)[:-KEEP]
        day_ago = time.time() - 86_400
        stale += [p for p in self.root.glob("*.partial-*") if p.stat().st_mtime < day_ago]
        for old in stale:
            with contextlib.suppress(OSError):
                shutil.rmtree(old)
