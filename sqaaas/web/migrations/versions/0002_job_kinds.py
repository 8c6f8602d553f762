"""Jobs of two kinds (assessment, onboarding) with the parameters an onboarding needs.

Every job before this was an assessment: it gets that kind, and its dedupe key the kind in
front, so a request for a job still queued keeps joining it.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN (SQLite has it): no table copy, constraints kept
    op.add_column(
        "jobs", sa.Column("kind", sa.Text, nullable=False, server_default=sa.text("'assessment'"))
    )
    op.add_column("jobs", sa.Column("params", sa.Text))
    jobs = sa.table("jobs", sa.column("dedupe_key", sa.Text))
    op.execute(jobs.update().values(dedupe_key=sa.literal("assessment\n") + jobs.c.dedupe_key))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("params")
        batch.drop_column("kind")
