"""Alembic's environment for the service's database: always given an open connection
(``sqaaas.web.database.upgrade``), never a URL from an ini file."""

from __future__ import annotations

from alembic import context

from sqaaas.web.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
