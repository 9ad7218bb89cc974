"""`3` Appointments: the agenda by day or by week, read a page at a time in a worker.

Every change (outcome, cancel, transport, reschedule) goes through
``screens.work_forms`` in a thread worker; the changed line is updated in place,
or the day is read again when the order or the set of appointments changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import get_current_worker

from caretui import codes
from caretui.errors import CaretuiError
from caretui.queries.agenda import (
    AgendaRow,
    agenda_row,
    appointment_detail,
    appointments_between,
    count_between,
    counts_by_day,
    day_bounds,
    week_of,
)
from caretui.queries.names import patient_name
from caretui.screens.base import CaseloadScreen
from caretui.services.text import one_line
from caretui.widgets.records import RecordTable, Row, cell

if TYPE_CHECKING:
    from caretui.queries.agenda import AppointmentDetail
    from caretui.screens.chart_forms import Saved

PAGE = 200

_STATUS_STYLE = {
    codes.AppointmentStatus.PROPOSED.value: ("proposed", "italic"),
    codes.AppointmentStatus.BOOKED.value: ("booked", ""),
    codes.AppointmentStatus.ARRIVED.value: ("arrived", "bold"),
    codes.AppointmentStatus.FULFILLED.value: ("fulfilled", "green"),
    codes.AppointmentStatus.CANCELLED.value: ("cancelled", "dim strike"),
    codes.AppointmentStatus.NOSHOW.value: ("no-show", "red"),
}


@dataclass(frozen=True, slots=True)
class AgendaView:
    """What the agenda shows: the day it is on, and whether the whole week."""

    day: date
    week: bool = False

    @property
    def span(self) -> tuple[date, date]:
        return week_of(self.day) if self.week else (self.day, self.day)


def _when(row: AgendaRow, *, week: bool) -> Text:
    if row.start is None:
        return Text(f"bad date {one_line(row.start_text)[:20]}", style="bold red")
    text = f"{row.start:%a %d %H:%M}" if week else f"{row.start:%H:%M}"
    if not week and row.end is not None and row.end.date() == row.start.date():
        text += f"–{row.end:%H:%M}"
    return Text(text, style="dim" if row.status == codes.AppointmentStatus.CANCELLED else "")


def _status(row: AgendaRow, now: datetime) -> Text:
    word, style = _STATUS_STYLE.get(row.status, (one_line(row.status), ""))
    ended = row.end or (row.start + timedelta(minutes=30) if row.start else None)
    if not row.closed and ended is not None and ended < now:
        return Text("no outcome", style="bold yellow")
    return Text(word, style=style)


def _transport(row: AgendaRow) -> Text:
    if row.transport == codes.Transport.NEEDED.value:
        if row.closed:
            return Text("needed", style="dim")
        return Text("NEEDED, not arranged", style="bold reverse red")
    if row.transport == codes.Transport.ARRANGED.value:
        text = Text("arranged", style="green")
        if row.transport_details:
            text.append(f": {one_line(row.transport_details)}")
        return text
    return Text("")


def agenda_line(row: AgendaRow, *, week: bool, now: datetime, redact: bool) -> Row:
    return Row(
        f"appointment:{row.id}",
        (
            _when(row, week=week),
            patient_name(row.given_name, row.family_name, row.preferred_name, redact=redact),
            _status(row, now),
            _transport(row),
            row.purpose,
            row.with_whom,
            row.location,
        ),
    )


class AppointmentsScreen(CaseloadScreen):
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

    def __init__(self) -> None:
        super().__init__()
        self.view = AgendaView(date.today())
        self._rows: dict[str, AgendaRow] = {}
        self._total = 0
        self._loaded = False
        self._under_dialog = False
        #: Changes made from this screen; a list read before the latest is read again.
        self._changes = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="agenda-title")
        yield Static("", id="agenda-week")
        yield RecordTable(
            [
                ("When", 12),
                ("Patient", 24),
                ("Status", 10),
                ("Transport", 20),
                ("Purpose", 22),
                ("With", 16),
                ("Where", 16),
            ],
            id="agenda-table",
        )
        yield Footer()

    def on_mount(self) -> None:
        self.view = AgendaView(self.caretui.today)
        self.table.focus()
        self.reload()
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

    def _now(self) -> datetime:
        """The app's today at the clock's time of day (today is fixed in tests)."""
        return datetime.combine(self.caretui.today, datetime.now().time())

    # -- reading -------------------------------------------------------------------------

    def show_view(self, view: AgendaView) -> None:
        """Go to another day or week: its first page, read in a worker."""
        self.view = view
        self._load(view, 0, PAGE, self._changes)

    def reload(self) -> None:
        self._load(self.view, 0, max(PAGE, len(self._rows)), self._changes)

    @work(thread=True, exclusive=True, group="agenda-load")
    def _load(self, view: AgendaView, offset: int, limit: int, stamp: int) -> None:
        start, end = day_bounds(*view.span)
        with self.caretui.reading() as con:
            rows = appointments_between(con, start, end, limit=limit, offset=offset)
            total = count_between(con, start, end) if offset == 0 else self._total
            counts = counts_by_day(con, *week_of(view.day)) if offset == 0 else None
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, view, offset, rows, total, counts, stamp)

    def _show(
        self,
        view: AgendaView,
        offset: int,
        rows: list[AgendaRow],
        total: int,
        counts: dict[date, int] | None,
        stamp: int,
    ) -> None:
        if view != self.view or (offset and offset != self.table.row_count):
            return
        if stamp != self._changes:  # read before a change made since: read again
            if offset == 0:
                self.reload()
            return
        self._loaded = True
        now, redact = self._now(), self.caretui.redact
        lines = [agenda_line(r, week=view.week, now=now, redact=redact) for r in rows]
        if offset == 0:
            self._rows = {}
            self.table.show(lines)
        else:
            for line in lines:
                if line.key not in self._rows:
                    self.table.add_row(*(cell(c) for c in line.cells), key=line.key)
        self._rows.update({f"appointment:{r.id}": r for r in rows})
        self._total = total
        if counts is not None:
            self._show_header(view, total, counts)

    def _show_header(self, view: AgendaView, total: int, counts: dict[date, int]) -> None:
        today = self.caretui.today
        first, last = view.span
        if view.week:
            title = f"Week of {first:%a %d %b} – {last:%a %d %b %Y}"
        else:
            title = f"{first:%A %d %B %Y}"
            delta = (first - today).days
            when = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(delta)
            if when:
                title += f" · {when}"
        noun = "appointment" if total == 1 else "appointments"
        shown = f"{len(self._rows):,} of {total:,}" if total > len(self._rows) else f"{total:,}"
        title = f"{title} · {shown} {noun}"
        in_span = [n for day, n in counts.items() if first <= day <= last]
        cancelled = total - sum(in_span)
        if cancelled > 0:
            title += f" ({cancelled:,} cancelled)"
        self.query_one("#agenda-title", Static).update(Text(title))
        strip = Text()
        for day, n in counts.items():
            style = ""
            if day == today:
                style = "bold underline"
            if not view.week and day == view.day:
                style = "reverse"
            strip.append(f" {day:%a %d}: {n} ", style=style)
            strip.append(" ")
        strip.append("  w day/week  [ ] prev/next  t today", style="dim")
        self.query_one("#agenda-week", Static).update(strip)

    @on(DataTable.RowHighlighted, "#agenda-table")
    def _maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        loaded = self.table.row_count
        if loaded < self._total and event.cursor_row >= loaded - 10:
            self._load(self.view, loaded, PAGE, self._changes)

    @on(DataTable.RowSelected, "#agenda-table")
    def _row_selected(self) -> None:
        self.action_open()

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

    # -- acting on the selected appointment ----------------------------------------------

    def selected(self) -> AgendaRow | None:
        key = self.table.selected_key
        return self._rows.get(key) if key else None

    def _title(self, what: str, row: AgendaRow) -> Text:
        name = patient_name(
            row.given_name, row.family_name, row.preferred_name, redact=self.caretui.redact
        )
        when = f"{row.start:%a %d %b %H:%M}" if row.start else "appointment"
        return Text(f"{what} — {when}, {name}")

    def action_open(self) -> None:
        row = self.selected()
        if row is not None:
            self.caretui.open_patient(row.patient_id, "appointments")

    def action_new(self) -> None:
        from caretui.widgets.dialogs import PatientPicker

        def picked(patient_id: int | None) -> None:
            if patient_id:
                self._open_new(patient_id)

        self.app.push_screen(PatientPicker("New appointment — which patient?"), picked)

    @work(thread=True, exclusive=True, group="agenda-form")
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

    def _push_new(self, patient_id: int, name: str) -> None:
        from caretui.screens.work_forms import appointment_form

        today = self.caretui.today
        start = None if self.view.day == today else datetime.combine(self.view.day, time(9, 0))
        form = appointment_form(
            self.caretui.db, today, patient_id=patient_id, start=start, patient=name
        )
        self.app.push_screen(form, self._form_saved)

    def action_edit(self) -> None:
        row = self.selected()
        if row is not None:
            self._open_edit(row.id)

    @work(thread=True, exclusive=True, group="agenda-form")
    def _open_edit(self, appointment_id: int) -> None:
        with self.caretui.reading() as con:
            current = appointment_detail(con, appointment_id)
        if current is not None:
            self.app.call_from_thread(self._push_edit, current)

    def _push_edit(self, current: AppointmentDetail) -> None:
        from caretui.screens.work_forms import appointment_form

        name = patient_name(
            current.given_name,
            current.family_name,
            current.preferred_name,
            redact=self.caretui.redact,
        )
        form = appointment_form(
            self.caretui.db,
            self.caretui.today,
            patient_id=current.patient_id,
            current=current,
            patient=name,
        )
        self.app.push_screen(form, self._form_saved)

    def _form_saved(self, result: object | None) -> None:
        message = getattr(result, "message", None)
        if isinstance(message, str):
            self.notify(message, markup=False)
            self.reload()

    def action_outcome(self) -> None:
        from caretui.screens.work_forms import OUTCOME_CHOICES, appointment_outcome
        from caretui.widgets.dialogs import ChoiceDialog

        row = self.selected()
        if row is None:
            return

        def chosen(outcome: str | None) -> None:
            if outcome:
                db, today = self.caretui.db, self.caretui.today
                self._write(
                    lambda: appointment_outcome(db, today, row.id, row.version, outcome),
                    row.id,
                    reload=bool(row.rrule),
                )

        self.app.push_screen(ChoiceDialog(self._title("Outcome", row), OUTCOME_CHOICES), chosen)

    def action_cancel(self) -> None:
        from caretui.widgets.dialogs import ChoiceDialog

        row = self.selected()
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
                self._write(
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

        row = self.selected()
        if row is None:
            return

        def chosen(start: datetime | None) -> None:
            if start is not None:
                db, today = self.caretui.db, self.caretui.today
                self._write(
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

        row = self.selected()
        if row is None:
            return
        db, today = self.caretui.db, self.caretui.today

        def save(transport: str, details: str | None) -> None:
            self._write(
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

    @work(thread=True, group="agenda-write")
    def _write(
        self, change: Callable[[], Saved], appointment_id: int, *, reload: bool = False
    ) -> None:
        """Run one change; then update its line (or read the day again)."""
        try:
            saved = change()
        except CaretuiError as exc:
            self.app.call_from_thread(
                self.notify, exc.message, severity="error", markup=False, timeout=8
            )
            return
        with self.caretui.reading() as con:
            row = agenda_row(con, appointment_id)
        self.app.call_from_thread(self._changed, saved.message, row, reload)

    def _changed(self, message: str, row: AgendaRow | None, reload: bool) -> None:
        self._changes += 1
        self.notify(message, markup=False, timeout=8)
        key = f"appointment:{row.id}" if row else ""
        if reload or row is None or key not in self._rows:
            self.reload()
            return
        self._rows[key] = row
        self.table.replace(
            agenda_line(row, week=self.view.week, now=self._now(), redact=self.caretui.redact)
        )
        self._load_header(self.view)

    @work(thread=True, exclusive=True, group="agenda-header")
    def _load_header(self, view: AgendaView) -> None:
        """The title and the week's counts again, after a change made in place."""
        start, end = day_bounds(*view.span)
        with self.caretui.reading() as con:
            total = count_between(con, start, end)
            counts = counts_by_day(con, *week_of(view.day))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._header_loaded, view, total, counts)

    def _header_loaded(self, view: AgendaView, total: int, counts: dict[date, int]) -> None:
        if view == self.view:
            self._total = total
            self._show_header(view, total, counts)
