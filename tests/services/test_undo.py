"""Undo: the last action taken back whole, audited, refused if its records changed since."""

from __future__ import annotations

from datetime import date, datetime

from caretui.models.all import Appointment, Contact, Medication, Patient, Task
from caretui.services import appointments, chart, medications, patients, tasks
from caretui.services.undo import last_undoable, undo_last
from caretui.services.unit import action
from caretui.store import plain
from caretui.store.database import Database

from .helpers import audit, new_patient, one_row, refused, row_counts

NOW = datetime(2026, 3, 11, 14, 0)


def test_nothing_to_undo(db: Database) -> None:
    assert last_undoable(db) is None
    assert undo_last(db) is None
    assert row_counts(db)["audit_event"] == 0


def test_undo_a_create(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    before = row_counts(db)
    with action(db, "Add task") as s:
        task_id = tasks.add_task(s, {"title": "Call", "queue": "calls", "patient_id": pid}).id
    assert last_undoable(db) == "Add task"
    assert undo_last(db) == "Add task"
    assert one_row(db, "SELECT id FROM task WHERE id = ?", task_id) is None
    after = row_counts(db)
    assert {k: v for k, v in after.items() if k != "audit_event"} == {
        k: v for k, v in before.items() if k != "audit_event"
    }
    [undone] = audit(db, "Undo: Add task")
    assert (undone["action"], undone["entity"], undone["record_id"]) == ("delete", "task", task_id)
    [added] = audit(db, "Add task")
    assert undone["reverts"] == added["action_id"]
    assert undone["changes"]["title"] == ["Call", None]


def test_undo_an_update_restores_dates_codes_and_flags(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Add medication") as s:
        mid = medications.add_medication(
            s, pid, {"name": "Metformin", "start_date": "2025-01-10", "refill_due": "2026-03-20"}
        ).id
    with action(db, "Stop medication") as s:
        medications.stop_medication(
            s, s.get_one(Medication, mid), reason="Side effects", on=today, today=today
        )
    assert undo_last(db) == "Stop medication"
    row = one_row(db, "SELECT * FROM medication WHERE id = ?", mid)
    assert row is not None
    assert (row["status"], row["end_date"], row["stop_reason"], row["refill_due"]) == (
        "active",
        None,
        None,
        "2026-03-20",
    )
    [undone] = audit(db, "Undo: Stop medication")
    assert undone["changes"]["status"] == ["stopped", "active"]
    with action(db, "Check") as s:  # the values read back as their types
        med = s.get_one(Medication, mid)
        assert med.refill_due == date(2026, 3, 20)
        assert med.status is medications.Status.ACTIVE


def test_undo_a_patient_edit_keeps_search_in_step(db: Database, today: date) -> None:
    pid = new_patient(db, today, family="Before")
    with action(db, "Edit patient") as s:
        patients.update_patient(s, s.get_one(Patient, pid), {"family_name": "After"}, today=today)
    assert undo_last(db) == "Edit patient"
    row = one_row(db, "SELECT family_name, search_key FROM patient WHERE id = ?", pid)
    assert row is not None
    assert row["family_name"] == "Before"
    assert "before" in row["search_key"] and "after" not in row["search_key"]


def test_undo_a_delete_brings_the_record_back_with_its_id(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Add contact") as s:
        cid = chart.add_contact(
            s, pid, {"role": "caregiver", "name": "Rin", "phone": "555-0100", "emergency": True}
        ).id
    before = one_row(db, "SELECT * FROM contact WHERE id = ?", cid)
    with action(db, "Remove contact") as s:
        chart.remove_contact(s, s.get_one(Contact, cid))
    assert undo_last(db) == "Remove contact"
    after = one_row(db, "SELECT * FROM contact WHERE id = ?", cid)
    assert before is not None and after is not None
    unaudited = {"created_at", "updated_at", "version"}
    assert {k: v for k, v in after.items() if k not in unaudited} == {
        k: v for k, v in before.items() if k not in unaudited
    }
    [undone] = audit(db, "Undo: Remove contact")
    assert (undone["action"], undone["record_id"]) == ("create", cid)


def test_undo_a_purge_brings_back_the_patient_and_every_record(db: Database, today: date) -> None:
    pid = new_patient(db, today, family="Purged")
    with action(db, "Add records") as s:
        chart.add_contact(s, pid, {"role": "pcp", "name": "Dr Example"})
        appt = appointments.add_appointment(s, pid, {"start": "2026-03-12 09:00"})
        tasks.add_task(
            s, {"title": "Call", "queue": "calls", "patient_id": pid, "appointment_id": appt.id}
        )
    full = row_counts(db)
    with action(db, "Purge patient") as s:
        patients.purge(s, s.get_one(Patient, pid), confirm_name="purged")
    assert one_row(db, "SELECT id FROM patient WHERE id = ?", pid) is None
    assert undo_last(db) == "Purge patient"
    restored = row_counts(db)
    assert {k: v for k, v in restored.items() if k != "audit_event"} == {
        k: v for k, v in full.items() if k != "audit_event"
    }
    task = one_row(db, "SELECT appointment_id FROM task WHERE patient_id = ?", pid)
    assert task == {"appointment_id": appt.id}


def test_undo_a_multi_record_action(db: Database, today: date) -> None:
    with action(db, "Add task") as s:
        task_id = tasks.add_task(
            s, {"title": "Weigh-in call", "queue": "calls", "due": "2026-03-11", "rrule": "weekly"}
        ).id
    before = one_row(db, "SELECT * FROM task WHERE id = ?", task_id)
    with action(db, "Complete task") as s:
        following = tasks.complete_task(s, s.get_one(Task, task_id), today=today, now=NOW)
        assert following is not None
        next_id = following.id
    assert undo_last(db) == "Complete task"
    assert one_row(db, "SELECT id FROM task WHERE id = ?", next_id) is None
    after = one_row(db, "SELECT * FROM task WHERE id = ?", task_id)
    assert before is not None and after is not None
    assert (after["status"], after["completed_at"], after["rrule"]) == (
        "requested",
        None,
        "FREQ=WEEKLY",
    )
    undone = audit(db, "Undo: Complete task")
    assert [(e["entity"], e["action"], e["record_id"]) for e in undone] == [
        ("task", "delete", next_id),  # newest first
        ("task", "update", task_id),
    ]
    assert len({e["action_id"] for e in undone}) == 1


def test_undo_a_no_show(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Book") as s:
        appt_id = appointments.add_appointment(
            s, pid, {"start": "2026-03-11 09:00", "rrule": "weekly"}
        ).id
    with action(db, "No-show") as s:
        result = appointments.record_outcome(
            s, s.get_one(Appointment, appt_id), "noshow", today=today, now=NOW
        )
        assert result.follow_up and result.next_appointment
    counts = row_counts(db)
    assert undo_last(db) == "No-show"
    after = row_counts(db)
    assert (after["task"], after["appointment"]) == (counts["task"] - 1, counts["appointment"] - 1)
    row = one_row(db, "SELECT status, rrule FROM appointment WHERE id = ?", appt_id)
    assert row == {"status": "booked", "rrule": "FREQ=WEEKLY"}


def write_behind(db: Database, sql: str, *params: object) -> None:
    """A change made outside caretui's actions (another program, a database cascade):
    it is on no undo stack, so the record is no longer as the last action left it."""
    con = plain.connect(db.path, read_only=False)
    try:
        con.execute(sql, params)
    finally:
        con.close()


REFUSED = "Cannot undo “{}”: a record it changed has been changed since; nothing was undone"


def test_undo_is_refused_when_the_record_changed_since(db: Database, today: date) -> None:
    with action(db, "Add task") as s:
        task_id = tasks.add_task(s, {"title": "Call", "queue": "calls"}).id
    with action(db, "Rename task") as s:
        tasks.update_task(s, s.get_one(Task, task_id), {"title": "Call back"})
    write_behind(db, "UPDATE task SET title = 'Call pharmacy' WHERE id = ?", task_id)
    assert last_undoable(db) == "Rename task"
    with refused(db, REFUSED.format("Rename task")):
        undo_last(db)
    assert one_row(db, "SELECT title FROM task WHERE id = ?", task_id) == {"title": "Call pharmacy"}


def test_undo_is_refused_when_a_created_record_was_deleted_since(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Add contact") as s:
        cid = chart.add_contact(s, pid, {"role": "pcp", "name": "Dr Example"}).id
    write_behind(db, "DELETE FROM contact WHERE id = ?", cid)
    with refused(db, REFUSED.format("Add contact")):
        undo_last(db)


def test_undo_of_a_delete_is_refused_when_its_id_was_taken_again(db: Database, today: date) -> None:
    """SQLite hands a deleted highest id out again; the record there now is not ours."""
    with action(db, "Add task") as s:
        task_id = tasks.add_task(s, {"title": "First", "queue": "calls"}).id
    with action(db, "Remove task") as s:
        s.delete(s.get_one(Task, task_id))
    write_behind(
        db,
        "INSERT INTO task (id, title, queue, status, priority, origin, created_at, updated_at,"
        " version) VALUES (?, 'Other', 'calls', 'requested', 'routine', 'manual', ?, ?, 1)",
        task_id,
        "2026-03-11 10:00:00",
        "2026-03-11 10:00:00",
    )
    with refused(db, REFUSED.format("Remove task")):
        undo_last(db)


def test_a_second_undo_takes_back_the_action_before(db: Database, today: date) -> None:
    with action(db, "Add task") as s:
        task_id = tasks.add_task(s, {"title": "Call", "queue": "calls", "due": "2026-03-12"}).id
    with action(db, "Snooze task") as s:
        tasks.snooze(s, s.get_one(Task, task_id), date(2026, 3, 16), today=today)
    with action(db, "Reschedule task") as s:
        tasks.reschedule_task(s, s.get_one(Task, task_id), date(2026, 3, 20), today=today)

    assert undo_last(db) == "Reschedule task"
    assert last_undoable(db) == "Snooze task"
    assert one_row(db, "SELECT due, wait_until FROM task WHERE id = ?", task_id) == {
        "due": "2026-03-12",
        "wait_until": "2026-03-16",
    }
    assert undo_last(db) == "Snooze task"
    assert one_row(db, "SELECT due, wait_until FROM task WHERE id = ?", task_id) == {
        "due": "2026-03-12",
        "wait_until": None,
    }
    assert undo_last(db) == "Add task"
    assert one_row(db, "SELECT id FROM task WHERE id = ?", task_id) is None
    assert undo_last(db) is None  # undos are not undone: there is no redo
    labels = [e["action_label"] for e in audit(db) if e["reverts"]]
    assert labels == ["Undo: Reschedule task", "Undo: Snooze task", "Undo: Add task"]


def test_undo_after_a_new_action_takes_that_one_first(db: Database, today: date) -> None:
    with action(db, "Add task A") as s:
        tasks.add_task(s, {"title": "A", "queue": "calls"})
    assert undo_last(db) == "Add task A"
    with action(db, "Add task B") as s:
        tasks.add_task(s, {"title": "B", "queue": "calls"})
    assert last_undoable(db) == "Add task B"
    assert undo_last(db) == "Add task B"
    assert undo_last(db) is None  # A is undone already
    assert row_counts(db)["task"] == 0


def test_a_seeded_caseload_is_not_offered_for_undo(db: Database) -> None:
    from caretui.services.seed import seed_caseload

    seed_caseload(db, patients=3, tasks=2, appointments=1, seed=1, today=date(2026, 3, 11))
    assert last_undoable(db) is None
    assert undo_last(db) is None
