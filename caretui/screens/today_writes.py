"""The one-step changes behind Today's keys that are not a task's or an appointment's
own (those are in ``work_forms``): refills, reviews, goals, a not-ready appointment,
and the call form. Each writes in one ``action()``, so call it from a thread worker;
each re-reads its record and refuses it if its version moved (``StaleRecord``).

SQLAlchemy and the services are imported inside function bodies only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text

from caretui import codes
from caretui.services.text import one_line

if TYPE_CHECKING:
    from caretui.store.database import Database


def _fresh(session: Any, model: Any, record_id: int, version: int) -> Any:
    from caretui.screens.chart_forms import fresh

    return fresh(session, model, record_id, version)


def reconcile_refill(db: Database, today: date, med_id: int, version: int, next_due: date) -> str:
    """Reconciled today, and the next refill's date, in one action."""
    from caretui.models.all import Medication
    from caretui.services import dates
    from caretui.services.medications import mark_reconciled, set_refill_due
    from caretui.services.unit import action

    with action(db, "Reconcile medication") as session:
        med = _fresh(session, Medication, med_id, version)
        mark_reconciled(session, med, today=today)
        set_refill_due(session, med, next_due, today=today)
    return f"Reconciled today; next refill due {dates.describe(next_due, today)}"


def move_refill(db: Database, today: date, med_id: int, version: int, due: date) -> str:
    from caretui.models.all import Medication
    from caretui.services import dates
    from caretui.services.medications import set_refill_due
    from caretui.services.unit import action

    with action(db, "Set refill due") as session:
        set_refill_due(session, _fresh(session, Medication, med_id, version), due, today=today)
    return f"Refill due {dates.describe(due, today)}"


def review_plan(db: Database, today: date, plan_id: int, version: int, on: date, label: str) -> str:
    from caretui.models.all import CarePlan
    from caretui.services import dates
    from caretui.services.careplans import set_next_review
    from caretui.services.unit import action

    with action(db, label) as session:
        set_next_review(session, _fresh(session, CarePlan, plan_id, version), on, today=today)
    return f"Next review {dates.describe(on, today)}"


def goal_achieved(db: Database, today: date, goal_id: int, version: int) -> str:
    from caretui.models.all import Goal
    from caretui.services.careplans import update_goal
    from caretui.services.unit import action

    with action(db, "Goal achieved") as session:
        goal = _fresh(session, Goal, goal_id, version)
        update_goal(
            session,
            goal,
            {
                "lifecycle_status": codes.GoalLifecycleStatus.COMPLETED,
                "achievement_status": codes.GoalAchievementStatus.ACHIEVED,
            },
            today=today,
        )
    return "Goal marked achieved"


def goal_target(db: Database, today: date, goal_id: int, version: int, target: date) -> str:
    from caretui.models.all import Goal
    from caretui.services import dates
    from caretui.services.careplans import update_goal
    from caretui.services.unit import action

    with action(db, "Set goal target") as session:
        goal = _fresh(session, Goal, goal_id, version)
        update_goal(session, goal, {"target_date": target}, today=today)
    return f"New target date {dates.describe(target, today)}"


def appointment_ready(
    db: Database, today: date, appt_id: int, version: int, *, book: bool, ride: str | None
) -> str:
    """What kept today's appointment from being ready is done: booked, ride arranged."""
    from caretui.models.all import Appointment
    from caretui.services.appointments import update_appointment
    from caretui.services.unit import action

    fields: dict[str, Any] = {}
    if book:
        fields["status"] = codes.AppointmentStatus.BOOKED
    if ride is not None:
        fields.update(transport=codes.Transport.ARRANGED, transport_details=ride)
    with action(db, "Appointment ready") as session:
        appt = _fresh(session, Appointment, appt_id, version)
        update_appointment(session, appt, fields, today=today)
    done = [word for word, did in (("booked", book), ("ride arranged", ride is not None)) if did]
    return "Appointment " + " and ".join(done)


def call_form(db: Database, today: date, patient_id: int, patient: str) -> Any:
    """Log a call for the patient: outcome (required: ``notes.require_outcome``), with
    whom, minutes (empty unless typed), text."""
    from caretui.screens.chart_forms import Saved
    from caretui.screens.patient_forms import choices
    from caretui.widgets.form import Field, FormScreen

    fields = [
        # Not "required": a required choice starts on its first option, and how the call
        # went is the user's to say; ``save`` asks for it.
        Field("outcome", "Outcome *", "choice", choices=choices(codes.OutreachOutcome)),
        Field("with_whom", "With", placeholder="e.g. patient, daughter, pharmacy"),
        Field("minutes", "Minutes spent", "int", placeholder="empty if not counted"),
        Field("text", "Note", "multiline"),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.services.notes import log_note, require_outcome
        from caretui.services.unit import action

        require_outcome(codes.NoteKind.CALL, values["outcome"])
        now = datetime.combine(today, datetime.now().time())
        with action(db, "Log call") as session:
            note = log_note(
                session,
                patient_id,
                kind=codes.NoteKind.CALL,
                outcome=values["outcome"],
                with_whom=values["with_whom"],
                minutes=values["minutes"],
                text=values["text"],
                now=now,
            )
            from caretui.services.outreach import change_of

            change = change_of(session)  # the unable-to-reach rule may have acted
            return Saved(note.id, "Call logged" + (f"; {change.message}" if change else ""))

    title = Text("Log a call — ")
    title.append(one_line(patient))
    return FormScreen(title, fields, save, today=today)
