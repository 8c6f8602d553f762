"""The service's SQLite database: the persistent job queue, API tokens and issued badges.

One connection guarded by a lock: the service is one process with a few worker threads, and
SQLite in WAL mode keeps readers off the writers' backs. Every state change of a job is one
statement, so a server killed at any moment leaves the queue consistent; jobs found running at
start-up were interrupted and go back to the queue.

Opening is careful with what it finds: a file that is not a SQLite database, or one that
holds another program's tables, is refused with one line naming it and is never written to
(``StoreError``); a database another process keeps locked is waited for a bounded time, then
refused the same way.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqaaas.errors import SqaaasError

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    repo_url TEXT NOT NULL,
    branch TEXT,
    subfolder TEXT,
    dedupe_key TEXT NOT NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    progress TEXT,
    error TEXT,
    commit_sha TEXT,
    badge_level TEXT,
    report TEXT,
    kind TEXT NOT NULL DEFAULT 'assessment',
    params TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, created_at);
CREATE INDEX IF NOT EXISTS jobs_dedupe ON jobs (dedupe_key, state);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    revoked_at REAL
);
CREATE TABLE IF NOT EXISTS badges (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    scheme TEXT NOT NULL,
    level TEXT NOT NULL,
    token TEXT NOT NULL,
    ob2_jws TEXT NOT NULL,
    created_at REAL NOT NULL,
    revoked_at REAL,
    revoked_reason TEXT
);
CREATE INDEX IF NOT EXISTS badges_job ON badges (job_id);
"""

#: how long opening waits for a database another process has locked
OPEN_WAIT_S = 5.0
#: how long a statement waits for a lock once the database is open
BUSY_WAIT_S = 30.0
ACTIVE = ("queued", "running")
TOKEN_PREFIX = "sqaaas_"
#: what a job runs: ``sqaaas assess`` on a repository or ``sqaaas onboard`` on a service
KINDS = ("assessment", "onboarding")
#: columns added to the jobs table after its first release, with their definitions: a
#: database made before them gets them added when it is opened (Store._migrate)
_ADDED_COLUMNS = {
    "kind": "TEXT NOT NULL DEFAULT 'assessment'",
    "params": "TEXT",
}


@dataclass(frozen=True)
class Job:
    """One request (an assessment, or an onboarding when ``kind`` says so) and what became
    of it. ``params`` holds what an onboarding needs besides the URL (decoded JSON)."""

    id: str
    state: str
    repo_url: str
    branch: str | None
    subfolder: str | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    attempts: int
    progress: str | None
    error: str | None
    commit_sha: str | None
    badge_level: str | None
    kind: str = "assessment"
    params: dict[str, Any] | None = field(default=None, hash=False)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @property
    def assessment_profile(self) -> str | None:
        """The profile (criteria/badges.yml) an assessment was asked for; None for an
        onboarding, or an assessment queued before profiles (it got the default)."""
        value = (self.params or {}).get("profile") if self.kind == "assessment" else None
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class BadgeRecord:
    id: str
    job_id: str
    scheme: str
    level: str
    token: str
    ob2_jws: str
    created_at: float
    revoked_at: float | None
    revoked_reason: str | None


_JOB_COLUMNS = (
    "id, state, repo_url, branch, subfolder, created_at, started_at, finished_at, attempts, "
    "progress, error, commit_sha, badge_level, kind, params"
)


def dedupe_key(
    repo_url: str,
    branch: str | None,
    subfolder: str | None,
    kind: str = "assessment",
    params: dict[str, Any] | None = None,
) -> str:
    """Requests of the same kind for the same repository, branch and subfolder (and, for an
    onboarding, the same profile, OpenAPI URL...) share one active job.

    Scheme and host are case-insensitive; the path is not (forges may treat it so, but
    a self-hosted server need not), and a trailing slash or ``.git`` does not count.
    """
    parts = urlsplit(repo_url.strip())
    path = parts.path.rstrip("/")
    if path.lower().endswith(".git"):
        path = path[:-4]
    repo = parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower(), path=path)
    key = [kind, repo.geturl(), branch or "", subfolder or ""]
    if params:
        key.append(hashlib.sha256(_params_json(params).encode("utf-8")).hexdigest())
    return "\n".join(key)


def _params_json(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _job(row: sqlite3.Row) -> Job:
    values = dict(row)
    values["params"] = json.loads(values["params"]) if values["params"] else None
    return Job(**values)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class StoreError(SqaaasError):
    """The database cannot be used: not a sqaaas database, locked, or unreadable."""


def _open_error(path: Path, exc: sqlite3.Error, waited: float) -> StoreError:
    """One line saying what is wrong with the database file and what to do about it."""
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc):
        return StoreError(
            f"{path}: the database is locked by another process (waited {waited:g} s); stop "
            "the other sqaaas using it, or use another --data-dir"
        )
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or not isinstance(
        exc, sqlite3.OperationalError
    ):
        return StoreError(
            f"{path}: not a sqaaas database ({exc}); move it away or use another --data-dir"
        )
    return StoreError(f"{path}: cannot open the database ({exc}); check the --data-dir")


class Store:
    """Typed access to the database; safe to share between threads."""

    def __init__(self, path: Path, *, open_wait_s: float = OPEN_WAIT_S) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = path
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(
                path, check_same_thread=False, isolation_level=None, timeout=open_wait_s
            )
        except sqlite3.Error as exc:
            raise _open_error(path, exc, open_wait_s) from None
        self._db.row_factory = sqlite3.Row
        try:
            with self._lock:
                self._check_ours()
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA foreign_keys=ON")
                self._db.executescript(SCHEMA)
                self._migrate()
                self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_WAIT_S * 1000)}")
        except sqlite3.Error as exc:
            self._db.close()
            raise _open_error(path, exc, open_wait_s) from None

    def _check_ours(self) -> None:
        """Read-only: refuse a database that holds tables, none of them ours (it belongs to
        another program, and creating ours in it would change it). A file that is no
        database at all fails here too, before anything could write to it."""
        tables = {
            row["name"]
            for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if tables and "jobs" not in tables:
            shown = ", ".join(sorted(tables)[:5])
            raise sqlite3.DatabaseError(f"it holds other tables: {shown}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _migrate(self) -> None:
        """Bring a database made by an earlier version up to this schema, in place.

        Its jobs were all assessments: they get kind 'assessment', and their dedupe keys the
        kind in front, so a request for a job still queued keeps joining it.
        """
        with self._transaction() as db:
            present = {row["name"] for row in db.execute("PRAGMA table_info(jobs)")}
            missing = [name for name in _ADDED_COLUMNS if name not in present]
            for name in missing:
                db.execute(f"ALTER TABLE jobs ADD COLUMN {name} {_ADDED_COLUMNS[name]}")
            if "kind" in missing:
                db.execute("UPDATE jobs SET dedupe_key = 'assessment' || char(10) || dedupe_key")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _one(self, sql: str, args: tuple[Any, ...]) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    # jobs

    def submit(
        self,
        repo_url: str,
        branch: str | None,
        subfolder: str | None,
        max_queued: int,
        *,
        kind: str = "assessment",
        params: dict[str, Any] | None = None,
    ) -> tuple[Job, bool]:
        """(job, created): an active job for the same request is returned instead of a new one.

        Raises QueueFull when ``max_queued`` jobs are already waiting.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown job kind {kind!r}")
        key = dedupe_key(repo_url, branch, subfolder, kind, params)
        with self._transaction() as db:
            row = db.execute(
                f"SELECT {_JOB_COLUMNS} FROM jobs WHERE dedupe_key = ? AND state IN (?, ?) "
                "ORDER BY created_at LIMIT 1",
                (key, *ACTIVE),
            ).fetchone()
            if row is not None:
                return _job(row), False
            waiting = db.execute("SELECT COUNT(*) FROM jobs WHERE state = 'queued'").fetchone()[0]
            if waiting >= max_queued:
                raise QueueFull(f"{waiting} assessments are waiting; try again later")
            job_id = uuid.uuid4().hex
            db.execute(
                "INSERT INTO jobs (id, state, repo_url, branch, subfolder, dedupe_key, created_at,"
                " progress, kind, params) VALUES (?, 'queued', ?, ?, ?, ?, ?, 'queued', ?, ?)",
                (
                    job_id, repo_url, branch, subfolder, key, time.time(), kind,
                    _params_json(params) if params else None,
                ),
            )
        job = self.job(job_id)
        assert job is not None
        return job, True

    def job(self, job_id: str) -> Job | None:
        row = self._one(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,))
        return _job(row) if row else None

    def recent_jobs(self, limit: int = 20) -> list[Job]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_JOB_COLUMNS} FROM jobs ORDER BY created_at DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_job(r) for r in rows]

    def claim(self) -> Job | None:
        """Take the oldest queued job and mark it running (atomically)."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE jobs SET state = 'running', started_at = ?, attempts = attempts + 1,"
                " progress = 'starting' WHERE id = ?",
                (time.time(), row["id"]),
            )
        return self.job(row["id"])

    def set_progress(self, job_id: str, message: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET progress = ? WHERE id = ? AND state = 'running'",
                (message[:500], job_id),
            )

    def finish(
        self, job_id: str, report_json: str, commit_sha: str | None, badge_level: str
    ) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET state = 'done', finished_at = ?, report = ?, commit_sha = ?,"
                " badge_level = ?, progress = 'done', error = NULL WHERE id = ?",
                (time.time(), report_json, commit_sha, badge_level, job_id),
            )

    def fail(self, job_id: str, error: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET state = 'failed', finished_at = ?, error = ?, progress = 'failed'"
                " WHERE id = ?",
                (time.time(), error[:2000], job_id),
            )

    def requeue(self, job_id: str, reason: str) -> None:
        """Put a job back in the queue (its worker is going away before it finished)."""
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET state = 'queued', progress = ? WHERE id = ? AND state = 'running'",
                (reason[:500], job_id),
            )

    def recover(self, max_attempts: int) -> list[str]:
        """At start-up: jobs left running by a killed server are queued again (or failed)."""
        with self._transaction() as db:
            rows = db.execute("SELECT id, attempts FROM jobs WHERE state = 'running'").fetchall()
            for row in rows:
                if row["attempts"] >= max_attempts:
                    db.execute(
                        "UPDATE jobs SET state = 'failed', finished_at = ?, progress = 'failed',"
                        " error = ? WHERE id = ?",
                        (
                            time.time(),
                            f"interrupted {row['attempts']} times by server restarts; giving up",
                            row["id"],
                        ),
                    )
                else:
                    db.execute(
                        "UPDATE jobs SET state = 'queued', progress = ? WHERE id = ?",
                        ("re-queued after a server restart", row["id"]),
                    )
        return [row["id"] for row in rows]

    def report(self, job_id: str) -> str | None:
        row = self._one("SELECT report FROM jobs WHERE id = ?", (job_id,))
        return row["report"] if row else None

    def count(self, state: str) -> int:
        row = self._one("SELECT COUNT(*) AS n FROM jobs WHERE state = ?", (state,))
        return int(row["n"]) if row else 0

    # API tokens

    def create_token(self, name: str) -> tuple[str, str]:
        """(token id, secret token): only the SHA-256 of the secret is stored."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token_id = uuid.uuid4().hex[:12]
        with self._lock:
            self._db.execute(
                "INSERT INTO tokens (id, name, digest, created_at) VALUES (?, ?, ?, ?)",
                (token_id, name, token_digest(secret), time.time()),
            )
        return token_id, secret

    def token_valid(self, secret: str) -> bool:
        row = self._one(
            "SELECT id FROM tokens WHERE digest = ? AND revoked_at IS NULL",
            (token_digest(secret),),
        )
        return row is not None

    def tokens(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, name, created_at, revoked_at FROM tokens ORDER BY created_at"
            ).fetchall()
        return [dict(r) for r in rows]

    def revoke_token(self, token_id: str) -> bool:
        with self._lock:
            cur = self._db.execute(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (time.time(), token_id),
            )
        return cur.rowcount > 0

    # badges

    def add_badge(
        self, badge_id: str, job_id: str, scheme: str, level: str, token: str, ob2_jws: str
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO badges (id, job_id, scheme, level, token, ob2_jws, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (badge_id, job_id, scheme, level, token, ob2_jws, time.time()),
            )

    def badge(self, badge_id: str) -> BadgeRecord | None:
        row = self._one("SELECT * FROM badges WHERE id = ?", (badge_id,))
        return BadgeRecord(**dict(row)) if row else None

    def badges_of(self, job_id: str) -> list[BadgeRecord]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM badges WHERE job_id = ? ORDER BY created_at", (job_id,)
            ).fetchall()
        return [BadgeRecord(**dict(r)) for r in rows]

    def revoke_badge(self, badge_id: str, reason: str | None) -> bool:
        with self._lock:
            cur = self._db.execute(
                "UPDATE badges SET revoked_at = ?, revoked_reason = ? WHERE id = ?"
                " AND revoked_at IS NULL",
                (time.time(), reason, badge_id),
            )
        return cur.rowcount > 0


class QueueFull(Exception):
    """Too many assessments are waiting; the caller should retry later (HTTP 503)."""
