"""Write plain data (what tomllib reads) back as TOML, for the sanitised ruff configuration.

The standard library reads TOML but does not write it; the data here is small and simple
(strings, numbers, booleans, lists, tables), so every table is written inline.
"""

from __future__ import annotations

import json
import math
from typing import Any


def value(data: Any) -> str:
    """One TOML value (JSON's string escapes are valid TOML basic-string escapes)."""
    if isinstance(data, bool):
        return "true" if data else "false"
    if isinstance(data, int):
        return str(data)
    if isinstance(data, float):
        return repr(data) if math.isfinite(data) else ("nan" if data != data else
                                                       ("inf" if data > 0 else "-inf"))
    if isinstance(data, str):
        return json.dumps(data)
    if isinstance(data, list | tuple):
        return "[" + ", ".join(value(v) for v in data) + "]"
    if isinstance(data, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {value(v)}" for k, v in data.items()) + "}"
    return json.dumps(str(data))  # dates and times: as text


def document(data: dict[str, Any]) -> str:
    """Top-level ``key = value`` lines."""
    return "".join(f"{json.dumps(str(k))} = {value(v)}\n" for k, v in data.items())
