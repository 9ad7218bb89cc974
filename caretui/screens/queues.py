"""`4` Queues: the coordinator's tasks, one queue at a time, filtered and paged in SQL.

The left list holds the configured queues with their open counts; the table the
chosen queue's tasks, a page at a time. Every change goes through
``screens.work_forms`` in a thread worker; then the task is read again and its
line is updated in place, or dropped when it no longer belongs in the view. What
a line shows is in ``queue_view``.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Header, Input, OptionList, Static
from textual.worker import get_current_worker

from caretui.queries.common import snapshot
from caretui.queries.tasks import (
    VIEWS,
    TaskFilter,
    TaskRow,
    count_tasks,
    list_tasks,
    queue_counts,
    task_row,
)
from caretui.queries.today_refresh import audit_mark
from caretui.screens.base import RecordListScreen
from caretui.screens.queue_view import (
    COLUMNS,
    FLEX,
    PRIORITY_VIEWS,
    status_line,
    task_line,
    task_title,
)
from caretui.services.text import one_line
from caretui.widgets.keys_footer import KeysFooter
from caretui.widgets.queue_list import QueueList
from caretui.widgets.records import RecordTable, Row

if TYPE_CHECKING:
    import sqlite3


class QueuesScreen(RecordListScreen[TaskRow]):
    HELP_TITLE = "Queues"
    HELP_EXTRA = Text(
        "The left list holds your queues (set them in the config file) with their open "
        "tasks; tab moves between it and the tasks.\n"
        "Dates: today, tomorrow, fri, +3d, next week, 12/01, 2026-12-01."
    )
    BINDINGS = [
        Binding(
            "slash",
            "search",
            "Search",
            id="queues.search",
            key_display="/",
            tooltip="Only the tasks whose title or patient (name, phone, MRN) has every word",
        ),
        Binding(
            "escape",
            "clear_search",
            "Clear",
            id="queues.clear_search",
            show=False,
            tooltip="Clear the search and go back to the tasks",
        ),
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
            "b",
            "wait_on",
            "Waits on",
            id="queues.wait_on",
            tooltip="What the task waits on and what it blocks; make it wait on another task",
        ),
        Binding(
            "B",
            "stop_waiting",
            "Stop waiting",
            id="queues.stop_waiting",
            show=False,
            tooltip="Stop the task waiting on one of the tasks it waits on",
        ),
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
    QueuesScreen #queues-list { width: 25; height: 1fr; }
    QueuesScreen #queues-status { padding: 0 1; color: $text-muted; height: 1; }
    QueuesScreen #queues-search { height: 3; display: none; }
    QueuesScreen #queues-search.-shown { display: block; }
    """

    ROW_KIND = "task"

    flt: reactive[TaskFilter] = reactive(lambda: TaskFilter(""), init=False)
    """What the table shows: the queue, the view (open / snoozed / done), the priorities."""

    def __init__(self) -> None:
        super().__init__()
        self._priority_view = 0
        #: The queues' counts were read once (a new filter does not read them again).
        self._counted = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield QueueList(self.caretui.settings.queues, id="queues-list")
            with Vertical():
                yield Input(
                    placeholder="search titles and patients · enter: to the tasks",
                    id="queues-search",
                )
                yield Static("", id="queues-status")
                yield RecordTable(COLUMNS, id="queues-table", flex=FLEX)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.table.focus()
        self.flt = TaskFilter(self.queue_list.queues[0])
        self.queue_list.show(None, self.flt.queue)
        self.watch(self.app, "redact", lambda _old, _new: self.reload(), init=False)

    @property
    def queue_list(self) -> QueueList:
        return self.query_one("#queues-list", QueueList)

    # -- the queues ----------------------------------------------------------------------

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
        self._counted = True
        self.queue_list.show(counts, self.flt.queue)
        if flt == self.flt and total is not None:
            self._total = total
            self._show_status()

    @on(OptionList.OptionHighlighted, "#queues-list")
    def _queue_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        queues = self.queue_list.queues
        if 0 <= event.option_index < len(queues) and queues[event.option_index] != self.flt.queue:
            self.flt = dataclasses.replace(self.flt, queue=queues[event.option_index])

    @on(OptionList.OptionSelected, "#queues-list")
    def _queue_selected(self) -> None:
        self.table.focus()

    def action_queue(self, step: int) -> None:
        self.flt = dataclasses.replace(self.flt, queue=self.queue_list.step(self.flt.queue, step))

    # -- the tasks -----------------------------------------------------------------------

    def watch_flt(self) -> None:
        """Another queue or filter: its list, read from the top. The queues' counts
        (every open task, whatever the filter) are read the first time, and after a
        change (``reload``, ``after_change``), not again for each filter: at 200,000
        tasks that query is as long as the list's own."""
        if not self._counted:
            self.start_over()
            return
        self._rows = {}
        self._from_top = True
        self._load(self.flt, 0, self.PAGE, self._changes)

    def reload(self) -> None:
        self._load(self.flt, 0, max(self.PAGE, len(self._rows)), self._changes)
        self._load_counts()

    def load_page(self, offset: int, limit: int) -> None:
        self._load(self.flt, offset, limit, self._changes)

    def line(self, row: TaskRow) -> Row:
        return task_line(row, self.caretui.today, redact=self.caretui.redact)

    @work(thread=True, exclusive=True, group="queues-load")
    def _load(self, flt: TaskFilter, offset: int, limit: int, stamp: int) -> None:
        today = self.caretui.today
        with self.caretui.reading() as con, snapshot(con):
            # The count first, in the same snapshot as the page: a page near the end is
            # read from the end (``list_tasks``), which needs the count as it is now.
            mark = audit_mark(con) if offset == 0 else None
            total = count_tasks(con, flt, today=today)
            rows = list_tasks(con, flt, today=today, limit=limit, offset=offset, total=total)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, flt, offset, rows, total, stamp, mark)

    def _show(
        self,
        flt: TaskFilter,
        offset: int,
        rows: list[TaskRow],
        total: int,
        stamp: int,
        mark: int | None,
    ) -> None:
        if flt == self.flt and self.show_page(offset, rows, total, stamp, mark=mark):
            self._show_status()

    def _show_status(self) -> None:
        priority = PRIORITY_VIEWS[self._priority_view][0]
        status = status_line(self.flt, self.table.row_count, self._total, priority)
        self.query_one("#queues-status", Static).update(status)

    def read_row(self, con: sqlite3.Connection, record_id: int) -> TaskRow | None:
        return task_row(con, record_id)

    def belongs(self, row: TaskRow) -> bool:
        return row.matches(self.flt, self.caretui.today)

    def after_change(self) -> None:
        self._load_counts(self.flt)
        self._show_status()

    def action_cycle_priority(self) -> None:
        self._priority_view = (self._priority_view + 1) % len(PRIORITY_VIEWS)
        self.flt = dataclasses.replace(self.flt, priorities=PRIORITY_VIEWS[self._priority_view][1])

    def action_cycle_view(self) -> None:
        index = (VIEWS.index(self.flt.view) + 1) % len(VIEWS)
        self.flt = dataclasses.replace(self.flt, view=VIEWS[index])

    # -- acting on the selected task -----------------------------------------------------

    # -- searching -----------------------------------------------------------------------

    @property
    def search_input(self) -> Input:
        return self.query_one("#queues-search", Input)

    def action_search(self) -> None:
        self.search_input.add_class("-shown")
        self.search_input.focus()

    @on(Input.Changed, "#queues-search")
    def _searched(self, event: Input.Changed) -> None:
        if event.value != self.flt.search:
            self.flt = dataclasses.replace(self.flt, search=event.value)

    def action_clear_search(self) -> None:
        if self.search_input.value:
            self.search_input.value = ""  # the list follows through Input.Changed
        self.search_input.remove_class("-shown")
        self.table.focus()

    def _search_done(self) -> None:
        """Enter in the search: on to the tasks (an empty search is put away)."""
        if not self.search_input.value.strip():
            self.search_input.remove_class("-shown")
        self.table.focus()

    def action_open(self) -> None:
        if self.focused is self.queue_list:  # enter on a queue: go to its tasks
            self.table.focus()
            return
        if self.focused is self.search_input:  # (enter is this screen's before the field's)
            self._search_done()
            return
        row = self.selected()
        if row is None:
            return
        if row.patient_id is None:
            self._edit(row.id)
        else:
            self.caretui.open_patient(row.patient_id, "tasks")

    def action_done(self) -> None:
        from caretui.screens.work_forms import task_done

        row = self.selected()
        if row is not None:
            db, today = self.caretui.db, self.caretui.today
            self.write(lambda: task_done(db, today, row.id, row.version), row.id)

    def action_snooze(self) -> None:
        from caretui.screens.work_forms import task_snooze
        from caretui.widgets.dialogs import DateDialog

        row = self.selected()
        if row is None:
            return
        db, today = self.caretui.db, self.caretui.today

        def chosen(until: date | None) -> None:
            if until is not None:
                self.write(lambda: task_snooze(db, today, row.id, row.version, until), row.id)

        dialog = DateDialog(
            task_title("Snooze until", row),
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
                self.write(lambda: task_due(db, today, row.id, row.version, due), row.id)

        dialog = DateDialog(task_title("Due", row), today=today, initial=row.due)
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
                self.write(lambda: task_move(db, today, row.id, row.version, queue, queues), row.id)

        choices = [(q, q) for q in queues]
        dialog = ChoiceDialog(task_title("Move to", row), choices, current=row.queue)
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
                self.write(
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
        self.app.push_screen(ChoiceDialog(task_title("Cancel", row), choices), chosen)

    def action_reopen(self) -> None:
        from caretui.screens.work_forms import task_reopen

        row = self.selected()
        if row is not None:
            db, today = self.caretui.db, self.caretui.today
            self.write(lambda: task_reopen(db, today, row.id, row.version), row.id)

    def action_new(self) -> None:
        from caretui.widgets.patient_picker import NO_PATIENT, PatientPicker

        def picked(patient_id: int | None) -> None:
            if patient_id == NO_PATIENT:
                self._push_new(None, "no patient")
            elif patient_id is not None:
                self.with_patient_name(patient_id, self._push_new)

        picker = PatientPicker(
            Text(f"New task in {one_line(self.flt.queue)} — about which patient?"),
            allow_none=True,
        )
        self.app.push_screen(picker, picked)

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
        self.app.push_screen(form, self.form_saved)

    def action_wait_on(self) -> None:
        from caretui.screens.task_links import ask_wait_on

        row = self.selected()
        if row is not None:
            ask_wait_on(self, row)

    def action_stop_waiting(self) -> None:
        from caretui.screens.task_links import ask_stop_waiting

        row = self.selected()
        if row is not None:
            ask_stop_waiting(self, row)

    def action_edit(self) -> None:
        row = self.selected()
        if row is not None:
            self._edit(row.id)

    def _edit(self, task_id: int) -> None:
        """The task's form; once saved, the task is read again to update or drop its line."""

        def saved(result: object | None) -> None:
            from caretui.screens.chart_forms import Saved

            if isinstance(result, Saved):
                self.write(lambda: result, task_id)

        self.edit_work("task", task_id, saved)
