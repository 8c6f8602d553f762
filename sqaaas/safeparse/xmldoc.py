"""XML from untrusted files (test reports written by the assessed code), bounded.

defusedxml refuses entity declarations and external references, which stops the classic
XML bombs (billion laughs, XXE); the tree builder here adds what it does not bound: the
size of the document, the nesting of elements and their number.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # nosec B405 - the builder and types; defusedxml parses
from typing import TYPE_CHECKING

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from sqaaas.safeparse.bounds import (
    DEFAULT_LIMITS,
    Limits,
    ParseError,
    check_size,
    too_deep,
    too_many,
)

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element  # nosec B405 - a type

_KIND = "XML"


class _BoundedBuilder(ET.TreeBuilder):
    """The standard tree builder, refusing elements past the depth and count limits."""

    def __init__(self, limits: Limits, source: str) -> None:
        super().__init__()
        self.limits, self.source = limits, source
        self.depth = self.elements = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.depth += 1
        self.elements += 1
        if self.depth > self.limits.max_depth:
            raise too_deep(self.source, _KIND, self.limits)
        if self.elements > self.limits.max_nodes:
            raise too_many(self.source, _KIND, self.limits)
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self.depth -= 1
        return super().end(tag)


def load_xml(data: bytes, *, source: str, limits: Limits = DEFAULT_LIMITS) -> Element:
    """The root element of an XML document, bounded; DTD entities and external references
    refused. Raises ParseError (ParseLimitError for a bound) naming ``source``."""
    check_size(data, source=source, kind=_KIND, limits=limits)
    parser = SafeET.XMLParser(target=_BoundedBuilder(limits, source))
    try:
        parser.feed(data)
        return parser.close()
    except DefusedXmlException as exc:
        raise ParseError(
            source, f"XML refused: it declares entities ({type(exc).__name__})"
        ) from None
    except ET.ParseError as exc:
        position = getattr(exc, "position", None)
        raise ParseError(
            source, f"invalid XML: {exc}", position[0] if position else None
        ) from None
    except (ValueError, RecursionError) as exc:
        raise ParseError(source, f"invalid XML: {exc}") from None
