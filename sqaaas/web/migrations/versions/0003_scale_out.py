"""Scale-out: which worker runs a job and its heartbeat, the jobs' state history, one active
job per request enforced by the database, the shared badge issuer files, the workers seen.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ACTIVE = "state IN ('queued', 'running')"


def upgrade() -> None:
    for name, kind in (("worker", sa.Text), ("heartbeat_at", sa.Float), ("enqueued_at", sa.Float)):
        op.add_column("jobs", sa.Column(name, kind))
    op.create_index(
        "jobs_active_dedupe",
        "jobs",
        ["dedupe_key"],
        unique=True,
        sqlite_where=sa.text(_ACTIVE),
        postgresql_where=sa.text(_ACTIVE),
    )
    op.create_table(
        "job_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.Text, sa.ForeignKey("jobs.id"), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("worker", sa.Text),
        sa.Column("detail", sa.Text),
    )
    op.create_index("job_events_job", "job_events", ["job_id", "id"])
    op.create_table(
        "issuer_files",
        sa.Column("path", sa.String(255), primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "workers",
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("seen_at", sa.Float, nullable=False),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("concurrency", sa.Integer, nullable=False),
        sa.Column("queues", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("workers")
    op.drop_table("issuer_files")
    op.drop_table("job_events")
    op.drop_index("jobs_active_dedupe", "jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("enqueued_at")
        batch.drop_column("heartbeat_at")
        batch.drop_column("worker")
