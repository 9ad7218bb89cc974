"""What the main screens share: the app they run in, one-step changes in a worker,
and the paged list that Appointments and Queues are built on.

A one-step change (done, snooze, outcome…) writes through a service, so it runs in
a thread worker; a refusal (``CaretuiError``) is shown as an error and nothing else
happens. ``RecordListScreen`` keeps a table's rows by key, pages more in as the
cursor nears the end, and reads again when the user comes back from another screen
(not from its own dialogs, whose change updates its own line).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Generic, Literal, TypeVar

from textual import on, work
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable
from textual.worker import get_current_worker

from caretui.errors import CaretuiError
from caretui.screens.common import shown_name
from caretui.store.plain import database_errors
from caretui.widgets.records import RecordTable, Row, cell

if TYPE_CHECKING:
    from caretui.app import CaretuiApp
    from caretui.queries.agenda import AppointmentDetail
    from caretui.queries.tasks import TaskDetail
    from caretui.screens.chart_forms import Saved

#: What a form's dismissal hands back (a ``Saved``, or ``None`` when cancelled).
FormDone = Callable[[object | None], None]

ResultT = TypeVar("ResultT")
RowT = TypeVar("RowT")


class CaseloadScreen(Screen[None]):
    #: Shown in the help screen's title.
    HELP_TITLE: ClassVar[str] = ""

    @property
    def caretui(self) -> CaretuiApp:
        return self.app  # type: ignore[return-value]

    def read_failed(self, exc: BaseException) -> None:
        """A worker's read failed (the database locked, damaged, gone): one line."""
        from caretui.screens.today_rows import read_error

        message = read_error(self.caretui.db, exc)
        self.notify(message, severity="error", markup=False, timeout=10)

    def run_change(self, change: Callable[[], ResultT], then: Callable[[ResultT], object]) -> None:
        """Run ``change`` (it writes through a service) in a thread worker, then ``then``
        with its result, still in that thread; a refusal is shown as an error."""
        self.run_worker(partial(self._run_change, change, then), thread=True, group="write")

    def _run_change(self, change: Callable[[], ResultT], then: Callable[[ResultT], object]) -> None:
        try:
            result = change()
        except CaretuiError as exc:
            self.app.call_from_thread(
                self.notify, exc.message, severity="error", markup=False, timeout=8
            )
            return
        then(result)

    @work(thread=True, exclusive=True, group="open-form")
    def with_patient_name(self, patient_id: int, then: Callable[[int, str], object]) -> None:
        """Read the patient's name as this screen shows it (initials when redacted), then
        call ``then(patient_id, name)`` on the event loop; nothing when the patient is gone."""
        from caretui.queries.patients import patient_detail

        try:
            with self.caretui.reading() as con:
                patient = patient_detail(con, patient_id)
        except database_errors(CaretuiError) as exc:
            self.app.call_from_thread(self.read_failed, exc)
            return
        if patient is not None:
            name = shown_name(patient, redact=self.caretui.redact)
            self.app.call_from_thread(then, patient_id, name)

    def edit_work(
        self, kind: Literal["task", "appointment"], record_id: int, saved: FormDone
    ) -> None:
        """Open the task or appointment form on the record, read fresh in a worker;
        ``saved`` gets what the form is dismissed with."""
        self._read_work(kind, record_id, saved)

    @work(thread=True, exclusive=True, group="open-form")
    def _read_work(
        self, kind: Literal["task", "appointment"], record_id: int, saved: FormDone
    ) -> None:
        from caretui.queries.agenda import appointment_detail
        from caretui.queries.tasks import task_detail

        try:
            with self.caretui.reading() as con:
                current = (
                    task_detail(con, record_id)
                    if kind == "task"
                    else appointment_detail(con, record_id)
                )
        except database_errors(CaretuiError) as exc:
            self.app.call_from_thread(self.read_failed, exc)
            return
        if current is not None and not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._push_work_form, current, saved)

    def _push_work_form(self, current: TaskDetail | AppointmentDetail, saved: FormDone) -> None:
        from caretui.queries.tasks import TaskDetail
        from caretui.screens.work_forms import appointment_form, task_form

        app = self.caretui
        if isinstance(current, TaskDetail):
            name = None if current.patient_id is None else shown_name(current, redact=app.redact)
            queues = tuple(app.settings.queues)
            form = task_form(app.db, app.today, current=current, queues=queues, patient=name)
        else:
            name = shown_name(current, redact=app.redact)
            form = appointment_form(
                app.db, app.today, patient_id=current.patient_id, current=current, patient=name
            )
        self.app.push_screen(form, saved)


class RecordListScreen(CaseloadScreen, Generic[RowT]):
    """A ``RecordTable`` read a page at a time; see the module docstring.

    A subclass reads a page in its own worker (``load_page``), says what a row shows
    (``line``) and what ``reload`` reads; it passes each page to ``show_page``. After
    a change (``write``) the record is read again (``read_row``) and its line updated,
    or dropped when it no longer ``belongs`` in the list.
    """

    #: Rows read at a time.
    PAGE: ClassVar[int] = 100
    #: What the rows are ("task", "appointment"): row keys are "kind:id".
    ROW_KIND: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        #: Row key -> the frozen row it shows.
        self._rows: dict[str, RowT] = {}
        self._total = 0
        self._loaded = False
        self._under_dialog = False
        #: Changes made from this screen; a page read before the latest is read again.
        self._changes = 0
        #: The next first page starts a new list: the cursor goes to its first row.
        self._from_top = False
        #: Where in the whole list the table's first row stands (after ``end``, not 0).
        self._first = 0
        #: The offset of a page asked for above the table, at the list's end, or of the
        #: window shown read again (``read_shown_again``).
        self._before: int | None = None
        self._jump: int | None = None
        self._again: int | None = None
        #: The audit mark and the day of the first page shown (None: not known).
        self._seen: tuple[int, date] | None = None

    @property
    def table(self) -> RecordTable:
        return self.query_one(RecordTable)

    def reload(self) -> None:
        """Read the first page again (as many rows as are shown, at least a page)."""
        raise NotImplementedError

    def start_over(self) -> None:
        """The list shows something else now (another filter, queue or day): read its
        first page, with the cursor on the first row."""
        self._rows = {}
        self._from_top = True
        self.reload()

    def load_page(self, offset: int, limit: int) -> None:
        """Read ``limit`` rows from ``offset`` in a worker, and pass them to ``show_page``."""
        raise NotImplementedError

    def line(self, row: RowT) -> Row:
        """What the table shows for ``row``."""
        raise NotImplementedError

    def read_row(self, con: sqlite3.Connection, record_id: int) -> RowT | None:
        """One record, read again after a change (called in a worker thread)."""
        raise NotImplementedError

    def belongs(self, row: RowT) -> bool:
        """Whether ``row``, as it is now, still belongs in the list shown."""
        return True

    def after_change(self) -> None:
        """A line was updated or dropped in place: refresh what summarises the list."""

    def action_open(self) -> None:
        """Enter, or a click on a row: open what the row is about."""

    def on_screen_suspend(self) -> None:
        self._under_dialog = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        """Back from another screen (the patient, another mode): read again if anything
        was written since the list was read (or the day changed). Back from a dialog: no
        need, the change it led to updates its own line."""
        if self.is_mounted and self._loaded and not self._under_dialog:
            if self._seen is None:
                self.reload()
            else:
                self._reload_if_changed(self._seen)
        self._under_dialog = False

    @work(thread=True, exclusive=True, group="list-changed", exit_on_error=False)
    def _reload_if_changed(self, seen: tuple[int, date]) -> None:
        """Switching back and forth between screens reads nothing when nothing changed:
        a reload re-renders the whole table (about 40 ms at 5,000 patients)."""
        from caretui.queries.today_refresh import audit_mark

        try:
            with self.caretui.reading() as con:
                now = (audit_mark(con), self.caretui.today)
        except database_errors(sqlite3.Error):
            now = None  # let the reload say what is wrong
        if now != seen and not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.reload)

    def show_page(
        self, offset: int, rows: list[RowT], total: int, stamp: int, *, mark: int | None = None
    ) -> bool:
        """Show a page read when ``stamp`` was the count of changes; False (and nothing
        shown) when it is not the page expected, or was read before a change made since.
        ``mark``: the audit mark read just before a first page (``audit_mark``), so that
        coming back to the screen reads it again only if something changed since.

        A page is the first (offset 0: the list from the top), the next (right after the
        last row), the one above (asked for when the cursor nears the top of a table that
        starts further down), or the last (``end`` on a list longer than the table)."""
        table = self.table
        jump, before = offset == self._jump, offset == self._before
        again = offset == self._again
        next_page = offset == self._first + table.row_count
        if offset and not (jump or before or next_page or again):
            return False
        if stamp != self._changes:  # read before a change made since: read again
            if offset == 0:
                self.reload()
            return False
        self._loaded = True
        if offset == 0 and mark is not None:
            self._seen = (mark, self.caretui.today)
        lines = [self.line(r) for r in rows]
        found = dict(zip((line.key for line in lines), rows, strict=True))
        if offset == 0 or jump or before or again:
            # The cursor lands where it belongs without passing through rows that would
            # ask for yet another page on the way.
            with table.prevent(DataTable.RowHighlighted):
                if before:
                    kept = {k: r for k, r in self._rows.items() if k not in found}
                    self._rows, self._first, self._before = {**found, **kept}, offset, None
                    table.show([self.line(r) for r in self._rows.values()])
                else:
                    self._rows, self._first = found, offset
                    table.show(lines, from_top=self._from_top or jump)
                    self._from_top, self._jump, self._before, self._again = False, None, None, None
                    if jump:
                        table.move_cursor(row=table.row_count - 1, animate=False)
        else:
            for line in lines:
                if line.key not in self._rows:
                    table.add_row(*(cell(c) for c in line.cells), key=line.key)
            self._rows.update(found)
        self._total = total
        table.more_before = self._first > 0
        table.more_after = self._first + table.row_count < total
        return True

    def selected(self) -> RowT | None:
        key = self.table.selected_key
        return self._rows.get(key) if key else None

    @on(DataTable.RowHighlighted)
    def _maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        """Near the bottom of the table, read the next page; near its top, when the
        table starts further down the list, the page above."""
        if event.data_table is not self.table:
            return
        shown = self.table.row_count
        if self._first + shown < self._total and event.cursor_row >= shown - 10:
            self.load_page(self._first + shown, self.PAGE)
        elif self._first > 0 and event.cursor_row < 10 and self._before is None:
            self._before = max(self._first - self.PAGE, 0)
            self.load_page(self._before, self._first - self._before)

    @on(RecordTable.EdgeWanted)
    def _go_to_edge(self, event: RecordTable.EdgeWanted) -> None:
        """``end`` on a list longer than the table: read its last page; ``home`` on a
        table that starts further down: read the list from the top."""
        if event.end:
            self._jump = max(self._total - self.PAGE, 0)
            self.load_page(self._jump, self.PAGE)
        else:
            self.start_over()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    def write(self, change: Callable[[], Saved], record_id: int, *, reload: bool = False) -> None:
        """Run one change in a worker; then update its line, drop it, or (``reload``: the
        order or the set of rows changed) read the list again."""
        self.run_change(change, lambda saved: self._reread(saved.message, record_id, reload))

    def _reread(self, message: str, record_id: int, reload: bool) -> None:
        try:
            with self.caretui.reading() as con:
                row = self.read_row(con, record_id)
        except database_errors(CaretuiError):
            reload = True  # saved; the list's own read says what is wrong with reading
            row = None
        self.app.call_from_thread(self._changed, message, record_id, row, reload)

    def _changed(self, message: str, record_id: int, row: RowT | None, reload: bool) -> None:
        self._changes += 1
        self.notify(message, markup=False, timeout=8)
        key = f"{self.ROW_KIND}:{record_id}"
        if reload or key not in self._rows or key not in self.table.rows:
            self.read_shown_again()
            return
        if row is not None and self.belongs(row):
            self._rows[key] = row
            self.table.replace(self.line(row))
        else:
            del self._rows[key]
            self.table.drop(key)
            self._total = max(self._total - 1, 0)
        self.after_change()

    def read_shown_again(self) -> None:
        """Read the rows shown again, where they stand in the list: from the top, or,
        after ``end`` took the table further down, that window (a reload from the top
        would put the cursor on another record at the same place)."""
        if self._first == 0:
            self.reload()
        else:
            self._again = self._first
            self.load_page(self._first, max(self.PAGE, self.table.row_count))

    def form_saved(self, result: object | None) -> None:
        """A form this screen opened was saved: say what it did, and read the list again."""
        message = getattr(result, "message", None)
        if isinstance(message, str):
            self.notify(message, markup=False)
            self.reload()
