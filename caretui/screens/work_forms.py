"""Tasks and appointments: their forms, and the one-step changes behind a key.

Shared by the Queues and Appointments screens and the Patient screen's tabs.

- ``task_form`` and ``appointment_form`` return a ``FormScreen`` whose ``save``
  runs in the form's worker, inside one ``action()``, and dismisses with a
  ``Saved`` (the record's id and a sentence for the user).
- The ``task_*`` and ``appointment_*`` functions are the one-step changes (done,
  snooze, move, outcome, cancel…). They write, so call them from a thread worker;
  each re-reads the record in its transaction and refuses it if its version is no
  longer the one the screen showed. Each returns a ``Saved``; a refused change
  raises ``CaretuiError`` with a message fit to show as it is.

SQLAlchemy and the services are imported inside function bodies only, so importing
this module stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from rich.text import Text

from caretui import codes
from caretui.errors import DomainError
from caretui.queries.agenda import AppointmentDetail
from caretui.queries.tasks import TaskDetail
from caretui.screens.chart_forms import Saved, fresh
from caretui.screens.common import short, when
from caretui.services import dates
from caretui.services.text import one_line
from caretui.store.database import Database
from caretui.widgets.form import Field, FormScreen, parse_datetime, parse_time
from caretui.widgets.stale_edit import edited, expected_version

PRIORITY_CHOICES: tuple[tuple[str, str], ...] = tuple((p.value, p.value) for p in codes.Priority)
#: The statuses an open task may be given by editing (closing is complete / cancel).
OPEN_TASK_STATUS_CHOICES: tuple[tuple[str, str], ...] = (
    ("requested", codes.TaskStatus.REQUESTED.value),
    ("in progress", codes.TaskStatus.IN_PROGRESS.value),
    ("on hold", codes.TaskStatus.ON_HOLD.value),
)
#: The statuses an appointment may be given by editing (outcomes are recorded with ``o``).
OPEN_APPOINTMENT_STATUS_CHOICES: tuple[tuple[str, str], ...] = (
    ("proposed (not booked yet)", codes.AppointmentStatus.PROPOSED.value),
    ("booked", codes.AppointmentStatus.BOOKED.value),
    ("arrived", codes.AppointmentStatus.ARRIVED.value),
)
TRANSPORT_CHOICES: tuple[tuple[str, str], ...] = (
    ("not needed", codes.Transport.NOT_NEEDED.value),
    ("needed, not arranged yet", codes.Transport.NEEDED.value),
    ("arranged", codes.Transport.ARRANGED.value),
)
OUTCOME_CHOICES: tuple[tuple[str, str], ...] = (
    ("fulfilled: it took place", codes.AppointmentStatus.FULFILLED.value),
    ("no-show: adds a follow-up task", codes.AppointmentStatus.NOSHOW.value),
    ("cancelled", codes.AppointmentStatus.CANCELLED.value),
)
_OUTCOME_WORDS = {"fulfilled": "fulfilled", "noshow": "a no-show", "cancelled": "cancelled"}
RECURRENCE_HINT = "e.g. every 2 weeks, monthly, every mon, or an RRULE"


def _titled(what: str, patient: str | None) -> str:
    return f"{what} — {patient}" if patient else what


# --- the task form ---------------------------------------------------------------------


def task_fields(
    queues: tuple[str, ...], current: TaskDetail | None = None, queue: str | None = None
) -> list[Field]:
    shown_queues = (
        queues
        if current is None or current.queue in queues
        else (
            *queues,
            current.queue,
        )
    )
    initial_queue = current.queue if current else (queue if queue in queues else queues[0])
    fields = [
        Field("title", "Title", required=True, initial=current.title if current else None),
        Field(
            "queue",
            "Queue",
            "choice",
            required=True,
            choices=tuple((q, q) for q in shown_queues),
            initial=initial_queue,
        ),
        Field(
            "priority",
            "Priority",
            "choice",
            required=True,
            choices=PRIORITY_CHOICES,
            initial=current.priority if current else codes.Priority.ROUTINE.value,
        ),
        Field(
            "due",
            "Due",
            "date",
            initial=current.due if current else None,
            placeholder="e.g. tomorrow, fri, +3d, next week, 12/01",
        ),
        Field(
            "rrule",
            "Repeats",
            "recurrence",
            initial=current.rrule if current else None,
            placeholder=RECURRENCE_HINT,
        ),
        Field(
            "description", "Details", "multiline", initial=current.description if current else None
        ),
    ]
    if current is not None and current.open:
        fields.insert(
            3,
            Field(
                "status",
                "Status",
                "choice",
                required=True,
                choices=OPEN_TASK_STATUS_CHOICES,
                initial=current.status,
            ),
        )
    return fields


def task_form(
    db: Database,
    today: date,
    *,
    patient_id: int | None = None,
    current: TaskDetail | None = None,
    queues: tuple[str, ...],
    queue: str | None = None,
    patient: str | None = None,
) -> FormScreen:
    """A new task (about ``patient_id``, or no one), or ``current`` edited.

    ``queue`` preselects a queue for a new task; ``patient`` is the patient's name
    as the caller shows it (redacted or not), for the form's title only.
    """
    fields = task_fields(queues, current, queue)

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Task
        from caretui.services.tasks import add_task, update_task
        from caretui.services.unit import action

        if current is None:
            if patient_id:
                values = {**values, "patient_id": patient_id}
            with action(db, "Add task") as session:
                task = add_task(session, values, today=today, queues=queues)
                return Saved(task.id, f"Task added to {task.queue}")
        with action(db, "Edit task") as session:
            task = fresh(session, Task, current.id, None)
            version = expected_version("task", current.id, current.version)
            update_task(session, task, values, expected_version=version, today=today, queues=queues)
            return Saved(task.id, "Task saved")

    title = _titled("Edit task" if current else "New task", patient)
    return FormScreen(title, fields, save, today=today, edited=edited("task", current))


# --- the appointment form --------------------------------------------------------------

_MINUTES = re.compile(r"^(\d{1,4})\s*(?:m|min|mins|minutes?)?$")
_HOURS = re.compile(
    r"^(\d{1,2})\s*(?:h|hr|hrs|hours?)\s*(?:(\d{1,2})\s*(?:m|min|mins|minutes?)?)?$"
)


def parse_end(text: str | None, start: datetime, today: date) -> datetime | None:
    """The end an "End or length" field names: "45", "45m", "1h", "1h30", "15:00",
    "fri 15:00"; ``None`` when empty (the service keeps or gives a length)."""
    raw = " ".join((text or "").split()).lower()
    if not raw:
        return None
    minutes: int | None = None
    m = _MINUTES.match(raw)
    if m:
        minutes = int(m.group(1))
    m = _HOURS.match(raw)
    if m and int(m.group(2) or 0) < 60:
        minutes = int(m.group(1)) * 60 + int(m.group(2) or 0)
    if minutes is not None:
        if minutes <= 0:
            raise DomainError("The length must be more than 0 minutes", field="end")
        return start + timedelta(minutes=minutes)
    try:
        return datetime.combine(start.date(), parse_time(raw))
    except DomainError:
        pass
    try:
        return parse_datetime(raw, today)
    except DomainError:
        raise DomainError(
            f"{short(raw, 30)!r} is not a length (45m, 1h30) or an end time (15:00)",
            field="end",
        ) from None


def _length(detail: AppointmentDetail) -> str | None:
    if detail.start is None or detail.end is None or detail.end <= detail.start:
        return None
    minutes = int((detail.end - detail.start).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h{rest:02d}"
    return f"{hours}h" if hours else f"{rest}m"


def appointment_fields(
    current: AppointmentDetail | None = None, start: datetime | None = None
) -> list[Field]:
    fields = [
        Field(
            "start",
            "Start",
            "datetime",
            required=True,
            initial=current.start if current else start,
            placeholder="e.g. fri 14:30, tomorrow 9am, 2026-12-01 10:00",
        ),
        Field(
            "end",
            "Length or end",
            initial=_length(current) if current else None,
            placeholder="e.g. 45m, 1h30, or an end time like 15:00 (30m if empty)",
        ),
        Field("with_whom", "With", initial=current.with_whom if current else None),
        Field("location", "Where", initial=current.location if current else None),
        Field("purpose", "Purpose", initial=current.purpose if current else None),
        Field(
            "transport",
            "Transport",
            "choice",
            required=True,
            choices=TRANSPORT_CHOICES,
            initial=current.transport if current else codes.Transport.NOT_NEEDED.value,
        ),
        Field(
            "transport_details",
            "Transport details",
            initial=current.transport_details if current else None,
            placeholder="who drives, pick-up time",
        ),
        Field(
            "rrule",
            "Repeats",
            "recurrence",
            initial=current.rrule if current else None,
            placeholder=RECURRENCE_HINT,
        ),
    ]
    if current is not None:
        # What happened at the visit (``o`` asks it after the outcome; a cancellation's
        # reason is kept here too): editable, audited as any edit.
        fields.append(
            Field(
                "outcome_note",
                "Outcome note",
                initial=current.outcome_note,
                placeholder="what happened: seen by whom, what comes next",
            )
        )
    open_codes = {value for _label, value in OPEN_APPOINTMENT_STATUS_CHOICES}
    if current is None or current.status in open_codes:
        fields.insert(
            2,
            Field(
                "status",
                "Status",
                "choice",
                required=True,
                choices=OPEN_APPOINTMENT_STATUS_CHOICES,
                initial=current.status if current else codes.AppointmentStatus.BOOKED.value,
            ),
        )
    return fields


def appointment_form(
    db: Database,
    today: date,
    *,
    patient_id: int,
    current: AppointmentDetail | None = None,
    start: datetime | None = None,
    patient: str | None = None,
) -> FormScreen:
    """A new appointment for ``patient_id`` (``start`` prefilled if given), or
    ``current`` edited. ``patient`` is the name as the caller shows it, for the title."""
    fields = appointment_fields(current, start)

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Appointment
        from caretui.services.appointments import add_appointment, update_appointment
        from caretui.services.unit import action

        values = dict(values)
        end = parse_end(values.pop("end"), values["start"], today)
        if end is not None:
            values["end"] = end
        if current is None:
            with action(db, "Add appointment") as session:
                appt = add_appointment(session, patient_id, values, today=today)
                return Saved(appt.id, f"Appointment booked {when(appt.start)}")
        with action(db, "Edit appointment") as session:
            appt = fresh(session, Appointment, current.id, None)
            version = expected_version("appointment", current.id, current.version)
            update_appointment(session, appt, values, expected_version=version, today=today)
            return Saved(appt.id, f"Appointment saved ({when(appt.start)})")

    title = _titled("Edit appointment" if current else "New appointment", patient)
    return FormScreen(title, fields, save, today=today, edited=edited("appointment", current))


# --- one-step task changes (call from a thread worker) ---------------------------------


def task_done(db: Database, today: date, task_id: int, version: int | None) -> Saved:
    """Complete the task; a repeating one creates its next occurrence, and says when."""
    from caretui.models.all import Task
    from caretui.services.tasks import complete_task
    from caretui.services.unit import action

    with action(db, "Complete task") as session:
        task = fresh(session, Task, task_id, version)
        following = complete_task(session, task, today=today)
        message = "Task done"
        if following is not None and following.due is not None:
            message += f"; it repeats: the next one is due {dates.describe(following.due, today)}"
        elif following is not None:
            message += "; it repeats: the next one was added"
        return Saved(task_id, message)


def task_snooze(db: Database, today: date, task_id: int, version: int | None, until: date) -> Saved:
    from caretui.models.all import Task
    from caretui.services.tasks import snooze
    from caretui.services.unit import action

    with action(db, "Snooze task") as session:
        snooze(session, fresh(session, Task, task_id, version), until, today=today)
    return Saved(task_id, f"Snoozed until {dates.describe(until, today)}")


def task_due(
    db: Database, today: date, task_id: int, version: int | None, due: date | None
) -> Saved:
    from caretui.models.all import Task
    from caretui.services.tasks import reschedule_task
    from caretui.services.unit import action

    with action(db, "Reschedule task") as session:
        reschedule_task(session, fresh(session, Task, task_id, version), due, today=today)
    when = dates.describe(due, today) if due else "no date"
    return Saved(task_id, f"Due {when}")


def task_move(
    db: Database,
    today: date,
    task_id: int,
    version: int | None,
    queue: str,
    queues: tuple[str, ...],
) -> Saved:
    from caretui.models.all import Task
    from caretui.services.tasks import move_to_queue
    from caretui.services.unit import action

    with action(db, "Move task") as session:
        move_to_queue(
            session, fresh(session, Task, task_id, version), queue, today=today, queues=queues
        )
    return Saved(task_id, f"Moved to {one_line(queue)}")


def task_cancel(
    db: Database, today: date, task_id: int, version: int | None, *, series: bool = False
) -> Saved:
    """Cancel the task; one occurrence of a repeating task is skipped (the next is
    created) unless ``series`` ends the whole series."""
    from caretui.models.all import Task
    from caretui.services.tasks import cancel_task
    from caretui.services.unit import action

    with action(db, "Cancel task") as session:
        following = cancel_task(
            session, fresh(session, Task, task_id, version), series=series, today=today
        )
        message = "Task cancelled"
        if following is not None and following.due is not None:
            message += f"; the next one is due {dates.describe(following.due, today)}"
        return Saved(task_id, message)


def task_reopen(db: Database, today: date, task_id: int, version: int | None) -> Saved:
    from caretui.models.all import Task
    from caretui.services.tasks import reopen_task
    from caretui.services.unit import action

    with action(db, "Reopen task") as session:
        reopen_task(session, fresh(session, Task, task_id, version), today=today)
    return Saved(task_id, "Task reopened")


# --- ``o``: what happened at an appointment (on the UI thread) -------------------------

_NOTE_LABELS = {
    codes.AppointmentStatus.FULFILLED.value: "What happened (seen by whom, what comes next)",
    codes.AppointmentStatus.NOSHOW.value: "Why, if known (e.g. no ride, in hospital)",
    codes.AppointmentStatus.CANCELLED.value: "Why",
}


def ask_outcome(
    push: Callable[[Any, Callable[[Any], None]], object],
    title: str | Text,
    start: datetime | None,
    now: datetime,
    record: Callable[[str, str | None], object],
) -> None:
    """``o`` on an appointment: what happened, then an optional short note (enter with it
    empty records just the outcome; escape records nothing); ``record(outcome, note)``.

    An appointment that has not started yet is offered only a cancellation, and the
    question says why, before anything is chosen."""
    from caretui.widgets.dialogs import ChoiceDialog, TextDialog, dialog_title

    question = dialog_title(title).copy()
    choices = OUTCOME_CHOICES
    if start is not None and start > now:
        cancelled = codes.AppointmentStatus.CANCELLED.value
        choices = tuple(c for c in OUTCOME_CHOICES if c[1] == cancelled)
        question.append(f" — not yet: it starts {when(start)}; only a cancellation")

    def chosen(outcome: str | None) -> None:
        if not outcome:
            return

        def noted(note: str | None) -> None:
            if note is not None:
                record(outcome, note or None)

        words = _OUTCOME_WORDS.get(outcome, outcome)
        note = TextDialog(
            f"Outcome: {words}. A short note? (enter without one: none)",
            label=_NOTE_LABELS.get(outcome, "Note"),
        )
        push(note, noted)

    push(ChoiceDialog(question, choices), chosen)


# --- one-step appointment changes (call from a thread worker) --------------------------


def appointment_outcome(
    db: Database,
    today: date,
    appointment_id: int,
    version: int | None,
    outcome: str,
    note: str | None = None,
) -> Saved:
    """Record what happened. A no-show adds a follow-up task, a repeating appointment
    books its next one: the message says so."""
    from caretui.models.all import Appointment
    from caretui.services.appointments import record_outcome
    from caretui.services.unit import action

    with action(db, "Record appointment outcome") as session:
        appt = fresh(session, Appointment, appointment_id, version)
        result = record_outcome(session, appt, outcome, today=today, note=note or None)
        message = f"Recorded as {_OUTCOME_WORDS.get(outcome, outcome)}"
        if result.follow_up is not None:
            message += f"; a follow-up task was added to the {result.follow_up.queue} queue"
            if result.follow_up.due is not None:
                message += f", due {dates.describe(result.follow_up.due, today)}"
        if result.next_appointment is not None:
            message += f"; the next one is booked {when(result.next_appointment.start)}"
        return Saved(appointment_id, message)


def appointment_cancel(
    db: Database,
    today: date,
    appointment_id: int,
    version: int | None,
    reason: str | None = None,
    *,
    series: bool = False,
) -> Saved:
    from caretui.models.all import Appointment
    from caretui.services.appointments import cancel
    from caretui.services.unit import action

    with action(db, "Cancel appointment") as session:
        appt = fresh(session, Appointment, appointment_id, version)
        result = cancel(session, appt, reason or None, series=series, today=today)
        message = "Appointment cancelled"
        if result.next_appointment is not None:
            message += f"; the next one is booked {when(result.next_appointment.start)}"
        return Saved(appointment_id, message)


def appointment_reschedule(
    db: Database, today: date, appointment_id: int, version: int | None, start: datetime
) -> Saved:
    from caretui.models.all import Appointment
    from caretui.services.appointments import reschedule
    from caretui.services.unit import action

    with action(db, "Reschedule appointment") as session:
        reschedule(
            session, fresh(session, Appointment, appointment_id, version), start, today=today
        )
    return Saved(appointment_id, f"Moved to {when(start)}")


def appointment_transport(
    db: Database,
    today: date,
    appointment_id: int,
    version: int | None,
    transport: str,
    details: str | None = None,
) -> Saved:
    from caretui.models.all import Appointment
    from caretui.services.appointments import set_transport
    from caretui.services.unit import action

    with action(db, "Set transport") as session:
        appt = fresh(session, Appointment, appointment_id, version)
        set_transport(session, appt, transport, details or None, today=today)
    shown = next((label for label, value in TRANSPORT_CHOICES if value == transport), transport)
    return Saved(appointment_id, f"Transport: {shown}")
