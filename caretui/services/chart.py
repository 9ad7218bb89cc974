"""The patient's chart: contacts, problems and allergies.

Thin over ``records`` (which checks every field against its column), plus the
rules a coordinator would expect: an emergency contact can be phoned, an allergy
is not recorded twice, a record stays with its patient.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caretui import codes
from caretui.errors import DomainError
from caretui.models.all import Allergy, Contact, Problem, Referral
from caretui.services import common
from caretui.services.text import fold

# --- contacts -----------------------------------------------------------------------


def _check_contact(values: Mapping[str, Any]) -> None:
    if values.get("emergency") and not values.get("phone"):
        raise DomainError("An emergency contact needs a phone number", field="phone")


def add_contact(
    session: Session, patient_id: int, fields: Mapping[str, Any], *, today: date | None = None
) -> Contact:
    """A caregiver, PCP, pharmacy… around the patient."""
    return common.add_for_patient(
        session, Contact, patient_id, fields, today=today or date.today(), check=_check_contact
    )


def update_contact(
    session: Session,
    contact: Contact,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> Contact:
    return common.edit(
        session,
        contact,
        fields,
        today=today or date.today(),
        expected_version=expected_version,
        check=_check_contact,
    )


def remove_contact(session: Session, contact: Contact) -> None:
    """Take a contact off the patient's list (entered by mistake, no longer involved).
    The audit trail keeps it, and undo brings it back. A contact that referrals were
    sent to stays: the referral's history needs it."""
    in_use = session.scalar(
        select(func.count()).select_from(Referral).where(Referral.contact_id == contact.id)
    )
    if in_use:
        raise DomainError("This contact has referrals sent to it; it cannot be removed")
    session.delete(contact)
    session.flush()


# --- problems -----------------------------------------------------------------------


def add_problem(
    session: Session, patient_id: int, fields: Mapping[str, Any], *, today: date | None = None
) -> Problem:
    """A condition the care plan addresses; its onset cannot be in the future."""
    return common.add_for_patient(session, Problem, patient_id, fields, today=today or date.today())


def update_problem(
    session: Session,
    problem: Problem,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> Problem:
    return common.edit(
        session, problem, fields, today=today or date.today(), expected_version=expected_version
    )


# --- allergies ----------------------------------------------------------------------


def _no_duplicate_allergy(session: Session, record_id: int | None) -> common.Check:
    def check(values: Mapping[str, Any]) -> None:
        if values.get("clinical_status") not in (None, codes.AllergyClinicalStatus.ACTIVE):
            return
        substance = fold(str(values.get("substance") or ""))
        others = session.scalars(
            select(Allergy.substance).where(
                Allergy.patient_id == values.get("patient_id"),
                Allergy.clinical_status == codes.AllergyClinicalStatus.ACTIVE,
                Allergy.id != (record_id or 0),
            )
        )
        if any(fold(other) == substance for other in others):
            raise DomainError(
                "This patient already has an active allergy to that substance",
                field="substance",
            )

    return check


def add_allergy(
    session: Session, patient_id: int, fields: Mapping[str, Any], *, today: date | None = None
) -> Allergy:
    """An allergy or intolerance; the same active substance twice is refused."""
    return common.add_for_patient(
        session,
        Allergy,
        patient_id,
        fields,
        today=today or date.today(),
        check=_no_duplicate_allergy(session, None),
    )


def update_allergy(
    session: Session,
    allergy: Allergy,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> Allergy:
    return common.edit(
        session,
        allergy,
        fields,
        today=today or date.today(),
        expected_version=expected_version,
        check=_no_duplicate_allergy(session, allergy.id),
    )
