"""Safe SVG parsing and byte-exact edits of the root element, for baking.

Parsing goes through defusedxml with DTDs forbidden, so entity expansion (billion laughs)
and external entities (XXE) never happen. Baking edits the text of the root start tag
instead of re-serialising the tree, so the rest of the image stays exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.parsers import expat

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError

from sqaaas.badges.errors import BadgeFormatError
from sqaaas.badges.limits import check_size

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element  # nosec B405 - a type; defusedxml parses

SVG_NS = "http://www.w3.org/2000/svg"


def parse(data: bytes) -> Element:
    """Parse an untrusted SVG document and return its ``<svg>`` root element."""
    check_size(data, "SVG")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as err:
        raise BadgeFormatError(
            f"SVG refused: it declares a DTD or entities ({type(err).__name__}); "
            "badges never need them and they enable entity-expansion and XXE attacks"
        ) from err
    except (ParseError, ValueError) as err:
        raise BadgeFormatError(f"not a well-formed SVG document: {err}") from err
    if root.tag not in (f"{{{SVG_NS}}}svg", "svg"):
        raise BadgeFormatError(f"not an SVG document (root element is {root.tag!r})")
    return root


@dataclass(frozen=True)
class RootTag:
    """Where the root start tag sits in the document bytes, and what it declares."""

    start: int  # offset of "<"
    end: int  # offset just after ">"
    self_closing: bool
    attributes: dict[str, str]


class _Found(Exception):
    """Stops expat at the root element (nothing after it is needed)."""


def root_tag(data: bytes) -> RootTag:
    """Locate the root start tag of an SVG (run :func:`parse` first to vet the document)."""
    parser = expat.ParserCreate()
    found: list[tuple[int, dict[str, str]]] = []

    def start(_name: str, attributes: dict[str, str]) -> None:
        found.append((parser.CurrentByteIndex, attributes))
        raise _Found

    def doctype(*_args: object) -> None:
        raise BadgeFormatError("SVG refused: it declares a DTD")

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except _Found:
        pass
    except expat.ExpatError as err:
        raise BadgeFormatError(f"not a well-formed SVG document: {err}") from err
    if not found or found[0][0] < 0:
        raise BadgeFormatError("SVG root element not found")
    begin, attributes = found[0]
    end = _tag_end(data, begin)
    return RootTag(begin, end, data[: end - 1].rstrip().endswith(b"/"), attributes)


def _tag_end(data: bytes, begin: int) -> int:
    """Offset after the ``>`` closing the tag at ``begin``; quoted values may hold ``>``."""
    quote: int | None = None
    for pos in range(begin, len(data)):
        byte = data[pos]
        if quote is not None:
            if byte == quote:
                quote = None
        elif byte in b"\"'":
            quote = byte
        elif byte == ord(">"):
            return pos + 1
    raise BadgeFormatError("SVG root start tag is not closed")


def insert_in_root(data: bytes, declarations: str, children: str) -> bytes:
    """Add namespace ``declarations`` to the root tag and ``children`` as its first content."""
    tag = root_tag(data)
    head = data[: tag.end - 1].rstrip()
    if tag.self_closing:
        head = head[:-1].rstrip()
        name = data[tag.start + 1 : tag.end].split(None, 1)[0].rstrip(b"/>")
        tail = b"</" + name + b">" + data[tag.end :]
    else:
        tail = data[tag.end :]
    return head + declarations.encode() + b">" + children.encode() + tail
