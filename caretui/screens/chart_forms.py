"""The Patient screen's forms and one-step changes.

- Forms: contacts, problems, allergies, medications, care plans, goals,
  interventions, notes, and the small ones behind a key (stop a medication,
  refill due, next review, transport). Each builder returns a ``FormScreen``
  whose ``save`` runs in the form's worker, inside one ``action()``, and returns
  a ``Saved``: the record's id and a sentence to tell the user.
- One-step changes (``medication_reconciled``, ``plan_item_status``): they write,
  so call them from a thread worker; they return a ``Saved`` too.

A record acted on is re-read in the transaction (``fresh``) and refused if its
version is not the one the screen showed. SQLAlchemy and the services are
imported inside function bodies only, so importing this module stays cheap.
``work_forms`` (tasks, appointments) builds on ``Saved`` and ``fresh``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from caretui import codes
from caretui.errors import StaleRecord
from caretui.queries.chart import (
    AllergyRow,
    AppointmentRow,
    CarePlanRow,
    ContactRow,
    GoalRow,
    InterventionRow,
    MedicationRow,
    ProblemRow,
)
from caretui.screens.patient_forms import choices
from caretui.services import dates
from caretui.services.text import one_line
from caretui.store.database import Database
from caretui.widgets.form import Field, FormScreen

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from caretui.models.base import Record


@dataclass(frozen=True, slots=True)
class Saved:
    """What a form's save did: the record it wrote, and what to tell the user."""

    record_id: int
    message: str


def fresh(session: Session, model: type[Record], record_id: int, version: int | None) -> Any:
    """The record, re-read in this transaction; refused if changed since it was shown."""
    from caretui.services import records

    obj = records.get(session, model, record_id)
    if version is not None and obj.version != version:
        raise StaleRecord(
            f"This {model.__label__} was changed elsewhere since it was shown; nothing was "
            "saved. Look at it again and repeat your change."
        )
    return obj


def _now(today: date) -> datetime:
    """The app's today at the clock's time of day (today is fixed in tests)."""
    return datetime.combine(today, datetime.now().time())


def _short(text: str, width: int = 40) -> str:
    text = one_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"


# --- contacts, problems, allergies --------------------------------------------------------


def contact_form(
    db: Database, today: date, patient_id: int, current: ContactRow | None = None
) -> FormScreen:
    fields = [
        Field(
            "role",
            "Role",
            "choice",
            required=True,
            choices=choices(codes.ContactRole),
            initial=current.role if current else codes.ContactRole.CAREGIVER.value,
        ),
        Field("name", "Name", required=True, initial=current and current.name),
        Field(
            "relationship",
            "Relationship",
            initial=current and current.relationship,
            placeholder="e.g. daughter",
        ),
        Field("organization", "Organisation", initial=current and current.organization),
        Field("phone", "Phone", initial=current and current.phone),
        Field(
            "emergency", "Emergency contact", "bool", initial=bool(current and current.emergency)
        ),
        Field("notes", "Notes", "multiline", initial=current and current.notes),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Contact
        from caretui.services.chart import add_contact, update_contact
        from caretui.services.unit import action

        if current is None:
            with action(db, "Add contact") as session:
                contact = add_contact(session, patient_id, values, today=today)
                return Saved(contact.id, "Contact added")
        with action(db, "Edit contact") as session:
            contact = fresh(session, Contact, current.id, None)
            update_contact(session, contact, values, expected_version=current.version, today=today)
            return Saved(contact.id, "Contact saved")

    return FormScreen("Edit contact" if current else "New contact", fields, save, today=today)


def problem_form(
    db: Database, today: date, patient_id: int, current: ProblemRow | None = None
) -> FormScreen:
    fields = [
        Field("name", "Problem", required=True, initial=current and current.name),
        Field(
            "clinical_status",
            "Status",
            "choice",
            required=True,
            choices=choices(codes.ConditionClinicalStatus),
            initial=current.clinical_status
            if current
            else codes.ConditionClinicalStatus.ACTIVE.value,
        ),
        Field("onset_date", "Onset", "date", initial=current and current.onset_date),
        Field("notes", "Notes", "multiline", initial=current and current.notes),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Problem
        from caretui.services.chart import add_problem, update_problem
        from caretui.services.unit import action

        if current is None:
            with action(db, "Add problem") as session:
                return Saved(
                    add_problem(session, patient_id, values, today=today).id, "Problem added"
                )
        with action(db, "Edit problem") as session:
            problem = fresh(session, Problem, current.id, None)
            update_problem(session, problem, values, expected_version=current.version, today=today)
            return Saved(problem.id, "Problem saved")

    return FormScreen("Edit problem" if current else "New problem", fields, save, today=today)


def allergy_form(
    db: Database, today: date, patient_id: int, current: AllergyRow | None = None
) -> FormScreen:
    fields = [
        Field("substance", "Substance", required=True, initial=current and current.substance),
        Field(
            "reaction",
            "Reaction",
            initial=current and current.reaction,
            placeholder="e.g. hives",
        ),
        Field(
            "criticality",
            "Criticality",
            "choice",
            choices=choices(codes.AllergyCriticality),
            initial=current and current.criticality,
        ),
        Field(
            "clinical_status",
            "Status",
            "choice",
            required=True,
            choices=choices(codes.AllergyClinicalStatus),
            initial=current.clinical_status
            if current
            else codes.AllergyClinicalStatus.ACTIVE.value,
        ),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Allergy
        from caretui.services.chart import add_allergy, update_allergy
        from caretui.services.unit import action

        if current is None:
            with action(db, "Add allergy") as session:
                return Saved(
                    add_allergy(session, patient_id, values, today=today).id, "Allergy added"
                )
        with action(db, "Edit allergy") as session:
            allergy = fresh(session, Allergy, current.id, None)
            update_allergy(session, allergy, values, expected_version=current.version, today=today)
            return Saved(allergy.id, "Allergy saved")

    return FormScreen("Edit allergy" if current else "New allergy", fields, save, today=today)


# --- medications ----------------------------------------------------------------------------


def medication_form(
    db: Database, today: date, patient_id: int, current: MedicationRow | None = None
) -> FormScreen:
    """Add a medication (active), or edit one: its status, end and reason are editable
    there too (to correct a record); stopping has its own form."""
    fields = [
        Field("name", "Medication", required=True, initial=current and current.name),
        Field("dose", "Dose", initial=current and current.dose, placeholder="e.g. 500 mg"),
        Field("route", "Route", initial=current and current.route, placeholder="e.g. oral"),
        Field(
            "frequency",
            "Frequency",
            initial=current and current.frequency,
            placeholder="e.g. twice daily",
        ),
        Field("prescriber", "Prescriber", initial=current and current.prescriber),
        Field("start_date", "Start", "date", initial=current and current.start_date),
        Field("refill_due", "Refill due", "date", initial=current and current.refill_due),
        Field(
            "instructions", "Instructions", "multiline", initial=current and current.instructions
        ),
    ]
    if current is not None:
        fields += [
            Field(
                "status",
                "Status",
                "choice",
                required=True,
                choices=choices(codes.MedicationStatus),
                initial=current.status,
            ),
            Field("end_date", "End", "date", initial=current.end_date),
            Field("stop_reason", "Reason stopped", initial=current.stop_reason),
        ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Medication
        from caretui.services.medications import add_medication, update_medication
        from caretui.services.unit import action

        if current is None:
            with action(db, "Add medication") as session:
                med = add_medication(session, patient_id, values, today=today)
                return Saved(med.id, "Medication added")
        with action(db, "Edit medication") as session:
            med = fresh(session, Medication, current.id, None)
            update_medication(session, med, values, expected_version=current.version, today=today)
            return Saved(med.id, "Medication saved")

    return FormScreen("Edit medication" if current else "New medication", fields, save, today=today)


def stop_medication_form(db: Database, today: date, med: MedicationRow) -> FormScreen:
    fields = [
        Field("stop_reason", "Why was it stopped?", required=True, placeholder="e.g. side effects"),
        Field("end_date", "Stopped on", "date", required=True, initial=today),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Medication
        from caretui.services.medications import stop_medication
        from caretui.services.unit import action

        with action(db, "Stop medication") as session:
            obj = fresh(session, Medication, med.id, med.version)
            stop_medication(
                session, obj, reason=values["stop_reason"], on=values["end_date"], today=today
            )
            return Saved(obj.id, "Medication stopped")

    return FormScreen("Stop " + _short(med.name), fields, save, today=today)


def refill_due_form(db: Database, today: date, med: MedicationRow) -> FormScreen:
    fields = [
        Field(
            "refill_due",
            "Refill due (empty clears it)",
            "date",
            initial=med.refill_due,
            placeholder="e.g. +30d, 2026-12-01",
        )
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Medication
        from caretui.services.medications import set_refill_due
        from caretui.services.unit import action

        due: date | None = values["refill_due"]
        with action(db, "Set refill due") as session:
            obj = fresh(session, Medication, med.id, med.version)
            set_refill_due(session, obj, due, today=today)
        shown = dates.describe(due, today) if due else "none"
        return Saved(med.id, f"Refill due: {shown}")

    return FormScreen("Refill due — " + _short(med.name), fields, save, today=today)


def medication_reconciled(db: Database, today: date, med_id: int, version: int, name: str) -> Saved:
    """Mark the medication reconciled today (call from a thread worker)."""
    from caretui.models.all import Medication
    from caretui.services.medications import mark_reconciled
    from caretui.services.unit import action

    with action(db, "Mark medication reconciled") as session:
        mark_reconciled(session, fresh(session, Medication, med_id, version), today=today)
    return Saved(med_id, f"{_short(name)} reconciled today")


# --- care plans ----------------------------------------------------------------------------


def care_plan_form(
    db: Database, today: date, patient_id: int, current: CarePlanRow | None = None
) -> FormScreen:
    fields = [
        Field("title", "Title", required=True, initial=current and current.title),
        Field("description", "Description", "multiline", initial=current and current.description),
        Field(
            "status",
            "Status",
            "choice",
            required=True,
            choices=choices(codes.CarePlanStatus),
            initial=current.status if current else codes.CarePlanStatus.ACTIVE.value,
        ),
        Field(
            "period_start",
            "Start",
            "date",
            initial=current.period_start if current else today,
        ),
        Field("period_end", "End", "date", initial=current and current.period_end),
        Field(
            "next_review",
            "Next review",
            "date",
            initial=current and current.next_review,
            placeholder="e.g. +3m, next month",
        ),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import CarePlan
        from caretui.services.careplans import add_care_plan, update_care_plan
        from caretui.services.unit import action

        if current is None:
            with action(db, "Add care plan") as session:
                plan = add_care_plan(session, patient_id, values, today=today)
                return Saved(plan.id, "Care plan added")
        with action(db, "Edit care plan") as session:
            plan = fresh(session, CarePlan, current.id, None)
            update_care_plan(session, plan, values, expected_version=current.version, today=today)
            return Saved(plan.id, "Care plan saved")

    return FormScreen("Edit care plan" if current else "New care plan", fields, save, today=today)


def next_review_form(db: Database, today: date, plan: CarePlanRow) -> FormScreen:
    fields = [
        Field(
            "next_review",
            "Next review (empty clears it)",
            "date",
            initial=plan.next_review,
            placeholder="e.g. +3m, next month, 2026-12-01",
        )
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import CarePlan
        from caretui.services.careplans import set_next_review
        from caretui.services.unit import action

        on: date | None = values["next_review"]
        with action(db, "Set next review") as session:
            obj = fresh(session, CarePlan, plan.id, plan.version)
            set_next_review(session, obj, on, today=today)
        return Saved(plan.id, f"Next review: {dates.describe(on, today) if on else 'none'}")

    return FormScreen("Next review — " + _short(plan.title), fields, save, today=today)


#: The statuses ``s`` offers for each kind of care plan item.
STATUS_CODES: dict[str, tuple[str, ...]] = {
    "plan": tuple(m.value for m in codes.CarePlanStatus),
    "goal": tuple(m.value for m in codes.GoalLifecycleStatus),
    "intervention": tuple(m.value for m in codes.InterventionStatus),
}


def plan_item_status(
    db: Database, today: date, kind: str, record_id: int, version: int, status: str
) -> Saved:
    """Give a care plan, goal or intervention ``status`` (call from a thread worker).
    Closing a plan ends it today and clears its review (the service does it)."""
    from caretui.models.all import CarePlan, Goal, Intervention
    from caretui.services import careplans
    from caretui.services.unit import action

    shown = status.replace("-", " ")
    with action(db, f"Change {kind} status") as session:
        if kind == "plan":
            plan = fresh(session, CarePlan, record_id, version)
            careplans.set_plan_status(session, plan, status, today=today)
            return Saved(record_id, f"Care plan {shown}")
        if kind == "goal":
            goal = fresh(session, Goal, record_id, None)
            careplans.update_goal(
                session, goal, {"lifecycle_status": status}, expected_version=version, today=today
            )
            return Saved(record_id, f"Goal {shown}")
        item = fresh(session, Intervention, record_id, None)
        careplans.update_intervention(
            session, item, {"status": status}, expected_version=version, today=today
        )
        return Saved(record_id, f"Intervention {shown}")


def _plan_choices(plans: tuple[CarePlanRow, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((f"{_short(p.title)} ({p.status})", str(p.id)) for p in plans)


def _as_id(value: object) -> int | None:
    return int(str(value)) if value not in (None, "") else None


def goal_form(
    db: Database,
    today: date,
    patient_id: int,
    plans: tuple[CarePlanRow, ...],
    *,
    plan_id: int | None = None,
    current: GoalRow | None = None,
) -> FormScreen:
    plan = current.care_plan_id if current else plan_id
    fields = [
        Field("description", "Goal", required=True, initial=current and current.description),
        Field(
            "care_plan_id",
            "Care plan",
            "choice",
            choices=_plan_choices(plans),
            initial=str(plan) if plan is not None else None,
        ),
        Field(
            "lifecycle_status",
            "Status",
            "choice",
            required=True,
            choices=choices(codes.GoalLifecycleStatus),
            initial=current.lifecycle_status if current else codes.GoalLifecycleStatus.ACTIVE.value,
        ),
        Field(
            "achievement_status",
            "Achievement",
            "choice",
            choices=choices(codes.GoalAchievementStatus),
            initial=current and current.achievement_status,
        ),
        Field("target_date", "Target date", "date", initial=current and current.target_date),
        Field(
            "measure",
            "Measure",
            initial=current and current.measure,
            placeholder="e.g. A1c below 8%",
        ),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Goal
        from caretui.services.careplans import add_goal, update_goal
        from caretui.services.unit import action

        values = {**values, "care_plan_id": _as_id(values["care_plan_id"])}
        if current is None:
            with action(db, "Add goal") as session:
                return Saved(add_goal(session, patient_id, values, today=today).id, "Goal added")
        with action(db, "Edit goal") as session:
            goal = fresh(session, Goal, current.id, None)
            update_goal(session, goal, values, expected_version=current.version, today=today)
            return Saved(goal.id, "Goal saved")

    return FormScreen("Edit goal" if current else "New goal", fields, save, today=today)


def intervention_form(
    db: Database,
    today: date,
    patient_id: int,
    plans: tuple[CarePlanRow, ...],
    goals: tuple[GoalRow, ...],
    *,
    plan_id: int | None = None,
    goal_id: int | None = None,
    current: InterventionRow | None = None,
) -> FormScreen:
    plan = current.care_plan_id if current else plan_id
    goal = current.goal_id if current else goal_id
    # The goals of the plan the intervention starts in (the service refuses a goal
    # of another plan, beside this field, if the plan is changed).
    goals = tuple(g for g in goals if plan is None or g.care_plan_id == plan)
    fields = [
        Field("description", "What", required=True, initial=current and current.description),
        Field(
            "care_plan_id",
            "Care plan",
            "choice",
            required=True,
            choices=_plan_choices(plans),
            initial=str(plan) if plan is not None else None,
        ),
        Field(
            "goal_id",
            "Towards goal",
            "choice",
            choices=tuple((_short(g.description), str(g.id)) for g in goals),
            initial=str(goal) if goal is not None else None,
        ),
        Field(
            "performer",
            "By whom",
            initial=current and current.performer,
            placeholder="e.g. coordinator, home health",
        ),
        Field(
            "status",
            "Status",
            "choice",
            required=True,
            choices=choices(codes.InterventionStatus),
            initial=current.status if current else codes.InterventionStatus.NOT_STARTED.value,
        ),
        Field("scheduled_on", "Date", "date", initial=current and current.scheduled_on),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Intervention
        from caretui.services.careplans import add_intervention, update_intervention
        from caretui.services.unit import action

        values = {
            **values,
            "care_plan_id": _as_id(values["care_plan_id"]),
            "goal_id": _as_id(values["goal_id"]),
        }
        if current is None:
            with action(db, "Add intervention") as session:
                item = add_intervention(session, patient_id, values, today=today)
                return Saved(item.id, "Intervention added")
        with action(db, "Edit intervention") as session:
            item = fresh(session, Intervention, current.id, None)
            update_intervention(
                session, item, values, expected_version=current.version, today=today
            )
            return Saved(item.id, "Intervention saved")

    return FormScreen(
        "Edit intervention" if current else "New intervention", fields, save, today=today
    )


# --- appointments -----------------------------------------------------------------------------


def _when(appt: AppointmentRow) -> str:
    return f"{appt.start:%a %Y-%m-%d %H:%M}" if appt.start else "appointment"


def transport_form(db: Database, today: date, appt: AppointmentRow) -> FormScreen:
    """Transport in one form: the choice, and the details arranged transport needs."""
    from caretui.screens.work_forms import TRANSPORT_CHOICES

    fields = [
        Field(
            "transport",
            "Transport",
            "choice",
            required=True,
            choices=TRANSPORT_CHOICES,
            initial=appt.transport,
        ),
        Field(
            "transport_details",
            "Details (who drives, pick-up time)",
            initial=appt.transport_details,
        ),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.screens.work_forms import appointment_transport

        return appointment_transport(
            db, today, appt.id, appt.version, values["transport"], values["transport_details"]
        )

    return FormScreen("Transport — " + _when(appt), fields, save, today=today)


# --- notes ---------------------------------------------------------------------------------


def note_form(db: Database, today: date, patient_id: int) -> FormScreen:
    """Log a call, visit or message in a few keystrokes. Minutes stay empty unless
    typed: the month's report counts them, so they are never guessed."""
    fields = [
        Field(
            "kind",
            "Kind",
            "choice",
            required=True,
            choices=choices(codes.NoteKind),
            initial=codes.NoteKind.CALL.value,
        ),
        Field("with_whom", "With", placeholder="e.g. patient, daughter, pharmacy"),
        Field(
            "outcome",
            "Outcome (calls and messages)",
            "choice",
            choices=choices(codes.OutreachOutcome),
        ),
        Field("minutes", "Minutes spent", "int", placeholder="empty if not counted"),
        Field("text", "Note", "multiline"),
        Field("occurred_at", "When", "datetime", placeholder="empty for now, or e.g. today 9:30"),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.services.notes import log_note
        from caretui.services.unit import action

        with action(db, "Log " + str(values["kind"])) as session:
            note = log_note(
                session,
                patient_id,
                kind=values["kind"],
                text=values["text"],
                with_whom=values["with_whom"],
                outcome=values["outcome"],
                minutes=values["minutes"],
                occurred_at=values["occurred_at"],
                now=_now(today),
            )
            return Saved(note.id, f"{str(values['kind']).capitalize()} logged")

    return FormScreen("Log a call, visit or message", fields, save, today=today)
