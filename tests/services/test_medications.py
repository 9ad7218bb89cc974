"""Medications: adding, editing, stopping, reconciling and refill dates."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from caretui.models.all import Medication
from caretui.services import medications, records
from caretui.services.unit import action
from caretui.store.database import Database

from .helpers import ANSI, TOO_LONG, audit, new_patient, one_row, refused

STATUSES = "active, on-hold, stopped, completed, entered-in-error"


def add(db: Database, today: date, **fields: Any) -> tuple[int, int]:
    pid = new_patient(db, today)
    with action(db, "Add medication") as s:
        med = medications.add_medication(
            s, pid, {"name": "Metformin", "dose": "500 mg", **fields}, today=today
        )
        return pid, med.id


def test_add_and_update_medication_are_audited(db: Database, today: date) -> None:
    pid, mid = add(db, today, start_date="2025-01-10", refill_due="2026-03-20")
    with action(db, "Edit medication") as s:
        medications.update_medication(
            s, records.get(s, Medication, mid), {"dose": "1000 mg"}, today=today
        )
    [created] = audit(db, "Add medication")
    assert (created["entity"], created["record_id"], created["patient_id"]) == (
        "medication",
        mid,
        pid,
    )
    assert created["changes"]["status"] == [None, "active"]
    assert created["changes"]["refill_due"] == [None, "2026-03-20"]
    [edited] = audit(db, "Edit medication")
    assert edited["changes"] == {"dose": ["500 mg", "1000 mg"]}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Medication is required"),
        ({"name": TOO_LONG}, "Medication is longer than 200 characters"),
        ({"name": f"Aspirin{ANSI}"}, "Medication contains a control character"),
        ({"name": "Aspirin", "status": "paused"}, f"Status 'paused' is not one of: {STATUSES}"),
        ({"name": "Aspirin", "start_date": "2026-02-30"}, "Start 2026-02-30 is not a real date"),
        (
            {"name": "Aspirin", "start_date": "2026-03-05", "end_date": "2026-03-01"},
            "End 2026-03-01 is before start 2026-03-05",
        ),
        (
            {"name": "Aspirin", "last_reconciled": "2026-03-12"},
            "Last reconciled 2026-03-12 is in the future",
        ),
        (
            {"name": "Aspirin", "status": "stopped"},
            "A stopped medication needs the reason it was stopped",
        ),
        (
            {"name": "Aspirin", "status": "completed", "refill_due": "2026-04-01"},
            "A medication no longer taken has no refill due; clear the refill date",
        ),
    ],
)
def test_bad_medication_is_refused(
    db: Database, today: date, fields: dict[str, Any], message: str
) -> None:
    pid = new_patient(db, today)
    with refused(db, message), action(db, "Add medication") as s:
        medications.add_medication(s, pid, fields, today=today)


def test_closing_status_in_an_edit_clears_the_refill(db: Database, today: date) -> None:
    _, mid = add(db, today, refill_due="2026-03-20")
    with action(db, "Edit medication") as s:
        medications.update_medication(
            s, records.get(s, Medication, mid), {"status": "completed"}, today=today
        )
    assert one_row(db, "SELECT status, refill_due FROM medication WHERE id = ?", mid) == {
        "status": "completed",
        "refill_due": None,
    }
    with (
        refused(db, "A stopped medication needs the reason it was stopped"),
        action(db, "Edit medication") as s,
    ):
        medications.update_medication(s, records.get(s, Medication, mid), {"status": "stopped"})


def test_stop_medication(db: Database, today: date) -> None:
    _, mid = add(db, today, start_date="2025-01-10", refill_due="2026-03-20")
    with action(db, "Stop medication") as s:
        med = medications.stop_medication(
            s, records.get(s, Medication, mid), reason="Side effects", on=today, today=today
        )
        assert med.status == "stopped"
    [event] = audit(db, "Stop medication")
    assert event["changes"] == {
        "status": ["active", "stopped"],
        "end_date": [None, "2026-03-11"],
        "stop_reason": [None, "Side effects"],
        "refill_due": ["2026-03-20", None],
    }


@pytest.mark.parametrize(
    ("reason", "on", "message"),
    [
        ("", date(2026, 3, 11), "A reason for stopping is required"),
        ("   ", date(2026, 3, 11), "A reason for stopping is required"),
        (
            "Side effects",
            date(2026, 3, 12),
            "Stop date 2026-03-12 is in the future; record the stop on the day it happens",
        ),
        ("Side effects", date(2025, 1, 1), "End 2025-01-01 is before start 2025-01-10"),
        (TOO_LONG, date(2026, 3, 11), "Reason stopped is longer than 200 characters"),
        (f"{ANSI}x", date(2026, 3, 11), "Reason stopped contains a control character"),
    ],
)
def test_bad_stop_is_refused(
    db: Database, today: date, reason: str, on: date, message: str
) -> None:
    _, mid = add(db, today, start_date="2025-01-10")
    with refused(db, message), action(db, "Stop medication") as s:
        medications.stop_medication(
            s, records.get(s, Medication, mid), reason=reason, on=on, today=today
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "stopped", "stop_reason": "Done"}, "This medication is already stopped"),
        ({"status": "completed"}, "This medication is completed; it cannot be stopped"),
        (
            {"status": "entered-in-error"},
            "This medication was entered in error; it cannot be stopped",
        ),
    ],
)
def test_a_closed_medication_cannot_be_stopped(
    db: Database, today: date, fields: dict[str, Any], message: str
) -> None:
    _, mid = add(db, today, **fields)
    with refused(db, message), action(db, "Stop medication") as s:
        medications.stop_medication(
            s, records.get(s, Medication, mid), reason="Again", on=today, today=today
        )


def test_mark_reconciled_and_refill_due(db: Database, today: date) -> None:
    _, mid = add(db, today)
    with action(db, "Reconcile") as s:
        medications.mark_reconciled(s, records.get(s, Medication, mid), today=today)
    with action(db, "Refill") as s:
        medications.set_refill_due(
            s, records.get(s, Medication, mid), date(2026, 3, 1), today=today
        )
    assert one_row(db, "SELECT last_reconciled, refill_due FROM medication WHERE id = ?", mid) == {
        "last_reconciled": "2026-03-11",
        "refill_due": "2026-03-01",  # overdue, kept as it is
    }
    assert audit(db, "Reconcile")[0]["changes"] == {"last_reconciled": [None, "2026-03-11"]}
    assert audit(db, "Refill")[0]["changes"] == {"refill_due": [None, "2026-03-01"]}


def test_refill_and_reconcile_rules(db: Database, today: date) -> None:
    _, mid = add(db, today, status="stopped", stop_reason="Finished")
    with refused(db, "This medication is stopped; it has no refill due"), action(db, "R") as s:
        medications.set_refill_due(s, records.get(s, Medication, mid), today, today=today)
    with action(db, "Clear refill") as s:  # clearing is always fine
        medications.set_refill_due(s, records.get(s, Medication, mid), None, today=today)
    _, err = add(db, today, status="entered-in-error")
    message = "This medication was entered in error; there is nothing to reconcile"
    with refused(db, message), action(db, "Reconcile") as s:
        medications.mark_reconciled(s, records.get(s, Medication, err), today=today)


def test_a_stop_needs_its_date(db: Database, today: date) -> None:
    _, mid = add(db, today)
    with refused(db, "The date it was stopped is required"), action(db, "Stop") as s:
        medications.stop_medication(
            s,
            records.get(s, Medication, mid),
            reason="Side effects",
            on=None,  # type: ignore[arg-type]  # what an empty form field gives
            today=today,
        )
