"""Medications and care plans: what the patient takes and what is planned."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String
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


class Medication(Record):
    """FHIR MedicationStatement, with the coordinator's refill and reconciliation dates."""

    __tablename__ = "medication"
    __label__ = "medication"

    patient_id: Mapped[int] = patient_fk()
    name: Mapped[str] = mapped_column(String(SHORT), nullable=False, info=label("Medication"))
    dose: Mapped[str | None] = mapped_column(String(100), info=label("Dose"))
    route: Mapped[str | None] = mapped_column(String(60), info=label("Route"))
    frequency: Mapped[str | None] = mapped_column(String(100), info=label("Frequency"))
    instructions: Mapped[str | None] = text_col("Instructions", 1_000)
    prescriber: Mapped[str | None] = name_col("Prescriber", nullable=True)
    start_date: Mapped[date | None] = mapped_column(Date, info=label("Start"))
    end_date: Mapped[date | None] = mapped_column(Date, info=label("End", after="start_date"))
    status: Mapped[codes.MedicationStatus] = mapped_column(
        code(codes.MedicationStatus, name="medication_status"),
        default=codes.MedicationStatus.ACTIVE,
        nullable=False,
        info=label("Status"),
    )
    stop_reason: Mapped[str | None] = short_col("Reason stopped")
    refill_due: Mapped[date | None] = mapped_column(Date, info=label("Refill due"))
    last_reconciled: Mapped[date | None] = mapped_column(
        Date, info=label("Last reconciled", past=True)
    )

    __table_args__ = (
        # Covers the refill filter (status, refill date, patient) for Today and count.
        Index("ix_medication_status_refill", "status", "refill_due", "patient_id"),
        TABLE_OPTIONS,
    )


class CarePlan(Record):
    __tablename__ = "care_plan"
    __label__ = "care plan"

    patient_id: Mapped[int] = patient_fk()
    title: Mapped[str] = mapped_column(String(SHORT), nullable=False, info=label("Title"))
    description: Mapped[str | None] = text_col("Description")
    status: Mapped[codes.CarePlanStatus] = mapped_column(
        code(codes.CarePlanStatus, name="care_plan_status"),
        default=codes.CarePlanStatus.ACTIVE,
        nullable=False,
        info=label("Status"),
    )
    period_start: Mapped[date | None] = mapped_column(Date, info=label("Start"))
    period_end: Mapped[date | None] = mapped_column(Date, info=label("End", after="period_start"))
    next_review: Mapped[date | None] = mapped_column(Date, info=label("Next review"))

    __table_args__ = (Index("ix_care_plan_status_review", "status", "next_review"), TABLE_OPTIONS)


class Goal(Record):
    __tablename__ = "goal"
    __label__ = "goal"

    patient_id: Mapped[int] = patient_fk()
    care_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("care_plan.id", ondelete="RESTRICT"), index=True, info=label("Care plan")
    )
    description: Mapped[str] = mapped_column(String(500), nullable=False, info=label("Goal"))
    lifecycle_status: Mapped[codes.GoalLifecycleStatus] = mapped_column(
        code(codes.GoalLifecycleStatus, name="goal_lifecycle"),
        default=codes.GoalLifecycleStatus.ACTIVE,
        nullable=False,
        info=label("Status"),
    )
    achievement_status: Mapped[codes.GoalAchievementStatus | None] = mapped_column(
        code(codes.GoalAchievementStatus, name="goal_achievement"), info=label("Achievement")
    )
    target_date: Mapped[date | None] = mapped_column(Date, info=label("Target date"))
    measure: Mapped[str | None] = short_col("Measure")

    __table_args__ = (
        Index("ix_goal_status_target", "lifecycle_status", "target_date"),
        TABLE_OPTIONS,
    )


class Intervention(Record):
    """FHIR CarePlan.activity: what will be done, by whom."""

    __tablename__ = "intervention"
    __table_args__ = TABLE_OPTIONS
    __label__ = "intervention"

    patient_id: Mapped[int] = patient_fk()
    care_plan_id: Mapped[int] = mapped_column(
        ForeignKey("care_plan.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
        info=label("Care plan"),
    )
    goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("goal.id", ondelete="RESTRICT"), index=True, info=label("Goal")
    )
    description: Mapped[str] = mapped_column(String(500), nullable=False, info=label("What"))
    performer: Mapped[str | None] = name_col("By whom", nullable=True)
    status: Mapped[codes.InterventionStatus] = mapped_column(
        code(codes.InterventionStatus, name="intervention_status"),
        default=codes.InterventionStatus.NOT_STARTED,
        nullable=False,
        info=label("Status"),
    )
    scheduled_on: Mapped[date | None] = mapped_column(Date, info=label("Date"))
