"""Opening a caseload: check the file, migrate if needed, hand out connections.

Importing this module costs only the standard library; the SQLAlchemy engine
and Alembic are imported the first time something needs them.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from caretui import __version__
from caretui.errors import StoreError
from caretui.store import files, plain, schema

if TYPE_CHECKING:
    from sqlalchemy import Engine


class Database:
    """One caseload file. Cheap to make; the engine is built on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls,
        given: str | Path | None = None,
        *,
        create: bool = True,
        backup_dir: Path | None = None,
        prompt: bool | None = None,
    ) -> Database:
        """Check and, where needed, create or migrate the database; refuse what is unusable.

        An encrypted database needs its key: from ``CARETUI_DB_KEY``, or asked for
        (hidden) when ``prompt`` is true, or by default when a person is at a terminal.
        """
        path = files.resolve_db_path(given)
        prepare(path, create=create, backup_dir=backup_dir, prompt=prompt)
        return cls(path)

    def read(self) -> sqlite3.Connection:
        """A new read-only stdlib connection (one per thread)."""
        return plain.connect(self.path)

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                from caretui.store.engine import make_engine

                self._engine = make_engine(self.path)
            return self._engine

    def dispose(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


def read_revision(path: Path) -> str | None:
    try:
        con = plain.connect(path)
        con.text_factory = plain.lenient_text
        try:
            return schema.stored_revision(con)
        finally:
            con.close()
    except plain.database_errors(UnicodeDecodeError) as exc:
        message = plain.describe_sqlite_error(path, exc)
        if "corrupt" in message:
            from caretui.store.check import restore_hint

            message += "; " + restore_hint(path)
        raise StoreError(message) from None


def prepare(
    path: Path, *, create: bool = True, backup_dir: Path | None = None, prompt: bool | None = None
) -> None:
    kind = files.inspect_file(path)
    if kind == "missing":
        if not create:
            raise StoreError(f"No caretui database at {path}")
        files.create_database_file(path)
    elif kind == "encrypted":
        from caretui.store import cipher

        cipher.unlock(path, prompt=prompt)
    revision = read_revision(path)
    state = schema.schema_state(revision)
    if state is schema.SchemaState.CURRENT:
        return
    if state is schema.SchemaState.NEWER:
        raise StoreError(
            f"{path} was written by a newer caretui (schema {revision}; caretui {__version__} "
            f"knows up to {schema.HEAD}); upgrade caretui. The file was not changed."
        )
    if revision is not None:
        from caretui.store.backup import backup_before_migration

        backup_before_migration(path, revision, backup_dir)
    from caretui.store.migrate import upgrade

    try:
        upgrade(path)
    except plain.database_errors() as exc:
        raise StoreError(plain.describe_sqlite_error(path, exc)) from None
    except Exception as exc:  # SQLAlchemy wraps driver errors
        orig = getattr(exc, "orig", None)
        if isinstance(orig, plain.database_errors()):
            raise StoreError(plain.describe_sqlite_error(path, orig)) from None
        raise
