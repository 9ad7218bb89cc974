"""The patient form: enrol a new patient, or edit one."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from enum import StrEnum
from typing import Any

from caretui import codes
from caretui.queries.patients import PatientDetail
from caretui.store.database import Database
from caretui.widgets.form import Field, FormScreen
from caretui.widgets.stale_edit import edited, expected_version


def choices(enum: type[StrEnum]) -> tuple[tuple[str, str], ...]:
    return tuple((m.value.replace("-", " "), m.value) for m in enum)


def patient_fields(current: PatientDetail | None = None) -> list[Field]:
    values: dict[str, Any] = asdict(current) if current else {}
    return [
        Field("given_name", "Given name", required=True, initial=values.get("given_name")),
        Field("family_name", "Family name", required=True, initial=values.get("family_name")),
        Field("preferred_name", "Preferred name", initial=values.get("preferred_name")),
        Field(
            "birth_date",
            "Date of birth",
            "date",
            initial=values.get("birth_date"),
            placeholder="YYYY-MM-DD",
        ),
        Field(
            "gender",
            "Gender",
            "choice",
            choices=choices(codes.Gender),
            initial=values.get("gender"),
        ),
        Field("phone", "Phone", initial=values.get("phone")),
        Field("email", "Email", initial=values.get("email")),
        Field("address", "Address", "multiline", initial=values.get("address")),
        Field("language", "Language", initial=values.get("language"), placeholder="e.g. Spanish"),
        Field(
            "interpreter_needed",
            "Interpreter needed",
            "bool",
            initial=values.get("interpreter_needed", False),
        ),
        Field(
            "risk",
            "Risk level",
            "choice",
            required=True,
            choices=choices(codes.RiskLevel),
            initial=values.get("risk", codes.RiskLevel.MEDIUM.value),
        ),
        Field(
            "status",
            "Status",
            "choice",
            required=True,
            choices=choices(codes.PatientStatus),
            initial=values.get("status", codes.PatientStatus.ACTIVE.value),
        ),
        Field(
            "care_management",
            "Enrolled in care management",
            "bool",
            initial=values.get("care_management", False),
        ),
        Field("mrn", "MRN", initial=values.get("mrn")),
        Field(
            "insurance_member_id", "Insurance member id", initial=values.get("insurance_member_id")
        ),
    ]


def new_patient_form(db: Database, today: date) -> FormScreen:
    def save(values: dict[str, Any]) -> int:
        from caretui.services.patients import create_patient
        from caretui.services.unit import action

        with action(db, "Add patient") as session:
            return create_patient(session, values, today=today).id

    return FormScreen("New patient", patient_fields(), save, today=today)


def edit_patient_form(db: Database, current: PatientDetail, today: date) -> FormScreen:
    def save(values: dict[str, Any]) -> int:
        from caretui.models.all import Patient
        from caretui.services import records
        from caretui.services.patients import update_patient
        from caretui.services.unit import action

        with action(db, "Edit patient") as session:
            patient = records.get(session, Patient, current.id)
            version = expected_version("patient", current.id, current.version)
            update_patient(session, patient, values, expected_version=version, today=today)
            return patient.id

    fields = patient_fields(current)
    return FormScreen("Edit patient", fields, save, today=today, edited=edited("patient", current))
