"""Atomic file writes and bounded reads, shared by every command that writes files.

A reader never sees half a file: reports, generated pipelines, cached results and the
issuer's published files are replaced atomically. Private keys are created with O_EXCL and
mode 0600 from the first byte, so no other user can open them in between.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqaaas.errors import SqaaasError


def write_atomic(
    path: Path,
    data: bytes,
    *,
    mode: int = 0o644,
    replace: bool = True,
    error: type[SqaaasError] = SqaaasError,
) -> None:
    """Write ``data`` to ``path`` through a fresh temporary file in the same folder.

    ``replace=False`` refuses to overwrite an existing ``path`` (the final step is a hard
    link, which fails atomically when the name is taken). Missing parent folders are
    created. Failures raise ``error`` with a one-line message.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, flags, mode)
        try:
            os.fchmod(fd, mode)
            with os.fdopen(fd, "wb", closefd=False) as handle:
                handle.write(data)
                handle.flush()
                os.fsync(fd)
        finally:
            os.close(fd)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    except FileExistsError:
        raise error(f"{path} already exists (refusing to overwrite it)") from None
    except OSError as exc:
        raise error(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def read_bounded(path: Path, limit: int, what: str, error: type[SqaaasError]) -> bytes:
    """Read a small input file (report, key set, list), refusing one larger than ``limit``."""
    try:
        if path.stat().st_size > limit:
            raise error(f"{what} {path} is larger than {limit} bytes")
        return path.read_bytes()
    except FileNotFoundError:
        raise error(f"{what} {path} not found") from None
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None
