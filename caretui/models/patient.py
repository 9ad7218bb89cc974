"""The patient and what is known about them: contacts, problems, allergies."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from caretui import codes
from caretui.models.base import (
    NAME,
    SHORT,
    TABLE_OPTIONS,
    Record,
    code,
    label,
    name_col,
    phone_col,
    short_col,
    text_col,
)


def patient_fk() -> Mapped[int]:
    """A required link to a patient. No cascade: clinical records are never
    deleted along with their patient except by an explicit purge."""
    return mapped_column(
        ForeignKey("patient.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
        info=label("Patient"),
    )


class Patient(Record):
    __tablename__ = "patient"
    __label__ = "patient"

    family_name: Mapped[str] = name_col("Family name")
    given_name: Mapped[str] = name_col("Given name")
    preferred_name: Mapped[str | None] = name_col("Preferred name", nullable=True)
    birth_date: Mapped[date | None] = mapped_column(Date, info=label("Date of birth", past=True))
    gender: Mapped[codes.Gender | None] = mapped_column(
        code(codes.Gender, name="gender"), info=label("Gender")
    )
    phone: Mapped[str | None] = phone_col()
    email: Mapped[str | None] = short_col("Email")
    address: Mapped[str | None] = text_col("Address", 500)
    language: Mapped[str | None] = mapped_column(String(60), info=label("Language"))
    interpreter_needed: Mapped[bool] = mapped_column(
        Boolean, default=False, nullable=False, info=label("Interpreter needed")
    )
    status: Mapped[codes.PatientStatus] = mapped_column(
        code(codes.PatientStatus, name="patient_status"),
        default=codes.PatientStatus.ACTIVE,
        nullable=False,
        index=True,
        info=label("Status"),
    )
    risk: Mapped[codes.RiskLevel] = mapped_column(
        code(codes.RiskLevel, name="risk"),
        default=codes.RiskLevel.MEDIUM,
        nullable=False,
        info=label("Risk level"),
    )
    mrn: Mapped[str | None] = mapped_column(String(60), index=True, info=label("MRN"))
    insurance_member_id: Mapped[str | None] = mapped_column(
        String(60), info=label("Insurance member id")
    )
    enrolled_on: Mapped[date | None] = mapped_column(Date, info=label("Enrolled"))
    discharged_on: Mapped[date | None] = mapped_column(Date, info=label("Discharged"))
    care_management: Mapped[bool] = mapped_column(
        Boolean, default=False, nullable=False, info=label("Enrolled in care management")
    )
    unable_to_reach_since: Mapped[date | None] = mapped_column(
        Date, info=label("Unable to reach since")
    )
    #: Names, identifiers and phone digits folded to lower-case ASCII, kept by
    #: the services so the read side can search without Python-side folding.
    search_key: Mapped[str] = mapped_column(String(600), default="", nullable=False)

    __table_args__ = (
        Index("ix_patient_family_given", "family_name", "given_name"),
        Index("ix_patient_unable_to_reach", "unable_to_reach_since"),
        TABLE_OPTIONS,
    )

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Contact(Record):
    """A person or service around the patient: caregiver, PCP, pharmacy…"""

    __tablename__ = "contact"
    __table_args__ = TABLE_OPTIONS
    __label__ = "contact"

    patient_id: Mapped[int] = patient_fk()
    role: Mapped[codes.ContactRole] = mapped_column(
        code(codes.ContactRole, name="contact_role"), nullable=False, info=label("Role")
    )
    name: Mapped[str] = name_col("Name")
    relationship: Mapped[str | None] = mapped_column(String(NAME), info=label("Relationship"))
    organization: Mapped[str | None] = short_col("Organisation")
    phone: Mapped[str | None] = phone_col()
    emergency: Mapped[bool] = mapped_column(
        Boolean, default=False, nullable=False, info=label("Emergency contact")
    )
    notes: Mapped[str | None] = text_col("Notes")


class Problem(Record):
    """A condition a care plan addresses (FHIR Condition)."""

    __tablename__ = "problem"
    __table_args__ = TABLE_OPTIONS
    __label__ = "problem"

    patient_id: Mapped[int] = patient_fk()
    name: Mapped[str] = mapped_column(String(SHORT), nullable=False, info=label("Problem"))
    clinical_status: Mapped[codes.ConditionClinicalStatus] = mapped_column(
        code(codes.ConditionClinicalStatus, name="condition_status"),
        default=codes.ConditionClinicalStatus.ACTIVE,
        nullable=False,
        info=label("Status"),
    )
    onset_date: Mapped[date | None] = mapped_column(Date, info=label("Onset", past=True))
    notes: Mapped[str | None] = text_col("Notes")


class Allergy(Record):
    """FHIR AllergyIntolerance."""

    __tablename__ = "allergy"
    __table_args__ = TABLE_OPTIONS
    __label__ = "allergy"

    patient_id: Mapped[int] = patient_fk()
    substance: Mapped[str] = mapped_column(String(SHORT), nullable=False, info=label("Substance"))
    reaction: Mapped[str | None] = short_col("Reaction")
    criticality: Mapped[codes.AllergyCriticality | None] = mapped_column(
        code(codes.AllergyCriticality, name="criticality"), info=label("Criticality")
    )
    clinical_status: Mapped[codes.AllergyClinicalStatus] = mapped_column(
        code(codes.AllergyClinicalStatus, name="allergy_status"),
        default=codes.AllergyClinicalStatus.ACTIVE,
        nullable=False,
        info=label("Status"),
    )
