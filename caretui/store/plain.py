"""The plain read connection: stdlib ``sqlite3``, for the paths a user waits on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from caretui.errors import StoreError

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
        con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        configure(con)
        if read_only:
            con.execute("PRAGMA query_only = ON")
    except sqlite3.DatabaseError as exc:
        raise StoreError(describe_sqlite_error(path, exc)) from None
    return con


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
