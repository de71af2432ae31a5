"""Alembic's environment: always run with a connection handed in by ``shomei_cli.store.schema``."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from shomei_cli.store import tables  # noqa: F401  (registers the tables on the metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
