"""What a badge scheme is called where people read it: credential names, images, CLI lines.

A FAIR badge and a quality badge of the same level must not look alike, so each scheme has
its own title (in the credential's name) and image label (the grey left side of the image).
"""

from __future__ import annotations

#: scheme -> (title in credential and achievement names, label on the badge image)
_NAMES = {
    "software": ("Software quality", "sqaaas"),
    "fair": ("FAIR software", "sqaaas FAIR"),
}


def scheme_title(scheme: str) -> str:
    """``Software quality``, ``FAIR software``; ``<Scheme> quality`` for other schemes."""
    return _NAMES.get(scheme, (f"{scheme.capitalize()} quality", ""))[0]


def image_label(scheme: str) -> str:
    """The text on the left of the badge image: ``sqaaas``, ``sqaaas FAIR``, ``sqaaas <scheme>``."""
    return _NAMES.get(scheme, ("", f"sqaaas {scheme}"))[1]
