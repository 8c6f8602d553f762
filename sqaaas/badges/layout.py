"""Geometry and colours of a badge, shared by the SVG template and the PNG drawing.

Both renderers take the same :class:`Badge`, so the two images cannot drift apart. Text widths
are estimated from a small table of Verdana 11px advance widths (the font the SVG asks for);
characters outside the table count as a full em, so an unusual label is over- rather than
under-estimated, and the SVG pins each text to its slot with ``textLength``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sqaaas.badges.errors import BadgeFormatError
from sqaaas.core.catalogue import default_catalogue
from sqaaas.datafiles import data_path, load_yaml

HEIGHT = 20.0
FONT_SIZE = 11.0
BASELINE = 14.0
PADDING = 6.0  # on each side of a text
RADIUS = 3.0
MAX_TEXT = 64  # characters in a label or message

# Verdana 11px advance widths; grouped by width to keep the table readable.
_WIDTHS: dict[str, float] = {
    **dict.fromkeys("il'", 3.0),
    **dict.fromkeys("j.,:; ", 3.9),
    **dict.fromkeys("frt()[]!", 4.5),
    **dict.fromkeys('-"/\\|I', 5.0),
    **dict.fromkeys("csz*`", 5.8),
    **dict.fromkeys("Jkvxy?", 6.5),
    **dict.fromkeys("abdeghnopqu0123456789$_{}FLP", 7.0),
    **dict.fromkeys("ABCEKRSTVXYZ", 7.6),
    **dict.fromkeys("DGHNUOQ&", 8.5),
    **dict.fromkeys("w#+<=>^~", 9.3),
    **dict.fromkeys("mMW@%", 11.0),
}
_EM = FONT_SIZE
# Printable text only: no control characters (C0, DEL, C1), surrogates or XML non-characters.
_PRINTABLE = re.compile(r"[\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]+")

Measure = Callable[[str], float]


def estimate_width(text: str) -> float:
    """Estimated rendered width of ``text`` in px at the badge's font size."""
    return sum(_WIDTHS.get(char, _EM) for char in text)


class Scheme(BaseModel):
    """A background colour and the text colour drawn on it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    background: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    text: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")


class Palette(BaseModel):
    """The colours in ``badges/levels.yml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: Scheme
    levels: dict[str, Scheme] = Field(min_length=1)


@cache
def palette() -> Palette:
    """Load and validate the badge colours once: a colour pair for "none" and for exactly
    the levels of criteria/badges.yml (the level names are listed there only)."""
    path = data_path("badges") / "levels.yml"
    try:
        colours = Palette.model_validate(load_yaml(path))
    except (OSError, ValidationError) as err:
        raise BadgeFormatError(f"{path} is invalid: {err}") from err
    default_catalogue().check_level_table(colours.levels, f"{path}: levels")
    return colours


@dataclass(frozen=True)
class Part:
    """One side of the badge: its box, colours and text."""

    value: str
    x: float
    width: float
    text_width: float
    background: str
    text: str

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Badge:
    """Everything needed to draw a badge, in SVG user units (px)."""

    label: Part
    message: Part
    height: float = HEIGHT
    font_size: float = FONT_SIZE
    baseline: float = BASELINE
    radius: float = RADIUS

    @property
    def width(self) -> float:
        return self.label.width + self.message.width

    @property
    def title(self) -> str:
        return f"{self.label.value}: {self.message.value}"


def _checked_text(what: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise BadgeFormatError(f"badge {what} is empty")
    if len(value) > MAX_TEXT:
        raise BadgeFormatError(f"badge {what} is longer than {MAX_TEXT} characters")
    if not _PRINTABLE.fullmatch(value):
        raise BadgeFormatError(f"badge {what} contains control or non-printable characters")
    return value


def _part(value: str, x: float, measure: Measure, scheme: Scheme) -> Part:
    text_width = round(measure(value), 1)
    return Part(value, x, text_width + 2 * PADDING, text_width, scheme.background, scheme.text)


def layout(level: str, label: str, message: str | None, measure: Measure = estimate_width) -> Badge:
    """Place label and message side by side, each box wide enough for its text."""
    colours = palette()
    scheme = colours.levels.get(level)
    if scheme is None:
        known = ", ".join(colours.levels)
        raise BadgeFormatError(f"unknown badge level {level!r} (known: {known})")
    label = _checked_text("label", label)
    message = _checked_text("message", level if message is None else message)
    left = _part(label, 0.0, measure, colours.label)
    return Badge(left, _part(message, left.width, measure, scheme))
