"""Licence texts normalised for comparison: the same licence reads the same however typeset."""

from __future__ import annotations

import re

_COPYRIGHT_LINE = re.compile(r"^[ \t]*(?:Copyright\b|\([Cc]\)\s|©).*$", re.MULTILINE)
_PUNCTUATION = str.maketrans(  # typographic quotes and dashes -> ASCII
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)
_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Drop copyright lines, unify quotes/dashes and case, collapse whitespace."""
    text = _COPYRIGHT_LINE.sub("", text).translate(_PUNCTUATION).lower()
    return _WHITESPACE.sub(" ", text).strip()

