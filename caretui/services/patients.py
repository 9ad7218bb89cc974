"""Patients: enrol, edit, discharge, and the explicit purge."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caretui import codes
from caretui.errors import DomainError
from caretui.models.all import (
    Allergy,
    Appointment,
    CarePlan,
    Contact,
    ExternalRef,
    Goal,
    Intervention,
    Medication,
    Note,
    Patient,
    Problem,
    Referral,
    ReferralStep,
    Task,
)
from caretui.services import records
from caretui.services.text import fold


def search_key(patient: Patient) -> str:
    """What the read side matches a search against: folded names, identifiers, phone digits."""
    parts = [
        patient.given_name or "",
        patient.family_name or "",
        patient.preferred_name or "",
        patient.mrn or "",
        patient.insurance_member_id or "",
    ]
    digits = "".join(ch for ch in (patient.phone or "") if ch.isdigit())
    return " ".join(fold(p) for p in parts if p) + (f" {digits}" if digits else "")


def _check(values: Mapping[str, Any], today: date) -> None:
    born = values.get("birth_date")
    for key in ("enrolled_on", "discharged_on"):
        day = values.get(key)
        if born is not None and day is not None and day < born:
            raise DomainError(
                f"{'Enrolled' if key == 'enrolled_on' else 'Discharged'} "
                f"{day.isoformat()} is before the date of birth",
                field=key,
            )
    if (
        values.get("status") == codes.PatientStatus.DISCHARGED
        and values.get("discharged_on") is None
    ):
        raise DomainError("A discharged patient needs a discharge date", field="discharged_on")


def create_patient(
    session: Session, fields: Mapping[str, Any], *, today: date | None = None
) -> Patient:
    today = today or date.today()
    fields = dict(fields)
    if fields.get("status") in (codes.PatientStatus.DISCHARGED, "discharged"):
        fields.setdefault("discharged_on", today)
    fields.setdefault("enrolled_on", today)
    patient = records.create(session, Patient, fields, today=today)
    _check(records.current_values(patient), today)
    return patient


def update_patient(
    session: Session,
    patient: Patient,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> Patient:
    today = today or date.today()
    fields = dict(fields)
    if fields.get("status") in (codes.PatientStatus.DISCHARGED, "discharged") and not (
        fields.get("discharged_on") or patient.discharged_on
    ):
        fields["discharged_on"] = today
    if fields.get("status") in (codes.PatientStatus.ACTIVE, "active", "on-hold"):
        fields.setdefault("discharged_on", None)
    records.update(session, patient, fields, expected_version=expected_version, today=today)
    _check(records.current_values(patient), today)
    return patient


def discharge(
    session: Session, patient: Patient, *, on: date | None = None, today: date | None = None
) -> Patient:
    """Discharge: the patient leaves the active caseload; every record is kept."""
    today = today or date.today()
    day = on or today
    return update_patient(
        session,
        patient,
        {"status": codes.PatientStatus.DISCHARGED, "discharged_on": day},
        today=max(day, today),
    )


#: Tables holding a patient's records, children before parents.
_PURGE_ORDER = (
    ReferralStep,
    Referral,
    Task,
    Note,
    Intervention,
    Goal,
    CarePlan,
    Appointment,
    Medication,
    Allergy,
    Problem,
    Contact,
)


def purge(session: Session, patient: Patient, *, confirm_name: str) -> dict[str, int]:
    """Delete a patient and every record of theirs, for good. Explicit by design: the
    caller must pass the patient's family name as typed by the user. The audit trail
    keeps what was deleted. Returns the number of records removed per kind."""
    if fold(confirm_name.strip()) != fold(patient.family_name):
        raise DomainError("The name typed does not match: nothing was deleted")
    removed: dict[str, int] = {}
    for model in _PURGE_ORDER:
        rows = list(session.scalars(select(model).where(model.patient_id == patient.id)))
        if model is Task:
            _drop_dependencies(session, [row.id for row in rows])
        _forget_external_ids(session, model.__tablename__, [row.id for row in rows])
        for row in rows:
            session.delete(row)
        session.flush()
        removed[model.__tablename__] = len(rows)
    _forget_external_ids(session, "patient", [patient.id])
    session.delete(patient)
    session.flush()
    removed["patient"] = 1
    return removed


def _drop_dependencies(session: Session, task_ids: list[int]) -> None:
    """Waits on or by the purged tasks go with them (another patient's task that
    waited on one of them is no longer blocked by it)."""
    from caretui.models.all import TaskDependency

    links = {
        link.id: link
        for part in range(0, len(task_ids), 500)
        for link in session.scalars(
            select(TaskDependency).where(
                TaskDependency.task_id.in_(task_ids[part : part + 500])
                | TaskDependency.blocked_by_id.in_(task_ids[part : part + 500])
            )
        )
    }
    _forget_external_ids(session, "task_dependency", list(links))
    for link in links.values():
        session.delete(link)
    session.flush()


def _forget_external_ids(session: Session, entity: str, ids: list[int]) -> None:
    """A purged record keeps no identifier from another system: purge means gone."""
    if not ids:
        return
    refs = session.scalars(
        select(ExternalRef).where(ExternalRef.entity == entity, ExternalRef.record_id.in_(ids))
    )
    for ref in refs:
        session.delete(ref)


__all__ = ["create_patient", "discharge", "purge", "search_key", "update_patient"]
