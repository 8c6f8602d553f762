"""Local documents a user names (a pipeline spec, a JePL configuration and its compose
file), read as bounded UTF-8 text for the loaders.

The file may come from a repository: it may be huge, a FIFO that never ends, or not text.
It is opened without blocking, must be a regular file, and is read no further than the size
limit, so refusing it costs nothing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqaaas.safeparse.bounds import DEFAULT_LIMITS, Limits, ParseError, check_size


def read_document(path: Path, *, kind: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """The text of ``path`` (UTF-8, BOM tolerated).

    Raises OSError when it cannot be opened (the caller words that), ParseLimitError when it
    is larger than ``limits.max_bytes``, ParseError when it is no regular file or not UTF-8.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ParseError(str(path), "not a regular file")
        data = handle.read(limits.max_bytes + 1)
    check_size(data, source=str(path), kind=kind, limits=limits)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(str(path), f"not UTF-8 text (byte {exc.start})") from None
