"""The Today list itself: read, ranked, paged, and kept up to date in place.

The first paint reads through the plain read side in a thread worker: the top
``PAGE`` rows, ranked (``services.triage_top``, which reads only the open tasks
that can reach the top); more are read as the cursor nears the end. No
SQLAlchemy is imported before it.

After a write the list is brought up to date in place, not reloaded: the audit
trail says which records the action touched (``queries.today_refresh``), their
Today items are read again, and each row is dropped, updated or added, and
re-ranked where its score moved. Undo is brought up to date the same way when it
touched only records that are rows themselves (a task, an appointment, a refill,
a plan, a goal); an undo that touched anything else (a patient, a link, an
import) reloads the whole list. The keys are ``today.TodayScreen``'s.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.events import ScreenResume
from textual.widgets import DataTable, Header, Static
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist
from textual.worker import get_current_worker

from caretui.errors import CaretuiError, StaleRecord
from caretui.queries.names import patient_name
from caretui.queries.today import TodayItem, count_items, default_now
from caretui.queries.today_refresh import (
    audit_mark,
    items_of,
    referrals_of,
    touched_since,
    waiting_on,
)
from caretui.queries.undo import last_undoable
from caretui.screens.base import CaseloadScreen
from caretui.screens.today_rows import (
    COLUMNS,
    PATIENT_COLUMN,
    SCORE_COLUMN,
    WHEN_COLUMN,
    Counts,
    Loaded,
    Refreshed,
    ScoreCell,
    item_key,
    patient_cell,
    read_error,
    today_row,
)
from caretui.services.text import one_line, plural
from caretui.services.today_first import FIRST_PAGE
from caretui.services.triage import Ranked, Weights, rank
from caretui.services.triage_top import top_items
from caretui.store.plain import database_errors
from caretui.widgets.keys_footer import KeysFooter
from caretui.widgets.records import RecordTable, Row, cell

#: The tables whose records are Today's rows themselves: an undo that touched only these
#: is brought up to date row by row; any other (a patient, a link, a note) reloads.
ROW_ENTITIES = frozenset({"task", "appointment", "medication", "care_plan", "goal", "referral"})

#: Rows from the end of those read at which the next ones are read ahead.
AHEAD = 60

#: Rows ranked and shown at first; as many more each time the cursor nears the end.
PAGE = FIRST_PAGE  # the first read may be made before the app starts (caretui.launch)


class TodayTable(RecordTable):
    """Today's table: ``end`` goes to the last row read (see ``TodayList._to_last_read``)."""

    BINDINGS = [
        Binding(
            "end",
            "last_row",
            "Last row",
            show=False,
            id="records.last",
            tooltip="Go to the last of the rows read so far (the most urgent); down reads on",
        ),
    ]


class TodayList(CaseloadScreen):
    """Today's ranked list; ``TodayScreen`` adds the keys that work it."""

    def __init__(self) -> None:
        super().__init__()
        #: The ranked item behind each row key.
        self._ranked: dict[str, Ranked] = {}
        self._counts = Counts(0, 0, 0)
        self._mark = 0
        self._undo: str | None = None
        self._loaded = False
        #: A whole read is under way over rows already shown (the status line says so).
        self._reading = False
        self._writing = 0
        self._modal_open = False
        #: Labels of the actions taken on this screen, oldest first (undo takes the last).
        self._mine: list[str] = []
        self._weights = Weights()
        #: The row ``down`` was pressed on at the end of the rows read (``_read_on``).
        self._step_from: str | None = None
        #: The next rows, read ahead of the cursor: (the mark they were read at, the
        #: ranked top they are part of); how many are being read; whether to show them
        #: as soon as they are back (asked for while they were being read).
        self._ahead: tuple[int, tuple[Ranked, ...]] | None = None
        self._ahead_for: int | None = None
        self._show_when_ahead = False
        #: How many times the whole list was read and shown (tests check it stays 1).
        self.full_loads = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Reading…"), id="today-status")
        yield TodayTable(COLUMNS, id="today-table", flex="What")
        yield KeysFooter()

    def on_mount(self) -> None:
        try:
            self._weights = Weights.from_config(self.caretui.settings.urgency)
        except CaretuiError as exc:
            self.notify(
                f"{exc.message}; using the default weights", severity="warning", markup=False
            )
        self.table.focus()
        self.reload()
        self.watch(self.app, "redact", lambda _old, _new: self._redraw(), init=False)

    @property
    def table(self) -> RecordTable:
        return self.query_one("#today-table", RecordTable)

    @property
    def _now(self) -> datetime:
        return default_now(self.caretui.today)

    @property
    def _threshold(self) -> int:
        """The first care-management threshold's minutes (the care-minutes rows)."""
        return self.caretui.settings.care_management_thresholds[0].minutes

    # -- reading the whole list -----------------------------------------------------

    def reload(self) -> None:
        if self._loaded:  # the rows shown may be out of date until the read is back
            self._reading = True
            self._show_status()
        self._load(max(PAGE, len(self._ranked)))

    @work(thread=True, exclusive=True, group="today-load")
    def _load(self, limit: int) -> None:
        app = self.caretui
        day, now = app.today, self._now
        if app.first_read is not None:
            first, app.first_read = app.first_read.take(day, limit, self._weights), None
            if first is not None:  # read while the app was being imported
                counts = Counts(first.overdue, first.due_today, first.total)
                loaded = Loaded(first.ranked, counts, first.mark)
                if not get_current_worker().is_cancelled:
                    self.app.call_from_thread(self._show_all, loaded)
                return
        try:
            with app.reading() as con:
                mark = audit_mark(con)  # first: what is read next is at least this new
                top, total = self._top(con, day, now, limit)
                counts = self._count(con, day, now, total=total)
        except database_errors(CaretuiError) as exc:
            self.app.call_from_thread(self._failed, read_error(app.db, exc))
            return
        ranked = tuple(top)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_all, Loaded(ranked, counts, mark))

    def _top(
        self, con: sqlite3.Connection, day: date, now: datetime, limit: int
    ) -> tuple[list[Ranked], int]:
        """(In a worker.) The ``limit`` most urgent items, ranked, and how many in all:
        the open tasks are read only from the groups that can reach the top (at 5,000
        patients, 200 of 63,832 items: 194 ms instead of 433 ms reading them all)."""
        return top_items(
            con,
            day,
            limit=limit,
            weights=self._weights,
            now=now,
            refill_window_days=self.caretui.settings.refill_window_days,
            care_threshold=self._threshold,
        )

    def _count(
        self, con: sqlite3.Connection, day: date, now: datetime, total: int | None = None
    ) -> Counts:
        window = self.caretui.settings.refill_window_days

        def n(what: Any) -> int:
            return count_items(
                con, day, what, refill_window_days=window, now=now, care_threshold=self._threshold
            )

        return Counts(n("overdue"), n("today"), n("all") if total is None else total)

    def _show_all(self, loaded: Loaded) -> None:
        self.full_loads += 1
        self._ranked = {item_key(r.item): r for r in loaded.ranked}
        self._counts = loaded.counts
        self._mark = loaded.mark
        self._loaded = True
        self._reading = False
        self._ahead, self._ahead_for, self._show_when_ahead = None, None, False
        self.table.show(self._rows(loaded.ranked))
        self._show_status()
        self._read_undo()
        if self.full_loads == 1:
            # Painted: now the other mode screens may be built, behind this one.
            self.caretui.prebuild_modes()

    def _rows(self, ranked: Iterable[Ranked]) -> list[Row]:
        today, redact = self.caretui.today, self.caretui.redact
        return [today_row(r, today, redact=redact) for r in ranked]

    def _redraw(self) -> None:
        """Names redacted or shown again: only the Patient column's cells, updated in
        place, nothing read (``RecordTable.update_column``)."""
        redact = self.caretui.redact

        def name(key: str) -> Text | None:
            ranked = self._ranked.get(key)
            return None if ranked is None else patient_cell(ranked.item, redact=redact)

        self.table.update_column(PATIENT_COLUMN, name)

    @on(DataTable.RowHighlighted, "#today-table")
    def _maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        """Near the end of the rows read, show the next ones; a little before that, read
        them ahead (``_read_ahead``), so that they are there when the cursor comes."""
        shown = self.table.row_count
        if not (self._loaded and shown < self._counts.total):
            return
        if event.cursor_row >= shown - 10:
            self._more(shown + PAGE)
        elif event.cursor_row >= shown - AHEAD:
            self._start_ahead(shown + PAGE)

    @on(RecordTable.MoreWanted, "#today-table")
    def _read_on(self) -> None:
        """``down`` on the last row read (after ``end``): read the next ones, and step
        onto the first of them once they are shown."""
        self._step_from = self.table.selected_key
        self._more(self.table.row_count + PAGE)

    @on(RecordTable.EdgeWanted, "#today-table")
    def _to_last_read(self, event: RecordTable.EdgeWanted) -> None:
        """``end`` on a list read only in part: the last row read, without reading more
        on the way (a ranked list has no cheap end: its last rows are the least urgent
        of every item). Down from there reads on."""
        event.stop()
        table = self.table
        if event.end and table.row_count:
            with table.prevent(DataTable.RowHighlighted):
                table.move_cursor(row=table.row_count - 1, animate=False)
            self._start_ahead(table.row_count + PAGE)
            self.notify(
                f"The last of the {table.row_count:,} most urgent rows read; "
                "down reads the next ones.",
                timeout=4,
            )

    def _more(self, limit: int) -> None:
        """Show the ``limit`` most urgent rows: those read ahead when they are there (and
        nothing was written since they were read), else read now."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == self._mark and len(ahead[1]) >= limit:
            self._show_more(ahead[1])
        elif self._ahead_for == limit:
            self._show_when_ahead = True  # being read ahead: shown when it is back
        else:
            self._load_more(limit)

    def _start_ahead(self, limit: int) -> None:
        if self._ahead_for != limit:
            self._ahead_for, self._ahead, self._show_when_ahead = limit, None, False
            self._read_ahead(limit, self._mark)

    @work(thread=True, exclusive=True, group="today-ahead", exit_on_error=False)
    def _read_ahead(self, limit: int, mark: int) -> None:
        app = self.caretui
        try:
            with app.reading() as con:
                top, _total = self._top(con, app.today, self._now, limit)
        except database_errors(CaretuiError):
            top = None  # read again when asked for: that read says what is wrong
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._kept_ahead, limit, mark, top)

    def _kept_ahead(self, limit: int, mark: int, top: list[Ranked] | None) -> None:
        if limit != self._ahead_for:
            return  # another read ahead (or a whole read) since
        show, self._show_when_ahead = self._show_when_ahead, False
        if top is None or mark != self._mark:
            self._ahead_for = None
            if show:
                self._load_more(limit)
        elif show:
            self._ahead_for = None
            self._show_more(tuple(top))
        else:
            self._ahead = (mark, tuple(top))

    @work(thread=True, exclusive=True, group="today-more")
    def _load_more(self, limit: int) -> None:
        app = self.caretui
        day, now = app.today, self._now
        try:
            with app.reading() as con:
                top, _total = self._top(con, day, now, limit)
        except database_errors(CaretuiError) as exc:
            self.app.call_from_thread(self._more_failed, read_error(app.db, exc))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_more, tuple(top))

    def _more_failed(self, message: str) -> None:
        self._step_from = None  # no step onto rows that were not read
        self._failed(message)

    def _show_more(self, ranked: tuple[Ranked, ...]) -> None:
        step, self._step_from = self._step_from, None
        self._ahead_for = None
        added = [r for r in ranked if item_key(r.item) not in self._ranked]
        if not added:
            return
        table = self.table
        last = table.get_row_at(table.row_count - 1)[SCORE_COLUMN] if table.row_count else None
        in_order = not isinstance(last, ScoreCell) or ScoreCell(added[0]).order > last.order
        for row in self._rows(added):
            table.add_row(*(cell(c) for c in row.cells), key=row.key)
        self._ranked.update({item_key(r.item): r for r in added})
        if not in_order:  # a row ranks among those shown (something changed meanwhile)
            self._resort(table.selected_key)
        if step is not None and step == self.table.selected_key:
            self.table.action_cursor_down()
        self._show_status()

    def _resort(self, keep: str | None) -> None:
        """Put the rows in ranking order again, the cursor staying on ``keep``."""
        table = self.table
        table.sort(key=lambda cells: cells[SCORE_COLUMN].order)
        if keep is not None:
            with contextlib.suppress(RowDoesNotExist):
                table.move_cursor(row=table.get_row_index(keep), animate=False)

    @work(thread=True, exclusive=True, group="today-undo-label", exit_on_error=False)
    def _read_undo(self) -> None:
        """The last undoable action's name, for the status line (plain read side)."""
        try:
            with self.caretui.reading() as con:
                label = last_undoable(con)
        except database_errors(CaretuiError):
            return  # only a hint: the list's own reads say what is wrong
        self.app.call_from_thread(self._set_undo, label)

    def _set_undo(self, label: str | None) -> None:
        self._undo = label
        self._show_status()

    def _show_status(self) -> None:
        day = self.caretui.today
        c = self._counts
        shown = self.table.row_count
        self.table.more_after = shown < c.total
        status = Text(f"{day:%a} {day.isoformat()}  ·  ")
        status.append(f"{c.overdue:,} overdue", style="bold red" if c.overdue else "")
        status.append(f" · {c.today:,} due today · {plural(c.total, 'item')} in all")
        if shown < c.total:
            status.append(f" ({shown:,} shown)")
        if self._reading:
            status.append("  ·  reading again…", style="italic")
        elif self._undo:
            status.append("  ·  last change: ")
            status.append(one_line(self._undo), style="italic")
            status.append(" (u undoes)")
        self.query_one("#today-status", Static).update(status)

    def on_screen_resume(self, _event: ScreenResume) -> None:
        """Back from one of our own dialogs: its callback refreshes what it changed.
        Back from elsewhere (a patient, another screen): reload if anything was saved."""
        if self._modal_open:
            self._modal_open = False
            return
        if self._loaded:
            self._check_changed()

    @work(thread=True, exclusive=True, group="today-check", exit_on_error=False)
    def _check_changed(self) -> None:
        """Anything written since the list was read (on another screen, by another
        caretui): when it touched only rows, only those are read again, as after a write
        here (40 ms where a whole read takes 250 at 5,000 patients); else all of it."""
        since = self._mark
        refreshed = None
        try:
            with self.caretui.reading() as con:
                mark = audit_mark(con)
            if mark > since:
                refreshed = self._read_touched("", None, since)
        except database_errors(CaretuiError):
            mark = -1  # the whole read says what is wrong
        self.app.call_from_thread(self._caught_up, mark, refreshed)

    def _caught_up(self, mark: int, refreshed: Refreshed | None) -> None:
        # Not only a higher mark: a backup restored meanwhile (caretui restore, the TUI
        # open) may bring the newest event's id down.
        if mark == self._mark or self._writing:
            return
        if refreshed is not None:
            self._update_rows(refreshed)
        else:
            self.reload()

    # -- the selected row -----------------------------------------------------------

    def selected(self) -> Ranked | None:
        key = self.table.selected_key
        return self._ranked.get(key) if key else None

    def timer_patient(self) -> int | None:
        """`ctrl+t` times the selected row's patient (``screens.timer``)."""
        ranked = self.selected()
        return ranked.item.patient_id if ranked is not None else None

    def _patient(self, item: TodayItem) -> str:
        if item.patient_id is None:
            return ""
        return patient_name(
            item.given_name or "",
            item.family_name or "",
            item.preferred_name,
            redact=self.caretui.redact,
        )

    def _title(self, what: str, item: TodayItem) -> Text:
        title = Text(f"{what} — ")
        text = one_line(item.what)
        title.append(text[:50] + ("…" if len(text) > 50 else ""))
        patient = self._patient(item)
        if patient:
            title.append(f" · {one_line(patient)}")
        return title

    def _push(self, screen: Any, callback: Callable[[Any], None] | None = None) -> None:
        self._modal_open = True
        self.app.push_screen(screen, callback)

    def _tell(self, message: str) -> None:
        self.notify(message, markup=False, timeout=8)

    # -- writing, then bringing the rows up to date ---------------------------------

    def _write(self, change: Callable[[], str], key: str) -> None:
        self._writing += 1
        self._show_saving(key)
        self._run_write(change, key, self._mark)

    def _show_saving(self, key: str) -> None:
        """The row acted on says "saving…" at once, until its write is read back (the
        first write of a session may wait for the write side's import)."""
        table = self.table
        if key in self._ranked and table.row_count:
            when = table.ordered_columns[WHEN_COLUMN].key
            table.update_cell(key, when, Text("saving…", style="italic"))

    def _restore(self, key: str) -> None:
        """A write refused: the row shows its item again, as it was."""
        ranked = self._ranked.get(key)
        if ranked is not None:
            today, redact = self.caretui.today, self.caretui.redact
            with contextlib.suppress(RowDoesNotExist, CellDoesNotExist):
                self.table.replace(today_row(ranked, today, redact=redact))

    @work(thread=True, group="today-write")
    def _run_write(self, change: Callable[[], str], key: str, mark: int) -> None:
        try:
            message = change()
        except StaleRecord as exc:
            # Keep the list; read the row again so the next try acts on its new version.
            message, error = exc.message, True
        except CaretuiError as exc:
            self.app.call_from_thread(self._write_failed, exc.message, key)
            return
        else:
            error = False
        self._refresh_after(message, key, mark, error=error)

    def _refresh_after(self, message: str, key: str, mark: int, *, error: bool = False) -> None:
        """(In a worker thread.) Read what the write touched and bring the rows up to date."""
        try:
            refreshed = self._read_touched(message, key, mark, error=error)
        except database_errors(CaretuiError) as exc:
            problem = read_error(self.caretui.db, exc)
            self.app.call_from_thread(self._write_failed, f"{message}; {problem}", key)
            return
        assert refreshed is not None  # always read when the acted-on row is known
        self.app.call_from_thread(self._apply, refreshed)

    def _written_elsewhere(self, message: str, key: str) -> None:
        """A form saved in its own worker: bring the rows it touched up to date."""
        self._writing += 1
        self._run_refresh(message, key, self._mark)

    @work(thread=True, group="today-write")
    def _run_refresh(self, message: str, key: str, mark: int) -> None:
        self._refresh_after(message, key, mark)

    def _read_touched(
        self, message: str, key: str | None, mark: int, *, error: bool = False
    ) -> Refreshed | None:
        """(In a worker thread.) The records written since ``mark`` and the acted-on row
        (``key``), their Today items read again and ranked, the counts, the last undoable
        action. Without ``key`` (an undo): None when what was written is not only rows
        (``ROW_ENTITIES``) or is too much to bring up to date row by row."""
        app = self.caretui
        day, now = app.today, self._now
        with app.reading() as con:
            touched = touched_since(con, mark)
            if key is not None:
                entity, _, rid = key.partition(":")
                touched.setdefault(entity, set()).add(int(rid))
            elif (
                not touched
                or not touched.keys() <= ROW_ENTITIES
                or sum(map(len, touched.values())) > 500
            ):
                return None
            if "task" in touched:  # a task done may be the last that another waited on
                touched["task"] |= waiting_on(con, touched["task"])
            if "appointment" in touched:  # a referral's row shows its appointment's day
                touched.setdefault("referral", set()).update(
                    referrals_of(con, touched["appointment"])
                )
            items = items_of(
                con,
                day,
                touched,
                refill_window_days=app.settings.refill_window_days,
                now=now,
                care_threshold=self._threshold,
            )
            counts = self._count(con, day, now)
            new_mark = audit_mark(con)
            undo = last_undoable(con)
        ranked = tuple(rank(items, day, self._weights, now))
        keys = frozenset(f"{e}:{i}" for e, ids in touched.items() for i in ids)
        return Refreshed(message, keys, ranked, counts, max(new_mark, mark), undo, error)

    def _write_failed(self, message: str, key: str) -> None:
        self._writing = max(self._writing - 1, 0)
        self._restore(key)
        self._failed(message)

    def _failed(self, message: str) -> None:
        if self._reading:
            self._reading = False
            self._show_status()
        self.notify(message, severity="error", markup=False, timeout=10)

    def _apply(self, refreshed: Refreshed) -> None:
        """A write of this screen's is done: say so, and bring its rows up to date."""
        self._writing = max(self._writing - 1, 0)
        if refreshed.error:
            self._failed(refreshed.message)
        else:
            self._tell(refreshed.message)
            if refreshed.undo is not None:
                self._mine.append(refreshed.undo)
        self._update_rows(refreshed)

    def _update_rows(self, refreshed: Refreshed) -> None:
        """Drop, update or add the touched rows; re-sort only if an order moved."""
        table = self.table
        target = self._cursor_target(refreshed)
        fresh = {item_key(r.item): r for r in refreshed.ranked}
        moved = False
        for key in refreshed.touched:
            if key in self._ranked and key not in fresh:
                del self._ranked[key]
                table.remove_row(key)
        today, redact = self.caretui.today, self.caretui.redact
        for key, ranked in fresh.items():
            row = today_row(ranked, today, redact=redact)
            old = self._ranked.get(key)
            if old is not None:
                table.replace(row)
                moved = moved or ScoreCell(old).order != ScoreCell(ranked).order
            else:
                table.add_row(*(cell(c) for c in row.cells), key=key)
                moved = True
            self._ranked[key] = ranked
        if moved:
            self._resort(target)
        elif target is not None and table.row_count:
            with contextlib.suppress(RowDoesNotExist):
                table.move_cursor(row=table.get_row_index(target), animate=False)
        self._counts = refreshed.counts
        self._mark = max(self._mark, refreshed.mark)
        self._undo = refreshed.undo
        self._show_status()

    def _cursor_target(self, refreshed: Refreshed) -> str | None:
        """The row the cursor should be on after the change: the same one, or, if it is
        dropped, the one that followed it (the next thing to work on)."""
        table = self.table
        current = table.selected_key
        if current is None:
            return None
        still = {item_key(r.item) for r in refreshed.ranked}
        if current not in refreshed.touched or current in still:
            return current
        index = table.cursor_row
        for next_index in range(index + 1, table.row_count):
            key = table.coordinate_to_cell_key(Coordinate(next_index, 0)).row_key.value
            if key is not None and (key not in refreshed.touched or key in still):
                return key
        for prev_index in range(index - 1, -1, -1):
            key = table.coordinate_to_cell_key(Coordinate(prev_index, 0)).row_key.value
            if key is not None and (key not in refreshed.touched or key in still):
                return key
        return None
