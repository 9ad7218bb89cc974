"""Helpers every read-side query shares: names for display and defensive parsing.

Standard library only. Rows come out of SQLite as plain strings; a value that
came from outside (an import, a hand edit) may not be what the schema says, so
nothing here raises on a bad value: it returns ``None`` and the caller flags it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache

from caretui.queries.names import patient_name

#: The format SQLAlchemy stores ``DateTime`` columns in on SQLite; binding instants
#: in the same format keeps text comparisons in SQL exact.
STORED_INSTANT = "%Y-%m-%d %H:%M:%S.%f"


def patient_display(given: str | None, family: str | None, preferred: str | None) -> str:
    """ "Núñez, Beatriz (Bea)": a patient's name as every list shows it, control
    characters made visible; "" for no patient (a task about no one).

    The same form as the Patients screen and the palette (``queries.names``).
    """
    if not (given or family):
        return ""
    return patient_name(given or "", family or "", preferred)


@lru_cache(maxsize=4096)
def parse_day(value: object) -> date | None:
    """A stored ``Date`` value, or ``None`` if it is not a real ISO date. Cached: a
    list of 10,000 tasks holds a few hundred distinct dates."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def parse_instant(value: object) -> datetime | None:
    """A stored ``DateTime`` value (naive), or ``None`` if it is not a real date and time."""
    if not isinstance(value, str) or len(value) < 16:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None) if parsed.tzinfo is not None else parsed


def stored_instant(value: datetime) -> str:
    """``value`` as SQLAlchemy stores it, for binding against ``DateTime`` columns."""
    return value.strftime(STORED_INSTANT)


@contextmanager
def snapshot(con: sqlite3.Connection) -> Iterator[None]:
    """One read transaction around the reads made in it: in WAL mode they all see the
    database as it was at the first, however long they take and whatever is written
    meanwhile (a count and the rows it counts, a mark and what it marks). Inside a
    transaction the caller holds already, that one."""
    if con.in_transaction:
        yield
        return
    con.execute("BEGIN")
    try:
        yield
    finally:
        if con.in_transaction:
            con.execute("COMMIT")  # read only: nothing to keep or undo
