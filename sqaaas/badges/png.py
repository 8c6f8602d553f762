"""PNG chunk reading and writing for baking: just enough of the format, strictly checked.

Baked PNGs come from strangers, so every length is bounded before it is trusted, every CRC
is verified, and the file must be one well-formed chunk stream from IHDR to IEND. Baking
only inserts chunks before IEND; the image bytes are never re-encoded.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqaaas.badges.errors import BadgeFormatError
from sqaaas.badges.limits import check_size

SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_CHUNKS = 10_000
_MAX_LENGTH = 2**31 - 1  # the PNG specification's limit for one chunk's data


@dataclass(frozen=True)
class Chunk:
    """One chunk: its type, data and the offset of its length field in the file."""

    kind: bytes
    data: bytes
    offset: int


def chunks(data: bytes) -> Iterator[Chunk]:
    """Walk the chunks of ``data`` from IHDR to IEND, checking bounds and CRCs."""
    check_size(data, "PNG")
    if not data.startswith(SIGNATURE):
        raise BadgeFormatError("not a PNG image (bad signature)")
    pos = len(SIGNATURE)
    for count in range(MAX_CHUNKS):
        if len(data) - pos < 12:
            raise BadgeFormatError(f"PNG is truncated at byte {pos} (no IEND chunk)")
        length, kind = struct.unpack_from(">I4s", data, pos)
        if length > _MAX_LENGTH or length > len(data) - pos - 12:
            raise BadgeFormatError(
                f"PNG chunk at byte {pos} claims {length} bytes, beyond the end of the file"
            )
        if not kind.isalpha() or not kind.isascii():
            raise BadgeFormatError(f"PNG chunk at byte {pos} has an invalid type {kind!r}")
        if count == 0 and kind != b"IHDR":
            raise BadgeFormatError("PNG does not start with an IHDR chunk")
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack_from(">I", data, pos + 8 + length)
        if zlib.crc32(kind + body) != crc:
            name = kind.decode("ascii")
            raise BadgeFormatError(f"PNG chunk {name} at byte {pos} has a wrong CRC (corrupt file)")
        yield Chunk(kind, body, pos)
        pos += 12 + length
        if kind == b"IEND":
            if pos != len(data):
                raise BadgeFormatError("PNG has data after its IEND chunk")
            return
    raise BadgeFormatError(f"PNG has more than {MAX_CHUNKS} chunks")


def make_chunk(kind: bytes, data: bytes) -> bytes:
    """Serialise one chunk: length, type, data, CRC-32 of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def itxt(keyword: str, text: str) -> bytes:
    """An uncompressed iTXt chunk (Open Badges forbids compression), no language tag."""
    key = keyword.encode("latin-1")
    if not 1 <= len(key) <= 79:
        raise BadgeFormatError(f"iTXt keyword {keyword!r} must be 1-79 bytes")
    return make_chunk(b"iTXt", key + b"\0\0\0" + b"\0" + b"\0" + text.encode("utf-8"))


def parse_itxt(data: bytes) -> tuple[str, str]:
    """Keyword and text of an iTXt chunk's data; compressed text is refused."""
    try:
        key, rest = data.split(b"\0", 1)
        compressed = rest[0]
        _language, rest = rest[2:].split(b"\0", 1)
        _translated, text = rest.split(b"\0", 1)
        keyword = key.decode("latin-1")
        if compressed:
            raise BadgeFormatError(
                f"PNG iTXt chunk {keyword!r} is compressed; Open Badges forbids compression"
            )
        return keyword, text.decode("utf-8")
    except (ValueError, IndexError) as err:  # UnicodeDecodeError is a ValueError
        raise BadgeFormatError(f"PNG has a malformed iTXt chunk: {err}") from err


def texts(data: bytes) -> list[tuple[str, str]]:
    """All iTXt (keyword, text) pairs of a PNG, after checking the whole file."""
    return [parse_itxt(chunk.data) for chunk in chunks(data) if chunk.kind == b"iTXt"]


def insert_before_iend(data: bytes, extra: bytes) -> bytes:
    """``data`` with the serialised chunks ``extra`` placed just before IEND."""
    iend = list(chunks(data))[-1]  # chunks() ends at IEND or raises
    return data[: iend.offset] + extra + data[iend.offset :]
