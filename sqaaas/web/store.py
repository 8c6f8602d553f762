"""The service's state: the persistent job queue, API tokens, issued badges, the shared issuer
files and the workers seen, in one database (SQLite embedded, PostgreSQL scaled out).

One implementation for both, on SQLAlchemy Core and the tables of ``sqaaas.web.tables``.
Every state change of a job is one transaction, so a server or worker killed at any moment
leaves the queue consistent. A worker owns a running job by its attempt number: the
finish, failure and heartbeat of an attempt that lost the job (its worker was presumed dead
and the job given to another) change nothing, so a job ends ``done`` exactly once.

Opening is careful with what it finds: a file that is not a SQLite database, or one that
holds another program's tables, is refused with one line naming it and is never written to
(``StoreError``); a database another process keeps locked is waited for a bounded time, then
refused the same way. A database that stops answering later (a PostgreSQL restart) makes
the calls raise ``StoreUnavailable`` (the web answers 503) until it is back.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine, Row, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from sqaaas.web import database
from sqaaas.web.database import OPEN_WAIT_S, StoreError, StoreUnavailable
from sqaaas.web.settings import WebSettings
from sqaaas.web.tables import ACTIVE, badges, issuer_files, job_events, jobs, tokens, workers

__all__ = [
    "ACTIVE",
    "KINDS",
    "OPEN_WAIT_S",
    "BadgeRecord",
    "Job",
    "JobEvent",
    "QueueFull",
    "Store",
    "StoreError",
    "StoreUnavailable",
]

TOKEN_PREFIX = "sqaaas_"
#: what a job runs: ``sqaaas assess`` on a repository or ``sqaaas onboard`` on a service
KINDS = ("assessment", "onboarding")
MAX_PROGRESS_CHARS = 500
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class Job:
    """One request (an assessment, or an onboarding when ``kind`` says so) and what became
    of it. ``params`` holds what an onboarding needs besides the URL (decoded JSON);
    ``worker`` names the worker running it (scale-out), or that ran it last."""

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
    worker: str | None = None

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
class JobEvent:
    """One change of a job's state: when, to what, in which attempt, on which worker."""

    at: float
    state: str
    attempt: int
    worker: str | None
    detail: str | None


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
    jobs.c.id, jobs.c.state, jobs.c.repo_url, jobs.c.branch, jobs.c.subfolder,
    jobs.c.created_at, jobs.c.started_at, jobs.c.finished_at, jobs.c.attempts,
    jobs.c.progress, jobs.c.error, jobs.c.commit_sha, jobs.c.badge_level, jobs.c.kind,
    jobs.c.params, jobs.c.worker,
)  # fmt: skip


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


def _job(row: Row[Any]) -> Job:
    values = dict(row._mapping)
    values["params"] = json.loads(values["params"]) if values["params"] else None
    return Job(**values)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class QueueFull(Exception):
    """Too many assessments are waiting; the caller should retry later (HTTP 503)."""


def _open_error(where: str, exc: BaseException, waited: float, sqlite: bool) -> StoreError:
    """One line saying what is wrong with the database and what to do about it."""
    other = "use another --data-dir" if sqlite else "check --database"
    if isinstance(exc, StoreError):  # not ours, or behind the code: already says what to do
        return StoreError(f"{where}: not a sqaaas database ({exc}); move it away or {other}")
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc):
        return StoreError(
            f"{where}: the database is locked by another process (waited {waited:g} s); stop "
            f"the other sqaaas using it, or {other}"
        )
    if not sqlite:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return StoreUnavailable(f"{where}: cannot use the database ({reason})")
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or not isinstance(
        exc, sqlite3.OperationalError
    ):
        return StoreError(f"{where}: not a sqaaas database ({exc}); move it away or {other}")
    return StoreError(f"{where}: cannot open the database ({exc}); check the --data-dir")


class Store:
    """Typed access to the database; safe to share between threads.

    ``location`` is an SQLite file (the embedded service: created and migrated when opened)
    or a database URL (scale-out: ``sqaaas db upgrade`` migrates it; ``migrate=True`` is
    that command). ``path`` is the SQLite file, or None.
    """

    def __init__(
        self,
        location: Path | str,
        *,
        open_wait_s: float = OPEN_WAIT_S,
        migrate: bool | None = None,
    ) -> None:
        self.path: Path | None = None
        if isinstance(location, Path):
            location.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.path = location
            self.where = str(location)
            self._engine: Engine = database.sqlite_engine(location, open_wait_s)
        else:
            self.where = database.redact(location)
            self._engine = database.url_engine(location)
        self.is_sqlite = self._engine.dialect.name == "sqlite"
        try:
            self._open(self.is_sqlite if migrate is None else migrate)
        except DBAPIError as exc:
            self._engine.dispose()
            raise _open_error(self.where, exc.orig, open_wait_s, self.is_sqlite) from None
        except StoreError as exc:
            self._engine.dispose()
            if "db upgrade" in str(exc):
                raise
            raise _open_error(self.where, exc, open_wait_s, self.is_sqlite) from None
        database.opened(self._engine)

    def _open(self, migrate: bool) -> None:
        with self._engine.begin() as db:  # on SQLite: the write lock, or the bounded wait
            database.check_ours(db)
        if self.is_sqlite:  # WAL only on a database known to be ours; outside a transaction
            raw = self._engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
            finally:
                raw.close()
        with self._engine.begin() as db:
            if migrate:
                database.upgrade(db)
            else:
                database.require_head(db, self.where)

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A transaction that changes the database (on SQLite: holds the write lock)."""
        try:
            with self._engine.begin() as db:
                yield db
        except DBAPIError as exc:
            if isinstance(exc, IntegrityError) or not database.is_unavailable(exc):
                raise
            raise StoreUnavailable(f"{self.where}: the database does not answer") from None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A transaction that only reads (on SQLite: no write lock, readers never wait)."""
        try:
            with self._engine.connect().execution_options(sqaaas_read=True) as db:
                yield db
        except DBAPIError as exc:
            if not database.is_unavailable(exc):
                raise
            raise StoreUnavailable(f"{self.where}: the database does not answer") from None

    def ping(self) -> None:
        """Raise StoreUnavailable unless the database answers now (health checks)."""
        with self._read() as db:
            db.execute(select(1)).scalar()

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
        for _ in range(3):  # a second web node may insert the same request meanwhile
            try:
                return self._submit(key, repo_url, branch, subfolder, max_queued, kind, params)
            except IntegrityError:
                continue
        raise StoreUnavailable(f"{self.where}: could not queue the request; try again")

    def _submit(
        self,
        key: str,
        repo_url: str,
        branch: str | None,
        subfolder: str | None,
        max_queued: int,
        kind: str,
        params: dict[str, Any] | None,
    ) -> tuple[Job, bool]:
        with self._write() as db:
            row = db.execute(
                select(*_JOB_COLUMNS)
                .where(jobs.c.dedupe_key == key, jobs.c.state.in_(ACTIVE))
                .order_by(jobs.c.created_at)
                .limit(1)
            ).first()
            if row is not None:
                return _job(row), False
            waiting = db.execute(
                select(func.count()).select_from(jobs).where(jobs.c.state == "queued")
            ).scalar_one()
            if waiting >= max_queued:
                raise QueueFull(f"{waiting} assessments are waiting; try again later")
            job_id = uuid.uuid4().hex
            now = time.time()
            db.execute(
                insert(jobs).values(
                    id=job_id, state="queued", repo_url=repo_url, branch=branch,
                    subfolder=subfolder, dedupe_key=key, created_at=now, progress="queued",
                    kind=kind, params=_params_json(params) if params else None,
                )
            )  # fmt: skip
            self._event(db, job_id, "queued", 0, None, None, now)
            row = db.execute(select(*_JOB_COLUMNS).where(jobs.c.id == job_id)).one()
        return _job(row), True

    @staticmethod
    def _event(
        db: Connection,
        job_id: str,
        state: str,
        attempt: int,
        worker: str | None,
        detail: str | None,
        at: float | None = None,
    ) -> None:
        db.execute(
            insert(job_events).values(
                job_id=job_id, at=at or time.time(), state=state, attempt=attempt,
                worker=worker, detail=detail[:MAX_PROGRESS_CHARS] if detail else None,
            )
        )  # fmt: skip

    def job(self, job_id: str) -> Job | None:
        with self._read() as db:
            row = db.execute(select(*_JOB_COLUMNS).where(jobs.c.id == job_id)).first()
        return _job(row) if row else None

    def events(self, job_id: str) -> list[JobEvent]:
        """The job's state changes, oldest first."""
        with self._read() as db:
            rows = db.execute(
                select(
                    job_events.c.at, job_events.c.state, job_events.c.attempt,
                    job_events.c.worker, job_events.c.detail,
                )
                .where(job_events.c.job_id == job_id)
                .order_by(job_events.c.id)
            ).all()  # fmt: skip
        return [JobEvent(**row._mapping) for row in rows]

    def recent_jobs(self, limit: int = 20) -> list[Job]:
        with self._read() as db:
            rows = db.execute(
                select(*_JOB_COLUMNS).order_by(jobs.c.created_at.desc()).limit(limit)
            ).all()
        return [_job(r) for r in rows]

    def claim(self, worker: str | None = None) -> Job | None:
        """Take the oldest queued job and mark it running (atomically)."""
        while True:
            with self._read() as db:
                job_id = db.execute(
                    select(jobs.c.id)
                    .where(jobs.c.state == "queued")
                    .order_by(jobs.c.created_at)
                    .limit(1)
                ).scalar()
            if job_id is None:
                return None
            claimed = self.claim_job(job_id, worker)
            if claimed is not None:
                return claimed  # else another worker took it meanwhile: take the next

    def claim_job(self, job_id: str, worker: str | None = None) -> Job | None:
        """Mark job ``job_id`` running on ``worker`` if it is queued (atomically); None when
        it is not (done already, or running elsewhere): the caller must not run it."""
        now = time.time()
        with self._write() as db:
            claimed = db.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.state == "queued")
                .values(
                    state="running", started_at=now, attempts=jobs.c.attempts + 1,
                    progress="starting", worker=worker, heartbeat_at=now,
                )
            ).rowcount  # fmt: skip
            if not claimed:
                return None
            row = db.execute(select(*_JOB_COLUMNS).where(jobs.c.id == job_id)).one()
            self._event(db, job_id, "running", row.attempts, worker, None, now)
        return _job(row)

    def _owned(self, job_id: str, attempt: int | None) -> Any:
        """The WHERE clause of a change only the attempt that owns the job may make."""
        clause = jobs.c.id == job_id
        if attempt is not None:
            clause = clause & (jobs.c.state == "running") & (jobs.c.attempts == attempt)
        return clause

    def set_progress(self, job_id: str, message: str, attempt: int | None = None) -> bool:
        """Record what the job is doing (and that its worker is alive); False when the job is
        no longer running in this attempt."""
        with self._write() as db:
            return bool(
                db.execute(
                    update(jobs)
                    .where(self._owned(job_id, attempt), jobs.c.state == "running")
                    .values(progress=message[:MAX_PROGRESS_CHARS], heartbeat_at=time.time())
                ).rowcount
            )

    def heartbeat(self, job_id: str, attempt: int) -> bool:
        """The worker running ``attempt`` is alive; False when the job was taken from it."""
        with self._write() as db:
            return bool(
                db.execute(
                    update(jobs)
                    .where(self._owned(job_id, attempt))
                    .values(heartbeat_at=time.time())
                ).rowcount
            )

    def finish(
        self,
        job_id: str,
        report_json: str,
        commit_sha: str | None,
        badge_level: str,
        *,
        attempt: int | None = None,
        badge: BadgeRecord | None = None,
    ) -> bool:
        """Mark the job done with its report (and the badge it earned, in the same
        transaction); with ``attempt``, only if that attempt still owns it. True if done now."""
        now = time.time()
        with self._write() as db:
            done = db.execute(
                update(jobs)
                .where(self._owned(job_id, attempt))
                .values(
                    state="done", finished_at=now, report=report_json, commit_sha=commit_sha,
                    badge_level=badge_level, progress="done", error=None,
                )
            ).rowcount  # fmt: skip
            if not done:
                return False
            if badge is not None:
                self._insert_badge(db, badge)
            self._event(db, job_id, "done", self._attempts(db, job_id), self._worker(db, job_id),
                        badge_level, now)  # fmt: skip
        return True

    def fail(self, job_id: str, error: str, *, attempt: int | None = None) -> bool:
        now = time.time()
        with self._write() as db:
            failed = db.execute(
                update(jobs)
                .where(self._owned(job_id, attempt))
                .values(state="failed", finished_at=now, error=error[:MAX_ERROR_CHARS],
                        progress="failed")
            ).rowcount  # fmt: skip
            if failed:
                self._event(db, job_id, "failed", self._attempts(db, job_id),
                            self._worker(db, job_id), error, now)  # fmt: skip
        return bool(failed)

    @staticmethod
    def _attempts(db: Connection, job_id: str) -> int:
        return int(db.execute(select(jobs.c.attempts).where(jobs.c.id == job_id)).scalar_one())

    @staticmethod
    def _worker(db: Connection, job_id: str) -> str | None:
        return db.execute(select(jobs.c.worker).where(jobs.c.id == job_id)).scalar()

    def requeue(self, job_id: str, reason: str, *, attempt: int | None = None) -> bool:
        """Put a running job back in the queue (its worker is going away before it finished)."""
        with self._write() as db:
            moved = db.execute(
                update(jobs)
                .where(self._owned(job_id, attempt), jobs.c.state == "running")
                .values(state="queued", progress=reason[:MAX_PROGRESS_CHARS], enqueued_at=None)
            ).rowcount
            if moved:
                self._event(db, job_id, "queued", self._attempts(db, job_id), None, reason)
        return bool(moved)

    def recover(self, max_attempts: int) -> list[str]:
        """At start-up: jobs left running by a killed server are queued again (or failed)."""
        return self.requeue_stale(
            None, max_attempts, "re-queued after a server restart", "by server restarts"
        )

    def requeue_stale(
        self, older_than: float | None, max_attempts: int, reason: str, cause: str
    ) -> list[str]:
        """Running jobs whose last heartbeat is before ``older_than`` (None: every running
        job) lost their worker: queued again, or failed after ``max_attempts`` attempts."""
        now = time.time()
        query = select(jobs.c.id, jobs.c.attempts, jobs.c.worker).where(jobs.c.state == "running")
        if older_than is not None:
            query = query.where(jobs.c.heartbeat_at < older_than)
        with self._write() as db:
            rows = db.execute(query).all()
            for row in rows:
                owned = self._owned(row.id, row.attempts)
                if row.attempts >= max_attempts:
                    error = f"interrupted {row.attempts} times {cause}; giving up"
                    db.execute(update(jobs).where(owned).values(
                        state="failed", finished_at=now, progress="failed", error=error))
                    self._event(db, row.id, "failed", row.attempts, row.worker, error, now)
                else:
                    db.execute(update(jobs).where(owned).values(
                        state="queued", progress=reason, enqueued_at=None))
                    self._event(db, row.id, "queued", row.attempts, row.worker, reason, now)
        return [row.id for row in rows]  # fmt: skip

    def unsent(self, created_before: float, sent_before: float) -> list[Job]:
        """Queued jobs whose broker message is missing: never sent (the broker was away),
        put back in the queue (their worker died), or sent before ``sent_before`` (longer ago
        than the broker keeps a message hidden): the ones to send again."""
        with self._read() as db:
            rows = db.execute(
                select(*_JOB_COLUMNS)
                .where(jobs.c.state == "queued", jobs.c.created_at < created_before,
                       jobs.c.enqueued_at.is_(None) | (jobs.c.enqueued_at < sent_before))
                .order_by(jobs.c.created_at)
            ).all()  # fmt: skip
        return [_job(r) for r in rows]

    def mark_enqueued(self, job_id: str) -> None:
        """The broker accepted the job's message."""
        with self._write() as db:
            db.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.state == "queued")
                .values(enqueued_at=time.time())
            )

    def report(self, job_id: str) -> str | None:
        with self._read() as db:
            return db.execute(select(jobs.c.report).where(jobs.c.id == job_id)).scalar()

    def count(self, state: str) -> int:
        with self._read() as db:
            return int(
                db.execute(
                    select(func.count()).select_from(jobs).where(jobs.c.state == state)
                ).scalar_one()
            )

    def durations(self, kind: str, bounds: Sequence[float]) -> tuple[list[int], int, float]:
        """For finished jobs of ``kind``: (how many took at most each bound, how many in all,
        their total seconds): a Prometheus histogram computed by the database."""
        took = jobs.c.finished_at - jobs.c.started_at
        columns = [func.count().filter(took <= bound) for bound in bounds]
        with self._read() as db:
            row = db.execute(
                select(*columns, func.count(), func.coalesce(func.sum(took), 0.0)).where(
                    jobs.c.kind == kind, jobs.c.state.in_(("done", "failed")),
                    jobs.c.started_at.is_not(None),
                )
            ).one()  # fmt: skip
        values = list(row)
        return [int(v) for v in values[: len(bounds)]], int(values[-2]), float(values[-1])

    # API tokens

    def create_token(self, name: str) -> tuple[str, str]:
        """(token id, secret token): only the SHA-256 of the secret is stored."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token_id = uuid.uuid4().hex[:12]
        with self._write() as db:
            db.execute(
                insert(tokens).values(
                    id=token_id, name=name, digest=token_digest(secret), created_at=time.time()
                )
            )
        return token_id, secret

    def token_valid(self, secret: str) -> bool:
        with self._read() as db:
            row = db.execute(
                select(tokens.c.id).where(
                    tokens.c.digest == token_digest(secret), tokens.c.revoked_at.is_(None)
                )
            ).first()
        return row is not None

    def tokens(self) -> list[dict[str, Any]]:
        with self._read() as db:
            rows = db.execute(
                select(tokens.c.id, tokens.c.name, tokens.c.created_at, tokens.c.revoked_at)
                .order_by(tokens.c.created_at)
            ).all()
        return [dict(r._mapping) for r in rows]

    def revoke_token(self, token_id: str) -> bool:
        with self._write() as db:
            return bool(
                db.execute(
                    update(tokens)
                    .where(tokens.c.id == token_id, tokens.c.revoked_at.is_(None))
                    .values(revoked_at=time.time())
                ).rowcount
            )

    # badges

    def add_badge(
        self, badge_id: str, job_id: str, scheme: str, level: str, token: str, ob2_jws: str
    ) -> None:
        """Record an issued badge; the driver's IntegrityError when its job is unknown."""
        record = BadgeRecord(badge_id, job_id, scheme, level, token, ob2_jws, time.time(),
                             None, None)  # fmt: skip
        try:
            with self._write() as db:
                self._insert_badge(db, record)
        except IntegrityError as exc:
            raise exc.orig from None  # type: ignore[misc]

    @staticmethod
    def _insert_badge(db: Connection, record: BadgeRecord) -> None:
        db.execute(insert(badges).values(**record.__dict__))

    def badge(self, badge_id: str) -> BadgeRecord | None:
        with self._read() as db:
            row = db.execute(select(badges).where(badges.c.id == badge_id)).first()
        return BadgeRecord(**row._mapping) if row else None

    def badges_of(self, job_id: str) -> list[BadgeRecord]:
        with self._read() as db:
            rows = db.execute(
                select(badges).where(badges.c.job_id == job_id).order_by(badges.c.created_at)
            ).all()
        return [BadgeRecord(**r._mapping) for r in rows]

    def revoke_badge(self, badge_id: str, reason: str | None) -> bool:
        with self._write() as db:
            return bool(
                db.execute(
                    update(badges)
                    .where(badges.c.id == badge_id, badges.c.revoked_at.is_(None))
                    .values(revoked_at=time.time(), revoked_reason=reason)
                ).rowcount
            )

    # the shared issuer files (scale-out)

    def issuer_files(self) -> dict[str, bytes]:
        """Every stored issuer file: relative path -> content."""
        with self._read() as db:
            rows = db.execute(select(issuer_files.c.path, issuer_files.c.content)).all()
        return {row.path: bytes(row.content) for row in rows}

    def offer_issuer_files(self, files: dict[str, bytes]) -> bool:
        """Store the issuer's files unless another node stored its own first: True when
        these are now the shared ones (the first node to start makes the keys)."""
        try:
            with self._write() as db:
                if db.execute(select(func.count()).select_from(issuer_files)).scalar_one():
                    return False
                now = time.time()
                for path, content in files.items():
                    db.execute(insert(issuer_files).values(path=path, content=content,
                                                           updated_at=now))  # fmt: skip
        except IntegrityError:
            return False
        return True

    def put_issuer_file(self, path: str, content: bytes) -> None:
        """Replace one shared issuer file (the revocation list, after a revocation)."""
        with self._write() as db:
            db.execute(delete(issuer_files).where(issuer_files.c.path == path))
            db.execute(insert(issuer_files).values(path=path, content=content,
                                                   updated_at=time.time()))  # fmt: skip

    # workers (scale-out)

    def worker_seen(self, name: str, started_at: float, concurrency: int, queues: str) -> None:
        with self._write() as db:
            now = time.time()
            seen = db.execute(
                update(workers).where(workers.c.name == name).values(
                    seen_at=now, started_at=started_at, concurrency=concurrency, queues=queues)
            ).rowcount  # fmt: skip
            if not seen:
                db.execute(insert(workers).values(
                    name=name, seen_at=now, started_at=started_at, concurrency=concurrency,
                    queues=queues))  # fmt: skip

    def worker_gone(self, name: str) -> None:
        with self._write() as db:
            db.execute(delete(workers).where(workers.c.name == name))

    def workers_seen(self, since: float) -> list[dict[str, Any]]:
        """Workers that reported after ``since``: name, seen_at, concurrency, queues."""
        with self._read() as db:
            rows = db.execute(
                select(workers).where(workers.c.seen_at >= since).order_by(workers.c.name)
            ).all()
        return [dict(r._mapping) for r in rows]


def open_store(settings: WebSettings) -> Store:
    """The service's database: the PostgreSQL (or other) URL of a scaled-out service, else
    the SQLite file in its data directory."""
    return Store(settings.database_url) if settings.database_url else Store(settings.database)
