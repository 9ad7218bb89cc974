"""Appointments: booking, rescheduling, transport, outcomes, no-show follow-ups, series."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from caretui.models.all import Appointment
from caretui.services import appointments, records
from caretui.services.unit import action
from caretui.store.database import Database

from .helpers import ANSI, TOO_LONG, audit, new_patient, one_row, refused

FRIDAY = date(2026, 3, 13)
NOON = datetime(2026, 3, 11, 12, 0)  # "now" on the tests' Wednesday


def book(db: Database, today: date, pid: int | None = None, **fields: Any) -> int:
    pid = pid or new_patient(db, today)
    with action(db, "Book appointment") as s:
        return appointments.add_appointment(
            s, pid, {"start": "2026-03-11 09:00", "with_whom": "Dr Example", **fields}, today=today
        ).id


def appt_row(db: Database, appt_id: int) -> dict[str, Any]:
    row = one_row(db, "SELECT * FROM appointment WHERE id = ?", appt_id)
    assert row is not None
    return row


def test_add_appointment_defaults_to_thirty_minutes_and_is_audited(
    db: Database, today: date
) -> None:
    appt_id = book(db, today)
    [created] = audit(db, "Book appointment")
    assert (created["entity"], created["record_id"]) == ("appointment", appt_id)
    assert created["changes"]["start"] == [None, "2026-03-11T09:00:00"]
    assert created["changes"]["end"] == [None, "2026-03-11T09:30:00"]
    assert created["changes"]["status"] == [None, "booked"]
    assert created["changes"]["transport"] == [None, "not-needed"]


def test_update_appointment_keeps_its_length_when_only_the_start_moves(
    db: Database, today: date
) -> None:
    appt_id = book(db, today, end="2026-03-11 10:00")
    with action(db, "Edit appointment") as s:
        appointments.update_appointment(
            s, records.get(s, Appointment, appt_id), {"start": "2026-03-12 14:00"}, today=today
        )
    [edited] = audit(db, "Edit appointment")
    assert edited["changes"] == {
        "start": ["2026-03-11T09:00:00", "2026-03-12T14:00:00"],
        "end": ["2026-03-11T10:00:00", "2026-03-12T15:00:00"],
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start": None}, "Start is required"),
        ({"start": "2026-02-30 10:00"}, "Start 2026-02-30 10:00 is not a real date and time"),
        ({"start": "next tuesday"}, "Start 'next tuesday' is not a date and time"),
        (
            {"start": "2026-03-12 10:00", "end": "2026-03-12 09:00"},
            "End 2026-03-12 09:00 is before start 2026-03-12 10:00",
        ),
        (
            {"start": "2026-03-12 10:00", "end": "2026-03-12 10:00"},
            "End 2026-03-12 10:00 must be after start 2026-03-12 10:00",
        ),
        ({"location": TOO_LONG}, "Where is longer than 200 characters"),
        ({"with_whom": f"{ANSI}Dr Red"}, "With contains a control character"),
        (
            {"status": "maybe"},
            "Status 'maybe' is not one of: proposed, booked, arrived, fulfilled, cancelled, noshow",
        ),
        (
            {"transport": "taxi"},
            "Transport 'taxi' is not one of: not-needed, needed, arranged",
        ),
        (
            {"transport": "arranged"},
            "Arranged transport needs its details (who drives, pick-up time)",
        ),
        ({"rrule": "FREQ=SOMETIMES"}, "Repeats: 'FREQ=SOMETIMES' is not a valid recurrence rule"),
        (
            {"rrule": "now and then"},
            "Repeats: 'now and then' is not a recurrence (try: daily, weekly, every 2 weeks, "
            "monthly, every mon, or an RRULE like FREQ=WEEKLY)",
        ),
    ],
)
def test_bad_appointment_is_refused(
    db: Database, today: date, fields: dict[str, Any], message: str
) -> None:
    pid = new_patient(db, today)
    with refused(db, message), action(db, "Book appointment") as s:
        appointments.add_appointment(s, pid, {"start": "2026-03-12 10:00", **fields}, today=today)


def test_reschedule_keeps_the_duration(db: Database, today: date) -> None:
    appt_id = book(db, today, end="2026-03-11 09:45")
    with action(db, "Reschedule") as s:
        appointments.reschedule(
            s, records.get(s, Appointment, appt_id), datetime(2026, 3, 18, 13, 30), today=today
        )
    row = appt_row(db, appt_id)
    assert (row["start"], row["end"]) == (
        "2026-03-18 13:30:00.000000",
        "2026-03-18 14:15:00.000000",
    )
    assert audit(db, "Reschedule")[0]["changes"]["end"] == [
        "2026-03-11T09:45:00",
        "2026-03-18T14:15:00",
    ]


def test_reschedule_refuses_a_closed_appointment(db: Database, today: date) -> None:
    appt_id = book(db, today, status="fulfilled")
    message = "This appointment is already fulfilled; book a new one instead"
    with refused(db, message), action(db, "Reschedule") as s:
        appointments.reschedule(
            s, records.get(s, Appointment, appt_id), datetime(2026, 3, 18, 9), today=today
        )


def test_transport(db: Database, today: date) -> None:
    appt_id = book(db, today)
    message = "Arranged transport needs its details (who drives, pick-up time)"
    with refused(db, message), action(db, "Transport") as s:
        appointments.set_transport(s, records.get(s, Appointment, appt_id), "arranged", today=today)
    with action(db, "Transport") as s:
        appointments.set_transport(
            s, records.get(s, Appointment, appt_id), "arranged", "Van, pick-up 8:15", today=today
        )
    assert audit(db, "Transport")[0]["changes"] == {
        "transport": ["not-needed", "arranged"],
        "transport_details": [None, "Van, pick-up 8:15"],
    }


def test_cancel_with_a_reason(db: Database, today: date) -> None:
    appt_id = book(db, today, start="2026-03-20 09:00")
    with action(db, "Cancel appointment") as s:
        result = appointments.cancel(
            s, records.get(s, Appointment, appt_id), "Patient in hospital", today=today
        )
        assert result.next_appointment is None
    assert audit(db, "Cancel appointment")[0]["changes"] == {
        "status": ["booked", "cancelled"],
        "outcome_note": [None, "Patient in hospital"],
    }
    with refused(db, "This appointment is already marked cancelled"), action(db, "Cancel") as s:
        appointments.cancel(s, records.get(s, Appointment, appt_id), today=today)


def test_fulfilled_outcome(db: Database, today: date) -> None:
    appt_id = book(db, today)
    with action(db, "Record outcome") as s:
        result = appointments.record_outcome(
            s, records.get(s, Appointment, appt_id), "fulfilled", today=today, now=NOON
        )
        assert result.follow_up is None and result.next_appointment is None
    assert audit(db, "Record outcome")[0]["changes"] == {"status": ["booked", "fulfilled"]}
    message = "This appointment is already marked fulfilled"
    with refused(db, message), action(db, "Record outcome") as s:
        appointments.record_outcome(
            s, records.get(s, Appointment, appt_id), "noshow", today=today, now=NOON
        )


def test_noshow_creates_an_urgent_follow_up_due_the_next_business_day(db: Database) -> None:
    appt_id = book(db, FRIDAY, start="2026-03-13 09:00")
    with action(db, "Record outcome") as s:
        result = appointments.record_outcome(
            s,
            records.get(s, Appointment, appt_id),
            "noshow",
            today=FRIDAY,
            note="No answer at the door",
            now=datetime(2026, 3, 13, 11, 0),
        )
        assert result.follow_up is not None
        task_id = result.follow_up.id
    task = one_row(db, "SELECT * FROM task WHERE id = ?", task_id)
    assert task is not None
    assert {k: task[k] for k in ("queue", "origin", "priority", "status", "due")} == {
        "queue": "follow-up",
        "origin": "follow-up",
        "priority": "urgent",
        "status": "requested",
        "due": "2026-03-16",  # Friday -> Monday
    }
    assert task["appointment_id"] == appt_id
    assert task["patient_id"] == appt_row(db, appt_id)["patient_id"]
    assert task["title"] == "Follow up missed appointment of 2026-03-13"
    events = audit(db, "Record outcome")
    assert [(e["entity"], e["action"]) for e in events] == [
        ("appointment", "update"),
        ("task", "create"),
    ]
    assert events[0]["changes"]["outcome_note"] == [None, "No answer at the door"]


def test_noshow_midweek_is_followed_up_tomorrow(db: Database, today: date) -> None:
    appt_id = book(db, today)
    with action(db, "No-show") as s:
        result = appointments.record_outcome(
            s, records.get(s, Appointment, appt_id), "noshow", today=today, now=NOON
        )
        assert result.follow_up is not None
        assert result.follow_up.due == date(2026, 3, 12)


def test_an_outcome_before_the_start_is_refused_except_cancelled(db: Database, today: date) -> None:
    appt_id = book(db, today, start="2026-03-11 15:00")
    message = (
        "This appointment has not happened yet (it starts 2026-03-11 15:00); "
        "only a cancellation can be recorded before it starts"
    )
    for outcome in ("fulfilled", "noshow"):
        with refused(db, message), action(db, "Record outcome") as s:
            appointments.record_outcome(
                s, records.get(s, Appointment, appt_id), outcome, today=today, now=NOON
            )
    message = "Outcome 'arrived' is not one of: fulfilled, noshow, cancelled"
    with refused(db, message), action(db, "Record outcome") as s:
        appointments.record_outcome(
            s, records.get(s, Appointment, appt_id), "arrived", today=today, now=NOON
        )
    with action(db, "Record outcome") as s:
        appointments.record_outcome(
            s, records.get(s, Appointment, appt_id), "cancelled", today=today, now=NOON
        )
    assert appt_row(db, appt_id)["status"] == "cancelled"


def test_outcome_of_a_repeating_appointment_books_the_next(db: Database, today: date) -> None:
    appt_id = book(
        db,
        today,
        start="2026-03-04 10:00",
        end="2026-03-04 11:15",
        rrule="every week",
        transport="arranged",
        transport_details="Van",
        location="Clinic",
    )
    with action(db, "Record outcome") as s:
        result = appointments.record_outcome(
            s, records.get(s, Appointment, appt_id), "fulfilled", today=today, now=NOON
        )
        assert result.next_appointment is not None
        next_id = result.next_appointment.id
    old, new = appt_row(db, appt_id), appt_row(db, next_id)
    assert old["rrule"] is None  # the series moved on
    assert new["rrule"] == "FREQ=WEEKLY"
    assert (new["start"], new["end"]) == (
        "2026-03-11 10:00:00.000000",
        "2026-03-11 11:15:00.000000",
    )
    assert (new["status"], new["transport"], new["transport_details"]) == ("booked", "needed", None)
    assert (new["location"], new["with_whom"]) == ("Clinic", "Dr Example")
    assert [(e["entity"], e["action"]) for e in audit(db, "Record outcome")] == [
        ("appointment", "update"),
        ("appointment", "create"),
    ]


def test_a_missed_repeating_appointment_gets_both_follow_up_and_next(
    db: Database, today: date
) -> None:
    appt_id = book(db, today, rrule="FREQ=MONTHLY;COUNT=2")
    with action(db, "No-show") as s:
        result = appointments.record_outcome(
            s, records.get(s, Appointment, appt_id), "noshow", today=today, now=NOON
        )
        assert result.follow_up is not None and result.next_appointment is not None
        next_id = result.next_appointment.id
    new = appt_row(db, next_id)
    assert (new["start"], new["rrule"]) == ("2026-04-11 09:00:00.000000", "FREQ=MONTHLY;COUNT=1")
    with action(db, "Fulfilled") as s:
        last = appointments.record_outcome(
            s,
            records.get(s, Appointment, next_id),
            "fulfilled",
            now=datetime(2026, 4, 11, 10, 0),
        )
        assert last.next_appointment is None  # the series has ended


def test_cancelling_one_of_a_series_books_the_next_unless_the_series_ends(
    db: Database, today: date
) -> None:
    pid = new_patient(db, today)
    one = book(db, today, pid, start="2026-03-16 09:00", rrule="every 2 weeks")
    two = book(db, today, pid, start="2026-03-17 09:00", rrule="weekly")
    with action(db, "Cancel") as s:
        skipped = appointments.cancel(s, records.get(s, Appointment, one), today=today)
        assert skipped.next_appointment is not None
        assert skipped.next_appointment.start == datetime(2026, 3, 30, 9, 0)
        ended = appointments.cancel(s, records.get(s, Appointment, two), series=True, today=today)
        assert ended.next_appointment is None
    assert appt_row(db, two)["rrule"] is None
