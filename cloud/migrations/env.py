"""Alembic's environment for the cloud: it runs on the connection cloud.storage.migrate
opened, already inside the transaction that holds the migration lock, so Alembic neither
connects nor commits on its own."""

from __future__ import annotations

from alembic import context

from cloud.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Run the cloud's migrations with `guitai cloud migrate` (it takes the migration lock)"
    )
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
