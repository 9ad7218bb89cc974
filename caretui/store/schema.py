"""Schema revisions, checked with the standard library alone.

The hot paths compare the revision stored in the database with the head this
package ships and import Alembic only when a migration must run.
"""

from __future__ import annotations

import sqlite3
from enum import Enum

#: Every migration this package ships, oldest first. A test checks this
#: against the Alembic scripts, so adding a migration without listing it fails.
REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005")
HEAD = REVISIONS[-1]


class SchemaState(Enum):
    CURRENT = "current"
    BEHIND = "behind"  # empty or older: migrate
    NEWER = "newer"  # written by a newer caretui: refuse, touch nothing


def stored_revision(con: sqlite3.Connection) -> str | None:
    """The revision recorded in the database, or None for a database with no schema yet."""
    has_table = con.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if not has_table:
        return None
    row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def schema_state(revision: str | None) -> SchemaState:
    if revision == HEAD:
        return SchemaState.CURRENT
    if revision is None or revision in REVISIONS:
        return SchemaState.BEHIND
    return SchemaState.NEWER
