"""Medications (FHIR MedicationStatement): what the patient takes, when refills fall
due, when the list was last reconciled, and stopping one with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from caretui import codes
from caretui.errors import DomainError
from caretui.models.all import Medication
from caretui.services import common, records

Status = codes.MedicationStatus

#: Statuses under which the patient no longer takes the medication.
CLOSED = frozenset({Status.STOPPED, Status.COMPLETED, Status.ENTERED_IN_ERROR})

_CLOSED_STATE = {
    Status.STOPPED: "is stopped",
    Status.COMPLETED: "is completed",
    Status.ENTERED_IN_ERROR: "was entered in error",
}


def _check(values: Mapping[str, Any]) -> None:
    if values.get("status") is Status.STOPPED and not values.get("stop_reason"):
        raise DomainError(
            "A stopped medication needs the reason it was stopped", field="stop_reason"
        )
    if values.get("status") in CLOSED and values.get("refill_due") is not None:
        raise DomainError(
            "A medication no longer taken has no refill due; clear the refill date",
            field="refill_due",
        )


def add_medication(
    session: Session, patient_id: int, fields: Mapping[str, Any], *, today: date | None = None
) -> Medication:
    """A medication the patient takes (active unless another status is given)."""
    return common.add_for_patient(
        session, Medication, patient_id, fields, today=today or date.today(), check=_check
    )


def update_medication(
    session: Session,
    med: Medication,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> Medication:
    """Edit a medication. Setting a closed status here clears the refill date (unless
    one is given, which is then refused); stopping needs a reason, as ``stop_medication``."""
    fields = dict(fields)
    if fields.get("status") and "refill_due" not in fields:
        status = common.as_code(Status, fields["status"], "Status")
        if status in CLOSED:
            fields["refill_due"] = None
    return common.edit(
        session,
        med,
        fields,
        today=today or date.today(),
        expected_version=expected_version,
        check=_check,
    )


def stop_medication(
    session: Session, med: Medication, *, reason: str, on: date, today: date | None = None
) -> Medication:
    """The patient stopped taking ``med`` on ``on`` (today or earlier), for ``reason``.

    The refill date is cleared: a stopped medication must not show as a refill due.
    """
    today = today or date.today()
    if med.status is Status.STOPPED:
        raise DomainError("This medication is already stopped")
    if med.status in _CLOSED_STATE:
        raise DomainError(f"This medication {_CLOSED_STATE[med.status]}; it cannot be stopped")
    if not isinstance(reason, str) or not reason.strip():
        raise DomainError("A reason for stopping is required", field="stop_reason")
    if on is None:  # a form's empty date field
        raise DomainError("The date it was stopped is required", field="end_date")
    if on > today:
        raise DomainError(
            f"Stop date {on.isoformat()} is in the future; record the stop on the day it happens",
            field="end_date",
        )
    return records.update(
        session,
        med,
        {"status": Status.STOPPED, "end_date": on, "stop_reason": reason, "refill_due": None},
        today=today,
    )


def mark_reconciled(session: Session, med: Medication, *, today: date | None = None) -> Medication:
    """The coordinator checked this medication against the patient's actual use today."""
    today = today or date.today()
    if med.status is Status.ENTERED_IN_ERROR:
        raise DomainError("This medication was entered in error; there is nothing to reconcile")
    return records.update(session, med, {"last_reconciled": today}, today=today)


def set_refill_due(
    session: Session, med: Medication, due: date | None, *, today: date | None = None
) -> Medication:
    """When the next refill falls due (None clears it). Only a medication still taken
    has one; a date in the past is kept, as the refill is then overdue."""
    if due is not None and med.status in CLOSED:
        raise DomainError(f"This medication {_CLOSED_STATE[med.status]}; it has no refill due")
    return records.update(session, med, {"refill_due": due}, today=today or date.today())
