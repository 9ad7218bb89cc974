"""Alembic environment: runs on the connection caretui hands it (see store.migrate)."""

from __future__ import annotations

from alembic import context

from caretui.models.all import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("caretui migrations run through caretui.store.migrate, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
