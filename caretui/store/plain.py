"""The plain read connection: stdlib ``sqlite3``, for the paths a user waits on.

An encrypted database is read through sqlcipher3 instead (``caretui.store.cipher``),
imported only when the file is encrypted.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import cast

from caretui.errors import StoreError
from caretui.store import files

BUSY_TIMEOUT_MS = 5_000


def lenient_text(raw: bytes) -> str:
    """Text from the file even where a damaged page holds bytes that are not UTF-8."""
    return raw.decode("utf-8", errors="replace")


def configure(con: sqlite3.Connection) -> None:
    """The settings every caretui connection runs with; foreign keys are checked to have taken."""
    con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA synchronous = FULL")
    con.execute("PRAGMA secure_delete = ON")
    if con.execute("PRAGMA foreign_keys").fetchone() != (1,):
        raise StoreError("SQLite refused to turn on foreign keys")


def connect(path: Path, *, read_only: bool = True) -> sqlite3.Connection:
    """A connection in autocommit mode; read-only unless asked otherwise."""
    try:
        if files.is_encrypted(path):
            from caretui.store import cipher

            con = cast(sqlite3.Connection, cipher.connect(path))
        else:
            con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        configure(con)
        if read_only:
            con.execute("PRAGMA query_only = ON")
    except database_errors() as exc:
        raise StoreError(describe_sqlite_error(path, exc)) from None
    return con


def database_errors(*more: type[Exception]) -> tuple[type[Exception], ...]:
    """The database errors a handler must catch: ``sqlite3.DatabaseError``, and
    sqlcipher3's (a separate class) once an encrypted database has loaded it, and
    any ``more`` the handler names.

    Use it as ``except database_errors() as exc:``; the call runs only when an
    exception reaches the handler, and never imports sqlcipher3 itself.
    """
    cipher = sys.modules.get("sqlcipher3.dbapi2")
    if cipher is None:
        return (sqlite3.DatabaseError, *more)
    return (sqlite3.DatabaseError, cipher.DatabaseError, *more)


def describe_sqlite_error(path: Path, exc: BaseException) -> str:
    """One line for a coordinator, from an SQLite error (whose text carries no data)."""
    if isinstance(exc, UnicodeDecodeError):  # SQLite's message quoted damaged bytes
        return f"{path} is corrupt or not a caretui database"
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return f"{path} is busy: another caretui is writing to it; try again in a moment"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"{path} is corrupt or not a caretui database"
    if "readonly" in text or "read-only" in text:
        return f"{path} is read-only: caretui cannot save changes to it"
    if "disk" in text and "full" in text:
        return f"The disk holding {path} is full: nothing was saved"
    if "unable to open" in text:
        return f"Cannot open {path}"
    return f"Database error on {path}: {type(exc).__name__}"
