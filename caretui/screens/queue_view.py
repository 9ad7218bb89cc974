"""What the Queues screen shows: a line per task, the status line, a dialog's title.

A task's due date is red when past and bold when today; the last column says
when it is snoozed to, when it was done, and how it repeats. Plain functions
over ``TaskRow``; the screen only puts what they return on screen.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text

from caretui import codes
from caretui.queries.tasks import TaskFilter, TaskRow
from caretui.screens.common import shown_name
from caretui.services.text import one_line
from caretui.widgets.records import Row

COLUMNS = [
    ("Due", 10),
    ("Priority", 8),
    ("Title", 24),
    ("Patient", 16),
    ("Status", 11),
    ("", 12),
]
#: The columns that share the room a wide terminal leaves.
FLEX = ("Title", "")
#: What ``p`` cycles through: (shown, the priorities it keeps).
PRIORITY_VIEWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("any priority", ()),
    *((p.value, (p.value,)) for p in reversed(codes.Priority)),
)
PRIORITY_STYLE = {"stat": "bold reverse red", "asap": "bold red", "urgent": "yellow", "routine": ""}
_STATUS_WORDS = {
    "requested": "to do",
    "in-progress": "in progress",
    "on-hold": "on hold",
    "completed": "done",
}


def task_status(status: str) -> str:
    """A task's status as lists show it ("to do" for FHIR's requested)."""
    return _STATUS_WORDS.get(status, one_line(status).replace("-", " "))


def _due(row: TaskRow, today: date) -> Text:
    if row.bad_due:
        return Text(f"bad {one_line(row.due_text)[:8]}", style="bold red")
    if row.due is None:
        return Text("")
    text = f"{row.due:%a %d %b}"
    if row.view(today) == "done":
        return Text(text, style="dim")
    if row.due < today:
        return Text(text, style="red")
    return Text(text, style="bold" if row.due == today else "")


def _notes(row: TaskRow, today: date) -> Text:
    from caretui.services.recurrence import describe

    parts = []
    if row.wait_until is not None and row.wait_until > today and row.view(today) != "done":
        parts.append(f"snoozed to {row.wait_until:%a %d %b}")
    if row.completed_at is not None and row.view(today) == "done":
        parts.append(f"done {row.completed_at:%d %b}")
    if row.rrule:
        try:
            parts.append(describe(row.rrule))
        except (ValueError, KeyError):
            parts.append("repeats")
    return Text(" · ".join(parts), style="dim")


def task_line(row: TaskRow, today: date, *, redact: bool) -> Row:
    patient = "" if row.patient_id is None else shown_name(row, redact=redact)
    return Row(
        f"task:{row.id}",
        (
            _due(row, today),
            Text(row.priority, style=PRIORITY_STYLE.get(row.priority, "")),
            row.title,
            patient,
            task_status(row.status),
            _notes(row, today),
        ),
    )


def task_title(what: str, row: TaskRow) -> Text:
    """A dialog's title about the task: "Snooze until — Call pharmacy about…"."""
    title, room = one_line(row.title), 58 - len(what)
    return Text(f"{what} — {title if len(title) <= room else title[: room - 1] + '…'}")


def status_line(flt: TaskFilter, loaded: int, total: int, priority: str) -> Text:
    """The line above the tasks: the queue, how many are shown of how many, the filters."""
    shown = f"{loaded:,} of {total:,}" if total > loaded else f"{total:,}"
    status = Text(f"{one_line(flt.queue)} · {shown} {flt.view} · {priority}")
    if flt.search.strip():
        status.append(" · search: ")
        status.append(one_line(flt.search), style="italic")
    status.append("   / search  p priority  f open/snoozed/done  [ ] queue", style="dim")
    return status
