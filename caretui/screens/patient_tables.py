"""The Patient screen's table tabs: medications, appointments, tasks and notes.

Each tab is a ``RecordTable`` in sections (active / past, upcoming / past, open /
done), with a last "… N more" row that loads the next page when chosen. These
functions turn a tab's frozen bundle into rows; the screen only shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.coordinate import Coordinate

from caretui.queries import chart
from caretui.screens.common import code, day, due_cell, instant, when
from caretui.screens.queue_view import task_status
from caretui.services.text import initials, one_line, plural, visible
from caretui.widgets.records import Cell, RecordTable, Row

#: How many more rows "more" loads, per tab.
MORE = {
    "medications": chart.PAST_MEDICATIONS,
    "appointments": chart.PAST_APPOINTMENTS,
    "tasks": chart.DONE_TASKS,
    "notes": chart.NOTES_PAGE,
}

#: Appointment statuses still waiting for an outcome.
OPEN_APPOINTMENT = chart.APPOINTMENT_OPEN

MED_COLUMNS = [
    ("Medication", 22),
    ("Dose · route · freq", 22),
    ("Status", 8),
    ("Refill due", 10),
    ("Reconciled", 10),
    ("Prescriber", 12),
    ("Ended · reason", 20),
]
APPT_COLUMNS = [
    ("When", 20),
    ("With", 14),
    ("Where", 12),
    ("Purpose", 16),
    ("Status", 10),
    ("Transport", 14),
    ("Outcome", 14),
]
TASK_COLUMNS = [
    ("Task", 38),
    ("Queue", 10),
    ("Priority", 8),
    ("Due", 10),
    ("Status", 11),
    ("Snoozed · done", 16),
]
NOTE_COLUMNS = [
    ("When", 16),
    ("Kind", 7),
    ("With", 16),
    ("Outcome", 12),
    ("Min", 4),
    ("Note", 40),
]
#: Each table tab and its columns.
COLUMNS = {
    "medications": MED_COLUMNS,
    "appointments": APPT_COLUMNS,
    "tasks": TASK_COLUMNS,
    "notes": NOTE_COLUMNS,
}
#: The column of each tab that takes the room a wide terminal leaves.
FLEX = {
    "medications": "Ended · reason",
    "appointments": "Outcome",
    "tasks": "Task",
    "notes": "Note",
}


def _blank_after(first: Text, width: int) -> tuple[Cell, ...]:
    return (first, *("" for _ in range(width - 1)))


def section(title: str, width: int) -> Row:
    return Row(f"section:{title}", _blank_after(Text(title, style="bold reverse"), width))


def is_section(key: str | None) -> bool:
    """Whether a row key is a section's heading ("Open — 3"), not a record."""
    return bool(key) and str(key).startswith("section:")


class ChartTable(RecordTable):
    """A table tab in sections whose headings cannot be selected: the cursor passes
    over them (up, down, a click, `home`) to the nearest record, onwards in the
    direction it was going, else back; `home` still shows the first heading."""

    def _heading(self, row: int) -> bool:
        return is_section(self.ordered_rows[row].key.value)

    def validate_cursor_coordinate(self, value: Coordinate) -> Coordinate:
        value = super().validate_cursor_coordinate(value)
        if not self.row_count or not self._heading(value.row):
            return value
        step = -1 if value.row < self.cursor_coordinate.row else 1
        for direction in (step, -step):
            row = value.row + direction
            while 0 <= row < self.row_count:
                if not self._heading(row):
                    return Coordinate(row, value.column)
                row += direction
        return value  # only headings: nothing to select

    def action_first_row(self) -> None:
        super().action_first_row()
        self.call_after_refresh(self.scroll_home, animate=False)

    def action_cursor_up(self) -> None:
        before = self.cursor_row
        super().action_cursor_up()
        if self.cursor_row == before:  # the first record: show the heading above it
            self.scroll_home(animate=False)


def more_row(tab: str, shown: int, total: int, width: int) -> Row:
    label = Text(f"… {total - shown:,} more: enter shows them", style="italic")
    return Row(f"more:{tab}:{shown}", _blank_after(label, width))


def medication_row(m: chart.MedicationRow, today: date) -> Row:
    how = " · ".join(one_line(p) for p in (m.dose, m.route, m.frequency) if p)
    ended = " · ".join(p for p in (day(m.end_date), one_line(m.stop_reason or "")) if p)
    return Row(
        f"med:{m.id}",
        (
            m.name,
            how,
            code(m.status),
            due_cell(m.refill_due, today) if m.active else "",
            day(m.last_reconciled),
            m.prescriber,
            ended,
        ),
    )


def appointment_row(a: chart.AppointmentRow, today: date, *, past: bool = False) -> Row:
    """``past``: listed under Past (over): still booked there means no outcome yet."""
    status: Cell = code(a.status)
    if a.status in OPEN_APPOINTMENT and a.start and (past or a.start.date() < today):
        status = Text("no outcome", style="bold yellow")
    transport: Cell = code(a.transport)
    if a.transport == "needed" and a.status in OPEN_APPOINTMENT:
        transport = Text("needed ⚠", style="bold yellow")
    elif a.transport == "arranged":
        transport = "arranged" + (
            f": {one_line(a.transport_details)}" if a.transport_details else ""
        )
    start: Cell = when(a.start) if a.start else Text("bad date", style="red")
    purpose = (a.purpose or "") + ("  ↻" if a.rrule else "")
    return Row(
        f"appt:{a.id}", (start, a.with_whom, a.location, purpose, status, transport, a.outcome_note)
    )


def task_row(t: chart.TaskRow, today: date) -> Row:
    title = one_line(t.title) + ("  ↻" if t.rrule else "")
    if t.open:
        later: Cell = f"until {day(t.wait_until)}" if t.wait_until else ""
        due: Cell = due_cell(t.due, today, soon_days=0)
    else:
        later = instant(t.completed_at) if t.completed_at else ""
        due = day(t.due)
    priority: Cell = t.priority
    if t.priority in ("urgent", "asap", "stat"):
        priority = Text(t.priority, style="bold red" if t.priority == "stat" else "bold yellow")
    return Row(f"task:{t.id}", (title, t.queue, priority, due, task_status(t.status), later))


def with_whom(name: str | None, *, redact: bool) -> str:
    """Who a contact was with (often a relative, whose name may be the patient's):
    initials when redacted, as the overview shows contacts."""
    if not name:
        return ""
    return initials(name, "") if redact else one_line(name)


def note_row(n: chart.NoteRow, *, redact: bool = False) -> Row:
    minutes = str(n.minutes) if n.minutes is not None else ""
    who = with_whom(n.with_whom, redact=redact)
    return Row(
        f"note:{n.id}",
        (instant(n.occurred_at), n.kind, who, code(n.outcome), minutes, n.text),
    )


def note_detail(note: chart.NoteRow, *, redact: bool = False) -> Text:
    """The whole of the highlighted note, under the notes table."""
    text = Text(f"{instant(note.occurred_at)}  {note.kind}", style="bold")
    if note.with_whom:
        text.append(f"  with {with_whom(note.with_whom, redact=redact)}")
    if note.minutes is not None:
        text.append(f"  {note.minutes} min", style="dim")
    text.append("\n")
    text.append(visible(note.text or ""))
    return text


@dataclass(frozen=True, slots=True)
class TableView:
    """What one table tab shows: its rows, the record behind each key, a status line."""

    rows: list[Row]
    records: Mapping[str, object]
    status: str


def _sections(
    tab: str, parts: list[tuple[str, int, list[Row]]], shown: int, total: int
) -> list[Row]:
    """Rows under a heading per part, then "… N more" when ``total`` passes ``shown``."""
    width = len(COLUMNS[tab])
    rows: list[Row] = []
    for title, count, part in parts:
        rows.append(section(f"{title} — {count}", width))
        rows.extend(part)
    if total > shown:
        rows.append(more_row(tab, shown, total, width))
    return rows


def medications_view(data: chart.Medications, today: date) -> TableView:
    rows = _sections(
        "medications",
        [
            ("Active", len(data.active), [medication_row(m, today) for m in data.active]),
            ("Past", data.past_total, [medication_row(m, today) for m in data.past]),
        ],
        len(data.past),
        data.past_total,
    )
    meds = {f"med:{m.id}": m for m in (*data.active, *data.past)}
    return TableView(rows, meds, f"{len(data.active)} active · {data.past_total} past")


def appointments_view(data: chart.Appointments, today: date) -> TableView:
    rows = _sections(
        "appointments",
        [
            ("Upcoming", len(data.upcoming), [appointment_row(a, today) for a in data.upcoming]),
            ("Past", data.past_total, [appointment_row(a, today, past=True) for a in data.past]),
        ],
        len(data.past),
        data.past_total,
    )
    appts = {f"appt:{a.id}": a for a in (*data.upcoming, *data.past)}
    missing = sum(1 for a in data.past if a.status in OPEN_APPOINTMENT and a.start)
    status = f"{len(data.upcoming)} upcoming · {data.past_total} past"
    if missing:
        status += f" · {missing} without an outcome (o records it)"
    return TableView(rows, appts, status)


def tasks_view(data: chart.Tasks, today: date) -> TableView:
    rows = _sections(
        "tasks",
        [
            ("Open", len(data.open), [task_row(t, today) for t in data.open]),
            ("Done", data.done_total, [task_row(t, today) for t in data.done]),
        ],
        len(data.done),
        data.done_total,
    )
    work = {f"task:{t.id}": t for t in (*data.open, *data.done)}
    return TableView(rows, work, f"{len(data.open)} open · {data.done_total} done")


def notes_view(data: chart.Notes, *, redact: bool = False) -> TableView:
    rows = [note_row(n, redact=redact) for n in data.notes]
    if data.total > len(data.notes):
        rows.append(more_row("notes", len(data.notes), data.total, len(NOTE_COLUMNS)))
    shown = f"{len(data.notes)} of {data.total:,}" if data.total > len(data.notes) else None
    return TableView(
        rows,
        {f"note:{n.id}": n for n in data.notes},
        f"{plural(data.total, 'note', count=shown)}, newest first",
    )


def table_view(data: object, today: date, *, redact: bool = False) -> TableView | None:
    """The rows of the medications, appointments, tasks or notes tab for ``data``."""
    if isinstance(data, chart.Medications):
        return medications_view(data, today)
    if isinstance(data, chart.Appointments):
        return appointments_view(data, today)
    if isinstance(data, chart.Tasks):
        return tasks_view(data, today)
    if isinstance(data, chart.Notes):
        return notes_view(data, redact=redact)
    return None
