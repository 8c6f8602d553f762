"""The schema of the first release: jobs (assessments only), API tokens, issued badges.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("repo_url", sa.Text, nullable=False),
        sa.Column("branch", sa.Text),
        sa.Column("subfolder", sa.Text),
        sa.Column("dedupe_key", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("started_at", sa.Float),
        sa.Column("finished_at", sa.Float),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("progress", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("commit_sha", sa.Text),
        sa.Column("badge_level", sa.Text),
        sa.Column("report", sa.Text),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed')", name="jobs_state_check"
        ),
    )
    op.create_index("jobs_state", "jobs", ["state", "created_at"])
    op.create_index("jobs_dedupe", "jobs", ["dedupe_key", "state"])
    op.create_table(
        "tokens",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("digest", sa.Text, nullable=False, unique=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("revoked_at", sa.Float),
    )
    op.create_table(
        "badges",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("job_id", sa.Text, sa.ForeignKey("jobs.id"), nullable=False),
        sa.Column("scheme", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("token", sa.Text, nullable=False),
        sa.Column("ob2_jws", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("revoked_at", sa.Float),
        sa.Column("revoked_reason", sa.Text),
    )
    op.create_index("badges_job", "badges", ["job_id"])


def downgrade() -> None:
    op.drop_table("badges")
    op.drop_table("tokens")
    op.drop_table("jobs")
