"""The agenda's read side: a day or a week of appointments, counts per day, one record."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from caretui.queries import agenda as q
from caretui.services import appointments, patients
from caretui.services.unit import action
from caretui.store.database import Database


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute)


@pytest.fixture
def con(db: Database) -> Iterator[sqlite3.Connection]:
    connection = db.read()
    yield connection
    connection.close()


def patient(db: Database, today: date, given: str, family: str, **extra: object) -> int:
    with action(db, "Add patient") as s:
        fields = {"given_name": given, "family_name": family, **extra}
        return patients.create_patient(s, fields, today=today).id


def book(db: Database, today: date, patient_id: int, start: datetime, **fields: object) -> int:
    with action(db, "Add appointment") as s:
        return appointments.add_appointment(
            s, patient_id, {"start": start, **fields}, today=today
        ).id


@pytest.fixture
def week(db: Database, today: date) -> dict[str, int]:
    """Appointments around Wed 2026-03-11: Mon 9 to Mon 16."""
    ana = patient(db, today, "Ana María", "Núñez", preferred_name="Ana")
    bo = patient(db, today, "Bo", "Lee")
    ids = {
        "mon": book(db, today, bo, at(9, 8, 0)),
        "wed_late": book(db, today, ana, at(11, 15, 0), with_whom="Dr Ruiz", purpose="Cardiology"),
        "wed_early": book(db, today, bo, at(11, 9, 30), location="Clinic B"),
        "wed_cancelled": book(db, today, bo, at(11, 11, 0)),
        "sun": book(db, today, ana, at(15, 23, 59)),
        "next_mon": book(db, today, ana, at(16, 0, 0)),
    }
    with action(db, "Cancel") as s:
        from caretui.models.all import Appointment

        appointments.cancel(s, s.get_one(Appointment, ids["wed_cancelled"]), today=today)
    return ids


def test_a_day_in_start_order_with_names(con: sqlite3.Connection, week: dict[str, int]) -> None:
    start, end = q.day_bounds(date(2026, 3, 11), date(2026, 3, 11))
    rows = q.appointments_between(con, start, end)
    assert [r.id for r in rows] == [week["wed_early"], week["wed_cancelled"], week["wed_late"]]
    late = rows[2]
    assert late.patient == "Núñez, Ana María (Ana)"
    assert (late.start, late.end) == (at(11, 15), at(11, 15, 30))
    assert (late.with_whom, late.purpose, late.status) == ("Dr Ruiz", "Cardiology", "booked")
    assert rows[1].status == "cancelled" and rows[1].closed
    assert q.count_between(con, start, end) == 3


def test_a_week_runs_monday_to_sunday_midnight(
    con: sqlite3.Connection, week: dict[str, int]
) -> None:
    first, last = q.week_of(date(2026, 3, 11))
    assert (first, last) == (date(2026, 3, 9), date(2026, 3, 15))
    rows = q.appointments_between(con, *q.day_bounds(first, last))
    ids = [r.id for r in rows]
    assert (ids[0], ids[-1]) == (week["mon"], week["sun"])
    assert week["next_mon"] not in ids


def test_pages_with_limit_and_offset(con: sqlite3.Connection, week: dict[str, int]) -> None:
    bounds = q.day_bounds(date(2026, 3, 9), date(2026, 3, 16))
    everything = [r.id for r in q.appointments_between(con, *bounds)]
    assert len(everything) == 6
    first = q.appointments_between(con, *bounds, limit=4)
    rest = q.appointments_between(con, *bounds, limit=4, offset=4)
    assert [r.id for r in first + rest] == everything


def test_counts_per_day_leave_out_cancelled(con: sqlite3.Connection, week: dict[str, int]) -> None:
    counts = q.counts_by_day(con, date(2026, 3, 9), date(2026, 3, 15))
    assert list(counts) == [date(2026, 3, d) for d in range(9, 16)]
    assert counts[date(2026, 3, 9)] == 1
    assert counts[date(2026, 3, 11)] == 2
    assert counts[date(2026, 3, 12)] == 0
    assert counts[date(2026, 3, 15)] == 1


def test_counts_per_day_are_one_statement_and_skip_a_bad_start(
    db: Database, con: sqlite3.Connection, week: dict[str, int]
) -> None:
    raw = sqlite3.connect(db.path)
    with raw:
        raw.execute(
            "UPDATE appointment SET \"start\" = '2026-03-1x 09:00:00.000000' WHERE id = ?",
            (week["mon"],),
        )
    raw.close()
    statements: list[str] = []
    con.set_trace_callback(statements.append)
    counts = q.counts_by_day(con, date(2026, 3, 1), date(2026, 3, 31))
    con.set_trace_callback(None)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert len(counts) == 31
    assert counts[date(2026, 3, 9)] == 0  # its one appointment's start is not a date
    assert counts[date(2026, 3, 11)] == 2


def test_one_row_and_the_detail_for_the_form(con: sqlite3.Connection, week: dict[str, int]) -> None:
    row = q.agenda_row(con, week["wed_late"])
    assert row is not None and row.patient_id and row.version == 1
    detail = q.appointment_detail(con, week["wed_late"])
    assert detail is not None
    assert (detail.start, detail.with_whom, detail.transport) == (
        at(11, 15),
        "Dr Ruiz",
        "not-needed",
    )
    assert detail.version == 1
    assert q.agenda_row(con, 9999) is None
    assert q.appointment_detail(con, 9999) is None


def test_transport_needed_not_arranged(db: Database, today: date, con: sqlite3.Connection) -> None:
    pid = patient(db, today, "Cy", "Ode")
    needed = book(db, today, pid, at(12, 10), transport="needed")
    arranged = book(
        db, today, pid, at(12, 11), transport="arranged", transport_details="Son drives"
    )
    rows = {
        r.id: r
        for r in q.appointments_between(con, *q.day_bounds(date(2026, 3, 12), date(2026, 3, 12)))
    }
    assert rows[needed].transport_missing
    assert not rows[arranged].transport_missing
    assert rows[arranged].transport_details == "Son drives"


def test_a_stored_start_that_is_not_a_date_is_read_not_raised(
    db: Database, today: date, week: dict[str, int]
) -> None:
    raw = sqlite3.connect(db.path)
    raw.execute(
        'UPDATE appointment SET "start" = ?, "end" = ? WHERE id = ?',
        ("2026-03-11 25:00:00.000000", "2026-02-30 10:00:00", week["wed_late"]),
    )
    raw.commit()
    raw.close()
    con = db.read()
    try:
        rows = q.appointments_between(con, *q.day_bounds(date(2026, 3, 11), date(2026, 3, 11)))
        bad = next(r for r in rows if r.id == week["wed_late"])
        assert bad.start is None and bad.end is None
        assert bad.start_text.startswith("2026-03-11 25:00")
        detail = q.appointment_detail(con, week["wed_late"])
        assert detail is not None and detail.start is None
    finally:
        con.close()
