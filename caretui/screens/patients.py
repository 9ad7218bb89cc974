"""`2` Patients: the caseload, searched as you type, filtered and sorted in SQL.

The "CM min" column is this calendar month's care-management time, read for the
page shown in the same worker (``queries.minutes``: one query a page): a number
(0 included) for a patient in care management, "—" for a patient outside it; the
status line says so. A patient saved (new or edited) whom the filters hide is named
as such: "Saved; not shown: the risk filter is high risk — r changes it".
"""

from __future__ import annotations

import dataclasses
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Header, Input, Static
from textual.worker import get_current_worker

from caretui.config import DEFAULT_THRESHOLDS, Threshold
from caretui.queries.minutes import month_minutes
from caretui.queries.patients import (
    OPEN_STATUSES,
    PatientDetail,
    PatientFilter,
    PatientRow,
    count_patients,
    list_patients,
    patient_detail,
)
from caretui.queries.sql import age
from caretui.queries.today_refresh import audit_mark
from caretui.screens.base import RecordListScreen
from caretui.screens.care_time import minutes_cell
from caretui.screens.common import RISK_STYLE, code, shown_name
from caretui.services.text import plural
from caretui.widgets.keys_footer import KeysFooter
from caretui.widgets.records import RecordTable, Row

STATUS_VIEWS = (
    ("active and on hold", OPEN_STATUSES),
    ("all", ()),
    ("discharged", ("discharged",)),
)
RISK_VIEWS = (
    ("any risk", ()),
    ("high risk", ("high",)),
    ("medium risk", ("medium",)),
    ("low risk", ("low",)),
)
SORT_VIEWS = ("name", "risk", "age", "newest")
#: What the minutes column means, on the status line.
MINUTES_LEGEND = "CM min: minutes this month; —: not in care mgmt"


def hidden_by(p: PatientDetail, flt: PatientFilter, *, shown: bool, complete: bool) -> str | None:
    """Why a patient just saved is not in the list (the filter that hides them, and the
    key that changes it), or None when they are in it or it cannot be told. ``shown``:
    they are among the rows read; ``complete``: those rows are the whole list."""
    if flt.statuses and p.status not in flt.statuses:
        name = next((n for n, s in STATUS_VIEWS if s == flt.statuses), "")
        return f"the status filter is {name or code(p.status)} — f changes it"
    if flt.risks and p.risk not in flt.risks:
        name = next((n for n, r in RISK_VIEWS if r == flt.risks), "")
        return f"the risk filter is {name} — r changes it"
    if flt.search.strip() and complete and not shown:
        return "the search does not find them — escape clears it"
    return None


def patient_row(
    p: PatientRow,
    today: date,
    *,
    redact: bool,
    minutes: int | None = None,
    thresholds: tuple[Threshold, ...] = DEFAULT_THRESHOLDS,
) -> Row:
    years = age(p.birth_date, today)
    return Row(
        f"patient:{p.id}",
        (
            shown_name(p, redact=redact),
            "—" if redact or years is None else str(years),
            "—" if redact else (p.phone or ""),
            Text(p.risk, style=RISK_STYLE.get(p.risk, "")),
            code(p.status),
            minutes_cell(minutes, thresholds),
            "—" if redact else (p.mrn or ""),  # an identifier: hidden like the phone
            (p.language or "") + (" (interpreter)" if p.interpreter_needed else ""),
        ),
    )


class PatientsScreen(RecordListScreen[PatientRow]):
    HELP_TITLE = "Patients"
    HELP_EXTRA = Text(
        "CM min: the care-management minutes logged this calendar month (yellow under the "
        "first billing threshold; 0: none yet); — : the patient is not in care management."
    )
    BINDINGS = [
        Binding(
            "slash",
            "search",
            "Search",
            id="patients.search",
            tooltip="Search by name, phone or identifier as you type",
        ),
        Binding(
            "enter",
            "open",
            "Open",
            id="patients.open",
            show=False,
            tooltip="Open the patient's chart",
        ),
        Binding("n", "new", "New", id="patients.new", tooltip="New patient"),
        Binding("e", "edit", "Edit", id="patients.edit", tooltip="Edit the patient"),
        Binding(
            "f",
            "cycle_status",
            "Status",
            id="patients.status",
            tooltip="Show active and on hold / all / discharged patients",
        ),
        Binding("r", "cycle_risk", "Risk", id="patients.risk", tooltip="Filter by risk level"),
        Binding(
            "o",
            "cycle_sort",
            "Sort",
            id="patients.sort",
            tooltip="Sort by name / risk / age / newest",
        ),
        Binding(
            "down",
            "to_list",
            "List",
            id="patients.to_list",
            show=False,
            tooltip="From the search: on to the list, at its first row",
        ),
        Binding(
            "escape",
            "clear_search",
            "Clear",
            id="patients.clear",
            show=False,
            tooltip="Clear the search and go back to the list",
        ),
    ]
    DEFAULT_CSS = """
    PatientsScreen #patients-search { margin: 0 1; }
    PatientsScreen #patients-status { padding: 0 1; color: $text-muted; height: 1; }
    """

    flt: reactive[PatientFilter] = reactive(PatientFilter, init=False)
    """What the list shows: search text, statuses, risks, sort."""

    def __init__(self) -> None:
        super().__init__()
        self._status_view = 0
        self._risk_view = 0
        self._sort_view = 0
        #: Patient id -> minutes this month (None: not in care management), per page read.
        self._minutes: dict[int, int | None] = {}
        #: A patient just saved: the next first page says whether the list shows them.
        self._saved_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="/ search by name, phone, MRN", id="patients-search")
        yield Static("", id="patients-status")
        yield RecordTable(
            [
                ("Name", 28),
                ("Age", 4),
                ("Phone", 14),
                ("Risk", 6),
                ("Status", 10),
                ("CM min", 7),
                ("MRN", 12),
                ("Language", 21),
            ],
            id="patients-table",
            flex=("Name", "Language"),
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.table.focus()
        self.reload()
        self.watch(self.app, "redact", lambda _old, _new: self.reload(), init=False)

    def watch_flt(self) -> None:
        self.start_over()

    def reload(self) -> None:
        self._load(self.flt, 0, max(self.PAGE, len(self._rows)))

    def load_page(self, offset: int, limit: int) -> None:
        self._load(self.flt, offset, limit)

    def line(self, row: PatientRow) -> Row:
        return patient_row(
            row,
            self.caretui.today,
            redact=self.caretui.redact,
            minutes=self._minutes.get(row.id),
            thresholds=self.caretui.settings.care_management_thresholds,
        )

    @work(thread=True, exclusive=True, group="patients-load")
    def _load(self, flt: PatientFilter, offset: int, limit: int) -> None:
        saved_id = self._saved_id if offset == 0 else None
        with self.caretui.reading() as con:
            mark = audit_mark(con) if offset == 0 else None
            rows = list_patients(con, flt, limit=limit, offset=offset)
            total = count_patients(con, flt) if offset == 0 else self._total
            minutes = month_minutes(con, [r.id for r in rows], self.caretui.today)
            saved = patient_detail(con, saved_id) if saved_id is not None else None
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, flt, offset, rows, total, minutes, mark, saved)

    def _show(
        self,
        flt: PatientFilter,
        offset: int,
        rows: list[PatientRow],
        total: int,
        minutes: dict[int, int | None],
        mark: int | None,
        saved: PatientDetail | None = None,
    ) -> None:
        if flt != self.flt:
            return
        self._minutes.update(minutes)
        if not self.show_page(offset, rows, total, self._changes, mark=mark):
            return
        status, _ = STATUS_VIEWS[self._status_view]
        risk, _ = RISK_VIEWS[self._risk_view]
        loaded = len(self._rows)
        shown = f"{loaded:,} of {total:,}" if total > loaded else None
        self.query_one("#patients-status", Static).update(
            Text(
                f"{plural(total, 'patient', count=shown)} · {status} · {risk}"
                f" · by {flt.sort} · {MINUTES_LEGEND}"
            )
        )
        if saved is not None and saved.id == self._saved_id:
            self._saved_id = None
            self._say_saved(saved, flt, complete=total <= loaded)

    def _say_saved(self, saved: PatientDetail, flt: PatientFilter, *, complete: bool) -> None:
        """ "Saved", and, when the filters hide the patient, which one; else the cursor
        goes to the patient's row (when it is among the rows read)."""
        key = f"patient:{saved.id}"
        reason = hidden_by(saved, flt, shown=key in self._rows, complete=complete)
        if reason is not None:
            self.notify(f"Saved; not shown: {reason}", markup=False, timeout=8)
            return
        self.notify("Saved", markup=False)
        if key in self._rows:
            self.table.move_cursor(row=self.table.get_row_index(key), animate=False)

    @on(Input.Changed, "#patients-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.flt = dataclasses.replace(self.flt, search=event.value)

    @on(Input.Submitted, "#patients-search")
    def _search_done(self) -> None:
        self.action_to_list()

    def action_to_list(self) -> None:
        """Down or enter in the search: on to the list, at its first row (typing in the
        search goes on searching). In the list, the table's own down moves its cursor."""
        table = self.table
        table.focus()
        if table.more_before:
            table.action_first_row()  # the list is read again from the top
        elif table.row_count:
            table.move_cursor(row=0, animate=False)

    def action_search(self) -> None:
        self.query_one("#patients-search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#patients-search", Input)
        if search.value:
            search.value = ""
        self.table.focus()

    def selected_patient(self) -> int | None:
        key = self.table.selected_key
        return int(key.split(":")[1]) if key else None

    def timer_patient(self) -> int | None:
        """`ctrl+t` times the selected row's patient (``screens.timer``)."""
        return self.selected_patient()

    def action_open(self) -> None:
        patient_id = self.selected_patient()
        if patient_id is not None:
            self.caretui.open_patient(patient_id)

    def action_cycle_status(self) -> None:
        self._status_view = (self._status_view + 1) % len(STATUS_VIEWS)
        self.flt = dataclasses.replace(self.flt, statuses=STATUS_VIEWS[self._status_view][1])

    def action_cycle_risk(self) -> None:
        self._risk_view = (self._risk_view + 1) % len(RISK_VIEWS)
        self.flt = dataclasses.replace(self.flt, risks=RISK_VIEWS[self._risk_view][1])

    def action_cycle_sort(self) -> None:
        self._sort_view = (self._sort_view + 1) % len(SORT_VIEWS)
        self.flt = dataclasses.replace(self.flt, sort=SORT_VIEWS[self._sort_view])

    def action_new(self) -> None:
        from caretui.screens.patient_forms import new_patient_form

        self.app.push_screen(new_patient_form(self.caretui.db, self.caretui.today), self._saved)

    def action_edit(self) -> None:
        patient_id = self.selected_patient()
        if patient_id is not None:
            self._open_edit(patient_id)

    @work(thread=True, exclusive=True, group="patients-edit")
    def _open_edit(self, patient_id: int) -> None:
        with self.caretui.reading() as con:
            current = patient_detail(con, patient_id)
        if current is not None:
            self.app.call_from_thread(self._push_edit, current)

    def _push_edit(self, current: object) -> None:
        from caretui.queries.patients import PatientDetail
        from caretui.screens.patient_forms import edit_patient_form

        assert isinstance(current, PatientDetail)
        self.app.push_screen(
            edit_patient_form(self.caretui.db, current, self.caretui.today), self._saved
        )

    def _saved(self, result: object | None) -> None:
        """A patient form was saved (it hands back the patient's id): read the list again."""
        if isinstance(result, int):
            self._saved_id = result
            self.reload()
