"""A small on-disk cache of JSON results keyed by content, under the sqaaas cache dir.

Used where recomputing is slow but the inputs are fully known (tool runs keyed by file
contents and tool version, schema validation keyed by the document): a warm assessment of
an unchanged tree then does no heavy work at all. Corrupt or unreadable entries are misses.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

from sqaaas.errors import SqaaasError
from sqaaas.fileio import write_atomic
from sqaaas.paths import default_cache_dir


def make_key(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def _file(namespace: str, key: str, cache_dir: Path | None) -> Path:
    return (cache_dir or default_cache_dir()) / namespace / key[:2] / f"{key}.json"


def load(namespace: str, key: str, cache_dir: Path | None = None) -> Any | None:
    try:
        return json.loads(_file(namespace, key, cache_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store(namespace: str, key: str, data: Any, cache_dir: Path | None = None) -> None:
    """Write atomically; a cache that cannot be written is simply not used."""
    with contextlib.suppress(SqaaasError):
        write_atomic(_file(namespace, key, cache_dir), json.dumps(data).encode("utf-8"))
