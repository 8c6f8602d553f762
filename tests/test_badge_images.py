"""Badge images: SVG/PNG rendering, Open Badges baking and safe extraction."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import pytest
from PIL import Image, ImageFont

from sqaaas.badges import png
from sqaaas.badges.artwork import (
    OB2_NS,
    OB3_NS,
    PNG_SCALE,
    BakedCredentials,
    bake_png,
    bake_svg,
    extract_from_png,
    extract_from_svg,
    render_png,
    render_svg,
)
from sqaaas.badges.errors import BadgeFormatError
from sqaaas.badges.layout import PADDING, estimate_width, layout, palette
from sqaaas.core.catalogue import default_catalogue
from sqaaas.platform.provision import DEV_TOOLS

SVG = "{http://www.w3.org/2000/svg}"
LEVELS = ("none", "bronze", "silver", "gold")
# pragma: allowlist nextline secret
JWT = "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGUub3JnIn0.c2lnbmF0dXJl"
# pragma: allowlist nextline secret
JWS = "eyJhbGciOiJSUzI1NiJ9.eyJ0eXBlIjoiQXNzZXJ0aW9uIn0.b3RoZXItc2lnbmF0dXJl"
HOSTILE = """<script>alert("x")</script> & 'q'"""
DEJAVU = DEV_TOOLS["fonts-dejavu-core"]


def parse(svg: str | bytes) -> Element:
    data = svg.encode() if isinstance(svg, str) else svg
    return SafeET.fromstring(data, forbid_dtd=True)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""

    def luminance(colour: str) -> float:
        def lin(c: int) -> float:
            s = c / 255
            return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

        r, g, b_ = (lin(c) for c in rgb(colour))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def chunk_kinds(data: bytes) -> list[bytes]:
    return [chunk.kind for chunk in png.chunks(data)]


# --- SVG rendering ----------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_svg_renders_each_level_with_its_colour_and_accessible_name(level: str) -> None:
    root = parse(render_svg(level))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == f"sqaaas: {level}"
    assert root.findtext(f"{SVG}title") == f"sqaaas: {level}"
    fills = [rect.get("fill") for rect in root.iter(f"{SVG}rect")]
    assert palette().levels[level].background in fills
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert texts == ["sqaaas", level]


def test_level_colours_are_distinct_and_readable() -> None:
    colours = palette()
    assert colours.levels["bronze"].background.lower() == "#cd7f32"
    backgrounds = {scheme.background for scheme in colours.levels.values()}
    assert len(backgrounds) == len(colours.levels)
    for scheme in [colours.label, *colours.levels.values()]:
        assert contrast(scheme.background, scheme.text) >= 4.5, scheme


def test_every_level_of_every_badge_scheme_has_colours() -> None:
    catalogue = default_catalogue()
    names = {level.name for scheme in catalogue.badges.values() for level in scheme.levels}
    assert names and names <= set(palette().levels)


def test_custom_label_and_message() -> None:
    root = parse(render_svg("silver", label="quality", message="silver 2024"))
    assert [t.text for t in root.iter(f"{SVG}text")] == ["quality", "silver 2024"]
    assert root.get("aria-label") == "quality: silver 2024"


def test_long_label_gets_a_wider_box_that_holds_its_text() -> None:
    short = parse(render_svg("gold", label="q"))
    label = "Research Software Quality Assurance as a Service badge"
    root = parse(render_svg("gold", label=label))
    assert float(root.get("width")) > float(short.get("width")) + 250
    rects = list(root.iter(f"{SVG}rect"))  # the clip path's rect comes first
    left = float(rects[1].get("width"))
    text = next(root.iter(f"{SVG}text"))
    assert float(text.get("textLength")) + 2 * PADDING == pytest.approx(left)
    assert float(text.get("x")) == pytest.approx(left / 2)
    assert float(rects[2].get("x")) == pytest.approx(left)


@pytest.mark.skipif(
    not DEJAVU.is_file(), reason="DejaVu Sans not installed: 'sqaaas setup --dev' installs it"
)
def test_width_table_does_not_underestimate_a_fallback_font() -> None:
    font = ImageFont.truetype(str(DEJAVU), 11)
    printable = "".join(chr(c) for c in range(0x20, 0x7F))
    narrow = [c for c in printable if estimate_width(c) < 0.95 * font.getlength(c)]
    assert narrow == []
    assert estimate_width("\u4e2d\u6587") == 22.0  # unknown characters count as a full em


def test_hostile_label_is_escaped_text_not_markup() -> None:
    svg = render_svg("bronze", label=HOSTILE, message='"></text><script>x</script>')
    assert "<script>" not in svg
    root = parse(svg)
    assert [e for e in root.iter() if e.tag.endswith("script")] == []
    assert [t.text for t in root.iter(f"{SVG}text")] == [HOSTILE, '"></text><script>x</script>']
    assert root.get("aria-label").startswith(HOSTILE)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": "platinum"}, "unknown badge level 'platinum'"),
        ({"level": "gold", "label": "  "}, "badge label is empty"),
        ({"level": "gold", "label": "a\x00b"}, "control or non-printable"),
        ({"level": "gold", "message": "line\nbreak"}, "control or non-printable"),
        ({"level": "gold", "label": "x" * 65}, "longer than 64"),
    ],
)
def test_bad_badge_input_is_refused(kwargs: dict[str, str], message: str) -> None:
    for render in (render_svg, render_png):
        with pytest.raises(BadgeFormatError, match=message):
            render(**kwargs)


# --- PNG rendering ----------------------------------------------------------------------


def test_png_matches_the_svg_geometry_and_colours(tmp_path: Path) -> None:
    data = render_png("bronze")
    (tmp_path / "bronze.png").write_bytes(data)
    badge = layout("bronze", "sqaaas", None)
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.format == "PNG"
        assert image.mode == "RGBA"
        assert image.size == (round(badge.width * PNG_SCALE), round(badge.height * PNG_SCALE))
        pixels = image.convert("RGBA")
    top = 2 * PNG_SCALE  # above the text
    assert pixels.getpixel((0, 0))[3] == 0  # rounded, transparent corner
    assert pixels.getpixel((4 * PNG_SCALE, top)) == (*rgb(badge.label.background), 255)
    right = round((badge.message.x + 2) * PNG_SCALE)
    assert pixels.getpixel((right, top)) == (*rgb(badge.message.background), 255)


def _text_columns(image: Image.Image, x0: int, x1: int, background: str) -> list[int]:
    """Columns in [x0, x1) whose middle rows hold any pixel other than ``background``."""
    bg = (*rgb(background), 255)
    rows = range(image.height // 4, 3 * image.height // 4)
    return [x for x in range(x0, x1) if any(image.getpixel((x, y)) != bg for y in rows)]


def test_png_text_is_drawn_inside_its_box_even_for_long_labels() -> None:
    label = "Research Software Quality WWW"
    badge = layout("gold", label, None)
    with Image.open(io.BytesIO(render_png("gold", label=label))) as image:
        pixels = image.convert("RGBA")
    gold = (*rgb(badge.message.background), 255)
    split = next(x for x in range(pixels.width) if pixels.getpixel((x, PNG_SCALE)) == gold)
    assert split >= round(badge.message.x * PNG_SCALE)  # at least the SVG's label box
    label_ink = _text_columns(pixels, 0, split, badge.label.background)
    message_ink = _text_columns(pixels, split, pixels.width, badge.message.background)
    assert label_ink and message_ink  # both texts were drawn
    margin = PNG_SCALE * 2
    assert label_ink[0] >= margin and label_ink[-1] < split - margin
    assert message_ink[0] >= split + margin and message_ink[-1] < pixels.width - margin
    darkest = min(pixels.getpixel((x, y))[:3] for x in message_ink for y in range(pixels.height))
    assert sum(darkest) < 150  # the level's dark text colour, not a faint smudge


# --- SVG baking -------------------------------------------------------------------------


def test_svg_bake_and_extract_round_trip_ob3_only() -> None:
    baked = bake_svg(render_svg("gold"), JWT)
    root = parse(baked)
    assert root[0].tag == f"{{{OB3_NS}}}credential"  # first child of <svg>
    assert root[0].get("verify") == JWT
    assert 'xmlns:openbadges3="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert extract_from_svg(baked.encode()) == BakedCredentials(ob3_jwt=JWT, ob2_jws=None)
    assert root.findtext(f"{SVG}title") == "sqaaas: gold"  # the image itself is intact


def test_svg_bake_and_extract_round_trip_ob3_and_ob2() -> None:
    baked = bake_svg(render_svg("silver"), JWT, ob2_jws=JWS)
    root = parse(baked)
    assert [child.tag for child in root[:2]] == [
        f"{{{OB2_NS}}}assertion",  # first, as the 2.0 baking specification shows it
        f"{{{OB3_NS}}}credential",
    ]
    # the literal prefix and element of the 2.0 baking specification (matched as text by
    # 1EdTech's reference bakery; tests/test_badge_ob2_validator.py unbakes with it)
    assert 'xmlns:openbadges="http://openbadges.org"' in baked
    assert f'<openbadges:assertion verify="{JWS}"/>' in baked
    assert extract_from_svg(baked.encode()) == BakedCredentials(JWT, JWS)


def test_unbaked_svg_extracts_nothing() -> None:
    assert extract_from_svg(render_svg("gold").encode()) == BakedCredentials(None, None)


def test_svg_double_baking_is_refused() -> None:
    baked = bake_svg(render_svg("gold"), JWT)
    with pytest.raises(BadgeFormatError, match="already carries a baked credential"):
        bake_svg(baked, JWT)


def test_svg_baked_by_an_ob2_tool_is_read_and_not_rebaked() -> None:
    foreign = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        f'<openbadges:assertion verify="{JWS}"/><rect width="1" height="1"/></svg>'
    )
    assert extract_from_svg(foreign.encode()) == BakedCredentials(None, JWS)
    with pytest.raises(BadgeFormatError, match="already carries"):
        bake_svg(foreign, JWT)


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"/>',
        '<svg xmlns="http://www.w3.org/2000/svg" width="1" />',
        '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- a > comment -->\n'
        '<svg xmlns="http://www.w3.org/2000/svg" aria-label="a > b &amp; \'c\'">'
        "<rect/></svg>",
        '<svg:svg xmlns:svg="http://www.w3.org/2000/svg"><svg:rect/></svg:svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:openbadges="http://openbadges.org"><rect/></svg>',
    ],
)
def test_svg_baking_handles_unusual_but_valid_roots(svg: str) -> None:
    baked = bake_svg(svg, JWT, ob2_jws=JWS)
    assert extract_from_svg(baked.encode()) == BakedCredentials(JWT, JWS)
    assert parse(baked.lstrip("\ufeff"))[0].tag == f"{{{OB2_NS}}}assertion"


@pytest.mark.parametrize("prefix", ["openbadges", "openbadges3"])
def test_svg_prefix_bound_elsewhere_is_refused(prefix: str) -> None:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:{prefix}="urn:other"><rect/></svg>'
    with pytest.raises(BadgeFormatError, match=f"already binds the prefix '{prefix}'"):
        bake_svg(svg, JWT, ob2_jws=JWS)


@pytest.mark.parametrize("token", ["", "a.b", 'a.b.c"/><script/>', "a.b.c d", "a..c"])
def test_only_compact_jws_tokens_are_baked(token: str) -> None:
    with pytest.raises(BadgeFormatError, match="not a compact JWS"):
        bake_svg(render_svg("gold"), token)
    with pytest.raises(BadgeFormatError, match="not a compact JWS"):
        bake_png(render_png("gold"), JWT, ob2_jws=token)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><title>&lol3;</title></svg>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><title>&xxe;</title></svg>"""
DOCTYPE_ONLY = b"""<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
 "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg"/>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE, DOCTYPE_ONLY], ids=["laughs", "xxe", "dtd"])
def test_svg_with_dtd_or_entities_is_rejected(data: bytes) -> None:
    with pytest.raises(BadgeFormatError, match="DTD or entities") as caught:
        extract_from_svg(data)
    assert "root:" not in str(caught.value)  # nothing from /etc/passwd leaked into the message
    with pytest.raises(BadgeFormatError, match="DTD or entities"):
        bake_svg(data.decode(), JWT)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body/></html>", "not an SVG document"),
        (b"\x89PNG\r\n\x1a\n", "not a well-formed SVG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'>", "not a well-formed SVG"),
        (b"<svg>" + b" " * (2 * 1024 * 1024) + b"</svg>", "larger than 2 MB"),
    ],
)
def test_non_svg_input_is_rejected(data: bytes, message: str) -> None:
    with pytest.raises(BadgeFormatError, match=message):
        extract_from_svg(data)


def test_svg_with_two_credentials_or_no_verify_is_rejected() -> None:
    head = f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="{OB3_NS}">'
    twice = f'{head}<ob:credential verify="{JWT}"/><ob:credential verify="{JWT}"/></svg>'
    with pytest.raises(BadgeFormatError, match="more than one"):
        extract_from_svg(twice.encode())
    embedded = f"{head}<ob:credential><![CDATA[{{}}]]></ob:credential></svg>"
    with pytest.raises(BadgeFormatError, match="no verify attribute"):
        extract_from_svg(embedded.encode())


# --- PNG baking -------------------------------------------------------------------------


@pytest.mark.parametrize("ob2", [None, JWS])
def test_png_bake_and_extract_round_trip(ob2: str | None) -> None:
    plain = render_png("gold")
    baked = bake_png(plain, JWT, ob2_jws=ob2)
    assert extract_from_png(baked) == BakedCredentials(JWT, ob2)
    kinds = chunk_kinds(baked)
    assert kinds[-1] == b"IEND"
    itxt = [k for k in kinds if k == b"iTXt"]
    assert len(itxt) == (2 if ob2 else 1)
    assert kinds.index(b"iTXt") > max(i for i, k in enumerate(kinds) if k == b"IDAT")
    assert baked.startswith(plain[:-12])  # everything before IEND is untouched


def test_baked_png_reads_in_pillow_with_unchanged_pixels() -> None:
    plain = render_png("silver", label="quality")
    baked = bake_png(plain, JWT, ob2_jws=JWS)
    with Image.open(io.BytesIO(plain)) as before, Image.open(io.BytesIO(baked)) as after:
        after.load()  # verifies every chunk CRC it reads
        before.load()
        assert after.size == before.size
        assert after.tobytes() == before.tobytes()
        # Pillow decodes our iTXt chunks: an independent check that they are standard.
        assert after.info["openbadgecredential"] == JWT
        assert after.info["openbadges"] == JWS


def test_unbaked_png_extracts_nothing_and_double_baking_is_refused() -> None:
    plain = render_png("bronze")
    assert extract_from_png(plain) == BakedCredentials()
    with pytest.raises(BadgeFormatError, match="already carries a baked credential"):
        bake_png(bake_png(plain, JWT), JWT)


def _with_chunk_length(data: bytes, kind: bytes, length: int) -> bytes:
    offset = next(c.offset for c in png.chunks(data) if c.kind == kind)
    return data[:offset] + struct.pack(">I", length) + data[offset + 4 :]


def _flip_byte_in(data: bytes, kind: bytes) -> bytes:
    offset = next(c.offset for c in png.chunks(data) if c.kind == kind)
    spot = offset + 8  # first data byte
    return data[:spot] + bytes([data[spot] ^ 0xFF]) + data[spot + 1 :]


CORRUPTIONS = {
    "bad CRC in IDAT": (lambda d: _flip_byte_in(d, b"IDAT"), "IDAT .* wrong CRC"),
    "bad CRC in iTXt": (lambda d: _flip_byte_in(d, b"iTXt"), "iTXt .* wrong CRC"),
    "truncated": (lambda d: d[:-5], "truncated"),
    "no IEND": (lambda d: d[:-12], "truncated"),
    "huge length": (lambda d: _with_chunk_length(d, b"iTXt", 0xFFFFFFF0), "beyond the end"),
    "length past end": (lambda d: _with_chunk_length(d, b"IDAT", len(d)), "beyond the end"),
    "bad signature": (lambda d: b"\x89PNX" + d[4:], "not a PNG"),
    "not a PNG": (lambda d: b"GIF89a" + d, "not a PNG"),
    "trailing data": (lambda d: d + b"junk", "after its IEND"),
    "too large": (lambda d: d + b"\0" * (2 * 1024 * 1024), "larger than 2 MB"),
}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_corrupt_png_is_rejected(name: str) -> None:
    corrupt, message = CORRUPTIONS[name]
    data = corrupt(bake_png(render_png("gold"), JWT))
    with pytest.raises(BadgeFormatError, match=message):
        extract_from_png(data)
    with pytest.raises(BadgeFormatError):
        bake_png(data, JWT)


def _png_with(extra: bytes) -> bytes:
    data = render_png("gold")
    return data[:-12] + extra + data[-12:]


def test_png_chunk_count_is_capped() -> None:
    many = png.make_chunk(b"tEXt", b"k\0v") * png.MAX_CHUNKS
    with pytest.raises(BadgeFormatError, match="more than 10000 chunks"):
        extract_from_png(_png_with(many))


def test_compressed_or_malformed_itxt_is_rejected() -> None:
    compressed = png.make_chunk(
        b"iTXt", b"openbadgecredential\0\x01\0\0\0" + zlib.compress(JWT.encode())
    )
    with pytest.raises(BadgeFormatError, match="compressed"):
        extract_from_png(_png_with(compressed))
    with pytest.raises(BadgeFormatError, match="malformed iTXt"):
        extract_from_png(_png_with(png.make_chunk(b"iTXt", b"no-separators")))
    twice = png.itxt("openbadgecredential", JWT) * 2
    with pytest.raises(BadgeFormatError, match="more than one 'openbadgecredential'"):
        extract_from_png(_png_with(twice))
