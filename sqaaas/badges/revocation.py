"""The issuer's revocation list: the file it publishes, revoking a badge, reading a list.

The list is an Open Badges 2.0 ``RevocationList`` (``revokedAssertions``: objects with the
badge ``id`` and an optional ``revocationReason``). A badge's Open Badges 2.0 assertion and
its 3.0 credential share one id, so one entry revokes both; the 3.0 credential's
``credentialStatus`` points at the same file. The list is not signed: it can only make a
badge invalid, and whoever serves it must do so over https.
"""

from __future__ import annotations

import fcntl
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqaaas.badges.errors import RevocationListError
from sqaaas.badges.vocab import OB2_CONTEXT
from sqaaas.fileio import read_bounded, write_atomic

REVOCATIONS_FILE = "revocations.json"
MAX_LIST_BYTES = 5_000_000
FETCH_TIMEOUT_S = 10.0  # wall clock for fetching a list, body included


@dataclass(frozen=True)
class RevocationList:
    """The revoked badge ids of one list, with the reason given for each (or None)."""

    source: str
    issuer: str | None
    revoked: dict[str, str | None] = field(default_factory=dict)
    list_id: str | None = None  # the URL the list says it is published at

    def __contains__(self, badge_id: object) -> bool:
        return badge_id in self.revoked


def normalise_id(text: str) -> str:
    """A badge id as ``urn:uuid:<lower-case uuid>``; a bare uuid is accepted too."""
    raw = text.strip()
    bare = raw[len("urn:uuid:"):] if raw.lower().startswith("urn:uuid:") else raw
    try:
        return f"urn:uuid:{uuid.UUID(bare)}"
    except ValueError:
        raise RevocationListError(
            f"{text!r} is not a badge id (expected urn:uuid:<uuid>, as 'badge issue' printed)"
        ) from None


def empty_list(issuer_id: str, list_url: str) -> dict[str, Any]:
    return {
        "@context": OB2_CONTEXT,
        "type": "RevocationList",
        "id": list_url,
        "issuer": issuer_id,
        "revokedAssertions": [],
    }


def parse_list(data: Any, source: str) -> RevocationList:
    """Read a revocation list; entries may be ids or ``{id, revocationReason}`` objects."""
    if not isinstance(data, dict) or not isinstance(data.get("revokedAssertions"), list):
        raise RevocationListError(f"{source}: not a revocation list (no 'revokedAssertions')")
    revoked: dict[str, str | None] = {}
    for entry in data["revokedAssertions"]:
        if isinstance(entry, str):
            revoked[entry] = None
        elif isinstance(entry, dict) and isinstance(entry.get("id"), str):
            reason = entry.get("revocationReason")
            revoked[entry["id"]] = reason if isinstance(reason, str) else None
        else:
            raise RevocationListError(f"{source}: an entry of 'revokedAssertions' has no id")
    issuer = data.get("issuer")
    list_id = data.get("id")
    return RevocationList(
        source=source,
        issuer=issuer if isinstance(issuer, str) else None,
        revoked=revoked,
        list_id=list_id if isinstance(list_id, str) else None,
    )


def _read_file(path: Path) -> bytes:
    return read_bounded(path, MAX_LIST_BYTES, "revocation list", RevocationListError)


def load_list(
    source: str, *, ca_file: str | None = None, timeout: float = FETCH_TIMEOUT_S
) -> RevocationList:
    """Read a revocation list from a file, or from an http(s) URL (a bounded fetch within
    ``timeout`` seconds, trusting the system's CA certificates or those of ``ca_file``)."""
    if urlsplit(source).scheme in ("http", "https"):
        # imported here for start-up speed: requests (~30 ms) serves only a list fetched over
        # http(s); issuing, revoking and most verifications read local files
        from sqaaas.badges.fetch import fetch_bytes

        raw = fetch_bytes(source, max_bytes=MAX_LIST_BYTES, ca_file=ca_file, timeout=timeout)
    else:
        raw = _read_file(Path(source))
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise RevocationListError(f"{source}: not JSON ({exc})") from None
    return parse_list(data, source)


def revoke(public: Path, badge_id: str, reason: str | None = None) -> tuple[Path, bool]:
    """Add ``badge_id`` to the revocation list of the publish folder ``public``; False when
    it already was.

    The read-modify-write runs under a lock and the file is replaced atomically, so two
    revocations at once both land and a web server never serves half a list.
    """
    badge_id = normalise_id(badge_id)
    path = public / REVOCATIONS_FILE
    if not path.is_file():
        raise RevocationListError(
            f"{path} not found: no badge was published in this folder ('sqaaas badge issue' "
            "creates it)"
        )
    try:
        lock = (public / ".revocations.lock").open("a")
    except OSError as exc:
        raise RevocationListError(f"cannot lock {public}: {exc.strerror or exc}") from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            data = json.loads(_read_file(path))
        except ValueError as exc:
            raise RevocationListError(f"{path}: not JSON ({exc})") from None
        if badge_id in parse_list(data, str(path)):
            return path, False
        entry: dict[str, str] = {"id": badge_id}
        if reason:
            entry["revocationReason"] = reason
        data["revokedAssertions"].append(entry)
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        write_atomic(path, text.encode("utf-8"))
    return path, True
