"""The coordinator's day: appointments, tasks and the contact log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from caretui import codes
from caretui.models.base import (
    SHORT,
    TABLE_OPTIONS,
    Record,
    code,
    label,
    name_col,
    short_col,
    text_col,
)
from caretui.models.patient import patient_fk


class Appointment(Record):
    """FHIR Appointment. ``start`` and ``end`` are local wall-clock times."""

    __tablename__ = "appointment"
    __label__ = "appointment"

    patient_id: Mapped[int] = patient_fk()
    start: Mapped[datetime] = mapped_column(DateTime, nullable=False, info=label("Start"))
    end: Mapped[datetime | None] = mapped_column(DateTime, info=label("End", after="start"))
    with_whom: Mapped[str | None] = short_col("With")
    location: Mapped[str | None] = short_col("Where")
    purpose: Mapped[str | None] = mapped_column(String(500), info=label("Purpose"))
    status: Mapped[codes.AppointmentStatus] = mapped_column(
        code(codes.AppointmentStatus, name="appointment_status"),
        default=codes.AppointmentStatus.BOOKED,
        nullable=False,
        info=label("Status"),
    )
    transport: Mapped[codes.Transport] = mapped_column(
        code(codes.Transport, name="transport"),
        default=codes.Transport.NOT_NEEDED,
        nullable=False,
        info=label("Transport"),
    )
    transport_details: Mapped[str | None] = short_col("Transport details")
    rrule: Mapped[str | None] = mapped_column(String(300), info=label("Repeats", rrule=True))
    outcome_note: Mapped[str | None] = text_col("Outcome")

    __table_args__ = (
        Index("ix_appointment_start", "start"),
        # Covers the Today, day-sheet and count filters (status, then the start
        # range, end and patient) without a table lookup per appointment.
        Index("ix_appointment_status_start", "status", "start", "end", "patient_id"),
        TABLE_OPTIONS,
    )


class Task(Record):
    """FHIR Task: one thing to do, in one of the coordinator's queues."""

    __tablename__ = "task"
    __label__ = "task"

    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patient.id", ondelete="RESTRICT"), index=True, info=label("Patient")
    )
    title: Mapped[str] = mapped_column(String(SHORT), nullable=False, info=label("Title"))
    description: Mapped[str | None] = text_col("Details")
    queue: Mapped[str] = mapped_column(String(40), nullable=False, info=label("Queue", queue=True))
    status: Mapped[codes.TaskStatus] = mapped_column(
        code(codes.TaskStatus, name="task_status"),
        default=codes.TaskStatus.REQUESTED,
        nullable=False,
        info=label("Status"),
    )
    priority: Mapped[codes.Priority] = mapped_column(
        code(codes.Priority, name="priority"),
        default=codes.Priority.ROUTINE,
        nullable=False,
        info=label("Priority"),
    )
    due: Mapped[date | None] = mapped_column(Date, info=label("Due"))
    wait_until: Mapped[date | None] = mapped_column(Date, info=label("Snoozed until"))
    rrule: Mapped[str | None] = mapped_column(String(300), info=label("Repeats", rrule=True))
    origin: Mapped[codes.TaskOrigin] = mapped_column(
        code(codes.TaskOrigin, name="task_origin"),
        default=codes.TaskOrigin.MANUAL,
        nullable=False,
        info=label("Origin"),
    )
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment.id", ondelete="SET NULL"), index=True, info=label("Appointment")
    )
    completed_at: Mapped[datetime | None] = mapped_column(DateTime, info=label("Completed"))

    __table_args__ = (
        # Covers the open-task filters of Today, the day sheet and ``count``
        # (status, due, snooze, patient), Today's grouping by priority
        # (queries.today_top) and the day sheet's by queue, without a table
        # lookup per task.
        Index(
            "ix_task_status_due", "status", "due", "wait_until", "patient_id", "priority", "queue"
        ),
        TABLE_OPTIONS,
    )


class Note(Record):
    """The contact log (FHIR Communication): a call, visit, message or note."""

    __tablename__ = "note"
    __label__ = "note"

    patient_id: Mapped[int] = patient_fk()
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime, nullable=False, info=label("When", past=True)
    )
    kind: Mapped[codes.NoteKind] = mapped_column(
        code(codes.NoteKind, name="note_kind"),
        default=codes.NoteKind.NOTE,
        nullable=False,
        info=label("Kind"),
    )
    with_whom: Mapped[str | None] = name_col("With", nullable=True)
    text: Mapped[str | None] = text_col("Note", 20_000)
    outcome: Mapped[codes.OutreachOutcome | None] = mapped_column(
        code(codes.OutreachOutcome, name="outreach_outcome"), info=label("Outcome")
    )
    minutes: Mapped[int | None] = mapped_column(
        Integer, info=label("Minutes", minimum=0, maximum=24 * 60)
    )

    __table_args__ = (Index("ix_note_patient_when", "patient_id", "occurred_at"), TABLE_OPTIONS)


class Resource(Record):
    """The coordinator's directory of services (FHIR HealthcareService)."""

    __tablename__ = "resource"
    __table_args__ = TABLE_OPTIONS
    __label__ = "resource"

    name: Mapped[str] = mapped_column(String(SHORT), nullable=False, info=label("Name"))
    category: Mapped[codes.ResourceCategory] = mapped_column(
        code(codes.ResourceCategory, name="resource_category"),
        default=codes.ResourceCategory.OTHER,
        nullable=False,
        info=label("Category"),
    )
    phone: Mapped[str | None] = mapped_column(String(40), info=label("Phone", phone=True))
    address: Mapped[str | None] = text_col("Address", 500)
    hours: Mapped[str | None] = short_col("Hours")
    eligibility: Mapped[str | None] = text_col("Eligibility", 1_000)
    languages: Mapped[str | None] = short_col("Languages")
    notes: Mapped[str | None] = text_col("Notes")
    last_verified: Mapped[date | None] = mapped_column(Date, info=label("Last verified", past=True))


class Referral(Record):
    """FHIR ServiceRequest (category referral): a loop someone else must close."""

    __tablename__ = "referral"
    __label__ = "referral"

    patient_id: Mapped[int] = patient_fk()
    resource_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource.id", ondelete="RESTRICT"), index=True, info=label("Resource")
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="RESTRICT"), index=True, info=label("Contact")
    )
    reason: Mapped[str] = mapped_column(String(500), nullable=False, info=label("Reason"))
    urgency: Mapped[codes.Priority] = mapped_column(
        code(codes.Priority, name="referral_urgency"),
        default=codes.Priority.ROUTINE,
        nullable=False,
        info=label("Urgency"),
    )
    status: Mapped[codes.ReferralStatus] = mapped_column(
        code(codes.ReferralStatus, name="referral_status"),
        default=codes.ReferralStatus.DRAFT,
        nullable=False,
        info=label("Status"),
    )
    sent_on: Mapped[date | None] = mapped_column(Date, info=label("Sent"))
    response_due: Mapped[date | None] = mapped_column(Date, info=label("Response expected by"))
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment.id", ondelete="SET NULL"), info=label("Appointment")
    )
    outcome: Mapped[str | None] = short_col("Outcome details")
    #: What came of it, recorded when the referral is completed (the loop closes).
    outcome_code: Mapped[codes.ReferralOutcome | None] = mapped_column(
        code(codes.ReferralOutcome, name="referral_outcome"), info=label("Outcome")
    )
    closed_on: Mapped[date | None] = mapped_column(Date, info=label("Closed"))

    __table_args__ = (Index("ix_referral_status_due", "status", "response_due"), TABLE_OPTIONS)
