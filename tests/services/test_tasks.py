"""Tasks: queues, completing (and repeating), snoozing, rescheduling, cancel and reopen."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from caretui.models.all import Task
from caretui.services import tasks
from caretui.services.unit import action
from caretui.store.database import Database

from .helpers import ANSI, TOO_LONG, audit, new_patient, one_row, refused

NOW = datetime(2026, 3, 11, 14, 5)
QUEUES = "calls, referrals, paperwork, insurance, follow-up"


def add(db: Database, today: date, **fields: Any) -> int:
    with action(db, "Add task") as s:
        return tasks.add_task(
            s, {"title": "Call pharmacy", "queue": "calls", **fields}, today=today
        ).id


def task_row(db: Database, task_id: int) -> dict[str, Any]:
    row = one_row(db, "SELECT * FROM task WHERE id = ?", task_id)
    assert row is not None
    return row


def test_add_and_update_task_are_audited(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    task_id = add(db, today, patient_id=pid, due="2026-03-12", priority="asap")
    with action(db, "Edit task") as s:
        tasks.update_task(s, s.get_one(Task, task_id), {"status": "in-progress"}, today=today)
    [created] = audit(db, "Add task")
    assert (created["entity"], created["record_id"], created["patient_id"]) == (
        "task",
        task_id,
        pid,
    )
    assert created["changes"]["queue"] == [None, "calls"]
    assert created["changes"]["status"] == [None, "requested"]
    assert created["changes"]["origin"] == [None, "manual"]
    [edited] = audit(db, "Edit task")
    assert edited["changes"] == {"status": ["requested", "in-progress"]}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Title is required"),
        ({"title": TOO_LONG}, "Title is longer than 200 characters"),
        ({"title": f"Call {ANSI}now"}, "Title contains a control character"),
        ({"title": "Call\nnow"}, "Title contains a control character"),
        ({"queue": "laundry"}, f"Queue 'laundry' is not one of: {QUEUES}"),
        ({"queue": ""}, "Queue is required"),
        ({"due": "2026-02-30"}, "Due 2026-02-30 is not a real date"),
        (
            {"priority": "whenever"},
            "Priority 'whenever' is not one of: routine, urgent, asap, stat",
        ),
        (
            {"rrule": "FREQ=FORTNIGHTLY"},
            "Repeats: 'FREQ=FORTNIGHTLY' is not a valid recurrence rule",
        ),
        (
            {"rrule": "FREQ=WEEKLY;BYDAY=XX"},
            "Repeats: 'FREQ=WEEKLY;BYDAY=XX' is not a valid recurrence rule",
        ),
        ({"patient_id": 999}, "No patient with id 999"),
        ({"appointment_id": 999}, "Appointment: no appointment with id 999"),
        (
            {"wait_until": "2026-03-11"},
            "Snooze until 2026-03-11 is not after today; choose a later date",
        ),
        ({"status": "completed"}, "A new task must be open"),
        (
            {"completed_at": "2026-03-11 25:00"},
            "Completed 2026-03-11 25:00 is not a real date and time",
        ),
    ],
)
def test_bad_task_is_refused(
    db: Database, today: date, fields: dict[str, Any], message: str
) -> None:
    new_patient(db, today)
    with refused(db, message), action(db, "Add task") as s:
        tasks.add_task(s, {"title": "Call pharmacy", "queue": "calls", **fields}, today=today)


def test_queues_come_from_the_settings(db: Database, today: date) -> None:
    config = Path(os.environ["CARETUI_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('queues = ["calls", "housing"]\n', "utf-8")
    task_id = add(db, today, queue="housing")
    with refused(db, "Queue 'insurance' is not one of: calls, housing"), action(db, "Move") as s:
        tasks.move_to_queue(s, s.get_one(Task, task_id), "insurance", today=today)
    with action(db, "Move") as s:
        tasks.move_to_queue(s, s.get_one(Task, task_id), "calls", today=today)
    assert audit(db, "Move")[0]["changes"] == {"queue": ["housing", "calls"]}


def test_complete_task(db: Database, today: date) -> None:
    task_id = add(db, today, due="2026-03-10", wait_until="2026-03-12")
    with action(db, "Complete task") as s:
        assert tasks.complete_task(s, s.get_one(Task, task_id), today=today, now=NOW) is None
    assert audit(db, "Complete task")[0]["changes"] == {
        "status": ["requested", "completed"],
        "completed_at": [None, "2026-03-11T14:05:00"],
        "wait_until": ["2026-03-12", None],
    }
    message = "This task is already completed; there is nothing to complete"
    with refused(db, message), action(db, "Complete task") as s:
        tasks.complete_task(s, s.get_one(Task, task_id), today=today, now=NOW)


@pytest.mark.parametrize(
    ("rule", "due", "next_due", "next_rule"),
    [
        ("weekly", "2026-03-11", "2026-03-18", "FREQ=WEEKLY"),
        ("every 2 weeks", "2026-03-09", "2026-03-23", "FREQ=WEEKLY;INTERVAL=2"),
        # completed late: the next is the rule's first date after the old due, not after today
        ("weekly", "2026-02-25", "2026-03-04", "FREQ=WEEKLY"),
        ("every mon", "2026-03-09", "2026-03-16", "FREQ=WEEKLY;BYDAY=MO"),
        ("weekdays", "2026-03-13", "2026-03-16", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("daily", None, "2026-03-12", "FREQ=DAILY"),  # no due: after today
        # monthly on the 31st: a short month gets its last day, not skipped
        ("monthly", "2026-03-31", "2026-04-30", "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"),
        ("monthly", "2026-01-31", "2026-02-28", "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"),
        (
            "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1",
            "2026-04-30",
            "2026-05-31",
            "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1",
        ),
        ("monthly", "2026-03-15", "2026-04-15", "FREQ=MONTHLY"),
        ("FREQ=WEEKLY;COUNT=3", "2026-03-11", "2026-03-18", "FREQ=WEEKLY;COUNT=2"),
        ("FREQ=WEEKLY;COUNT=1", "2026-03-11", None, None),
        ("FREQ=WEEKLY;UNTIL=20260315", "2026-03-11", None, None),
    ],
)
def test_completing_a_repeating_task_creates_the_next(
    db: Database,
    today: date,
    rule: str,
    due: str | None,
    next_due: str | None,
    next_rule: str | None,
) -> None:
    pid = new_patient(db, today)
    task_id = add(
        db, today, patient_id=pid, due=due, rrule=rule, priority="urgent", description="Ask"
    )
    with action(db, "Complete task") as s:
        following = tasks.complete_task(s, s.get_one(Task, task_id), today=today, now=NOW)
        new_id = following.id if following else None
    assert task_row(db, task_id)["rrule"] is None  # the rule moved on (or the series ended)
    events = audit(db, "Complete task")
    if next_due is None:
        assert new_id is None
        assert [(e["entity"], e["action"]) for e in events] == [("task", "update")]
        return
    assert new_id is not None
    new = task_row(db, new_id)
    assert (new["due"], new["rrule"], new["status"]) == (next_due, next_rule, "requested")
    same = ("title", "description", "queue", "priority", "patient_id", "origin")
    assert {k: new[k] for k in same} == {k: task_row(db, task_id)[k] for k in same}
    assert new["completed_at"] is None
    assert [(e["entity"], e["action"]) for e in events] == [("task", "update"), ("task", "create")]


def test_the_next_task_of_a_series_keeps_its_origin_and_queue(db: Database, today: date) -> None:
    task_id = add(db, today, queue="insurance", origin="plan-review", rrule="quarterly")
    with action(db, "Complete task") as s:
        following = tasks.complete_task(s, s.get_one(Task, task_id), today=today, now=NOW)
        assert following is not None
        assert (following.origin, following.queue) == ("plan-review", "insurance")
        assert following.due == date(2026, 6, 11)


def test_snooze(db: Database, today: date) -> None:
    task_id = add(db, today, due="2026-03-11")
    with action(db, "Snooze") as s:
        tasks.snooze(s, s.get_one(Task, task_id), date(2026, 3, 16), today=today)
    assert audit(db, "Snooze")[0]["changes"] == {"wait_until": [None, "2026-03-16"]}
    for until in (today, date(2026, 3, 1)):
        message = f"Snooze until {until.isoformat()} is not after today; choose a later date"
        with refused(db, message), action(db, "Snooze") as s:
            tasks.snooze(s, s.get_one(Task, task_id), until, today=today)
    with action(db, "Cancel") as s:
        tasks.cancel_task(s, s.get_one(Task, task_id), today=today)
    message = "This task is already cancelled; there is nothing to snooze"
    with refused(db, message), action(db, "Snooze") as s:
        tasks.snooze(s, s.get_one(Task, task_id), date(2026, 3, 20), today=today)


def test_reschedule_task(db: Database, today: date) -> None:
    task_id = add(db, today, due="2026-03-10", wait_until="2026-03-20")
    with action(db, "Reschedule") as s:
        tasks.reschedule_task(s, s.get_one(Task, task_id), date(2026, 3, 13), today=today)
    assert audit(db, "Reschedule")[0]["changes"] == {
        "due": ["2026-03-10", "2026-03-13"],
        "wait_until": ["2026-03-20", None],  # a snooze past the new due date is lifted
    }
    message = "Due 2026-03-10 is in the past; choose today or later"
    with refused(db, message), action(db, "Reschedule") as s:
        tasks.reschedule_task(s, s.get_one(Task, task_id), date(2026, 3, 10), today=today)


def test_cancel_and_reopen(db: Database, today: date) -> None:
    task_id = add(db, today)
    message = "This task is still open"
    with refused(db, message), action(db, "Reopen") as s:
        tasks.reopen_task(s, s.get_one(Task, task_id), today=today)
    with action(db, "Cancel task") as s:
        assert tasks.cancel_task(s, s.get_one(Task, task_id), today=today) is None
    message = "This task is already cancelled; there is nothing to cancel"
    with refused(db, message), action(db, "Cancel task") as s:
        tasks.cancel_task(s, s.get_one(Task, task_id), today=today)
    message = "This task is already cancelled; there is nothing to complete"
    with refused(db, message), action(db, "Complete task") as s:
        tasks.complete_task(s, s.get_one(Task, task_id), today=today, now=NOW)
    message = "This task is already cancelled; reopen it to reschedule it"
    with refused(db, message), action(db, "Reschedule") as s:
        tasks.reschedule_task(s, s.get_one(Task, task_id), today, today=today)
    with action(db, "Reopen") as s:
        tasks.reopen_task(s, s.get_one(Task, task_id), today=today)
    assert audit(db, "Reopen")[0]["changes"] == {"status": ["cancelled", "requested"]}


def test_cancelling_one_of_a_series_creates_the_next_unless_the_series_ends(
    db: Database, today: date
) -> None:
    one = add(db, today, due="2026-03-11", rrule="weekly")
    two = add(db, today, due="2026-03-11", rrule="weekly")
    with action(db, "Cancel task") as s:
        skipped = tasks.cancel_task(s, s.get_one(Task, one), today=today)
        assert skipped is not None and skipped.due == date(2026, 3, 18)
        assert tasks.cancel_task(s, s.get_one(Task, two), series=True, today=today) is None
    assert task_row(db, two)["rrule"] is None


def test_status_changes_in_an_edit_stay_between_open_ones(db: Database, today: date) -> None:
    task_id = add(db, today)
    message = "Use complete, cancel or reopen to close or reopen a task"
    with refused(db, message), action(db, "Edit task") as s:
        tasks.update_task(s, s.get_one(Task, task_id), {"status": "completed"}, today=today)
    message = (
        "Status 'finished' is not one of: draft, requested, received, accepted, rejected, "
        "ready, cancelled, in-progress, on-hold, failed, completed, entered-in-error"
    )
    with refused(db, message), action(db, "Edit task") as s:
        tasks.update_task(s, s.get_one(Task, task_id), {"status": "finished"}, today=today)
    with refused(db, "Title is required"), action(db, "Edit task") as s:
        tasks.update_task(s, s.get_one(Task, task_id), {"title": "  "}, today=today)


def test_a_task_can_be_given_to_a_patient_but_not_linked_across_patients(
    db: Database, today: date
) -> None:
    from caretui.services import appointments

    pid = new_patient(db, today)
    other = new_patient(db, today, family="Otherfamily")
    task_id = add(db, today)
    with action(db, "Book") as s:
        appt_id = appointments.add_appointment(s, other, {"start": "2026-03-12 09:00"}).id
    with action(db, "Edit task") as s:
        tasks.update_task(s, s.get_one(Task, task_id), {"patient_id": pid}, today=today)
    message = "Appointment: that appointment belongs to another patient"
    with refused(db, message), action(db, "Edit task") as s:
        tasks.update_task(s, s.get_one(Task, task_id), {"appointment_id": appt_id}, today=today)


def test_a_snooze_needs_its_date(db: Database, today: date) -> None:
    task_id = add(db, today)
    with refused(db, "Snooze until which date?"), action(db, "Snooze") as s:
        tasks.snooze(s, s.get_one(Task, task_id), None, today=today)  # type: ignore[arg-type]
