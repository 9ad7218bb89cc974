"""Tasks (FHIR Task): the coordinator's to-do list, in their own queues.

Open tasks move between requested, in progress and on hold; they close by being
completed or cancelled (``complete_task``, ``cancel_task``) and come back with
``reopen_task``. A repeating task is one task at a time: closing it creates the next,
and the rule moves to the new task (the closed one keeps none), so reopening a closed
occurrence can never start a second copy of the series. ``completed_at`` is local
wall-clock time, like an appointment's start.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from caretui import codes
from caretui.config import load as load_config
from caretui.errors import DomainError
from caretui.models.all import Task
from caretui.services import common, records

Status = codes.TaskStatus
CLOSED = codes.TASK_CLOSED

_CLOSED_WORDS = {
    Status.COMPLETED: "completed",
    Status.CANCELLED: "cancelled",
    Status.FAILED: "marked failed",
    Status.REJECTED: "rejected",
    Status.ENTERED_IN_ERROR: "marked entered in error",
}


def _queues(queues: tuple[str, ...] | None) -> tuple[str, ...]:
    return queues if queues is not None else load_config().queues


def _snooze_check(current: Mapping[str, Any] | None, today: date) -> common.Check:
    def check(values: Mapping[str, Any]) -> None:
        until = values.get("wait_until")
        changed = current is None or current.get("wait_until") != until
        if until is not None and changed and until <= today:
            raise DomainError(
                f"Snooze until {until.isoformat()} is not after today; choose a later date",
                field="wait_until",
            )

    return check


def add_task(
    session: Session,
    fields: Mapping[str, Any],
    *,
    today: date | None = None,
    queues: tuple[str, ...] | None = None,
) -> Task:
    """A new open task; its queue must be one of ``queues`` (default: the configured ones)."""
    today = today or date.today()
    if fields.get("status") not in (None, "") and (
        common.as_code(Status, fields["status"], "Status") in CLOSED
    ):
        raise DomainError("A new task must be open")
    return common.add(
        session, Task, fields, today=today, queues=_queues(queues), check=_snooze_check(None, today)
    )


def update_task(
    session: Session,
    task: Task,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    today: date | None = None,
    queues: tuple[str, ...] | None = None,
) -> Task:
    """Edit a task. Its status may move between the open ones here; closing and reopening
    go through ``complete_task``, ``cancel_task`` and ``reopen_task``, which do more."""
    today = today or date.today()
    if fields.get("status") not in (None, ""):
        new = common.as_code(Status, fields["status"], "Status")
        if new is not task.status and (new in CLOSED or task.status in CLOSED):
            raise DomainError("Use complete, cancel or reopen to close or reopen a task")
    allowed = _queues(queues)
    if task.queue not in allowed:
        allowed = (*allowed, task.queue)  # a queue since removed from the settings
    return common.edit(
        session,
        task,
        fields,
        today=today,
        expected_version=expected_version,
        queues=allowed,
        check=_snooze_check(records.current_values(task), today),
        movable=True,
    )


def _refuse_closed(task: Task, doing: str) -> None:
    if task.status in CLOSED:
        raise DomainError(f"This task is already {_CLOSED_WORDS[task.status]}; {doing}")


def _close(
    session: Session, task: Task, fields: dict[str, Any], *, today: date, series: bool = True
) -> Task | None:
    """Apply the closing ``fields``; a repeating task's rule moves to its next occurrence,
    which is created and returned (with ``series=False`` the series just ends)."""
    rule = task.rrule
    if rule:
        fields["rrule"] = None
    records.update(session, task, fields, today=today)
    return _continue(session, task, rule, today) if rule and series else None


def _continue(session: Session, task: Task, rule: str, today: date) -> Task | None:
    """The next task of a repeating one: due on the rule's first date after the old due
    (after today if it had none); same title, details, queue, priority, patient, origin."""
    following = common.continue_series(rule, task.due or today)
    if following is None:
        return None
    due, rule = following
    return records.create(
        session,
        Task,
        {
            "patient_id": task.patient_id,
            "title": task.title,
            "description": task.description,
            "queue": task.queue,
            "priority": task.priority,
            "origin": task.origin,
            "due": due,
            "rrule": rule,
        },
        today=today,
        queues=(task.queue,),
    )


def complete_task(
    session: Session, task: Task, *, today: date | None = None, now: datetime | None = None
) -> Task | None:
    """Mark the task done; a repeating task creates its next occurrence, returned
    (None otherwise)."""
    today, now = common.resolve(today, now)
    _refuse_closed(task, "there is nothing to complete")
    fields: dict[str, Any] = {"status": Status.COMPLETED, "completed_at": now, "wait_until": None}
    return _close(session, task, fields, today=today)


def cancel_task(
    session: Session, task: Task, *, series: bool = False, today: date | None = None
) -> Task | None:
    """Cancel the task. One occurrence of a repeating task is skipped and the next is
    created (returned), so the series goes on; ``series=True`` ends the series here."""
    today = today or date.today()
    _refuse_closed(task, "there is nothing to cancel")
    fields: dict[str, Any] = {"status": Status.CANCELLED, "wait_until": None}
    return _close(session, task, fields, today=today, series=not series)


def reopen_task(session: Session, task: Task, *, today: date | None = None) -> Task:
    """Bring a closed task back to the list (requested). A next occurrence its closing
    created stays; undo the closing instead to take both back."""
    if task.status not in CLOSED:
        raise DomainError("This task is still open")
    return records.update(
        session,
        task,
        {"status": Status.REQUESTED, "completed_at": None},
        today=today or date.today(),
    )


def snooze(session: Session, task: Task, until: date, *, today: date | None = None) -> Task:
    """Hide the task from Today until ``until`` (after today); its due date stays."""
    today = today or date.today()
    _refuse_closed(task, "there is nothing to snooze")
    if until is None:  # a form's empty date field
        raise DomainError("Snooze until which date?", field="wait_until")
    if until <= today:
        raise DomainError(
            f"Snooze until {until.isoformat()} is not after today; choose a later date",
            field="wait_until",
        )
    return records.update(session, task, {"wait_until": until}, today=today)


def reschedule_task(
    session: Session, task: Task, due: date | None, *, today: date | None = None
) -> Task:
    """Move the task's due date (today or later; None takes it off the calendar).
    A snooze ending after the new due date is lifted, or the task would stay hidden."""
    today = today or date.today()
    _refuse_closed(task, "reopen it to reschedule it")
    if due is not None and due < today:
        raise DomainError(
            f"Due {due.isoformat()} is in the past; choose today or later", field="due"
        )
    fields: dict[str, Any] = {"due": due}
    if due is not None and task.wait_until is not None and task.wait_until > due:
        fields["wait_until"] = None
    return records.update(session, task, fields, today=today)


def move_to_queue(
    session: Session,
    task: Task,
    queue: str,
    *,
    today: date | None = None,
    queues: tuple[str, ...] | None = None,
) -> Task:
    """Put the task in another of the configured queues."""
    return records.update(
        session, task, {"queue": queue}, today=today or date.today(), queues=_queues(queues)
    )
