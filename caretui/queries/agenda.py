"""Appointments as the agenda reads them: a day or a week, in start order, paged in SQL.

Standard library only (see "Speed by design" in DESIGN.md): SQL text with bound
parameters that PostgreSQL accepts too. Instants are bound in the text form
SQLAlchemy stores them in, so a range on ``start`` is an index range on
``ix_appointment_start``. A stored start that is not a real date and time is read
as ``None`` and flagged, never raised.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from caretui import codes
from caretui.queries.common import patient_display, stored_instant
from caretui.queries.sql import to_datetime

#: Statuses an agenda day is counted without (what no longer takes anyone's time).
NOT_COUNTED = (codes.AppointmentStatus.CANCELLED.value,)
#: Statuses whose outcome is known.
CLOSED = (
    codes.AppointmentStatus.FULFILLED.value,
    codes.AppointmentStatus.CANCELLED.value,
    codes.AppointmentStatus.NOSHOW.value,
)


@dataclass(frozen=True, slots=True)
class AgendaRow:
    """One appointment on the agenda, with its patient's names."""

    id: int
    version: int
    patient_id: int
    given_name: str
    family_name: str
    preferred_name: str | None
    patient_status: str
    #: ``None`` when the stored value is not a real date and time (``bad_start``).
    start: datetime | None
    end: datetime | None
    with_whom: str | None
    location: str | None
    purpose: str | None
    status: str
    transport: str
    transport_details: str | None
    rrule: str | None
    #: The stored start text, kept to say what was wrong when ``start`` is None.
    start_text: str

    @property
    def patient(self) -> str:
        return patient_display(self.given_name, self.family_name, self.preferred_name)

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    @property
    def transport_missing(self) -> bool:
        """Transport needed and not arranged, on an appointment still to come."""
        return self.transport == codes.Transport.NEEDED.value and not self.closed


_COLUMNS = (
    "a.id, a.version, a.patient_id, p.given_name, p.family_name, p.preferred_name, p.status, "
    'a."start", a."end", a.with_whom, a.location, a.purpose, a.status, a.transport, '
    "a.transport_details, a.rrule"
)
# "end" is a reserved word in PostgreSQL; "start" is quoted alongside it.
_BETWEEN = f"""
SELECT {_COLUMNS}
FROM appointment AS a
JOIN patient AS p ON p.id = a.patient_id
WHERE a."start" >= ? AND a."start" < ?
ORDER BY a."start", a.id
LIMIT ? OFFSET ?
"""
_ONE = f"""
SELECT {_COLUMNS}
FROM appointment AS a
JOIN patient AS p ON p.id = a.patient_id
WHERE a.id = ?
"""
_COUNT = 'SELECT count(*) FROM appointment WHERE "start" >= ? AND "start" < ?'


def _row(r: tuple[Any, ...]) -> AgendaRow:
    return AgendaRow(
        id=r[0],
        version=r[1],
        patient_id=r[2],
        given_name=r[3] or "",
        family_name=r[4] or "",
        preferred_name=r[5],
        patient_status=r[6] or "",
        start=to_datetime(r[7]),
        end=to_datetime(r[8]),
        with_whom=r[9],
        location=r[10],
        purpose=r[11],
        status=r[12] or "",
        transport=r[13] or "",
        transport_details=r[14],
        rrule=r[15],
        start_text=str(r[7] or ""),
    )


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants from the start of ``first`` to the start of the day after ``last``."""
    return datetime.combine(first, time.min), datetime.combine(last + timedelta(days=1), time.min)


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of ``day``'s week."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def appointments_between(
    con: sqlite3.Connection,
    start: datetime,
    end: datetime,
    *,
    limit: int = 200,
    offset: int = 0,
) -> list[AgendaRow]:
    """Appointments starting in ``[start, end)``, earliest first, every status,
    at most ``limit`` from ``offset``. Uses ix_appointment_start."""
    rows = con.execute(
        _BETWEEN,
        (stored_instant(start), stored_instant(end), max(limit, 0), max(offset, 0)),
    ).fetchall()
    return [_row(r) for r in rows]


def count_between(con: sqlite3.Connection, start: datetime, end: datetime) -> int:
    """How many appointments (any status) start in ``[start, end)``."""
    found = con.execute(_COUNT, (stored_instant(start), stored_instant(end))).fetchone()
    return int(found[0])


def counts_by_day(con: sqlite3.Connection, first: date, last: date) -> dict[date, int]:
    """Appointments on each day from ``first`` to ``last`` (both included), cancelled
    ones not counted; every day is present, 0 when free.

    One query over the range on ix_appointment_start, grouped by the stored start's
    date part (its first ten characters: ``substr`` is spelled the same in SQLite and
    PostgreSQL, unlike the date functions). A stored start that is not a real date
    is left out, as in the agenda."""
    placeholders = ", ".join("?" for _ in NOT_COUNTED)
    lo, hi = day_bounds(first, last)
    rows = con.execute(
        'SELECT substr("start", 1, 10), count(*) FROM appointment '
        f'WHERE "start" >= ? AND "start" < ? AND status NOT IN ({placeholders}) '
        'GROUP BY substr("start", 1, 10)',
        (stored_instant(lo), stored_instant(hi), *NOT_COUNTED),
    ).fetchall()
    out: dict[date, int] = {}
    day = first
    while day <= last:
        out[day] = 0
        day += timedelta(days=1)
    for text, n in rows:
        try:
            found = date.fromisoformat(text)
        except (TypeError, ValueError):
            continue
        if found in out:
            out[found] += int(n)
    return out


def agenda_row(con: sqlite3.Connection, appointment_id: int) -> AgendaRow | None:
    """One appointment as the agenda shows it (after a change, to update its line)."""
    found = con.execute(_ONE, (appointment_id,)).fetchone()
    return _row(found) if found is not None else None


@dataclass(frozen=True, slots=True)
class AppointmentDetail:
    """Every field the appointment form edits, with the version it was read at."""

    id: int
    patient_id: int
    given_name: str
    family_name: str
    preferred_name: str | None
    start: datetime | None
    end: datetime | None
    with_whom: str | None
    location: str | None
    purpose: str | None
    status: str
    transport: str
    transport_details: str | None
    rrule: str | None
    outcome_note: str | None
    version: int

    @property
    def patient(self) -> str:
        return patient_display(self.given_name, self.family_name, self.preferred_name)


def appointment_detail(con: sqlite3.Connection, appointment_id: int) -> AppointmentDetail | None:
    r = con.execute(
        'SELECT a.id, a.patient_id, p.given_name, p.family_name, p.preferred_name, a."start", '
        'a."end", a.with_whom, a.location, a.purpose, a.status, a.transport, '
        "a.transport_details, a.rrule, a.outcome_note, a.version "
        "FROM appointment AS a JOIN patient AS p ON p.id = a.patient_id WHERE a.id = ?",
        (appointment_id,),
    ).fetchone()
    if r is None:
        return None
    return AppointmentDetail(
        r[0],
        r[1],
        r[2] or "",
        r[3] or "",
        r[4],
        to_datetime(r[5]),
        to_datetime(r[6]),
        r[7],
        r[8],
        r[9],
        r[10],
        r[11],
        r[12],
        r[13],
        r[14],
        r[15],
    )
