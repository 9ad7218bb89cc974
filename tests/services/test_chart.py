"""Contacts, problems and allergies: saved with their audit events; bad input refused
with a readable message and nothing written."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from caretui.models.all import Allergy, Contact, Problem, Referral
from caretui.services import chart, records
from caretui.services.unit import action
from caretui.store.database import Database

from .helpers import ANSI, TOO_LONG, audit, new_patient, one_row, refused

ROLES = "caregiver, pcp, specialist, pharmacy, home-health, social-worker, other"

# --- contacts -----------------------------------------------------------------------


def test_add_and_update_contact_are_audited(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Add contact") as s:
        cid = chart.add_contact(
            s, pid, {"role": "caregiver", "name": "Rin Example", "relationship": "daughter"}
        ).id
    with action(db, "Edit contact") as s:
        chart.update_contact(
            s, records.get(s, Contact, cid), {"phone": "555-0100", "emergency": True}, today=today
        )

    [created] = audit(db, "Add contact")
    assert (created["action"], created["entity"], created["record_id"]) == (
        "create",
        "contact",
        cid,
    )
    assert created["patient_id"] == pid
    assert created["changes"]["name"] == [None, "Rin Example"]
    assert created["changes"]["role"] == [None, "caregiver"]
    [edited] = audit(db, "Edit contact")
    assert edited["changes"] == {"phone": [None, "555-0100"], "emergency": [False, True]}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": "pcp", "name": "   "}, "Name is required"),
        ({"role": "pcp"}, "Name is required"),
        ({"role": "pcp", "name": TOO_LONG}, "Name is longer than 100 characters"),
        ({"role": "pcp", "name": f"{ANSI}Dr Red"}, "Name contains a control character"),
        ({"role": "cousin", "name": "Kim"}, f"Role 'cousin' is not one of: {ROLES}"),
        (
            {"role": "pcp", "name": "Kim", "phone": "call me"},
            "Phone has characters a phone number does not",
        ),
        (
            {"role": "pcp", "name": "Kim", "emergency": True},
            "An emergency contact needs a phone number",
        ),
        ({"role": "pcp", "name": "Kim", "favourite": "x"}, "A contact has no field 'favourite'"),
    ],
)
def test_bad_contact_is_refused(
    db: Database, today: date, fields: dict[str, Any], message: str
) -> None:
    pid = new_patient(db, today)
    with refused(db, message), action(db, "Add contact") as s:
        chart.add_contact(s, pid, fields, today=today)


def test_contact_for_a_missing_patient_is_refused(db: Database, today: date) -> None:
    new_patient(db, today)
    with refused(db, "No patient with id 999"), action(db, "Add contact") as s:
        chart.add_contact(s, 999, {"role": "pcp", "name": "Kim"}, today=today)


def test_contact_stays_with_its_patient(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    other = new_patient(db, today, family="Otherfamily")
    with action(db, "Add contact") as s:
        cid = chart.add_contact(s, pid, {"role": "pcp", "name": "Kim"}).id
    with refused(db, "A contact cannot be moved to another patient"), action(db, "Edit") as s:
        chart.update_contact(s, records.get(s, Contact, cid), {"patient_id": other}, today=today)
    with refused(db, "An emergency contact needs a phone number"), action(db, "Edit") as s:
        chart.update_contact(s, records.get(s, Contact, cid), {"emergency": True}, today=today)


def test_remove_contact_is_audited_unless_a_referral_needs_it(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Add contacts") as s:
        kept = chart.add_contact(s, pid, {"role": "specialist", "name": "Kim"}).id
        gone = chart.add_contact(s, pid, {"role": "pharmacy", "name": "Corner Pharmacy"}).id
        records.create(s, Referral, {"patient_id": pid, "contact_id": kept, "reason": "Review"})
    with action(db, "Remove contact") as s:
        chart.remove_contact(s, records.get(s, Contact, gone))
    [removed] = audit(db, "Remove contact")
    assert (removed["action"], removed["record_id"]) == ("delete", gone)
    assert removed["changes"]["name"] == ["Corner Pharmacy", None]
    assert one_row(db, "SELECT id FROM contact WHERE id = ?", gone) is None

    message = "This contact has referrals sent to it; it cannot be removed"
    with refused(db, message), action(db, "Remove contact") as s:
        chart.remove_contact(s, records.get(s, Contact, kept))


# --- problems -----------------------------------------------------------------------


def test_add_and_update_problem_are_audited(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Add problem") as s:
        problem = chart.add_problem(
            s, pid, {"name": "Type 2 diabetes", "onset_date": "2019-06-01"}, today=today
        )
        assert problem.clinical_status == "active"
        prob_id = problem.id
    with action(db, "Edit problem") as s:
        chart.update_problem(
            s, records.get(s, Problem, prob_id), {"clinical_status": "remission"}, today=today
        )
    [created] = audit(db, "Add problem")
    assert created["changes"]["onset_date"] == [None, "2019-06-01"]
    assert created["changes"]["clinical_status"] == [None, "active"]
    [edited] = audit(db, "Edit problem")
    assert edited["changes"] == {"clinical_status": ["active", "remission"]}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "Asthma", "onset_date": "2026-02-30"}, "Onset 2026-02-30 is not a real date"),
        ({"name": "Asthma", "onset_date": "2026-03-12"}, "Onset 2026-03-12 is in the future"),
        (
            {"name": "Asthma", "onset_date": "03/02/2020"},
            "Onset '03/02/2020' is not a date (use YYYY-MM-DD)",
        ),
        (
            {"name": "Asthma", "onset_date": "1850-01-01"},
            "Onset 1850-01-01 is not a plausible date",
        ),
        ({"name": ""}, "Problem is required"),
        ({"name": TOO_LONG}, "Problem is longer than 200 characters"),
        ({"name": f"Asthma{ANSI}"}, "Problem contains a control character"),
        (
            {"name": "Asthma", "clinical_status": "cured"},
            "Status 'cured' is not one of: active, recurrence, relapse, inactive, remission, resolved",
        ),
    ],
)
def test_bad_problem_is_refused(
    db: Database, today: date, fields: dict[str, Any], message: str
) -> None:
    pid = new_patient(db, today)
    with refused(db, message), action(db, "Add problem") as s:
        chart.add_problem(s, pid, fields, today=today)


def test_problem_update_keeps_the_rules(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Add problem") as s:
        prob_id = chart.add_problem(s, pid, {"name": "Asthma"}, today=today).id
    with refused(db, "Status is required"), action(db, "Edit problem") as s:
        chart.update_problem(s, records.get(s, Problem, prob_id), {"clinical_status": ""})
    with refused(db, "Onset 2026-04-01 is in the future"), action(db, "Edit problem") as s:
        chart.update_problem(
            s, records.get(s, Problem, prob_id), {"onset_date": date(2026, 4, 1)}, today=today
        )


# --- allergies ----------------------------------------------------------------------


def test_add_and_update_allergy_are_audited(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Add allergy") as s:
        aid = chart.add_allergy(
            s, pid, {"substance": "Penicillin", "reaction": "Hives", "criticality": "high"}
        ).id
    with action(db, "Edit allergy") as s:
        chart.update_allergy(s, records.get(s, Allergy, aid), {"reaction": "Rash"}, today=today)
    [created] = audit(db, "Add allergy")
    assert created["changes"]["criticality"] == [None, "high"]
    [edited] = audit(db, "Edit allergy")
    assert edited["changes"] == {"reaction": ["Hives", "Rash"]}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"substance": " "}, "Substance is required"),
        ({"substance": TOO_LONG}, "Substance is longer than 200 characters"),
        ({"substance": f"{ANSI}Latex"}, "Substance contains a control character"),
        (
            {"substance": "Latex", "criticality": "severe"},
            "Criticality 'severe' is not one of: low, high, unable-to-assess",
        ),
        (
            {"substance": "PÉNICILLIN "},
            "This patient already has an active allergy to that substance",
        ),
    ],
)
def test_bad_allergy_is_refused(
    db: Database, today: date, fields: dict[str, Any], message: str
) -> None:
    pid = new_patient(db, today)
    with action(db, "Add allergy") as s:
        chart.add_allergy(s, pid, {"substance": "Penicillin"}, today=today)
    with refused(db, message), action(db, "Add allergy") as s:
        chart.add_allergy(s, pid, fields, today=today)


def test_a_resolved_allergy_does_not_block_a_new_one(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    other = new_patient(db, today, family="Otherfamily")
    with action(db, "Add allergies") as s:
        old = chart.add_allergy(s, pid, {"substance": "Latex", "clinical_status": "resolved"})
        chart.add_allergy(s, pid, {"substance": "Latex"})
        chart.add_allergy(s, other, {"substance": "Latex"})  # another patient's
    message = "This patient already has an active allergy to that substance"
    with refused(db, message), action(db, "Edit allergy") as s:
        chart.update_allergy(s, records.get(s, Allergy, old.id), {"clinical_status": "active"})


def test_an_edit_made_on_a_stale_copy_is_refused(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Add contact") as s:
        contact = chart.add_contact(s, pid, {"role": "pcp", "name": "Kim"})
        opened_on = contact.version
    with action(db, "Edit contact") as s:
        chart.update_contact(s, records.get(s, Contact, contact.id), {"phone": "555-0101"})
    message = (
        "This contact was changed elsewhere since you opened it; nothing was saved. "
        "Reload it and make your change again."
    )
    with refused(db, message), action(db, "Edit contact") as s:
        chart.update_contact(
            s,
            records.get(s, Contact, contact.id),
            {"emergency": True, "phone": None},  # would break a rule too: staleness comes first
            expected_version=opened_on,
        )
