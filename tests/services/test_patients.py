"""Patients, the record everything else hangs on: bad input refused, nothing written."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database

from .helpers import ANSI, TOO_LONG, audit, refused


def test_create_patient_is_audited(db: Database, today: date) -> None:
    with action(db, "Add patient") as s:
        pid = patients.create_patient(
            s,
            {"given_name": "Ana", "family_name": "Núñez", "birth_date": "1948-07-30"},
            today=today,
        ).id
    [created] = audit(db, "Add patient")
    assert (created["entity"], created["record_id"], created["patient_id"]) == ("patient", pid, pid)
    assert created["changes"]["family_name"] == [None, "Núñez"]
    assert created["changes"]["enrolled_on"] == [None, "2026-03-11"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"birth_date": "1950-02-30"}, "Date of birth 1950-02-30 is not a real date"),
        ({"birth_date": "2026-03-12"}, "Date of birth 2026-03-12 is in the future"),
        ({"family_name": ""}, "Family name is required"),
        ({"family_name": TOO_LONG}, "Family name is longer than 100 characters"),
        ({"given_name": f"{ANSI}Ana"}, "Given name contains a control character"),
        ({"given_name": "[@click=app.quit]Ana\x00"}, "Given name contains a control character"),
        ({"risk": "extreme"}, "Risk level 'extreme' is not one of: high, medium, low"),
        ({"phone": "555-0100; DROP"}, "Phone has characters a phone number does not"),
    ],
)
def test_bad_patient_is_refused(
    db: Database, today: date, fields: dict[str, Any], message: str
) -> None:
    base = {"given_name": "Ana", "family_name": "Example", "birth_date": "1948-07-30"}
    with refused(db, message), action(db, "Add patient") as s:
        patients.create_patient(s, {**base, **fields}, today=today)
