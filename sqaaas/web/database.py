"""Connecting to the service's database (SQLite file or PostgreSQL URL) and migrating it.

One engine per process. SQLite gets what the embedded service always had: write-ahead
logging, foreign keys, and transactions that take the write lock when they begin (``BEGIN
IMMEDIATE``), so two processes sharing the file never deadlock half-way. Migrations are
Alembic's (``sqaaas/web/migrations``): an SQLite database is brought up to date when it is
opened, as before; a PostgreSQL one only by ``sqaaas db upgrade`` (an operator's decision),
and a node refuses to start on a database that is behind.
"""

from __future__ import annotations

import sqlite3
import weakref
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from sqaaas.errors import SqaaasError

#: how long opening waits for a database another process has locked
OPEN_WAIT_S = 5.0
#: how long a statement waits for a lock once the database is open
BUSY_WAIT_S = 30.0
#: how long a PostgreSQL connection attempt may take before the node says the database is down
CONNECT_TIMEOUT_S = 5
MIGRATIONS = Path(__file__).with_name("migrations")
#: the revisions of databases made before Alembic, told apart by a column the next one added
_PRE_ALEMBIC = (("kind", "0002"), ("id", "0001"))
#: an SQLite engine -> how long its new connections wait for a lock (ms)
_BUSY_MS: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()


class StoreError(SqaaasError):
    """The database cannot be used: not a sqaaas database, locked, unreachable, or behind."""


class StoreUnavailable(StoreError):
    """The database does not answer now (restarting, network): try again shortly (HTTP 503)."""


def redact(url: str) -> str:
    """A database URL fit for messages and logs: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unreadable database URL>"


def sqlite_engine(path: Path, open_wait_s: float = OPEN_WAIT_S) -> Engine:
    """An engine on the SQLite file ``path``: WAL, foreign keys, BEGIN IMMEDIATE.

    Connections wait ``open_wait_s`` for a lock until :func:`opened` raises it to
    BUSY_WAIT_S: a database held by another process is refused quickly at start-up, while
    the running service waits longer for a busy moment to pass.
    """
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": open_wait_s, "check_same_thread": False},
    )
    _BUSY_MS[engine] = int(open_wait_s * 1000)

    @event.listens_for(engine, "connect")
    def _configure(dbapi: sqlite3.Connection, _record: Any) -> None:
        dbapi.isolation_level = None  # the "begin" hook below emits BEGIN itself
        dbapi.execute(f"PRAGMA busy_timeout = {_BUSY_MS[engine]}")
        dbapi.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get("sqaaas_read")
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def url_engine(url: str) -> Engine:
    """An engine on a database URL (``postgresql://...``); StoreError for an unusable URL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"{redact(url)}: not a database URL (postgresql://user@host/db)") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver sqaaas installs
    args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        args = {"connect_timeout": CONNECT_TIMEOUT_S}
    try:
        return create_engine(parsed, connect_args=args, pool_pre_ping=True, pool_size=5)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"{redact(url)}: unsupported database ({exc})") from None


def opened(engine: Engine) -> None:
    """After a successful open: later connections wait longer for a lock (SQLite)."""
    if engine in _BUSY_MS:
        _BUSY_MS[engine] = int(BUSY_WAIT_S * 1000)
        engine.dispose()  # the pooled connections still have the short wait


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The revision this sqaaas's models are at."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The database's revision; for a database made before migrations, the one its columns
    show (None: an empty database)."""
    revision = MigrationContext.configure(connection).get_current_revision()
    if revision is not None:
        return revision
    inspector = inspect(connection)
    if not inspector.has_table("jobs"):
        return None
    columns = {column["name"] for column in inspector.get_columns("jobs")}
    return next(rev for name, rev in _PRE_ALEMBIC if name in columns)


def check_ours(connection: Connection) -> None:
    """Refuse a database that holds tables, none of them ours (it belongs to another
    program, and creating ours in it would change it). Read-only."""
    tables = set(inspect(connection).get_table_names())
    if tables and "jobs" not in tables:
        shown = ", ".join(sorted(tables)[:5])
        raise StoreError(f"it holds other tables: {shown}")


def upgrade(connection: Connection) -> tuple[str | None, str]:
    """Bring the database to the head revision, in place: (revision before, after).

    A database made before migrations is stamped with the revision its columns show first,
    so that only what it lacks is applied.
    """
    check_ours(connection)
    before = current_revision(connection)
    config = _config(connection)
    recorded = MigrationContext.configure(connection).get_current_revision()
    if before is not None and recorded is None:
        command.stamp(config, before)
    if before != head_revision():
        command.upgrade(config, "head")
    return before, head_revision()


def require_head(connection: Connection, where: str) -> None:
    """A node starts only on a database at this version's schema (StoreError otherwise)."""
    check_ours(connection)
    revision = current_revision(connection)
    head = head_revision()
    if revision != head:
        state = "empty" if revision is None else f"at revision {revision}"
        raise StoreError(
            f"{where}: the database is {state}, this sqaaas needs {head}: run "
            "'sqaaas db upgrade --database URL' first"
        )


def is_unavailable(exc: DBAPIError) -> bool:
    """A connection-level failure (server down, restarting, unreachable), not a bad query."""
    return bool(exc.connection_invalidated) or type(exc).__name__ in (
        "OperationalError",
        "InterfaceError",
    )
