"""Referrals and the directory: their forms, the step dialog, and the writes behind them.

Shared by the Referrals and Resources screens, the patient's Referrals tab and Today.

- ``read_choices`` (a plain read, in a worker) gives what a form offers: the
  directory, the patient's contacts and appointments.
- ``referral_form``, ``step_form`` and ``resource_form`` return a ``FormScreen``
  whose ``save`` runs in the form's worker, inside one ``action()``, and dismisses
  with a ``Saved`` (the record's id and a sentence for the user). A record acted
  on is re-read in the transaction and refused if it changed since it was shown.
- ``link_appointment`` and ``verify_resource`` are one-step changes for a worker.

SQLAlchemy and the services are imported inside function bodies only, so
importing this module stays cheap.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.screen import Screen

from caretui import codes
from caretui.queries.referrals import (
    AppointmentChoice,
    ContactChoice,
    ReferralRow,
    appointment_choices,
    contact_choices,
)
from caretui.queries.resources import ResourceChoice, ResourceRow, resource_choices
from caretui.screens.chart_forms import Saved, fresh
from caretui.screens.common import code, now_on, short, when
from caretui.services import dates
from caretui.services.text import one_line
from caretui.store.database import Database
from caretui.widgets.form import Field, FormScreen
from caretui.widgets.stale_edit import edited, expected_version

if TYPE_CHECKING:
    from caretui.app import CaretuiApp

Status = codes.ReferralStatus

#: How each step reads in a choice.
STEP_LABELS: dict[str, str] = {
    Status.SENT.value: "sent to the receiver",
    Status.ACCEPTED.value: "accepted by the receiver",
    Status.SCHEDULED.value: "scheduled (an appointment or a start date)",
    Status.COMPLETED.value: "completed: the loop is closed",
    Status.DECLINED.value: "declined by the receiver",
    Status.CANCELLED.value: "cancelled",
}
#: The move a coordinator usually makes next (as ``services.referrals.FORWARD``).
FORWARD: dict[str, str] = {
    Status.DRAFT.value: Status.SENT.value,
    Status.SENT.value: Status.ACCEPTED.value,
    Status.ACCEPTED.value: Status.SCHEDULED.value,
    Status.SCHEDULED.value: Status.COMPLETED.value,
}
#: Every allowed move (as ``services.referrals.NEXT``; a test keeps them equal).
NEXT: dict[str, tuple[str, ...]] = {
    Status.DRAFT.value: (Status.SENT.value, Status.CANCELLED.value),
    Status.SENT.value: (
        Status.ACCEPTED.value,
        Status.SCHEDULED.value,
        Status.DECLINED.value,
        Status.CANCELLED.value,
    ),
    Status.ACCEPTED.value: (
        Status.SCHEDULED.value,
        Status.COMPLETED.value,
        Status.CANCELLED.value,
    ),
    Status.SCHEDULED.value: (Status.COMPLETED.value, Status.CANCELLED.value),
}
CLOSING = (Status.COMPLETED.value, Status.DECLINED.value, Status.CANCELLED.value)
OUTCOME_CHOICES: tuple[tuple[str, str], ...] = (
    ("seen", codes.ReferralOutcome.SEEN.value),
    ("report received", codes.ReferralOutcome.REPORT_RECEIVED.value),
    ("services started", codes.ReferralOutcome.SERVICES_STARTED.value),
    ("other", codes.ReferralOutcome.OTHER.value),
)
URGENCY_CHOICES: tuple[tuple[str, str], ...] = tuple((p.value, p.value) for p in codes.Priority)
CATEGORY_CHOICES: tuple[tuple[str, str], ...] = tuple(
    (code(c.value), c.value) for c in codes.ResourceCategory
)


@dataclass(frozen=True, slots=True)
class Choices:
    """What the referral forms offer for one patient, read in a worker."""

    resources: tuple[ResourceChoice, ...]
    contacts: tuple[ContactChoice, ...]
    appointments: tuple[AppointmentChoice, ...]


def read_choices(con: sqlite3.Connection, patient_id: int, today: date) -> Choices:
    """The directory, the patient's contacts, and their appointments of the last 90 days on."""
    from datetime import timedelta

    return Choices(
        tuple(resource_choices(con)),
        tuple(contact_choices(con, patient_id)),
        tuple(appointment_choices(con, patient_id, since=today - timedelta(days=90))),
    )


def due_if_sent(row: ReferralRow, today: date, days: Mapping[str, int]) -> date | None:
    """The day an answer would be expected if ``row`` were sent today (call in a worker:
    it imports the write side)."""
    from caretui.services.referrals import response_due

    if row.status != Status.DRAFT.value:
        return None
    return response_due(row.urgency or codes.Priority.ROUTINE.value, today, days)


def _titled(what: str, patient: str | None) -> Text:
    title = Text(what)
    if patient:
        title.append(" — ")
        title.append(one_line(patient))
    return title


def referral_title(what: str, row: ReferralRow, patient: str | None = None) -> Text:
    """ "Step — Meals on wheels → Food Bank · Núñez, Ana" (all of it as text)."""
    title = Text(f"{what} — ")
    title.append(short(row.reason, 36))
    if row.receiver:
        title.append(f" → {short(row.receiver, 28)}")
    if patient:
        title.append(f" · {one_line(patient)}")
    return title


# --- a referral: add and edit ----------------------------------------------------------


def _receiver_choices(choices: Choices) -> tuple[tuple[str, str], ...]:
    out = [
        (f"{short(r.name, 50)} ({code(r.category)})", f"resource:{r.id}") for r in choices.resources
    ]
    out += [
        (f"{short(c.name, 40)} ({c.role.replace('-', ' ')}, patient's contact)", f"contact:{c.id}")
        for c in choices.contacts
    ]
    return tuple(out)


def _receiver(value: str | None) -> dict[str, int | None]:
    kind, _, rid = (value or "").partition(":")
    return {
        "resource_id": int(rid) if kind == "resource" else None,
        "contact_id": int(rid) if kind == "contact" else None,
    }


def referral_form(
    db: Database,
    today: date,
    patient_id: int,
    choices: Choices,
    *,
    current: ReferralRow | None = None,
    patient: str | None = None,
) -> FormScreen:
    """A new referral (a draft: x sends it) or an edit of ``current``."""
    initial_to = None
    if current is not None and current.resource_id is not None:
        initial_to = f"resource:{current.resource_id}"
    elif current is not None and current.contact_id is not None:
        initial_to = f"contact:{current.contact_id}"
    fields = [
        Field(
            "to",
            "To (the directory, or one of the patient's contacts)",
            "choice",
            required=True,
            choices=_receiver_choices(choices),
            initial=initial_to,
            aliases=("resource_id", "contact_id"),
        ),
        Field("reason", "Reason", required=True, initial=current and current.reason),
        Field(
            "urgency",
            "Urgency",
            "choice",
            required=True,
            choices=URGENCY_CHOICES,
            initial=current.urgency if current else codes.Priority.ROUTINE.value,
        ),
    ]
    if current is not None and current.sent_on is not None and current.is_open:
        fields.append(
            Field(
                "response_due",
                "Response expected by",
                "date",
                initial=current.response_due,
            )
        )

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Referral
        from caretui.services import referrals
        from caretui.services.unit import action

        fields = {**_receiver(values.pop("to")), **values}
        if current is None:
            with action(db, "Add referral") as session:
                made = referrals.add_referral(session, patient_id, fields, today=today)
                return Saved(made.id, "Referral drafted; x on it sends it")
        with action(db, "Edit referral") as session:
            ref = fresh(session, Referral, current.id, None)
            version = expected_version("referral", current.id, current.version)
            referrals.update_referral(session, ref, fields, expected_version=version, today=today)
            return Saved(ref.id, "Referral saved")

    title = _titled("Edit referral" if current else "New referral", patient)
    return FormScreen(title, fields, save, today=today, edited=edited("referral", current))


# --- a step ----------------------------------------------------------------------------


def step_form(
    db: Database,
    today: date,
    row: ReferralRow,
    appointments: tuple[AppointmentChoice, ...] = (),
    *,
    closing: bool = False,
    to: str | None = None,
    patient: str | None = None,
    response_days: Mapping[str, int] | None = None,
    due_hint: date | None = None,
) -> FormScreen:
    """Move ``row`` a step: which (the usual next one first), on which day (default
    today), and a short note (who confirmed it, how). Completing asks the outcome;
    scheduling offers the patient's appointments; sending may set the response date."""
    allowed = NEXT.get(row.status, ())
    if closing:
        allowed = tuple(s for s in allowed if s in CLOSING)
    initial = to if to in allowed else FORWARD.get(row.status)
    if initial not in allowed:
        initial = allowed[0] if allowed else None
    fields = [
        Field(
            "to",
            "Step",
            "choice",
            required=True,
            choices=tuple((STEP_LABELS[s], s) for s in allowed),
            initial=initial,
        ),
    ]
    if Status.COMPLETED.value in allowed:
        fields.append(
            Field(
                "outcome_code",
                "Outcome (when completed)",
                "choice",
                choices=OUTCOME_CHOICES,
                aliases=("outcome",),
            )
        )
    if Status.SCHEDULED.value in allowed and appointments:
        fields.append(
            Field(
                "appointment_id",
                "Appointment (when scheduled)",
                "choice",
                choices=tuple(_appointment_choice(a) for a in appointments),
            )
        )
    if Status.SENT.value in allowed:
        fields.append(
            Field(
                "response_due",
                "Response expected by (when sent)",
                "date",
                placeholder=(
                    f"empty: {dates.describe(due_hint, today)}, from the urgency"
                    if due_hint is not None
                    else "empty: counted from the urgency in business days"
                ),
            )
        )
    fields += [
        Field("taken_on", "On", "date", required=True, initial="today"),
        Field(
            "note",
            "Note",
            placeholder="who confirmed it, how (faxed, portal, phone with …)",
        ),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Referral
        from caretui.services import referrals
        from caretui.services.unit import action

        step = values["to"]
        kw: dict[str, Any] = {"on": values["taken_on"], "note": values["note"]}
        if step == Status.COMPLETED.value:
            kw["outcome"] = values.get("outcome_code")
        if step == Status.SCHEDULED.value and values.get("appointment_id"):
            kw["appointment_id"] = int(values["appointment_id"])
        if step == Status.SENT.value:
            kw["response_due_on"] = values.get("response_due")
            kw["response_days"] = response_days
        with action(db, f"Referral {referrals.WORDS[Status(step)]}") as session:
            ref = fresh(session, Referral, row.id, row.version)
            moved = referrals.move(session, ref, step, today=today, now=now_on(today), **kw)
            return Saved(
                ref.id, step_message(moved.referral.status, moved.referral.response_due, today)
            )

    # Like every form, its cursor starts on the first field (the step) and tab goes top
    # to bottom: the note, typed where the user tabbed to, is never typed into the step.
    return FormScreen(referral_title("Step", row, patient), fields, save, today=today)


def step_message(status: str, due: date | None, today: date) -> str:
    """ "Referral sent; response expected by Wed 2026-03-18 (in 5 days)"."""
    from caretui.services.referrals import WORDS

    message = f"Referral {WORDS[Status(status)]}"
    if status == Status.SENT.value and due is not None:
        message += f"; response expected by {dates.describe(due, today)}"
    if status in CLOSING:
        message += "; the loop is closed"
    return message + "; noted in the contact log"


def _appointment_choice(a: AppointmentChoice) -> tuple[str, str]:
    what = " · ".join(short(p, 30) for p in (a.with_whom or "", a.purpose or "") if p)
    return (f"{when(a.start)} {what}".strip(), str(a.id))


def appointment_dialog_choices(
    appointments: tuple[AppointmentChoice, ...],
) -> list[tuple[str | Text, str]]:
    """The patient's appointments for a ``ChoiceDialog``, with "no appointment" last."""
    out: list[tuple[str | Text, str]] = [_appointment_choice(a) for a in appointments]
    out.append((Text("no appointment (unlink)", style="italic"), "none"))
    return out


def link_appointment(
    db: Database, today: date, referral_id: int, version: int, appointment_id: int | None
) -> Saved:
    """Link a scheduled referral to the appointment it produced (None unlinks)."""
    from caretui.models.all import Referral
    from caretui.services import referrals
    from caretui.services.unit import action

    with action(db, "Link referral to appointment") as session:
        ref = fresh(session, Referral, referral_id, version)
        referrals.link_appointment(session, ref, appointment_id, today=today)
    return Saved(referral_id, "Appointment linked" if appointment_id else "Appointment unlinked")


# --- the directory ---------------------------------------------------------------------


def resource_form(db: Database, today: date, current: ResourceRow | None = None) -> FormScreen:
    """A new directory entry, or an edit of ``current``."""
    fields = [
        Field("name", "Name", required=True, initial=current and current.name),
        Field(
            "category",
            "Category",
            "choice",
            required=True,
            choices=CATEGORY_CHOICES,
            initial=current.category if current else codes.ResourceCategory.OTHER.value,
        ),
        Field("phone", "Phone", initial=current and current.phone),
        Field("address", "Address", "multiline", initial=current and current.address),
        Field("hours", "Hours", initial=current and current.hours, placeholder="e.g. Mon-Fri 9-5"),
        Field("eligibility", "Eligibility", "multiline", initial=current and current.eligibility),
        Field(
            "languages",
            "Languages",
            initial=current and current.languages,
            placeholder="e.g. English, Spanish",
        ),
        Field("notes", "Notes", "multiline", initial=current and current.notes),
        Field(
            "last_verified",
            "Last verified",
            "date",
            initial=current.last_verified if current else "today",
        ),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Resource
        from caretui.services import resources
        from caretui.services.unit import action

        if current is None:
            with action(db, "Add resource") as session:
                made = resources.add_resource(session, values, today=today)
                return Saved(made.id, "Resource added to the directory")
        with action(db, "Edit resource") as session:
            obj = fresh(session, Resource, current.id, None)
            resources.update_resource(
                session, obj, values, expected_version=current.version, today=today
            )
            return Saved(obj.id, "Resource saved")

    title = Text("Edit resource — ") if current else Text("New resource")
    if current:
        title.append(short(current.name, 50))
    return FormScreen(title, fields, save, today=today)


def verify_resource(db: Database, today: date, resource_id: int, version: int) -> Saved:
    """The entry was checked today (called, website read)."""
    from caretui.models.all import Resource
    from caretui.services import resources
    from caretui.services.unit import action

    with action(db, "Verify resource") as session:
        resources.verify(session, fresh(session, Resource, resource_id, version), today=today)
    return Saved(resource_id, f"Verified {dates.describe(today, today)}")


# --- from another screen (Today) -------------------------------------------------------


def step_from(
    screen: Screen[Any],
    referral_id: int,
    *,
    push: Callable[[FormScreen, Callable[[object | None], None]], object],
    done: Callable[[str], object],
) -> None:
    """The step form for one referral, opened from a screen that lists other things
    (Today): read it and its choices in a worker, ``push`` the form, and ``done`` with
    the sentence to tell once it is saved."""
    from caretui.queries.patients import patient_detail
    from caretui.queries.referrals import referral_detail
    from caretui.screens.common import shown_name

    app = cast("CaretuiApp", screen.app)

    def read() -> None:
        settings, today = app.settings, app.today
        with app.reading() as con:
            row = referral_detail(con, referral_id)
            if row is None:
                return
            patient = patient_detail(con, row.patient_id)
            choices = read_choices(con, row.patient_id, today)
        hint = due_if_sent(row, today, settings.referral_response_days)
        name = shown_name(patient, redact=app.redact) if patient else None
        app.call_from_thread(show, row, choices, hint, name)

    def show(row: ReferralRow, choices: Choices, hint: date | None, name: str | None) -> None:
        if not row.is_open:
            screen.notify(
                f"This referral is already {row.status}; its loop is closed", markup=False
            )
            return
        form = step_form(
            app.db,
            app.today,
            row,
            choices.appointments,
            patient=name,
            response_days=app.settings.referral_response_days,
            due_hint=hint,
        )

        def saved(result: object | None) -> None:
            message = getattr(result, "message", None)
            if isinstance(message, str):
                done(message)

        push(form, saved)

    screen.run_worker(read, thread=True, exclusive=True, group="open-form")
