"""Size cap for badge images read from strangers, checked before any parsing work."""

from sqaaas.badges.errors import BadgeFormatError

MAX_BYTES = 2 * 1024 * 1024  # real badges are a few kB; this leaves room for large credentials


def check_size(data: bytes, what: str) -> None:
    """Refuse an image larger than :data:`MAX_BYTES`."""
    if len(data) > MAX_BYTES:
        raise BadgeFormatError(f"{what} is larger than {MAX_BYTES // (1024 * 1024)} MB")
