"""The Patient screen: one patient's chart in tabs, opened with enter or from the palette.

Each tab reads its own bundle from ``caretui.queries.chart`` in a thread worker
when it is first shown (and again after a write that touched it); the screen
keeps the frozen rows it last showed, so redaction re-renders without a query.
Keys depend on the tab: ``check_action`` hides the other tabs' bindings, so the
footer and the help screen show only what applies. What the keys do is in
``patient_actions``; what each tab shows in ``patient_overview``,
``patient_careplan`` and ``patient_tables``. Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from caretui.queries import chart
from caretui.queries.outreach import Outreach, outreach
from caretui.queries.patients import PatientDetail, patient_detail
from caretui.screens.common import now_on
from caretui.screens.patient_actions import ChartActions
from caretui.screens.patient_careplan import CarePlanTree, care_plan_status
from caretui.screens.patient_outreach import outreach_panel
from caretui.screens.patient_overview import PANELS, header_line, high_allergy, overview_panels
from caretui.screens.patient_referrals import ReferralsTab
from caretui.screens.patient_tables import (
    COLUMNS,
    FLEX,
    MORE,
    ChartTable,
    TableView,
    note_detail,
    table_view,
)
from caretui.widgets.keys_footer import KeysFooter
from caretui.widgets.records import RecordTable

if TYPE_CHECKING:
    import sqlite3

#: The tabs, in order: (id, title); `]` and `[` go round them.
TABS: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("careplan", "Care plan"),
    ("medications", "Medications"),
    ("appointments", "Appointments"),
    ("tasks", "Tasks"),
    ("referrals", "Referrals"),
    ("notes", "Notes"),
)
TAB_IDS = tuple(tab for tab, _ in TABS)
TITLES = dict(TABS)
#: The tabs as the help names them ("overview, care plan, …, notes").
TAB_NAMES = ", ".join(title.lower() for _, title in TABS)

#: The tab each tab-specific action belongs to; the other actions apply everywhere.
ACTION_TAB: dict[str, str] = {
    "edit_patient": "overview",
    "add_contact": "overview",
    "add_problem": "overview",
    "add_allergy": "overview",
    "plan_add": "careplan",
    "goal_add": "careplan",
    "intervention_add": "careplan",
    "plan_edit": "careplan",
    "plan_status": "careplan",
    "plan_review": "careplan",
    "med_add": "medications",
    "med_edit": "medications",
    "med_stop": "medications",
    "med_reconcile": "medications",
    "med_refill": "medications",
    "appt_add": "appointments",
    "appt_edit": "appointments",
    "appt_cancel": "appointments",
    "appt_outcome": "appointments",
    "appt_transport": "appointments",
    "task_add": "tasks",
    "task_done": "tasks",
    "task_snooze": "tasks",
    "task_edit": "tasks",
    "note_add": "notes",
    "note_edit": "notes",
}


def _b(key: str, action: str, label: str, tooltip: str, **kw: Any) -> Binding:
    return Binding(key, action, label, id=f"patient.{action}", tooltip=tooltip, **kw)


def read_tab(con: sqlite3.Connection, patient_id: int, tab: str, today: date, limit: int) -> object:
    """The bundle one tab shows ("header" is the patient's own line)."""
    if tab == "header":
        return patient_detail(con, patient_id)
    if tab == "overview":
        return chart.overview(con, patient_id, today)
    if tab == "careplan":
        return chart.care_plans(con, patient_id)
    if tab == "medications":
        return chart.medications(con, patient_id, past_limit=limit)
    if tab == "appointments":
        return chart.appointments(con, patient_id, today, now=now_on(today), past_limit=limit)
    if tab == "tasks":
        return chart.tasks(con, patient_id, done_limit=limit)
    if tab == "notes":
        return chart.notes(con, patient_id, limit=limit)
    if tab == "outreach":  # read with the overview: its Outreach panel
        return outreach(con, patient_id)
    raise ValueError(tab)


def first_read(
    con: sqlite3.Connection, patient_id: int, tab: str, today: date
) -> dict[str, object] | None:
    """What the screen shows on its first frame: the header line and the first tab's
    bundle (the overview's outreach panel too), or None when the patient is gone.
    ``CaretuiApp.open_patient`` reads it in a worker before pushing the screen, so the
    screen is laid out and painted once, with its data, not once empty and again."""
    header = patient_detail(con, patient_id)
    if header is None:
        return None
    first: dict[str, object] = {"header": header}
    if tab != "referrals":  # the referrals tab reads its own
        first[tab] = read_tab(con, patient_id, tab, today, MORE.get(tab, 0))
    if tab == "overview":
        first["outreach"] = outreach(con, patient_id)
    return first


# --- the screen ---


class PatientScreen(ChartActions):
    """One patient's chart. ``tab`` is the tab shown first (see ``TABS``)."""

    HELP_TITLE = "Patient"
    BINDINGS = [
        _b("escape", "back", "Back", "Back to the previous screen"),
        _b(
            "right_square_bracket",
            "next_tab",
            "Next tab",
            f"Next tab ({TAB_NAMES})",
            key_display="]",
            show=False,
        ),
        _b(
            "left_square_bracket",
            "previous_tab",
            "Prev tab",
            "Previous tab (the same tabs, backwards)",
            key_display="[",
            show=False,
        ),
        # overview
        _b("e", "edit_patient", "Edit", "Edit the patient's details"),
        _b("c", "add_contact", "Contact", "Add a contact: caregiver, PCP, pharmacy…"),
        _b("p", "add_problem", "Problem", "Add a problem (condition)"),
        _b("l", "add_allergy", "Allergy", "Add an allergy with its criticality"),
        # care plan
        _b("n", "plan_add", "Plan", "New care plan"),
        _b("g", "goal_add", "Goal", "New goal in the selected care plan"),
        _b("i", "intervention_add", "Intervention", "New intervention in the selected plan"),
        _b("e", "plan_edit", "Edit", "Edit the selected plan, goal or intervention"),
        _b("s", "plan_status", "Status", "Change the status of the selected item"),
        _b("r", "plan_review", "Review", "Set the plan's next review date"),
        # medications
        _b("n", "med_add", "Add", "Add a medication"),
        _b("e", "med_edit", "Edit", "Edit the selected medication"),
        _b("s", "med_stop", "Stop", "Stop the selected medication (asks the reason)"),
        _b("r", "med_reconcile", "Reconciled", "Mark the selected medication reconciled today"),
        _b("f", "med_refill", "Refill", "Set the refill due date"),
        # appointments
        _b("n", "appt_add", "Add", "Book an appointment"),
        _b("e", "appt_edit", "Edit", "Edit the selected appointment"),
        _b("c", "appt_cancel", "Cancel", "Cancel the selected appointment"),
        _b(
            "o",
            "appt_outcome",
            "Outcome",
            "Record what happened: fulfilled / no-show (adds a follow-up task) / cancelled",
        ),
        _b("t", "appt_transport", "Transport", "Transport: not needed / needed / arranged"),
        # tasks
        _b("n", "task_add", "Add", "Add a task for this patient"),
        _b("x", "task_done", "Done", "Complete the selected task"),
        _b("s", "task_snooze", "Snooze", "Snooze the selected task until a date"),
        _b("e", "task_edit", "Edit", "Edit the selected task"),
        # notes
        _b("n", "note_add", "Log", "Log a call, visit or message"),
        _b("e", "note_edit", "Edit", "Correct the selected note: kind, with whom, outcome, text"),
    ]
    DEFAULT_CSS = """
    PatientScreen #patient-header { padding: 0 1; height: auto; background: $boost; }
    PatientScreen TabbedContent { height: 1fr; }
    PatientScreen TabPane { padding: 0; height: 1fr; }
    PatientScreen .tab-status { padding: 0 1; color: $text-muted; height: 1; }
    PatientScreen #overview-grid { grid-size: 2; grid-gutter: 0 1; height: auto; }
    PatientScreen #overview-grid > Static {
        height: auto; border: round $primary 50%; padding: 0 1;
    }
    PatientScreen #overview-grid > #ov-allergies.-high { border: heavy $error; }
    PatientScreen #overview-grid > #ov-outreach.-high { border: heavy $error; }
    PatientScreen #careplan-tree { height: 1fr; }
    PatientScreen #note-detail {
        height: auto; max-height: 8; border-top: solid $primary 50%; padding: 0 1;
    }
    """

    def __init__(
        self,
        patient_id: int,
        *,
        tab: str = "overview",
        first: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__()
        self.patient_id = patient_id
        self._initial_tab = tab if tab in TAB_IDS else "overview"
        #: What ``first_read`` read before the screen was pushed (shown on mount).
        self._first = dict(first or {})
        self._data: dict[str, object] = {}
        #: Tabs whose data a write may have changed; read again when next shown.
        self._stale: set[str] = set()
        self._limits: dict[str, int] = dict(MORE)
        self._land = {}
        self._rows: dict[str, object] = {}
        self._covered_by_modal = False
        self._gone = False
        #: Tabs read at least once (or being read).
        self._requested: set[str] = set()
        #: Tabs whose widgets are built (see ``_tab_widgets``).
        self._built: set[str] = set()
        #: Covered since it was pushed (by a dialog or another screen).
        self._suspended = False

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("…"), id="patient-header")
        with TabbedContent(initial=self._initial_tab, id="patient-tabs"):
            for tab in TAB_IDS:
                with TabPane(Content(TITLES[tab]), id=tab):
                    if tab == self._initial_tab:
                        yield from self._tab_widgets(tab)
        yield KeysFooter()

    def _tab_widgets(self, tab: str) -> list[Widget]:
        """What ``tab`` holds. Only the tab shown first is built with the screen; each
        other one when first shown (``_build``): opening a patient builds and styles a
        fifth of the widgets it would otherwise."""
        if tab == "overview":
            panels = []
            for part, title in PANELS:
                panel = Static(id=f"ov-{part}")
                panel.border_title = title
                panels.append(panel)
            return [VerticalScroll(Grid(*panels, id="overview-grid"), id="overview-scroll")]
        status = Static("", classes="tab-status", id=f"{tab}-status")
        if tab == "careplan":
            return [status, CarePlanTree(id="careplan-tree")]
        if tab == "referrals":
            return [ReferralsTab(self.patient_id, id="referrals-tab")]
        table = ChartTable(COLUMNS[tab], id=f"{tab}-table", flex=FLEX[tab])
        if tab == "notes":
            return [Vertical(status, table, Static("", id="note-detail"))]
        return [status, table]

    def _build(self, tab: str) -> None:
        """Build ``tab``'s widgets the first time it is shown."""
        if tab not in self._built:
            self._built.add(tab)
            self.query_one(f"#{tab}", TabPane).mount_all(self._tab_widgets(tab))

    def on_mount(self) -> None:
        if not self.query("#patient-header"):  # pushed as the app quits: nothing composed
            return
        self._built.add(self._initial_tab)
        for tab, data in self._first.items():
            self._requested.add(tab)
            self._loaded(tab, data)
        for tab in ("header", self._initial_tab):
            if tab not in self._first:
                self.load(tab)
        self.watch(self.app, "redact", lambda _old, _new: self._show_all(), init=False)
        self.call_after_refresh(self._focus_tab, self._initial_tab)

    def on_screen_suspend(self) -> None:
        self._covered_by_modal = isinstance(self.app.screen, ModalScreen)
        self._suspended = True

    def on_screen_resume(self) -> None:
        """Back from another screen (not a form or dialog of this one, which reload what
        they change): what is shown may have changed there, so read it again. (Not on
        the first resume, as the screen is pushed: it shows what was just read.)"""
        if self._suspended and self._data and not self._covered_by_modal:
            self._stale.update(tab for tab in self._data if tab != self.active_tab)
            self.load("header")
            self.load(self.active_tab)

    @property
    def active_tab(self) -> str:
        try:
            return self.query_one("#patient-tabs", TabbedContent).active or self._initial_tab
        except NoMatches:
            return self._initial_tab

    def _focus_shown(self) -> None:
        """Focus the list of the tab shown now, unless the focus is in it already.
        Always the tab shown *now*: TabbedContent follows the focus, so focusing the
        list of a tab left since (keys typed faster than they are handled) would switch
        back to it, and two such switches in flight would swap tabs for ever."""
        focused = self.focused
        pane = (
            next((a for a in focused.ancestors if isinstance(a, TabPane)), None)
            if focused
            else None
        )
        if pane is None or pane.id != self.active_tab:
            self._focus_tab(self.active_tab)

    def _focus_tab(self, tab: str) -> None:
        target = {
            "overview": "#overview-scroll",
            "careplan": "#careplan-tree",
            "referrals": "#referrals-tab-table",
        }.get(tab, f"#{tab}-table")
        with contextlib.suppress(NoMatches):
            self.query_one(target).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = ACTION_TAB.get(action)
        return tab is None or tab == self.active_tab

    @on(TabbedContent.TabActivated, "#patient-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = event.pane.id or ""
        if tab != self.active_tab:
            return  # a tab already left (keys typed fast): the one shown has its own
        self._build(tab)
        self.refresh_bindings()
        if tab not in self._requested or tab in self._stale:
            self.load(tab)
        focused = self.focused
        if focused is None or any(isinstance(a, TabPane) for a in focused.ancestors):
            self._focus_shown()

    def _switch(self, step: int) -> None:
        index = (TAB_IDS.index(self.active_tab) + step) % len(TAB_IDS)
        self._build(TAB_IDS[index])
        self.query_one("#patient-tabs", TabbedContent).active = TAB_IDS[index]
        self.call_after_refresh(self._focus_shown)

    def action_next_tab(self) -> None:
        self._switch(1)

    def action_previous_tab(self) -> None:
        self._switch(-1)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    # -- reading -----------------------------------------------------------------------

    def load(self, tab: str) -> None:
        """Read ``tab``'s bundle in a thread; a newer read of the same tab cancels this one."""
        self._stale.discard(tab)
        self._requested.add(tab)
        if tab == "referrals":  # the tab reads its own, in its own worker
            self.query_one(ReferralsTab).load()
            return
        if tab == "overview":
            self.load("outreach")
        self.run_worker(
            partial(self._read, tab, self._limits.get(tab, 0)),
            thread=True,
            exclusive=True,
            group=f"patient-{tab}",
        )

    def _read(self, tab: str, limit: int) -> None:
        with self.caretui.reading() as con:
            data = read_tab(con, self.patient_id, tab, self.caretui.today, limit)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._loaded, tab, data)

    def _loaded(self, tab: str, data: object) -> None:
        if tab in ("header", "overview") and data is None:
            if not self._gone:
                self._gone = True
                self.notify("This patient no longer exists", severity="warning", markup=False)
                if self.is_current:
                    self.app.pop_screen()
            return
        self._data[tab] = data
        self._show_tab(tab)

    def _show_all(self) -> None:
        for tab in list(self._data):
            self._show_tab(tab)

    def _show_tab(self, tab: str) -> None:
        data, today, redact = self._data.get(tab), self.caretui.today, self.caretui.redact
        if isinstance(data, PatientDetail):
            self.query_one("#patient-header", Static).update(
                header_line(data, today, redact=redact)
            )
        elif isinstance(data, chart.Overview):
            self._show_overview(data, today, redact)
        elif isinstance(data, chart.CarePlans):
            self._show_careplan(data, today)
        elif isinstance(data, Outreach):
            panel = self.query_one("#ov-outreach", Static)
            panel.update(outreach_panel(data, today))
            panel.set_class(data.unable_to_reach_since is not None, "-high")
        else:
            view = table_view(data, today, redact=redact)
            if view is not None:
                self._fill(tab, view)
                if tab == "notes":
                    self._show_note_detail()

    def _fill(self, tab: str, view: TableView) -> None:
        self._rows.update(view.records)
        table = self.query_one(f"#{tab}-table", RecordTable)
        land = self._land.pop(tab, None)
        table.show(view.rows)
        if land is not None and view.rows:
            # After a change that moves the record away (a task done goes to "Done"),
            # the cursor stays where the user was working, not with the record.
            index = next((i for i, row in enumerate(view.rows) if row.key == land), 0)
            table.move_cursor(row=index, animate=False)
        self.query_one(f"#{tab}-status", Static).update(Text(view.status))

    def _show_overview(self, o: chart.Overview, today: date, redact: bool) -> None:
        thresholds = self.caretui.settings.care_management_thresholds
        for part, text in overview_panels(o, today, redact=redact, thresholds=thresholds).items():
            self.query_one(f"#ov-{part}", Static).update(text)
        high = high_allergy(o.allergies)
        allergies = self.query_one("#ov-allergies", Static)
        allergies.border_title = "Allergies — HIGH CRITICALITY" if high else "Allergies"
        allergies.set_class(high, "-high")

    def _show_careplan(self, data: chart.CarePlans, today: date) -> None:
        self.plan_tree.show(data, today)
        self.query_one("#careplan-status", Static).update(care_plan_status(data))

    @on(DataTable.RowHighlighted, "#notes-table")
    def _show_note_detail(self) -> None:
        table = self.query_one("#notes-table", RecordTable)
        note = self._rows.get(table.selected_key or "")
        detail = self.query_one("#note-detail", Static)
        redact = self.caretui.redact
        detail.update(note_detail(note, redact=redact) if isinstance(note, chart.NoteRow) else "")

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value or ""
        if key.startswith("more:"):
            tab = key.split(":")[1]
            self._limits[tab] = self._limits.get(tab, 0) + MORE.get(tab, 50)
            self.load(tab)
            return
        edit = {
            "med": self.action_med_edit,
            "appt": self.action_appt_edit,
            "task": self.action_task_edit,
            "note": self.action_note_edit,
        }.get(key.split(":")[0])
        if edit is not None:
            edit()

    @on(ReferralsTab.Changed)
    def _referrals_changed(self) -> None:
        """A step logs a note in the contact log."""
        self.changed("notes", "overview")

    def changed(self, *tabs: str) -> None:
        """A write touched ``tabs``: read the visible ones now, the others when shown."""
        for tab in tabs:
            if tab == "header" or tab == self.active_tab:
                self.load(tab)
            elif tab in self._data:
                self._stale.add(tab)
