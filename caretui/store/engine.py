"""The SQLAlchemy engine: the write side. Imported only when something writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event

from caretui.store import files, plain


def make_engine(path: Path, *, migrating: bool = False) -> Engine:
    """An engine on ``path`` whose every transaction is ``BEGIN IMMEDIATE``.

    Parameters are hidden from exception texts (they are patient data). While
    ``migrating``, foreign keys are off so Alembic's batch mode can rebuild
    tables; the migration checks them itself before it commits. An encrypted
    file is opened through sqlcipher3 with this process's key.
    """
    encrypted: dict[str, Any] = {}
    if files.is_encrypted(path):
        from caretui.store import cipher

        # SQLAlchemy's SQLite dialect over sqlcipher3's DB-API (its exceptions are
        # sqlcipher3's); every connection is made keyed, the key its first statement.
        encrypted = {"module": cipher.dbapi(), "creator": lambda: cipher.connect(path)}
    engine = create_engine(
        URL.create("sqlite+pysqlite", database=str(path)),
        hide_parameters=True,
        connect_args={"check_same_thread": False},
        **encrypted,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_con: Any, _record: Any) -> None:
        dbapi_con.isolation_level = None  # the driver starts no transaction; "begin" does
        plain.configure(dbapi_con)
        if migrating:
            dbapi_con.execute("PRAGMA foreign_keys = OFF")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred BEGIN that reads then writes fails at once with "database is
        # locked" if another process wrote in between; IMMEDIATE waits its turn.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
