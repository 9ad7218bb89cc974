"""One patient's chart as the Patient screen reads it: what each bundle holds, in
what order, how histories are limited, and that a bad stored date never raises."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from caretui.config import DEFAULT_QUEUES
from caretui.models.all import Appointment
from caretui.queries import chart
from caretui.services import appointments, careplans, medications, notes, patients, tasks
from caretui.services import chart as chart_service
from caretui.services.unit import action
from caretui.store.database import Database

NOON = datetime(2026, 3, 11, 12, 0)


@pytest.fixture
def con(db: Database) -> Iterator[sqlite3.Connection]:
    connection = db.read()
    yield connection
    connection.close()


def new_patient(db: Database, today: date, family: str = "Lee") -> int:
    with action(db, "Add patient") as s:
        return patients.create_patient(
            s, {"given_name": "Ann", "family_name": family}, today=today
        ).id


def test_overview_of_a_missing_patient_is_none(con: sqlite3.Connection, today: date) -> None:
    assert chart.overview(con, 999, today) is None


def test_overview_collects_the_chart(db: Database, con: sqlite3.Connection, today: date) -> None:
    pid = new_patient(db, today)
    other = new_patient(db, today, "Other")
    with action(db, "Build") as s:
        chart_service.add_contact(s, pid, {"role": "pharmacy", "name": "Corner Pharmacy"})
        chart_service.add_contact(
            s, pid, {"role": "caregiver", "name": "Bo", "phone": "555-0100", "emergency": True}
        )
        chart_service.add_allergy(s, pid, {"substance": "Latex", "criticality": "low"})
        chart_service.add_allergy(s, pid, {"substance": "Penicillin", "criticality": "high"})
        chart_service.add_problem(s, pid, {"name": "Asthma", "clinical_status": "resolved"})
        chart_service.add_problem(s, pid, {"name": "COPD"})
        medications.add_medication(s, pid, {"name": "Zinc"}, today=today)
        stopped = medications.add_medication(s, pid, {"name": "Aspirin"}, today=today)
        medications.stop_medication(s, stopped, reason="bleeding", on=today, today=today)
        medications.add_medication(s, other, {"name": "Not mine"}, today=today)
        for day in (12, 20):
            appointments.add_appointment(
                s, pid, {"start": datetime(2026, 3, day, 9, 0)}, today=today
            )
        appointments.add_appointment(s, pid, {"start": datetime(2026, 3, 2, 9, 0)}, today=today)
        for n in range(7):
            tasks.add_task(
                s,
                {
                    "patient_id": pid,
                    "title": f"T{n}",
                    "queue": "calls",
                    "due": today + timedelta(n),
                },
                today=today,
                queues=DEFAULT_QUEUES,
            )
        for kind, hour in (("call", 9), ("note", 11)):
            notes.log_note(
                s,
                pid,
                kind=kind,
                text="x",
                occurred_at=datetime(2026, 3, 10, hour),
                now=NOON,
            )
    o = chart.overview(con, pid, today)
    assert o is not None
    assert [c.name for c in o.contacts] == ["Bo", "Corner Pharmacy"]  # emergency first
    assert [a.substance for a in o.allergies] == ["Penicillin", "Latex"]  # high first
    assert [p.name for p in o.problems] == ["COPD", "Asthma"]  # current first
    assert [m.name for m in o.medications] == ["Zinc"]
    assert o.next_appointment is not None and o.next_appointment.start == datetime(2026, 3, 12, 9)
    assert o.open_task_count == 7
    assert [t.title for t in o.open_tasks] == ["T0", "T1", "T2", "T3", "T4"]
    assert (
        o.last_contact is not None and o.last_contact.kind == "call"
    )  # a plain note is not a contact


def test_histories_are_limited_with_their_full_count(
    db: Database, con: sqlite3.Connection, today: date
) -> None:
    pid = new_patient(db, today)
    with action(db, "Build") as s:
        for n in range(5):
            appointments.add_appointment(
                s, pid, {"start": datetime(2026, 3, 1 + n, 9, 0)}, today=today
            )
            notes.log_note(
                s, pid, kind="call", text=f"n{n}", occurred_at=datetime(2026, 3, 1 + n), now=NOON
            )
            med = medications.add_medication(s, pid, {"name": f"M{n}"}, today=today)
            medications.stop_medication(s, med, reason="done", on=date(2026, 3, 1 + n), today=today)
    appts = chart.appointments(con, pid, today, past_limit=2)
    assert appts.upcoming == ()
    assert [a.start.day for a in appts.past if a.start] == [5, 4]  # latest first
    assert appts.past_total == 5
    page = chart.notes(con, pid, limit=2)
    assert [n.text for n in page.notes] == ["n4", "n3"] and page.total == 5
    assert [n.text for n in chart.notes(con, pid, limit=2, offset=4).notes] == ["n0"]
    meds = chart.medications(con, pid, past_limit=3)
    assert [m.name for m in meds.past] == ["M4", "M3", "M2"] and meds.past_total == 5


def test_care_plans_tasks_and_their_order(
    db: Database, con: sqlite3.Connection, today: date
) -> None:
    pid = new_patient(db, today)
    with action(db, "Build") as s:
        done = careplans.add_care_plan(s, pid, {"title": "Old"}, today=today)
        careplans.set_plan_status(s, done, "completed", today=today)
        plan = careplans.add_care_plan(s, pid, {"title": "Now"}, today=today)
        goal = careplans.add_goal(s, pid, {"description": "G", "care_plan_id": plan.id})
        careplans.add_intervention(
            s, pid, {"description": "I", "care_plan_id": plan.id, "goal_id": goal.id}
        )
        first = tasks.add_task(
            s,
            {"patient_id": pid, "title": "A", "queue": "calls"},
            today=today,
            queues=DEFAULT_QUEUES,
        )
        tasks.add_task(
            s,
            {"patient_id": pid, "title": "B", "queue": "calls", "due": today},
            today=today,
            queues=DEFAULT_QUEUES,
        )
        tasks.complete_task(s, first, today=today)
    plans = chart.care_plans(con, pid)
    assert [p.title for p in plans.plans] == ["Now", "Old"]  # open plans first
    assert plans.goals[0].care_plan_id == plan.id
    assert plans.interventions[0].goal_id == goal.id
    work = chart.tasks(con, pid)
    assert [t.title for t in work.open] == ["B"]
    assert [t.title for t in work.done] == ["A"] and work.done_total == 1
    assert work.done[0].completed_at is not None and not work.done[0].open


def test_a_bad_stored_date_is_read_as_none(
    db: Database, con: sqlite3.Connection, today: date
) -> None:
    pid = new_patient(db, today)
    with action(db, "Build") as s:
        medications.add_medication(s, pid, {"name": "Zinc", "refill_due": "2026-04-01"})
        appointments.add_appointment(s, pid, {"start": datetime(2026, 3, 12, 9, 0)}, today=today)
        notes.log_note(s, pid, kind="call", text="x", now=NOON)
    raw = sqlite3.connect(db.path)
    with raw:
        raw.execute("UPDATE medication SET refill_due = '2026-02-30'")
        raw.execute("UPDATE appointment SET start = '2026-03-12 25:00:00.000000'")
        raw.execute("UPDATE note SET occurred_at = 'yesterday'")
    raw.close()
    meds = chart.medications(con, pid)
    assert meds.active[0].refill_due is None
    appts = chart.appointments(con, pid, today)
    assert [a.start for a in appts.upcoming] == [None]
    assert chart.notes(con, pid).notes[0].occurred_at is None
    assert chart.overview(con, pid, today) is not None


def test_upcoming_is_what_is_still_to_come_without_an_outcome(
    db: Database, con: sqlite3.Connection, today: date
) -> None:
    """At 10:00: today's 08:30 no-show and an 08:30 left booked (over at 09:00) are past,
    as is a cancelled one tomorrow; the 09:50 under way and the 14:00 are upcoming."""
    pid = new_patient(db, today)
    ten = datetime(2026, 3, 11, 10, 0)
    with action(db, "Build") as s:

        def book(start: datetime, purpose: str) -> Appointment:
            return appointments.add_appointment(
                s, pid, {"start": start, "purpose": purpose}, today=today
            )

        noshow = book(datetime(2026, 3, 11, 8, 30), "No-show")
        book(datetime(2026, 3, 11, 8, 30), "Left booked")
        book(datetime(2026, 3, 11, 9, 50), "Under way")
        book(datetime(2026, 3, 11, 14, 0), "Afternoon")
        gone = book(datetime(2026, 3, 12, 9, 0), "Cancelled tomorrow")
        book(datetime(2026, 3, 10, 9, 0), "Yesterday")
        s.flush()
        appointments.record_outcome(s, noshow, "noshow", today=today, now=ten)
        appointments.cancel(s, gone, "ill", today=today)
    appts = chart.appointments(con, pid, today, now=ten)
    assert [a.purpose for a in appts.upcoming] == ["Under way", "Afternoon"]
    assert sorted(a.purpose or "" for a in appts.past) == [
        "Cancelled tomorrow",
        "Left booked",
        "No-show",
        "Yesterday",
    ]
    assert appts.past_total == 4
    assert appts.past[0].purpose == "Cancelled tomorrow"  # latest first
    # Without a moment, midnight: today's booked ones are still to come.
    at_midnight = chart.appointments(con, pid, today)
    assert [a.purpose for a in at_midnight.upcoming] == ["Left booked", "Under way", "Afternoon"]
