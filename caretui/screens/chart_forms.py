"""The Patient screen's forms for contacts, problems, allergies, transport and notes;
and what every chart form shares: ``Saved``, ``fresh`` and ``add_or_edit``.

- Each builder returns a ``FormScreen`` whose ``save`` runs in the form's worker,
  inside one ``action()``, and returns a ``Saved``: the record's id and a sentence
  to tell the user.
- A record acted on is re-read in the transaction (``fresh``) and refused if its
  version is not the one the screen showed.

Medications are in ``medication_forms``, care plans in ``care_plan_forms``, tasks
and appointments in ``work_forms``. SQLAlchemy and the services are imported
inside function bodies only, so importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from caretui import codes
from caretui.errors import StaleRecord
from caretui.queries.chart import AllergyRow, AppointmentRow, ContactRow, NoteRow, ProblemRow
from caretui.screens.common import now_on, when
from caretui.screens.patient_forms import choices
from caretui.store.database import Database
from caretui.widgets.form import Field, FormScreen
from caretui.widgets.stale_edit import edited, expected_version

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
    version = expected_version(model.__tablename__, record_id, version)
    if version is not None and obj.version != version:
        raise StaleRecord(
            f"This {model.__label__} was changed elsewhere since it was shown; nothing was "
            "saved. Look at it again and repeat your change."
        )
    return obj


def add_or_edit(
    db: Database,
    today: date,
    patient_id: int,
    current: Any,
    noun: str,
    values: dict[str, Any],
    model: type[Record],
    add: Callable[..., Record],
    update: Callable[..., object],
) -> Saved:
    """Add a ``model`` for the patient, or edit ``current`` (refused if it changed since
    it was shown), in one ``action()`` named after ``noun``. Call from the form's worker."""
    from caretui.services.unit import action

    if current is None:
        with action(db, f"Add {noun}") as session:
            record = add(session, patient_id, values, today=today)
            return Saved(record.id, f"{noun.capitalize()} added")
    with action(db, f"Edit {noun}") as session:
        record = fresh(session, model, current.id, None)
        version = expected_version(model.__tablename__, current.id, current.version)
        update(session, record, values, expected_version=version, today=today)
        return Saved(record.id, f"{noun.capitalize()} saved")


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

        return add_or_edit(
            db, today, patient_id, current, "contact", values, Contact, add_contact, update_contact
        )

    title = "Edit contact" if current else "New contact"
    return FormScreen(title, fields, save, today=today, edited=edited("contact", current))


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

        return add_or_edit(
            db, today, patient_id, current, "problem", values, Problem, add_problem, update_problem
        )

    title = "Edit problem" if current else "New problem"
    return FormScreen(title, fields, save, today=today, edited=edited("problem", current))


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

        return add_or_edit(
            db, today, patient_id, current, "allergy", values, Allergy, add_allergy, update_allergy
        )

    title = "Edit allergy" if current else "New allergy"
    return FormScreen(title, fields, save, today=today, edited=edited("allergy", current))


# --- appointments -----------------------------------------------------------------------------


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

    return FormScreen("Transport — " + when(appt.start, "appointment"), fields, save, today=today)


# --- notes ---------------------------------------------------------------------------------


def note_fields(current: NoteRow | None = None) -> list[Field]:
    """A note's fields: empty for a new one (a call, when: now), or ``current``'s."""
    return [
        Field(
            "kind",
            "Kind",
            "choice",
            required=True,
            choices=choices(codes.NoteKind),
            initial=current.kind if current else codes.NoteKind.CALL.value,
        ),
        Field(
            "with_whom",
            "With",
            initial=current.with_whom if current else None,
            placeholder="e.g. patient, daughter, pharmacy",
        ),
        Field(
            "outcome",
            "Outcome (calls and messages)",
            "choice",
            choices=choices(codes.OutreachOutcome),
            initial=current.outcome if current else None,
        ),
        Field(
            "minutes",
            "Minutes spent",
            "int",
            initial=current.minutes if current else None,
            placeholder="empty if not counted",
        ),
        Field("text", "Note", "multiline", initial=current.text if current else None),
        Field(
            "occurred_at",
            "When",
            "datetime",
            required=current is not None,
            initial=current.occurred_at if current else None,
            placeholder="" if current else "empty for now, or e.g. today 9:30",
        ),
    ]


def note_form(db: Database, today: date, patient_id: int) -> FormScreen:
    """Log a call, visit or message in a few keystrokes. Minutes stay empty unless
    typed: the month's report counts them, so they are never guessed."""
    fields = note_fields()

    def save(values: dict[str, Any]) -> Saved:
        from caretui.services.notes import log_note, require_outcome
        from caretui.services.unit import action

        require_outcome(values["kind"], values["outcome"])
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
                now=now_on(today),
            )
            from caretui.services.outreach import change_of

            change = change_of(session)  # the unable-to-reach rule may have acted
            said = f"{str(values['kind']).capitalize()} logged"
            return Saved(note.id, said + (f"; {change.message}" if change else ""))

    return FormScreen("Log a call, visit or message", fields, save, today=today)
