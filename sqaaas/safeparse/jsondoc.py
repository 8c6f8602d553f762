"""JSON from untrusted files and answers, bounded.

The C decoder is fast and builds compact objects, so it runs first on a size-checked text:
integers go through a hook that refuses long digit strings before ``int()`` does, nesting
deeper than the interpreter allows becomes a limit error instead of a RecursionError, and
the result is then walked (without recursion) for depth and number of values.
"""

from __future__ import annotations

import json
from typing import Any

from sqaaas.safeparse.bounds import (
    DEFAULT_LIMITS,
    Limits,
    ParseError,
    check_size,
    check_tree,
    integer_too_long,
    too_deep,
)

_KIND = "JSON"


def load_json(
    text: str | bytes, *, source: str, limits: Limits = DEFAULT_LIMITS, size: int | None = None
) -> Any:
    """The value of a JSON document, bounded. ``size`` is the real size when ``text`` is a
    capped read. Raises ParseError (ParseLimitError for a bound) naming ``source``; never
    a JSONDecodeError, ValueError or RecursionError."""
    check_size(text, source=source, kind=_KIND, limits=limits, size=size)

    def bounded_int(digits: str) -> int:
        if len(digits.lstrip("-")) > limits.max_int_digits:
            raise integer_too_long(source, _KIND, limits)
        return int(digits)

    try:
        data = json.loads(text, parse_int=bounded_int)
    except json.JSONDecodeError as exc:
        raise ParseError(
            source, f"invalid JSON: {exc.msg} (column {exc.colno})",
            exc.lineno,
        ) from None
    except RecursionError:
        raise too_deep(source, _KIND, limits) from None
    except ValueError as exc:  # bytes in no JSON encoding, or int() past Python's own bound
        raise ParseError(source, f"invalid JSON: {exc}") from None
    check_tree(data, source=source, kind=_KIND, limits=limits)
    return data
