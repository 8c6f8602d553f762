"""The service's tables, once, for every database it runs on (SQLAlchemy Core).

The embedded service keeps them in SQLite, a scaled-out one in PostgreSQL: the same
definitions serve both, and the Alembic migrations (``sqaaas/web/migrations``) bring a
database to them. Times are seconds since the epoch (floats), as the store has always kept them.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

#: what a job can be; 'queued' and 'running' are active (they block a second request)
STATES = ("queued", "running", "done", "failed")
ACTIVE = ("queued", "running")
_ACTIVE_SQL = "state IN ('queued', 'running')"

metadata = MetaData()

jobs = Table(
    "jobs",
    metadata,
    Column("id", Text, primary_key=True),
    Column("state", Text, nullable=False),
    Column("repo_url", Text, nullable=False),
    Column("branch", Text),
    Column("subfolder", Text),
    Column("dedupe_key", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float),
    Column("finished_at", Float),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("progress", Text),
    Column("error", Text),
    Column("commit_sha", Text),
    Column("badge_level", Text),
    Column("report", Text),
    Column("kind", Text, nullable=False, server_default=text("'assessment'")),
    Column("params", Text),
    # scale-out: who runs it, when it last said it still does, when it went to the broker
    Column("worker", Text),
    Column("heartbeat_at", Float),
    Column("enqueued_at", Float),
    CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="jobs_state_check"),
    Index("jobs_state", "state", "created_at"),
    Index("jobs_dedupe", "dedupe_key", "state"),
    # one active job per request, even with several web nodes submitting at once
    Index(
        "jobs_active_dedupe",
        "dedupe_key",
        unique=True,
        sqlite_where=text(_ACTIVE_SQL),
        postgresql_where=text(_ACTIVE_SQL),
    ),
)

#: every change of a job's state, so a client sees what happened (and tests count 'done')
job_events = Table(
    "job_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", Text, ForeignKey("jobs.id"), nullable=False),
    Column("at", Float, nullable=False),
    Column("state", Text, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("worker", Text),
    Column("detail", Text),
    Index("job_events_job", "job_id", "id"),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("digest", Text, nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float),
)

badges = Table(
    "badges",
    metadata,
    Column("id", Text, primary_key=True),
    Column("job_id", Text, ForeignKey("jobs.id"), nullable=False),
    Column("scheme", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("token", Text, nullable=False),
    Column("ob2_jws", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float),
    Column("revoked_reason", Text),
    Index("badges_job", "job_id"),
)

#: the badge issuer's files (keys, public profile, revocation list) shared by every node of
#: a scaled-out service; the embedded service keeps them in its data directory only
issuer_files = Table(
    "issuer_files",
    metadata,
    Column("path", String(255), primary_key=True),
    Column("content", LargeBinary, nullable=False),
    Column("updated_at", Float, nullable=False),
)

#: the workers of a scaled-out service, as they last reported themselves
workers = Table(
    "workers",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("seen_at", Float, nullable=False),
    Column("started_at", Float, nullable=False),
    Column("concurrency", Integer, nullable=False),
    Column("queues", Text, nullable=False),
)
