"""Text from an assessed repository made safe to write out as UTF-8.

File and ref names are bytes: one that is not UTF-8 is read as a ``str`` holding lone
surrogates (``os.fsdecode``), which round-trips to the file system but cannot be encoded
to UTF-8, so a JSON report (or a terminal) naming it would fail. JSON and YAML texts can
also spell lone surrogates (``"\\udce9"``). Reports show such characters escaped instead:
``caf\\xe9.py`` for the byte 0xE9, ``\\ud800`` for a surrogate from a text.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

_ESCAPED_BYTES = range(0xDC80, 0xDD00)  # how surrogateescape holds the bytes 0x80-0xFF
_SURROGATES = range(0xD800, 0xE000)


def printable(text: str) -> str:
    """``text`` unchanged when it is valid Unicode; else its lone surrogates escaped."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    return "".join(_escaped(ch) for ch in text)


def _escaped(ch: str) -> str:
    code = ord(ch)
    if code in _ESCAPED_BYTES:
        return f"\\x{code - 0xDC00:02x}"
    if code in _SURROGATES:
        return f"\\u{code:04x}"
    return ch


#: A ``str`` field of a report model: names from the repository are escaped, never fatal.
Printable = Annotated[str, AfterValidator(printable)]
