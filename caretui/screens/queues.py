"""`4` Queues: the coordinator's tasks, one queue at a time, filtered and paged in SQL.

The left list holds the configured queues with their open counts; the table the
chosen queue's tasks, a page at a time. Every change goes through
``screens.work_forms`` in a thread worker; then the task is read again and its
line is updated in place, or dropped when it no longer belongs in the view.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from caretui import codes
from caretui.errors import CaretuiError
from caretui.queries.names import patient_name
from caretui.queries.tasks import (
    VIEWS,
    TaskFilter,
    TaskRow,
    count_tasks,
    list_tasks,
    queue_counts,
    task_detail,
    task_row,
)
from caretui.screens.base import CaseloadScreen
from caretui.services.text import one_line
from caretui.widgets.records import RecordTable, Row, cell

if TYPE_CHECKING:
    from caretui.queries.tasks import TaskDetail
    from caretui.screens.chart_forms import Saved

PAGE = 100
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
    patient = ""
    if row.patient_id is not None:
        patient = patient_name(
            row.given_name or "", row.family_name or "", row.preferred_name, redact=redact
        )
    return Row(
        f"task:{row.id}",
        (
            _due(row, today),
            Text(row.priority, style=PRIORITY_STYLE.get(row.priority, "")),
            row.title,
            patient,
            _STATUS_WORDS.get(row.status, one_line(row.status).replace("-", " ")),
            _notes(row, today),
        ),
    )


class QueuesScreen(CaseloadScreen):
    HELP_TITLE = "Queues"
    HELP_EXTRA = Text(
        "The left list holds your queues (set them in the config file) with their open "
        "tasks; tab moves between it and the tasks.\n"
        "Dates: today, tomorrow, fri, +3d, next week, 12/01, 2026-12-01."
    )
    BINDINGS = [
        Binding(
            "n",
            "new",
            "New",
            id="queues.new",
            tooltip="New task in this queue: choose the patient (or none), then the form",
        ),
        Binding(
            "x",
            "done",
            "Done",
            id="queues.done",
            tooltip="Mark the task done (a repeating one creates its next occurrence)",
        ),
        Binding(
            "s", "snooze", "Snooze", id="queues.snooze", tooltip="Hide the task until a later day"
        ),
        Binding("m", "move", "Move", id="queues.move", tooltip="Move the task to another queue"),
        Binding("e", "edit", "Edit", id="queues.edit", tooltip="Edit the task"),
        Binding("r", "due", "Due date", id="queues.due", tooltip="Change the due date"),
        Binding(
            "c",
            "cancel",
            "Cancel",
            id="queues.cancel",
            show=False,
            tooltip="Cancel the task (or skip one occurrence of a repeating task)",
        ),
        Binding(
            "o",
            "reopen",
            "Reopen",
            id="queues.reopen",
            show=False,
            tooltip="Reopen a done or cancelled task",
        ),
        Binding(
            "p",
            "cycle_priority",
            "Priority",
            id="queues.priority",
            tooltip="Show any priority / stat / asap / urgent / routine",
        ),
        Binding(
            "f",
            "cycle_view",
            "Open/snoozed/done",
            id="queues.view",
            tooltip="Show open / snoozed / done tasks",
        ),
        Binding(
            "left_square_bracket",
            "queue(-1)",
            "Prev queue",
            id="queues.previous",
            show=False,
            tooltip="Previous queue",
        ),
        Binding(
            "right_square_bracket",
            "queue(1)",
            "Next queue",
            id="queues.next",
            show=False,
            tooltip="Next queue",
        ),
        Binding(
            "enter",
            "open",
            "Open",
            id="queues.open",
            show=False,
            priority=True,
            tooltip="Open the task's patient at their tasks (a task about no one: edit it)",
        ),
    ]
    DEFAULT_CSS = """
    QueuesScreen #queues-list { width: 27; height: 1fr; }
    QueuesScreen #queues-status { padding: 0 1; color: $text-muted; height: 1; }
    """

    flt: reactive[TaskFilter] = reactive(lambda: TaskFilter(""), init=False)
    """What the table shows: the queue, the view (open / snoozed / done), the priorities."""

    def __init__(self) -> None:
        super().__init__()
        self._priority_view = 0
        self._queues: list[str] = []
        self._counts: dict[str, int] = {}
        self._counts_known = False
        self._rows: dict[str, TaskRow] = {}
        self._total = 0
        self._loaded = False
        self._under_dialog = False
        #: Changes made from this screen; a list read before the latest is read again.
        self._changes = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield OptionList(id="queues-list")
            with Vertical():
                yield Static("", id="queues-status")
                yield RecordTable(
                    [
                        ("Due", 11),
                        ("Priority", 8),
                        ("Title", 32),
                        ("Patient", 22),
                        ("Status", 11),
                        ("", 18),
                    ],
                    id="queues-table",
                )
        yield Footer()

    def on_mount(self) -> None:
        self._queues = list(self.caretui.settings.queues)
        self._show_queues()
        self.table.focus()
        self.flt = TaskFilter(self._queues[0])
        self.watch(self.app, "redact", lambda _old, _new: self.reload(), init=False)

    def on_screen_suspend(self) -> None:
        self._under_dialog = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        """Back from another screen (the patient, another mode): read again. Back from
        a dialog: no need, the change it led to updates its own line."""
        if self.is_mounted and self._loaded and not self._under_dialog:
            self.reload()
        self._under_dialog = False

    @property
    def table(self) -> RecordTable:
        return self.query_one(RecordTable)

    @property
    def queue_list(self) -> OptionList:
        return self.query_one("#queues-list", OptionList)

    # -- the queues ----------------------------------------------------------------------

    def _show_queues(self) -> None:
        """The left list: each queue and its open count, the current one highlighted."""
        configured = list(self.caretui.settings.queues)
        extra = sorted(q for q in self._counts if q not in configured)
        self._queues = configured + extra
        options = []
        for queue in self._queues:
            name = one_line(queue)
            label = Text(name if len(name) <= 14 else name[:13] + "…")
            label.pad_right(15 - label.cell_len)
            count = f"{self._counts.get(queue, 0):>6,}" if self._counts_known else "     …"
            label.append(count, style="bold")
            if queue not in configured:
                label.append("\n  not in your settings", style="dim italic")
            options.append(Option(label))
        listing = self.queue_list
        listing.set_options(options)
        if self.flt.queue in self._queues:
            with listing.prevent(OptionList.OptionHighlighted):
                listing.highlighted = self._queues.index(self.flt.queue)

    @work(thread=True, exclusive=True, group="queues-counts")
    def _load_counts(self, flt: TaskFilter | None = None) -> None:
        """Every queue's open count; with ``flt``, that list's total too (after a change)."""
        today = self.caretui.today
        with self.caretui.reading() as con:
            counts = queue_counts(con, today=today)
            total = count_tasks(con, flt, today=today) if flt is not None else None
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._counts_loaded, counts, flt, total)

    def _counts_loaded(
        self, counts: dict[str, int], flt: TaskFilter | None, total: int | None
    ) -> None:
        self._counts, self._counts_known = counts, True
        self._show_queues()
        if flt == self.flt and total is not None:
            self._total = total
            self._show_status()

    @on(OptionList.OptionHighlighted, "#queues-list")
    def _queue_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if 0 <= event.option_index < len(self._queues):
            queue = self._queues[event.option_index]
            if queue != self.flt.queue:
                self.flt = dataclasses.replace(self.flt, queue=queue)

    @on(OptionList.OptionSelected, "#queues-list")
    def _queue_selected(self) -> None:
        self.table.focus()

    def action_queue(self, step: int) -> None:
        if self.flt.queue in self._queues:
            index = (self._queues.index(self.flt.queue) + step) % len(self._queues)
        else:
            index = 0
        self.flt = dataclasses.replace(self.flt, queue=self._queues[index])
        with self.queue_list.prevent(OptionList.OptionHighlighted):
            self.queue_list.highlighted = index

    # -- the tasks -----------------------------------------------------------------------

    def watch_flt(self) -> None:
        self._rows = {}
        self.reload()

    def reload(self) -> None:
        self._load(self.flt, 0, max(PAGE, len(self._rows)), self._changes)
        self._load_counts()

    @work(thread=True, exclusive=True, group="queues-load")
    def _load(self, flt: TaskFilter, offset: int, limit: int, stamp: int) -> None:
        today = self.caretui.today
        with self.caretui.reading() as con:
            rows = list_tasks(con, flt, today=today, limit=limit, offset=offset)
            total = count_tasks(con, flt, today=today) if offset == 0 else self._total
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, flt, offset, rows, total, stamp)

    def _show(
        self, flt: TaskFilter, offset: int, rows: list[TaskRow], total: int, stamp: int
    ) -> None:
        if flt != self.flt or (offset and offset != self.table.row_count):
            return
        if stamp != self._changes:  # read before a change made since: read again
            if offset == 0:
                self.reload()
            return
        self._loaded = True
        today, redact = self.caretui.today, self.caretui.redact
        lines = [task_line(r, today, redact=redact) for r in rows]
        if offset == 0:
            self._rows = {}
            self.table.show(lines)
        else:
            for line in lines:
                if line.key not in self._rows:
                    self.table.add_row(*(cell(c) for c in line.cells), key=line.key)
        self._rows.update({f"task:{r.id}": r for r in rows})
        self._total = total
        self._show_status()

    def _show_status(self) -> None:
        flt = self.flt
        loaded = self.table.row_count
        shown = f"{loaded:,} of {self._total:,}" if self._total > loaded else f"{self._total:,}"
        priority = PRIORITY_VIEWS[self._priority_view][0]
        status = Text(f"{one_line(flt.queue)} · {shown} {flt.view} · {priority}")
        status.append("   p priority  f open/snoozed/done  [ ] queue", style="dim")
        self.query_one("#queues-status", Static).update(status)

    @on(DataTable.RowHighlighted, "#queues-table")
    def _maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        loaded = self.table.row_count
        if loaded < self._total and event.cursor_row >= loaded - 10:
            self._load(self.flt, loaded, PAGE, self._changes)

    @on(DataTable.RowSelected, "#queues-table")
    def _row_selected(self) -> None:
        self.action_open()

    def action_cycle_priority(self) -> None:
        self._priority_view = (self._priority_view + 1) % len(PRIORITY_VIEWS)
        self.flt = dataclasses.replace(self.flt, priorities=PRIORITY_VIEWS[self._priority_view][1])

    def action_cycle_view(self) -> None:
        index = (VIEWS.index(self.flt.view) + 1) % len(VIEWS)
        self.flt = dataclasses.replace(self.flt, view=VIEWS[index])

    # -- acting on the selected task -----------------------------------------------------

    def selected(self) -> TaskRow | None:
        key = self.table.selected_key
        return self._rows.get(key) if key else None

    def _title(self, what: str, row: TaskRow) -> Text:
        title, room = one_line(row.title), 58 - len(what)
        return Text(f"{what} — {title if len(title) <= room else title[: room - 1] + '…'}")

    def action_open(self) -> None:
        if self.focused is self.queue_list:  # enter on a queue: go to its tasks
            self.table.focus()
            return
        row = self.selected()
        if row is None:
            return
        if row.patient_id is None:
            self._open_edit(row.id)
        else:
            self.caretui.open_patient(row.patient_id, "tasks")

    def action_done(self) -> None:
        from caretui.screens.work_forms import task_done

        row = self.selected()
        if row is not None:
            db, today = self.caretui.db, self.caretui.today
            self._write(lambda: task_done(db, today, row.id, row.version), row.id)

    def action_snooze(self) -> None:
        from caretui.screens.work_forms import task_snooze
        from caretui.widgets.dialogs import DateDialog

        row = self.selected()
        if row is None:
            return
        db, today = self.caretui.db, self.caretui.today

        def chosen(until: date | None) -> None:
            if until is not None:
                self._write(lambda: task_snooze(db, today, row.id, row.version, until), row.id)

        dialog = DateDialog(
            self._title("Snooze until", row),
            today=today,
            initial=today + timedelta(days=1),
            check=lambda day: None if day > today else "Snooze to a day after today",
        )
        self.app.push_screen(dialog, chosen)

    def action_due(self) -> None:
        from caretui.screens.work_forms import task_due
        from caretui.widgets.dialogs import DateDialog

        row = self.selected()
        if row is None:
            return
        db, today = self.caretui.db, self.caretui.today

        def chosen(due: date | None) -> None:
            if due is not None:
                self._write(lambda: task_due(db, today, row.id, row.version, due), row.id)

        dialog = DateDialog(self._title("Due", row), today=today, initial=row.due)
        self.app.push_screen(dialog, chosen)

    def action_move(self) -> None:
        from caretui.screens.work_forms import task_move
        from caretui.widgets.dialogs import ChoiceDialog

        row = self.selected()
        if row is None:
            return
        db, today = self.caretui.db, self.caretui.today
        queues = tuple(self.caretui.settings.queues)

        def chosen(queue: str | None) -> None:
            if queue and queue != row.queue:
                self._write(
                    lambda: task_move(db, today, row.id, row.version, queue, queues), row.id
                )

        choices = [(q, q) for q in queues]
        dialog = ChoiceDialog(self._title("Move to", row), choices, current=row.queue)
        self.app.push_screen(dialog, chosen)

    def action_cancel(self) -> None:
        from caretui.screens.work_forms import task_cancel
        from caretui.widgets.dialogs import ChoiceDialog

        row = self.selected()
        if row is None:
            return
        db, today = self.caretui.db, self.caretui.today

        def chosen(choice: str | None) -> None:
            if choice in ("one", "series"):
                series = choice == "series"
                self._write(
                    lambda: task_cancel(db, today, row.id, row.version, series=series), row.id
                )

        if row.rrule:
            choices = [
                ("skip this one (the next is created)", "one"),
                ("end the whole series", "series"),
                ("keep it", "keep"),
            ]
        else:
            choices = [("cancel the task", "one"), ("keep it", "keep")]
        self.app.push_screen(ChoiceDialog(self._title("Cancel", row), choices), chosen)

    def action_reopen(self) -> None:
        from caretui.screens.work_forms import task_reopen

        row = self.selected()
        if row is not None:
            db, today = self.caretui.db, self.caretui.today
            self._write(lambda: task_reopen(db, today, row.id, row.version), row.id)

    def action_new(self) -> None:
        from caretui.widgets.dialogs import NO_PATIENT, PatientPicker

        def picked(patient_id: int | None) -> None:
            if patient_id == NO_PATIENT:
                self._push_new(None, "no patient")
            elif patient_id is not None:
                self._open_new(patient_id)

        picker = PatientPicker(
            Text(f"New task in {one_line(self.flt.queue)} — about which patient?"),
            allow_none=True,
        )
        self.app.push_screen(picker, picked)

    @work(thread=True, exclusive=True, group="queues-form")
    def _open_new(self, patient_id: int) -> None:
        from caretui.queries.patients import patient_detail

        with self.caretui.reading() as con:
            patient = patient_detail(con, patient_id)
        if patient is not None:
            name = patient_name(
                patient.given_name,
                patient.family_name,
                patient.preferred_name,
                redact=self.caretui.redact,
            )
            self.app.call_from_thread(self._push_new, patient_id, name)

    def _push_new(self, patient_id: int | None, name: str | None) -> None:
        from caretui.screens.work_forms import task_form

        form = task_form(
            self.caretui.db,
            self.caretui.today,
            patient_id=patient_id,
            queues=tuple(self.caretui.settings.queues),
            queue=self.flt.queue,
            patient=name,
        )
        self.app.push_screen(form, self._added)

    def _added(self, result: object | None) -> None:
        message = getattr(result, "message", None)
        if isinstance(message, str):
            self.notify(message, markup=False)
            self.reload()

    def action_edit(self) -> None:
        row = self.selected()
        if row is not None:
            self._open_edit(row.id)

    @work(thread=True, exclusive=True, group="queues-form")
    def _open_edit(self, task_id: int) -> None:
        with self.caretui.reading() as con:
            current = task_detail(con, task_id)
        if current is not None:
            self.app.call_from_thread(self._push_edit, current)

    def _push_edit(self, current: TaskDetail) -> None:
        from caretui.screens.work_forms import task_form

        name = None
        if current.patient_id is not None:
            name = patient_name(
                current.given_name or "",
                current.family_name or "",
                current.preferred_name,
                redact=self.caretui.redact,
            )

        def saved(result: object | None) -> None:
            message = getattr(result, "message", None)
            if isinstance(message, str):
                self._after_form(message, current.id)

        form = task_form(
            self.caretui.db,
            self.caretui.today,
            current=current,
            queues=tuple(self.caretui.settings.queues),
            patient=name,
        )
        self.app.push_screen(form, saved)

    @work(thread=True, group="queues-write")
    def _write(self, change: Callable[[], Saved], task_id: int) -> None:
        """Run one change; then read the task again to update or drop its line."""
        try:
            saved = change()
        except CaretuiError as exc:
            self.app.call_from_thread(
                self.notify, exc.message, severity="error", markup=False, timeout=8
            )
            return
        self._reread(saved.message, task_id)

    @work(thread=True, group="queues-write")
    def _after_form(self, message: str, task_id: int) -> None:
        self._reread(message, task_id)

    def _reread(self, message: str, task_id: int) -> None:
        """(In a worker thread.) The task again, to update or drop its line."""
        with self.caretui.reading() as con:
            row = task_row(con, task_id)
        self.app.call_from_thread(self._changed, message, task_id, row)

    def _changed(self, message: str, task_id: int, row: TaskRow | None) -> None:
        self._changes += 1
        self.notify(message, markup=False, timeout=8)
        key = f"task:{task_id}"
        if key in self._rows:
            if row is not None and row.matches(self.flt, self.caretui.today):
                self._rows[key] = row
                self.table.replace(task_line(row, self.caretui.today, redact=self.caretui.redact))
            else:
                del self._rows[key]
                self.table.drop(key)
                self._total = max(self._total - 1, 0)
        self._load_counts(self.flt)
        self._show_status()
