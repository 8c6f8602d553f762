"""TOML from untrusted files: a linear pre-scan bounds what tomllib would be made to do.

tomllib cannot be stopped half-way, and some inputs are ruinous for it: nested arrays and
inline tables recurse once per level; a dotted key of n parts stores n prefixes of it
(quadratic: 100,000 parts exhaust any memory); every key part and value becomes a Python
object. So the text is scanned first, strings and comments skipped, for the nesting of
brackets, the parts of dotted keys, the number of values and the length of bare tokens
(integers), and refused when one is over its bound. The parsed tables are checked again
(a table header adds levels the brackets do not show).
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from sqaaas.safeparse.bounds import (
    DEFAULT_LIMITS,
    Limits,
    ParseError,
    ParseLimitError,
    check_size,
    check_tree,
    integer_too_long,
    too_deep,
    too_many,
)

_KIND = "TOML"

#: One token of TOML text. Every alternative always matches where it starts (strings run
#: to the end of the line/text when unclosed), so the scan is linear on any input.
_TOKEN = re.compile(
    r'(?P<string>"""(?:[^\\]|\\[\s\S])*?(?:"""|\Z)|\'\'\'[\s\S]*?(?:\'\'\'|\Z)'
    r'|"(?:[^"\\\n]|\\.)*"?|\'[^\'\n]*\'?)'
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<open>[\[{])"
    r"|(?P<close>[\]}])"
    r"|(?P<dot>\.)"
    r"|(?P<bare>[A-Za-z0-9_+\-: \t]+)"  # keys, numbers, dates, booleans; blanks
    r"|(?P<other>[^\"'#\[\]{}.A-Za-z0-9_+\-: \t]+)"
)


def _prescan(text: str, source: str, limits: Limits) -> None:
    """Refuse before parsing: nesting, dotted-key parts, values, bare token length."""
    depth = 0
    parts = 1  # parts of the dotted key being read
    values = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            values += 1
            if depth > limits.max_depth:
                raise too_deep(source, _KIND, limits)
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "dot":
            parts += 1
            values += 1
            if parts > limits.max_depth:
                raise too_deep(source, _KIND, limits)
        elif kind == "bare":
            if match.end() - match.start() > limits.max_int_digits and any(
                len(word) > limits.max_int_digits for word in match.group().split()
            ):
                raise integer_too_long(source, _KIND, limits)
        elif kind == "other":
            token = match.group()
            values += token.count("=") + token.count(",")
        if kind not in ("dot", "bare", "string"):
            parts = 1  # only key parts, quoted or bare, and blanks continue a dotted key
        if values > limits.max_nodes:
            raise too_many(source, _KIND, limits)


def load_toml(
    text: str, *, source: str, limits: Limits = DEFAULT_LIMITS, size: int | None = None
) -> dict[str, Any]:
    """The tables of a TOML document, bounded. ``size`` is the file's real size when
    ``text`` is a capped read. Raises ParseError (ParseLimitError for a bound) naming
    ``source``; never tomllib's exceptions, a ValueError or a RecursionError."""
    check_size(text, source=source, kind=_KIND, limits=limits, size=size)
    _prescan(text, source, limits)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        problem = str(exc).split(" (at line", 1)[0]
        raise ParseError(
            source, f"invalid TOML: {problem}", int(found.group(1)) if found else None
        ) from None
    except RecursionError:
        raise too_deep(source, _KIND, limits) from None
    except ValueError as exc:  # int(): past sys.get_int_max_str_digits()
        if "digits" in str(exc):
            raise ParseLimitError(
                source, f"{_KIND} integer longer than Python reads ({exc})",
                limits.max_int_digits,
            ) from None
        raise ParseError(source, f"invalid TOML value: {exc}") from None
    check_tree(data, source=source, kind=_KIND, limits=limits)
    return data
