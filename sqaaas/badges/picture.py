"""A badge image must show what its signed credential states, and nothing else.

The signature covers the credential baked into an image, not the picture around it: anyone
can edit the visible "bronze" of a baked SVG into "gold" and the credential still verifies.
So the verifier re-renders the image from the *verified* scheme and level (the label names
the scheme, the message the level; the images show no subject or dates) and compares:

- SVG: the document less the baked credential elements, in canonical XML (C14N 2.0: attribute
  order, namespace prefixes and whitespace around text do not count; comments are not drawn;
  processing instructions such as an ``xml-stylesheet`` do count), must equal the rendering.
  Re-serialising a badge (another baking tool) keeps it valid; any change of text, colour,
  shape or style makes it invalid.
- PNG: the pixels must equal the rendering's, and the chunks that change how pixels show
  (gamma, colour profile, transparency, animation frames, orientation ...) must be the
  rendering's: only text chunks (where credentials are baked) may be added.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET  # nosec B405 - canonicalises an SVG defusedxml vetted
from collections.abc import Callable

from PIL import Image

from sqaaas.badges import artwork, png, svgxml
from sqaaas.badges.errors import BadgeFormatError
from sqaaas.badges.labels import image_label

#: PNG chunks that never change what is drawn: text, where baking puts the credentials
_TEXT_CHUNKS = frozenset({b"iTXt", b"tEXt", b"zTXt"})


def _canonical_svg(data: bytes) -> str:
    svgxml.parse(data)  # vetted first: no DTD, no entities, an <svg> root
    text = data.decode("utf-8")
    return ET.canonicalize(text, strip_text=True, exclude_tags=artwork.BAKED_TAGS)


def _svg_texts(data: bytes) -> str:
    """The texts an SVG draws, joined as ``label | message`` for the reason of a mismatch."""
    root = svgxml.parse(data)
    texts = [
        " ".join("".join(el.itertext()).split())
        for el in root.iter() if isinstance(el.tag, str) and el.tag.endswith("}text")
    ]
    return " | ".join(t for t in texts if t) or "no text"


def _drawn_chunks(data: bytes) -> list[bytes]:
    return [c.kind for c in png.chunks(data) if c.kind not in _TEXT_CHUNKS]


def _pixels(data: bytes, size: tuple[int, int]) -> bytes | None:
    """The RGBA pixels of a PNG of ``size`` (None for another size: never decoded)."""
    with Image.open(io.BytesIO(data)) as image:
        if image.size != size:
            return None
        return image.convert("RGBA").tobytes()


def _png_matches(data: bytes, expected: bytes) -> bool:
    if _drawn_chunks(data) != _drawn_chunks(expected):
        return False
    with Image.open(io.BytesIO(expected)) as image:
        size = image.size
        wanted = image.convert("RGBA").tobytes()
    try:
        return _pixels(data, size) == wanted
    except (OSError, ValueError, Image.DecompressionBombError):
        return False


def mismatch(data: bytes, kind: str, scheme: str, level: str) -> str | None:
    """Why the ``kind`` (``SVG``/``PNG``) image ``data`` does not show the badge of
    ``scheme`` at ``level``; None when it shows exactly that."""
    label = image_label(scheme)
    shows = f"'{label} | {level}'"
    checks: dict[str, Callable[[], str | None]] = {
        "SVG": lambda: None if _canonical_svg(data) == _canonical_svg(
            artwork.render_svg(level, label).encode("utf-8")
        ) else f"it reads '{_svg_texts(data)}'",
        "PNG": lambda: None if _png_matches(data, artwork.render_png(level, label))
        else "its pixels or display chunks differ",
    }
    check = checks.get(kind)
    if check is None:
        return None
    try:
        problem = check()
    except (BadgeFormatError, ET.ParseError, UnicodeDecodeError, ValueError) as exc:
        problem = f"it cannot be read ({exc})"
    if problem is None:
        return None
    return (
        f"the image does not show what the signed credential states ({shows}): {problem}"
    )
