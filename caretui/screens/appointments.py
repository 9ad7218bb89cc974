"""`3` Appointments: the agenda by day or by week, read a page at a time in a worker.

Every change (outcome, cancel, transport, reschedule) goes through
``screens.work_forms`` in a thread worker; the changed line is updated in place,
or the day is read again when the order or the set of appointments changed. What
a line, the title and the week strip show is in ``agenda_view``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from caretui import codes
from caretui.errors import CaretuiError
from caretui.queries.agenda import (
    AgendaRow,
    agenda_row,
    appointments_between,
    count_between,
    counts_by_day,
    day_bounds,
    week_of,
)
from caretui.queries.today_refresh import audit_mark
from caretui.screens.agenda_view import (
    COLUMNS,
    FLEX,
    AgendaView,
    agenda_line,
    agenda_title,
    appointment_title,
    week_strip,
)
from caretui.screens.base import RecordListScreen
from caretui.screens.common import code, now_on, shown_name
from caretui.store.plain import database_errors
from caretui.widgets.keys_footer import KeysFooter
from caretui.widgets.records import RecordTable, Row

if TYPE_CHECKING:
    import sqlite3


class AppointmentsScreen(RecordListScreen[AgendaRow]):
    HELP_TITLE = "Appointments"
    HELP_EXTRA = Text(
        "Dates: today, tomorrow, fri, +3d, next week, 12/01, 2026-12-01.\n"
        "Times: 14:30, 2pm; a start is a date and a time, like 'fri 14:30'.\n"
        "Transport shown in red is needed and not arranged yet."
    )
    BINDINGS = [
        Binding(
            "w",
            "toggle_week",
            "Day/week",
            id="appointments.week",
            tooltip="Switch between one day and the whole week",
        ),
        Binding(
            "left_square_bracket",
            "previous",
            "Prev",
            id="appointments.previous",
            tooltip="Previous day (or week)",
        ),
        Binding(
            "right_square_bracket",
            "next",
            "Next",
            id="appointments.next",
            tooltip="Next day (or week)",
        ),
        Binding(
            "left",
            "previous",
            "Prev",
            show=False,
            priority=True,
            id="appointments.previous-arrow",
            tooltip="Previous day (or week)",
        ),
        Binding(
            "right",
            "next",
            "Next",
            show=False,
            priority=True,
            id="appointments.next-arrow",
            tooltip="Next day (or week)",
        ),
        Binding("t", "today", "Today", id="appointments.today", tooltip="Back to today"),
        Binding(
            "m",
            "month",
            "Month",
            id="appointments.month",
            tooltip="Month calendar: appointments and open tasks due each day; enter opens a day",
        ),
        Binding(
            "n",
            "new",
            "New",
            id="appointments.new",
            tooltip="New appointment: choose the patient, then fill in the form",
        ),
        Binding("e", "edit", "Edit", id="appointments.edit", tooltip="Edit the appointment"),
        Binding(
            "o",
            "outcome",
            "Outcome",
            id="appointments.outcome",
            tooltip="Record what happened: fulfilled, no-show (adds a follow-up task) or cancelled",
        ),
        Binding(
            "c",
            "cancel",
            "Cancel",
            id="appointments.cancel",
            tooltip="Cancel the appointment, with an optional reason",
        ),
        Binding(
            "r",
            "reschedule",
            "Move",
            id="appointments.reschedule",
            tooltip="Reschedule to another day and time",
        ),
        Binding(
            "T",
            "transport",
            "Transport",
            id="appointments.transport",
            tooltip="Transport: not needed, needed, or arranged (with details)",
        ),
        Binding(
            "enter",
            "open",
            "Open",
            show=False,
            id="appointments.open",
            priority=True,
            tooltip="Open the patient at their appointments",
        ),
    ]

    DEFAULT_CSS = """
    AppointmentsScreen #agenda-title { padding: 0 1; text-style: bold; height: 1; }
    AppointmentsScreen #agenda-week { padding: 0 1; height: 1; color: $text-muted; }
    """
    PAGE = 200
    ROW_KIND = "appointment"

    def __init__(self) -> None:
        super().__init__()
        self.view = AgendaView(date.today())

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="agenda-title")
        yield Static("", id="agenda-week")
        yield RecordTable(COLUMNS, id="agenda-table", flex=FLEX)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.view = AgendaView(self.caretui.today)
        self.table.focus()
        self.reload()
        self.watch(self.app, "redact", lambda _old, _new: self.reload(), init=False)

    # -- reading -------------------------------------------------------------------------

    def show_view(self, view: AgendaView) -> None:
        """Go to another day or week: its first page, read in a worker."""
        self.view = view
        self.start_over()

    def reload(self) -> None:
        self._load(self.view, 0, max(self.PAGE, len(self._rows)), self._changes)

    def load_page(self, offset: int, limit: int) -> None:
        self._load(self.view, offset, limit, self._changes)

    def line(self, row: AgendaRow) -> Row:
        now = now_on(self.caretui.today)
        return agenda_line(row, week=self.view.week, now=now, redact=self.caretui.redact)

    @work(thread=True, exclusive=True, group="agenda-load")
    def _load(self, view: AgendaView, offset: int, limit: int, stamp: int) -> None:
        start, end = day_bounds(*view.span)
        try:
            with self.caretui.reading() as con:
                mark = audit_mark(con) if offset == 0 else None
                rows = appointments_between(con, start, end, limit=limit, offset=offset)
                total = count_between(con, start, end) if offset == 0 else self._total
                counts = counts_by_day(con, *week_of(view.day)) if offset == 0 else None
        except database_errors(CaretuiError) as exc:
            self._read_failed(exc)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, view, offset, rows, total, counts, stamp, mark)

    def _read_failed(self, exc: BaseException) -> None:
        """(In a worker thread.) A read failed: say so in one line; the app goes on."""
        from caretui.widgets.patient_picker import read_problem

        if not get_current_worker().is_cancelled:
            problem = read_problem(self.caretui.db, exc)
            self.app.call_from_thread(
                self.notify, problem, severity="error", markup=False, timeout=8
            )

    def _show(
        self,
        view: AgendaView,
        offset: int,
        rows: list[AgendaRow],
        total: int,
        counts: dict[date, int] | None,
        stamp: int,
        mark: int | None,
    ) -> None:
        if not self.is_attached:
            return
        shown = view == self.view and self.show_page(offset, rows, total, stamp, mark=mark)
        if shown and counts is not None:
            self._show_header(view, total, counts)

    def _show_header(self, view: AgendaView, total: int, counts: dict[date, int]) -> None:
        today = self.caretui.today
        title = agenda_title(view, today, shown=len(self._rows), total=total, counts=counts)
        self.query_one("#agenda-title", Static).update(title)
        self.query_one("#agenda-week", Static).update(week_strip(view, today, counts))

    # -- moving through days -------------------------------------------------------------

    def action_toggle_week(self) -> None:
        self.show_view(replace(self.view, week=not self.view.week))

    def _step(self, sign: int) -> None:
        days = 7 if self.view.week else 1
        self.show_view(replace(self.view, day=self.view.day + timedelta(days=sign * days)))

    def action_previous(self) -> None:
        self._step(-1)

    def action_next(self) -> None:
        self._step(1)

    def action_today(self) -> None:
        self.show_view(replace(self.view, day=self.caretui.today))

    def action_month(self) -> None:
        from caretui.screens.month_view import MonthScreen

        def chosen(day: date | None) -> None:
            if day is not None:
                self.show_view(AgendaView(day))

        self.app.push_screen(MonthScreen(self.view.day), chosen)

    # -- acting on the selected appointment ----------------------------------------------

    def _title(self, what: str, row: AgendaRow) -> Text:
        return appointment_title(what, row, redact=self.caretui.redact)

    def action_open(self) -> None:
        row = self.selected()
        if row is not None:
            self.caretui.open_patient(row.patient_id, "appointments")

    def action_new(self) -> None:
        from caretui.widgets.patient_picker import PatientPicker

        def picked(patient_id: int | None) -> None:
            if patient_id:
                self._new_for(patient_id)

        self.app.push_screen(PatientPicker("New appointment — which patient?"), picked)

    @work(thread=True, exclusive=True, group="open-form")
    def _new_for(self, patient_id: int) -> None:
        """(In a worker thread.) The picked patient's name as this screen shows it, then
        the form; nothing when the patient is gone, one line when the read fails."""
        from caretui.queries.patients import patient_detail

        try:
            with self.caretui.reading() as con:
                patient = patient_detail(con, patient_id)
        except database_errors(CaretuiError) as exc:
            self._read_failed(exc)
            return
        if patient is not None and not get_current_worker().is_cancelled:
            name = shown_name(patient, redact=self.caretui.redact)
            self.app.call_from_thread(self._push_new, patient_id, name)

    def _push_new(self, patient_id: int, name: str) -> None:
        from caretui.screens.work_forms import appointment_form

        if not self.is_attached:
            return
        today = self.caretui.today
        start = None if self.view.day == today else datetime.combine(self.view.day, time(9, 0))
        form = appointment_form(
            self.caretui.db, today, patient_id=patient_id, start=start, patient=name
        )
        self.app.push_screen(form, self.form_saved)

    def action_edit(self) -> None:
        row = self.selected()
        if row is not None:
            self.edit_work("appointment", row.id, self.form_saved)

    def action_outcome(self) -> None:
        """What happened (only a cancellation before it starts), then a short note."""
        from caretui.screens.work_forms import appointment_outcome, ask_outcome

        row = self.selected()
        if row is None:
            return
        db, today = self.caretui.db, self.caretui.today

        def record(outcome: str, note: str | None) -> None:
            self.write(
                lambda: appointment_outcome(db, today, row.id, row.version, outcome, note),
                row.id,
                reload=bool(row.rrule),
            )

        title = self._title("Outcome", row)
        ask_outcome(self.app.push_screen, title, row.start, now_on(today), record)

    def _still_open(self, doing: str) -> AgendaRow | None:
        """The selected appointment, if it is still open; else None, and why, before
        any question is asked (an outcome recorded or a cancellation is final)."""
        row = self.selected()
        if row is not None and row.closed:
            self.notify(
                f"This appointment is {code(row.status)} already: nothing to {doing}; "
                "book a new one instead (n)",
                markup=False,
                timeout=6,
            )
            return None
        return row

    def action_cancel(self) -> None:
        from caretui.widgets.dialogs import ChoiceDialog

        row = self._still_open("cancel")
        if row is None:
            return
        if not row.rrule:
            self._ask_reason(row, series=False)
            return

        def chosen(choice: str | None) -> None:
            if choice:
                self._ask_reason(row, series=choice == "series")

        choices = [
            ("only this one (the next is booked)", "one"),
            ("the whole series", "series"),
        ]
        self.app.push_screen(ChoiceDialog(self._title("Cancel", row), choices), chosen)

    def _ask_reason(self, row: AgendaRow, *, series: bool) -> None:
        from caretui.screens.work_forms import appointment_cancel
        from caretui.widgets.dialogs import TextDialog

        def given(reason: str | None) -> None:
            if reason is not None:
                db, today = self.caretui.db, self.caretui.today
                self.write(
                    lambda: appointment_cancel(
                        db, today, row.id, row.version, reason, series=series
                    ),
                    row.id,
                    reload=bool(row.rrule) and not series,
                )

        dialog = TextDialog(self._title("Cancel", row), label="Reason", required=False)
        self.app.push_screen(dialog, given)

    def action_reschedule(self) -> None:
        from caretui.screens.work_forms import appointment_reschedule
        from caretui.widgets.dialogs import DateTimeDialog

        row = self._still_open("move")
        if row is None:
            return

        def chosen(start: datetime | None) -> None:
            if start is not None:
                db, today = self.caretui.db, self.caretui.today
                self.write(
                    lambda: appointment_reschedule(db, today, row.id, row.version, start),
                    row.id,
                    reload=True,
                )

        dialog = DateTimeDialog(
            self._title("Reschedule", row), today=self.caretui.today, initial=row.start
        )
        self.app.push_screen(dialog, chosen)

    def action_transport(self) -> None:
        from caretui.screens.work_forms import TRANSPORT_CHOICES, appointment_transport
        from caretui.widgets.dialogs import ChoiceDialog, TextDialog

        row = self._still_open("arrange")
        if row is None:
            return
        db, today = self.caretui.db, self.caretui.today

        def save(transport: str, details: str | None) -> None:
            self.write(
                lambda: appointment_transport(db, today, row.id, row.version, transport, details),
                row.id,
            )

        def detailed(details: str | None) -> None:
            if details:
                save(codes.Transport.ARRANGED.value, details)

        def chosen(transport: str | None) -> None:
            if transport == codes.Transport.ARRANGED.value:
                dialog = TextDialog(
                    self._title("Transport arranged", row),
                    label="Details (who drives, pick-up time)",
                    required=True,
                    initial=row.transport_details or "",
                )
                self.app.push_screen(dialog, detailed)
            elif transport:
                save(transport, None)

        dialog = ChoiceDialog(
            self._title("Transport", row), TRANSPORT_CHOICES, current=row.transport
        )
        self.app.push_screen(dialog, chosen)

    def read_row(self, con: sqlite3.Connection, record_id: int) -> AgendaRow | None:
        return agenda_row(con, record_id)

    def after_change(self) -> None:
        self._load_header(self.view)

    @work(thread=True, exclusive=True, group="agenda-header")
    def _load_header(self, view: AgendaView) -> None:
        """The title and the week's counts again, after a change made in place."""
        start, end = day_bounds(*view.span)
        try:
            with self.caretui.reading() as con:
                total = count_between(con, start, end)
                counts = counts_by_day(con, *week_of(view.day))
        except database_errors(CaretuiError) as exc:
            self._read_failed(exc)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._header_loaded, view, total, counts)

    def _header_loaded(self, view: AgendaView, total: int, counts: dict[date, int]) -> None:
        if self.is_attached and view == self.view:
            self._total = total
            self._show_header(view, total, counts)
