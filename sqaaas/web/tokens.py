"""The web service's API tokens, managed on its database from the command line
(``sqaaas tokens``): the service itself only checks them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqaaas.errors import SqaaasError
from sqaaas.web.server import settings_for
from sqaaas.web.store import Store, open_store

MAX_NAME_CHARS = 100


@contextmanager
def _store(data_dir: Path | None, database_url: str | None) -> Iterator[Store]:
    """The service's database: at ``database_url`` (scaled out), else under ``data_dir``
    (default: as ``sqaaas serve`` has it)."""
    store = open_store(settings_for(data_dir, database_url=database_url or None))
    try:
        yield store
    finally:
        store.close()


def create_token(
    data_dir: Path | None, name: str, database_url: str | None = None
) -> tuple[str, str, str]:
    """(token id, secret, name as stored): the secret is in this answer only, the database
    keeps its hash."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise SqaaasError(f"give a token name of 1 to {MAX_NAME_CHARS} characters")
    with _store(data_dir, database_url) as store:
        token_id, secret = store.create_token(name)
    return token_id, secret, name


def _stamp(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def list_tokens(
    data_dir: Path | None, database_url: str | None = None
) -> list[dict[str, str | None]]:
    """Every token, oldest first: id, name, created and revoked (ISO 8601 UTC; revoked is
    None while the token is active). Never the secrets: they are not stored."""
    with _store(data_dir, database_url) as store:
        rows = store.tokens()
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "created": _stamp(r["created_at"]),
            "revoked": _stamp(r["revoked_at"]),
        }
        for r in rows
    ]


def revoke_token(
    data_dir: Path | None, token_id: str, database_url: str | None = None
) -> bool:
    """Revoke ``token_id``: True when revoked now, False when it already was; an unknown id
    is a SqaaasError."""
    with _store(data_dir, database_url) as store:
        known = any(t["id"] == token_id for t in store.tokens())
        revoked = known and store.revoke_token(token_id)
    if not known:
        raise SqaaasError(f"no token {token_id} (see 'sqaaas tokens list')")
    return revoked
