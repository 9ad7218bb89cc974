"""Schema migrations with Alembic, applied when a database is opened."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from caretui.errors import StoreError
from caretui.store.engine import make_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(path: Path, revision: str = "head") -> None:
    """Bring ``path`` to ``revision`` in one transaction: all of it or none of it."""
    engine = make_engine(path, migrating=True)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), revision)
            if conn.execute(text("PRAGMA foreign_key_check")).first() is not None:
                raise StoreError(
                    f"Migrating {path} would break links between records; nothing was changed"
                )
            conn.exec_driver_sql("PRAGMA journal_mode")  # keep the connection honest
    finally:
        engine.dispose()
