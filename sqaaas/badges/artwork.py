"""Badge images (SVG and PNG) and Open Badges baking: credentials carried inside the image.

Open Badges 2.0 bakes a signed assertion (compact JWS): SVG ``<openbadges:assertion
verify="..."/>`` in the ``http://openbadges.org`` namespace, PNG iTXt keyword ``openbadges``.
Open Badges 3.0 bakes a VC-JWT: SVG ``<credential verify="..."/>`` in the
``https://purl.imsglobal.org/ob/v3p0`` namespace, PNG iTXt keyword ``openbadgecredential``.
One SVG carries both, and one prefix cannot name two namespaces: the 2.0 element gets the
prefix ``openbadges`` exactly as the 2.0 baking specification shows (1EdTech's reference
bakery matches that literal text), the 3.0 one ``openbadges3`` (a namespace-aware reader
finds it by its namespace URI).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from PIL import Image, ImageDraw, ImageFont

from sqaaas.badges import png, svgxml
from sqaaas.badges.errors import BadgeFormatError
from sqaaas.badges.layout import FONT_SIZE, Badge, estimate_width, layout
from sqaaas.datafiles import data_path

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element  # nosec B405 - a type; defusedxml parses

OB3_NS = "https://purl.imsglobal.org/ob/v3p0"
OB2_NS = "http://openbadges.org"
OB3_PNG_KEYWORD = "openbadgecredential"
OB2_PNG_KEYWORD = "openbadges"
PNG_SCALE = 2  # PNG pixels per SVG px: crisp text on high-density screens and in backpacks

_OB3_TAG = f"{{{OB3_NS}}}credential"
_OB2_TAG = f"{{{OB2_NS}}}assertion"
#: the elements baking adds to an SVG (not part of what the image shows)
BAKED_TAGS = frozenset({_OB3_TAG, _OB2_TAG})
OB2_PREFIX = "openbadges"
OB3_PREFIX = "openbadges3"
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class BakedCredentials:
    """What a baked image carries: an OB 3.0 VC-JWT and/or an OB 2.0 signed assertion."""

    ob3_jwt: str | None = None
    ob2_jws: str | None = None


# --- rendering -------------------------------------------------------------------------


def _px(value: float) -> str:
    """A coordinate as short SVG text: at most one decimal, no trailing zeros."""
    return f"{round(value, 1):g}"


@cache
def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(data_path("badges")),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["px"] = _px
    return env


def render_svg(level: str, label: str = "sqaaas", message: str | None = None) -> str:
    """A flat, un-baked SVG badge: ``label`` on grey, ``message`` (default: level) in colour."""
    badge = layout(level, label, message)
    return _templates().get_template("badge.svg.j2").render(b=badge)


def render_png(level: str, label: str = "sqaaas", message: str | None = None) -> bytes:
    """The same badge as :func:`render_svg`, drawn with Pillow at ``PNG_SCALE``."""
    font = ImageFont.load_default(size=PNG_SCALE * FONT_SIZE)
    if not isinstance(font, ImageFont.FreeTypeFont):
        raise BadgeFormatError("Pillow was built without FreeType; PNG badges need it")

    def measure(text: str) -> float:
        return max(estimate_width(text), font.getlength(text) / PNG_SCALE)

    badge = layout(level, label, message, measure)
    return _draw(badge, font)


def _draw(badge: Badge, font: ImageFont.FreeTypeFont) -> bytes:
    """Paint the two boxes and texts, then round the corners through the alpha channel."""
    scale = PNG_SCALE
    size = (round(badge.width * scale), round(badge.height * scale))
    image = Image.new("RGB", size, badge.label.background)
    draw = ImageDraw.Draw(image)
    split = round(badge.message.x * scale)
    draw.rectangle((split, 0, size[0], size[1]), fill=badge.message.background)
    for part in (badge.label, badge.message):
        draw.text(
            (part.centre * scale, badge.baseline * scale),
            part.value,
            fill=part.text,
            font=font,
            anchor="ms",
        )
    image.putalpha(_rounded_mask(size, badge.radius * scale))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _rounded_mask(size: tuple[int, int], radius: float) -> Image.Image:
    """An alpha mask with rounded corners, drawn 4x larger and reduced for smooth edges."""
    big = Image.new("L", (size[0] * 4, size[1] * 4), 0)
    box = (0, 0, big.width - 1, big.height - 1)
    ImageDraw.Draw(big).rounded_rectangle(box, radius=radius * 4, fill=255)
    return big.resize(size, Image.Resampling.BOX)


# --- baking ----------------------------------------------------------------------------


def _checked_token(token: str, what: str) -> str:
    if not _COMPACT_JWS.fullmatch(token):
        raise BadgeFormatError(f"{what} to bake is not a compact JWS (header.payload.signature)")
    return token


def bake_svg(svg: str, token: str, *, ob2_jws: str | None = None) -> str:
    """Bake an OB 3.0 VC-JWT (and optionally an OB 2.0 JWS) into an un-baked SVG."""
    data = svg.encode("utf-8")
    if _credentials_in(svgxml.parse(data)) != BakedCredentials():
        raise BadgeFormatError("SVG already carries a baked credential; bake an un-baked image")
    tag = svgxml.root_tag(data)
    wanted = {}
    if ob2_jws is not None:  # first: the 2.0 baking specification puts it first
        wanted[OB2_PREFIX] = (OB2_NS, "assertion", _checked_token(ob2_jws, "OB 2.0 assertion"))
    wanted[OB3_PREFIX] = (OB3_NS, "credential", _checked_token(token, "credential"))
    declarations = ""
    children = ""
    for prefix, (namespace, element, value) in wanted.items():
        declared = tag.attributes.get(f"xmlns:{prefix}")
        if declared is None:
            declarations += f' xmlns:{prefix}="{escape(namespace)}"'
        elif declared != namespace:
            raise BadgeFormatError(f"SVG already binds the prefix {prefix!r} to {declared!r}")
        children += f'<{prefix}:{element} verify="{escape(value)}"/>'
    baked = svgxml.insert_in_root(data, declarations, children)
    if extract_from_svg(baked) != BakedCredentials(token, ob2_jws):
        raise BadgeFormatError("baking the SVG did not round-trip; the input is unusual")
    return baked.decode("utf-8")


def extract_from_svg(data: bytes | str) -> BakedCredentials:
    """The credentials baked into an SVG (``None`` where absent), parsed safely."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return _credentials_in(svgxml.parse(data))


def _credentials_in(root: Element) -> BakedCredentials:
    """Read the credential elements among the root's children (where baking puts them)."""
    found: dict[str, str | None] = {_OB3_TAG: None, _OB2_TAG: None}
    for child in root:
        if child.tag not in found:
            continue
        if found[child.tag] is not None:
            raise BadgeFormatError("SVG carries more than one baked credential of the same kind")
        verify = child.get("verify")
        if not verify:
            raise BadgeFormatError(
                "SVG credential element has no verify attribute (only signed badges are supported)"
            )
        found[child.tag] = verify
    return BakedCredentials(found[_OB3_TAG], found[_OB2_TAG])


def bake_png(data: bytes, token: str, *, ob2_jws: str | None = None) -> bytes:
    """Bake credentials into a PNG as iTXt chunks just before IEND; pixels stay untouched."""
    if extract_from_png(data) != BakedCredentials():
        raise BadgeFormatError("PNG already carries a baked credential; bake an un-baked image")
    extra = png.itxt(OB3_PNG_KEYWORD, _checked_token(token, "credential"))
    if ob2_jws is not None:
        extra += png.itxt(OB2_PNG_KEYWORD, _checked_token(ob2_jws, "OB 2.0 assertion"))
    return png.insert_before_iend(data, extra)


def extract_from_png(data: bytes) -> BakedCredentials:
    """The credentials baked into a PNG, after checking its whole chunk structure."""
    found: dict[str, str | None] = {OB3_PNG_KEYWORD: None, OB2_PNG_KEYWORD: None}
    for keyword, text in png.texts(data):
        if keyword not in found:
            continue
        if found[keyword] is not None:
            raise BadgeFormatError(f"PNG carries more than one {keyword!r} iTXt chunk")
        found[keyword] = text
    return BakedCredentials(found[OB3_PNG_KEYWORD], found[OB2_PNG_KEYWORD])
