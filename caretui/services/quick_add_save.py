"""Saving a quick-add draft: one action, a task or an appointment.

The parser (``services.quick_add``) never touches the database; this module does,
through the same services a form uses, so every rule and the audit trail apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from caretui.errors import DomainError
from caretui.services import dates
from caretui.services.quick_add import QuickAdd
from caretui.store.database import Database


@dataclass(frozen=True, slots=True)
class Added:
    """What a quick add saved: which kind of record, its id, and a sentence to show."""

    kind: Literal["task", "appointment"]
    record_id: int
    message: str


def task_fields(draft: QuickAdd) -> dict[str, Any]:
    """The fields ``services.tasks.add_task`` receives for ``draft``."""
    fields: dict[str, Any] = {
        "title": draft.title,
        "queue": draft.queue or draft.default_queue,
        "priority": draft.priority,
        "due": draft.due,
        "rrule": draft.rrule,
    }
    if draft.patient_id is not None:
        fields["patient_id"] = draft.patient_id
    return {k: v for k, v in fields.items() if v is not None}


def appointment_fields(draft: QuickAdd) -> dict[str, Any]:
    """The fields ``services.appointments.add_appointment`` receives for ``draft``."""
    fields: dict[str, Any] = {
        "start": draft.start,
        "end": draft.end,
        "purpose": draft.title or None,
        "rrule": draft.rrule,
    }
    return {k: v for k, v in fields.items() if v is not None}


def save_quick_add(db: Database, draft: QuickAdd, *, today: date, queues: tuple[str, ...]) -> Added:
    """Save ``draft`` in one action; ``DomainError`` (nothing saved) if it has a problem
    or a service refuses it."""
    if draft.problems:
        raise DomainError(draft.problems[0])
    from caretui.services.unit import action

    if draft.kind == "appointment":
        from caretui.services.appointments import add_appointment

        patient_id = draft.patient_id
        assert patient_id is not None  # problems says so otherwise
        with action(db, "Quick add appointment") as session:
            appt = add_appointment(session, patient_id, appointment_fields(draft), today=today)
            return Added(
                "appointment",
                appt.id,
                f"Appointment booked {dates.describe(appt.start.date(), today)} "
                f"at {appt.start:%H:%M}",
            )
    from caretui.services.tasks import add_task

    with action(db, "Quick add task") as session:
        task = add_task(session, task_fields(draft), today=today, queues=queues)
        due = f", due {dates.describe(task.due, today)}" if task.due else ""
        return Added("task", task.id, f"Task added to {task.queue}{due}")
