"""The Patient screen: one patient's chart in tabs, opened with enter or from the palette.

Each tab reads its own bundle from ``caretui.queries.chart`` in a thread worker
when it is first shown (and again after a write that touched it); the screen
keeps the frozen rows it last showed, so redaction re-renders without a query.
Keys depend on the tab: ``check_action`` hides the other tabs' bindings, so the
footer and the help screen show only what applies. Writes go through the forms
of ``chart_forms`` (and ``work_forms`` for tasks and appointments) or, for the
one-key actions, through ``_run`` (a thread worker); nothing here imports SQLAlchemy at module
level.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
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
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane, Tree
from textual.worker import get_current_worker

from caretui.errors import CaretuiError
from caretui.queries import chart
from caretui.queries.names import patient_name
from caretui.queries.patients import PatientDetail, patient_detail
from caretui.queries.sql import age
from caretui.screens.base import CaseloadScreen
from caretui.services.text import initials, one_line, visible
from caretui.widgets.records import Cell, RecordTable, Row

if TYPE_CHECKING:
    import sqlite3

    from caretui.store.database import Database

#: The tabs, in order: (id, title). A later issue adds ``referrals`` before ``notes``.
TABS: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("careplan", "Care plan"),
    ("medications", "Medications"),
    ("appointments", "Appointments"),
    ("tasks", "Tasks"),
    ("notes", "Notes"),
)
TAB_IDS = tuple(tab for tab, _ in TABS)
TITLES = dict(TABS)

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
}

#: How many more rows "more" loads, per tab.
MORE = {
    "medications": chart.PAST_MEDICATIONS,
    "appointments": chart.PAST_APPOINTMENTS,
    "tasks": chart.DONE_TASKS,
    "notes": chart.NOTES_PAGE,
}

#: Appointment statuses still waiting for an outcome.
OPEN_APPOINTMENT = ("proposed", "booked", "arrived")
RISK_STYLE = {"high": "bold red", "medium": "yellow", "low": "green"}


def hidden() -> Text:
    return Text("hidden (redaction)", style="dim italic")


def _b(key: str, action: str, label: str, tooltip: str, **kw: Any) -> Binding:
    return Binding(key, action, label, id=f"patient.{action}", tooltip=tooltip, **kw)


# --- what a cell or a line shows ----------------------------------------------------------


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def instant(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "?"


def code(value: str | None) -> str:
    """A stored code as a coordinator reads it ("no-show", "not needed")."""
    if not value:
        return ""
    return "no-show" if value == "noshow" else value.replace("-", " ")


def due_cell(due: date | None, today: date, *, soon_days: int = 7) -> Text:
    """A due date, red when past, yellow when close."""
    if due is None:
        return Text("")
    style = "bold red" if due < today else "yellow" if (due - today).days <= soon_days else ""
    return Text(due.isoformat(), style=style)


def section(title: str, width: int) -> Row:
    return Row(
        f"section:{title}", (Text(title, style="bold reverse"), *("" for _ in range(width - 1)))
    )


def more_row(tab: str, shown: int, total: int, width: int) -> Row:
    label = Text(f"… {total - shown:,} more: enter shows them", style="italic")
    return Row(f"more:{tab}:{shown}", (label, *("" for _ in range(width - 1))))


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


def when(a: chart.AppointmentRow) -> str:
    return f"{a.start:%a %Y-%m-%d %H:%M}" if a.start else "?"


def appointment_row(a: chart.AppointmentRow, today: date) -> Row:
    status: Cell = code(a.status)
    if a.status in OPEN_APPOINTMENT and a.start and a.start.date() < today:
        status = Text("no outcome", style="bold yellow")
    transport: Cell = code(a.transport)
    if a.transport == "needed" and a.status in OPEN_APPOINTMENT:
        transport = Text("needed ⚠", style="bold yellow")
    elif a.transport == "arranged":
        transport = "arranged" + (
            f": {one_line(a.transport_details)}" if a.transport_details else ""
        )
    start: Cell = when(a) if a.start else Text("bad date", style="red")
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
    return Row(f"task:{t.id}", (title, t.queue, priority, due, code(t.status), later))


def note_row(n: chart.NoteRow) -> Row:
    minutes = str(n.minutes) if n.minutes is not None else ""
    return Row(
        f"note:{n.id}",
        (instant(n.occurred_at), n.kind, n.with_whom, code(n.outcome), minutes, n.text),
    )


def header_line(p: PatientDetail, today: date, *, redact: bool) -> Text:
    text = Text(patient_name(p.given_name, p.family_name, p.preferred_name, redact=redact))
    text.stylize("bold")
    years = age(p.birth_date, today)
    parts: list[Text] = [
        Text("age hidden" if redact else (f"{years} y" if years is not None else "age unknown")),
        Text(f"{p.risk} risk", style=RISK_STYLE.get(p.risk, "")),
        Text(code(p.status)),
    ]
    if p.language or p.interpreter_needed:
        lang = Text(one_line(p.language or "language not recorded"))
        if p.interpreter_needed:
            lang.append(" · interpreter needed", style="bold yellow")
        parts.append(lang)
    for part in parts:
        text.append("  ·  ", style="dim")
        text.append_text(part)
    return text


def field_lines(pairs: list[tuple[str, Text | str | None]]) -> Text:
    out = Text()
    for label, value in pairs:
        if out:
            out.append("\n")
        out.append(f"{label}: ", style="dim")
        if isinstance(value, Text):
            out.append_text(value)
        else:
            out.append(one_line(value) if value else "—")
    return out


def demographics(p: PatientDetail, *, redact: bool) -> Text:
    def secret(value: str | None) -> Text | str | None:
        return hidden() if redact else value

    address = None if redact or not p.address else Text(visible(p.address))
    return field_lines(
        [
            ("Date of birth", secret(day(p.birth_date))),
            ("Gender", p.gender),
            ("Phone", secret(p.phone)),
            ("Email", secret(p.email)),
            ("Address", hidden() if redact else address),
            (
                "Language",
                Text(one_line(p.language or "not recorded")).append(
                    " · interpreter needed" if p.interpreter_needed else "",
                    style="bold yellow",
                ),
            ),
            ("MRN", secret(p.mrn)),
            ("Insurance member id", secret(p.insurance_member_id)),
            ("Enrolled", day(p.enrolled_on)),
            ("Care management", "yes" if p.care_management else "no"),
            ("Unable to reach since", day(p.unable_to_reach_since) or None),
        ]
    )


def contact_lines(contacts: tuple[chart.ContactRow, ...], *, redact: bool) -> Text:
    if not contacts:
        return Text("No contacts yet — c adds one", style="dim")
    out = Text()
    for c in contacts:
        if out:
            out.append("\n")
        out.append(code(c.role), style="bold")
        out.append("  ")
        out.append(initials(c.name, "") if redact else one_line(c.name))
        if c.relationship:
            out.append(f" ({one_line(c.relationship)})", style="dim")
        if c.organization:
            out.append(f"  {one_line(c.organization)}")
        if c.phone:
            out.append("  ")
            out.append_text(hidden() if redact else Text(one_line(c.phone)))
        if c.emergency:
            out.append("  EMERGENCY", style="bold red")
    return out


def problem_lines(problems: tuple[chart.ProblemRow, ...]) -> Text:
    if not problems:
        return Text("No problems recorded — p adds one", style="dim")
    out = Text()
    for p in problems:
        if out:
            out.append("\n")
        current = p.clinical_status in ("active", "recurrence", "relapse")
        out.append(one_line(p.name), style="" if current else "dim")
        out.append(f"  {code(p.clinical_status)}", style="dim")
        if p.onset_date:
            out.append(f"  since {p.onset_date.isoformat()}", style="dim")
    return out


def allergy_lines(allergies: tuple[chart.AllergyRow, ...]) -> Text:
    if not allergies:
        return Text("No allergies recorded — l adds one", style="dim")
    out = Text()
    for a in allergies:
        if out:
            out.append("\n")
        active = a.clinical_status == "active"
        high = a.criticality == "high" and active
        if high:
            out.append("⚠ HIGH ", style="bold white on red")
        out.append(one_line(a.substance), style="bold red" if high else "" if active else "dim")
        if a.reaction:
            out.append(f"  {one_line(a.reaction)}")
        if a.criticality and not high:
            out.append(f"  criticality {code(a.criticality)}", style="dim")
        if not active:
            out.append(f"  {code(a.clinical_status)}", style="dim")
    return out


def medication_lines(meds: tuple[chart.MedicationRow, ...], today: date) -> Text:
    if not meds:
        return Text("No active medications", style="dim")
    out = Text()
    for m in meds:
        if out:
            out.append("\n")
        out.append(one_line(m.name), style="bold")
        how = " ".join(one_line(p) for p in (m.dose, m.route, m.frequency) if p)
        if how:
            out.append(f"  {how}")
        if m.status != "active":
            out.append(f"  {code(m.status)}", style="yellow")
        if m.refill_due:
            out.append("  refill ")
            out.append_text(due_cell(m.refill_due, today))
    return out


def next_lines(o: chart.Overview, today: date) -> Text:
    out = Text()
    out.append("Next appointment: ", style="dim")
    a = o.next_appointment
    if a is None:
        out.append("none booked")
    else:
        out.append(f"{a.start:%a %Y-%m-%d %H:%M}" if a.start else "?", style="bold")
        for part in (a.with_whom, a.location, a.purpose):
            if part:
                out.append(f"  {one_line(part)}")
        if a.transport == "needed":
            out.append("  transport not arranged", style="bold yellow")
    out.append("\nOpen tasks: ", style="dim")
    out.append(str(o.open_task_count), style="bold")
    for t in o.open_tasks:
        out.append("\n  • ")
        out.append(one_line(t.title))
        if t.due:
            out.append("  due ")
            out.append_text(due_cell(t.due, today, soon_days=0))
    if o.open_task_count > len(o.open_tasks):
        out.append(f"\n  … {o.open_task_count - len(o.open_tasks)} more in Tasks", style="dim")
    out.append("\nLast contact: ", style="dim")
    n = o.last_contact
    if n is None:
        out.append("none logged")
    else:
        out.append(instant(n.occurred_at), style="bold")
        out.append(f"  {n.kind}")
        if n.outcome:
            out.append(f"  {code(n.outcome)}")
        if n.occurred_at:
            days = (today - n.occurred_at.date()).days
            if days > 0:
                out.append(f"  ({days} days ago)", style="dim")
    return out


def plan_label(p: chart.CarePlanRow, today: date) -> Text:
    closed = p.status in ("completed", "revoked")
    text = Text(one_line(p.title), style="dim" if closed else "bold")
    text.append(f"  {code(p.status)}", style="dim")
    if p.next_review:
        text.append("  review ")
        text.append_text(due_cell(p.next_review, today))
    elif not closed:
        text.append("  no review date", style="dim italic")
    return text


def goal_label(g: chart.GoalRow, today: date) -> Text:
    text = Text("Goal: ", style="cyan")
    text.append(one_line(g.description))
    text.append(f"  {code(g.lifecycle_status)}", style="dim")
    if g.achievement_status:
        text.append(f" · {code(g.achievement_status)}", style="dim")
    if g.target_date:
        text.append("  target ")
        open_goal = g.lifecycle_status not in ("completed", "cancelled", "entered-in-error")
        text.append_text(due_cell(g.target_date, today) if open_goal else Text(day(g.target_date)))
    if g.measure:
        text.append(f"  ({one_line(g.measure)})", style="dim")
    return text


def intervention_label(i: chart.InterventionRow) -> Text:
    text = Text("▸ ", style="magenta")
    text.append(one_line(i.description))
    if i.performer:
        text.append(f"  by {one_line(i.performer)}", style="dim")
    text.append(f"  {code(i.status)}", style="dim")
    if i.scheduled_on:
        text.append(f"  {i.scheduled_on.isoformat()}")
    return text


MED_COLUMNS = [
    ("Medication", 22),
    ("Dose · route · freq", 22),
    ("Status", 8),
    ("Refill due", 10),
    ("Reconciled", 10),
    ("Prescriber", 12),
    ("Ended · reason", 22),
]
APPT_COLUMNS = [
    ("When", 20),
    ("With", 16),
    ("Where", 14),
    ("Purpose", 18),
    ("Status", 10),
    ("Transport", 16),
    ("Outcome", 20),
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
    ("Note", 50),
]


@dataclass(frozen=True, slots=True)
class TableView:
    """What one table tab shows: its rows, the record behind each key, a status line."""

    rows: list[Row]
    records: Mapping[str, object]
    status: str


def _sections(
    tab: str, width: int, parts: list[tuple[str, int, list[Row]]], shown: int, total: int
) -> list[Row]:
    rows: list[Row] = []
    for title, count, part in parts:
        rows.append(section(f"{title} — {count}", width))
        rows.extend(part)
    if total > shown:
        rows.append(more_row(tab, shown, total, width))
    return rows


def table_view(data: object, today: date) -> TableView | None:
    """The rows of the medications, appointments, tasks or notes tab for ``data``."""
    if isinstance(data, chart.Medications):
        rows = _sections(
            "medications",
            len(MED_COLUMNS),
            [
                ("Active", len(data.active), [medication_row(m, today) for m in data.active]),
                ("Past", data.past_total, [medication_row(m, today) for m in data.past]),
            ],
            len(data.past),
            data.past_total,
        )
        meds = {f"med:{m.id}": m for m in (*data.active, *data.past)}
        return TableView(rows, meds, f"{len(data.active)} active · {data.past_total} past")
    if isinstance(data, chart.Appointments):
        rows = _sections(
            "appointments",
            len(APPT_COLUMNS),
            [
                (
                    "Upcoming",
                    len(data.upcoming),
                    [appointment_row(a, today) for a in data.upcoming],
                ),
                ("Past", data.past_total, [appointment_row(a, today) for a in data.past]),
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
    if isinstance(data, chart.Tasks):
        rows = _sections(
            "tasks",
            len(TASK_COLUMNS),
            [
                ("Open", len(data.open), [task_row(t, today) for t in data.open]),
                ("Done", data.done_total, [task_row(t, today) for t in data.done]),
            ],
            len(data.done),
            data.done_total,
        )
        work = {f"task:{t.id}": t for t in (*data.open, *data.done)}
        return TableView(rows, work, f"{len(data.open)} open · {data.done_total} done")
    if isinstance(data, chart.Notes):
        rows = [note_row(n) for n in data.notes]
        if data.total > len(data.notes):
            rows.append(more_row("notes", len(data.notes), data.total, len(NOTE_COLUMNS)))
        shown = f"{len(data.notes)} of {data.total}" if data.total > len(data.notes) else ""
        return TableView(
            rows,
            {f"note:{n.id}": n for n in data.notes},
            f"{shown or data.total} note{'' if data.total == 1 else 's'}, newest first",
        )
    return None


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
        return chart.appointments(con, patient_id, today, past_limit=limit)
    if tab == "tasks":
        return chart.tasks(con, patient_id, done_limit=limit)
    if tab == "notes":
        return chart.notes(con, patient_id, limit=limit)
    raise ValueError(tab)


# --- the screen ------------------------------------------------------------------------------

PlanNode = tuple[str, int]


class PatientScreen(CaseloadScreen):
    """One patient's chart. ``tab`` is the tab shown first (see ``TABS``)."""

    HELP_TITLE = "Patient"
    BINDINGS = [
        _b("escape", "back", "Back", "Back to the previous screen"),
        _b(
            "right_square_bracket",
            "next_tab",
            "Next tab",
            "Next tab (overview, care plan, medications, appointments, tasks, notes)",
            key_display="]",
            show=False,
        ),
        _b(
            "left_square_bracket",
            "previous_tab",
            "Prev tab",
            "Previous tab",
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
    PatientScreen #careplan-tree { height: 1fr; }
    PatientScreen #note-detail {
        height: auto; max-height: 8; border-top: solid $primary 50%; padding: 0 1;
    }
    """

    def __init__(self, patient_id: int, *, tab: str = "overview") -> None:
        super().__init__()
        self.patient_id = patient_id
        self._initial_tab = tab if tab in TAB_IDS else "overview"
        #: The bundle each tab last showed ("header" too), as read.
        self._data: dict[str, object] = {}
        #: Tabs whose data a write may have changed; read again when next shown.
        self._stale: set[str] = set()
        self._limits: dict[str, int] = dict(MORE)
        #: Row key -> the frozen row it shows, per table.
        self._rows: dict[str, object] = {}
        self._covered_by_modal = False
        self._gone = False
        #: Tabs read at least once (or being read).
        self._requested: set[str] = set()

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("…"), id="patient-header")
        with TabbedContent(initial=self._initial_tab, id="patient-tabs"):
            with (
                TabPane(Content(TITLES["overview"]), id="overview"),
                VerticalScroll(id="overview-scroll"),
                Grid(id="overview-grid"),
            ):
                for part in ("patient", "contacts", "problems", "allergies", "meds", "next"):
                    yield Static(id=f"ov-{part}")
            with TabPane(Content(TITLES["careplan"]), id="careplan"):
                yield Static("", classes="tab-status", id="careplan-status")
                tree: Tree[PlanNode] = Tree(Text("Care plans"), id="careplan-tree")
                tree.show_root = False
                yield tree
            for tab, columns in (
                ("medications", MED_COLUMNS),
                ("appointments", APPT_COLUMNS),
                ("tasks", TASK_COLUMNS),
            ):
                with TabPane(Content(TITLES[tab]), id=tab):
                    yield Static("", classes="tab-status", id=f"{tab}-status")
                    yield RecordTable(columns, id=f"{tab}-table")
            with TabPane(Content(TITLES["notes"]), id="notes"), Vertical():
                yield Static("", classes="tab-status", id="notes-status")
                yield RecordTable(NOTE_COLUMNS, id="notes-table")
                yield Static("", id="note-detail")
        yield Footer()

    def on_mount(self) -> None:
        titles = {
            "patient": "Patient",
            "contacts": "Contacts",
            "problems": "Problems",
            "allergies": "Allergies",
            "meds": "Active medications",
            "next": "Next",
        }
        for part, title in titles.items():
            self.query_one(f"#ov-{part}", Static).border_title = title
        self.load("header")
        self.load(self._initial_tab)
        self.watch(self.app, "redact", lambda _old, _new: self._show_all(), init=False)
        self.call_after_refresh(self._focus_tab, self._initial_tab)

    def on_screen_suspend(self) -> None:
        self._covered_by_modal = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        """Back from another screen (not a form or dialog of this one, which reload what
        they change): what is shown may have changed there, so read it again."""
        if self._data and not self._covered_by_modal:
            self._stale.update(tab for tab in self._data if tab != self.active_tab)
            self.load("header")
            self.load(self.active_tab)

    @property
    def active_tab(self) -> str:
        try:
            return self.query_one("#patient-tabs", TabbedContent).active or self._initial_tab
        except NoMatches:
            return self._initial_tab

    def _focus_tab(self, tab: str) -> None:
        target = {
            "overview": "#overview-scroll",
            "careplan": "#careplan-tree",
        }.get(tab, f"#{tab}-table")
        with contextlib.suppress(NoMatches):
            self.query_one(target).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = ACTION_TAB.get(action)
        return tab is None or tab == self.active_tab

    @on(TabbedContent.TabActivated, "#patient-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = event.pane.id or ""
        self.refresh_bindings()
        if tab not in self._requested or tab in self._stale:
            self.load(tab)
        focused = self.focused
        if focused is None or any(isinstance(a, TabPane) for a in focused.ancestors):
            self._focus_tab(tab)

    def _switch(self, step: int) -> None:
        index = (TAB_IDS.index(self.active_tab) + step) % len(TAB_IDS)
        self.query_one("#patient-tabs", TabbedContent).active = TAB_IDS[index]
        self._focus_tab(TAB_IDS[index])

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
        else:
            view = table_view(data, today)
            if view is not None:
                self._fill(tab, view)
                if tab == "notes":
                    self._show_note_detail()

    def _fill(self, tab: str, view: TableView) -> None:
        self._rows.update(view.records)
        table = self.query_one(f"#{tab}-table", RecordTable)
        table.show(view.rows)
        key = table.selected_key or ""
        first = view.rows[1].key if len(view.rows) > 1 else "section:"
        if key.startswith("section:") and not first.startswith(("section:", "more:")):
            table.move_cursor(row=1, animate=False)
        self.query_one(f"#{tab}-status", Static).update(Text(view.status))

    def _show_overview(self, o: chart.Overview, today: date, redact: bool) -> None:
        parts = {
            "patient": demographics(o.patient, redact=redact),
            "contacts": contact_lines(o.contacts, redact=redact),
            "problems": problem_lines(o.problems),
            "allergies": allergy_lines(o.allergies),
            "meds": medication_lines(o.medications, today),
            "next": next_lines(o, today),
        }
        for part, text in parts.items():
            self.query_one(f"#ov-{part}", Static).update(text)
        high = any(a.criticality == "high" and a.clinical_status == "active" for a in o.allergies)
        allergies = self.query_one("#ov-allergies", Static)
        allergies.border_title = "Allergies — HIGH CRITICALITY" if high else "Allergies"
        allergies.set_class(high, "-high")

    def _show_careplan(self, data: chart.CarePlans, today: date) -> None:
        tree: Tree[PlanNode] = self.query_one("#careplan-tree", Tree)
        keep = tree.cursor_node.data if tree.cursor_node else None
        tree.clear()
        goals_by_plan: dict[int | None, list[chart.GoalRow]] = {}
        for g in data.goals:
            goals_by_plan.setdefault(g.care_plan_id, []).append(g)
        loose: dict[int, list[chart.InterventionRow]] = {}
        by_goal: dict[int, list[chart.InterventionRow]] = {}
        for i in data.interventions:
            if i.goal_id is None:
                loose.setdefault(i.care_plan_id, []).append(i)
            else:
                by_goal.setdefault(i.goal_id, []).append(i)
        self._rows.update({f"plan:{p.id}": p for p in data.plans})
        self._rows.update({f"goal:{g.id}": g for g in data.goals})
        self._rows.update({f"intervention:{i.id}": i for i in data.interventions})

        def add_goal(parent: Any, g: chart.GoalRow) -> None:
            node = parent.add(goal_label(g, today), data=("goal", g.id), expand=True)
            for i in by_goal.pop(g.id, []):
                node.add_leaf(intervention_label(i), data=("intervention", i.id))

        for p in data.plans:
            node = tree.root.add(plan_label(p, today), data=("plan", p.id), expand=True)
            for g in goals_by_plan.pop(p.id, []):
                add_goal(node, g)
            for i in loose.pop(p.id, []):
                node.add_leaf(intervention_label(i), data=("intervention", i.id))
        orphans = goals_by_plan.pop(None, [])
        if orphans:
            node = tree.root.add(Text("Goals outside a care plan", style="italic"), expand=True)
            for g in orphans:
                add_goal(node, g)
        for rest in by_goal.values():  # goals of another plan: shown, never lost
            for i in rest:
                tree.root.add_leaf(intervention_label(i), data=("intervention", i.id))
        nodes = _walk(tree.root)
        target = next((n for n in nodes if keep is not None and n.data == keep), None)
        if target is None and nodes:
            target = nodes[0]
        if target is not None:
            self.call_after_refresh(tree.move_cursor, target)
        open_plans = sum(1 for p in data.plans if p.status not in ("completed", "revoked"))
        self.query_one("#careplan-status", Static).update(
            Text(
                f"{open_plans} open of {len(data.plans)} plans · {len(data.goals)} goals · "
                f"{len(data.interventions)} interventions"
                if data.plans
                else "No care plan yet — n adds one"
            )
        )

    @on(DataTable.RowHighlighted, "#notes-table")
    def _show_note_detail(self) -> None:
        table = self.query_one("#notes-table", RecordTable)
        note = self._rows.get(table.selected_key or "")
        detail = self.query_one("#note-detail", Static)
        if not isinstance(note, chart.NoteRow):
            detail.update("")
            return
        text = Text(f"{instant(note.occurred_at)}  {note.kind}", style="bold")
        if note.with_whom:
            text.append(f"  with {one_line(note.with_whom)}")
        if note.minutes is not None:
            text.append(f"  {note.minutes} min", style="dim")
        text.append("\n")
        text.append(visible(note.text or ""))
        detail.update(text)

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
        }.get(key.split(":")[0])
        if edit is not None:
            edit()

    # -- selection ---------------------------------------------------------------------

    def _selected(self, tab: str, kind: type[Any]) -> Any:
        """The record under the table's cursor, or None (with a hint) on a heading."""
        key = self.query_one(f"#{tab}-table", RecordTable).selected_key or ""
        row = self._rows.get(key)
        if isinstance(row, kind):
            return row
        self.notify("Select a row first (up/down)", severity="warning", markup=False)
        return None

    def _plan_selection(self) -> tuple[str, Any] | None:
        tree: Tree[PlanNode] = self.query_one("#careplan-tree", Tree)
        node = tree.cursor_node
        if node is None or node.data is None:
            return None
        kind, record_id = node.data
        row = self._rows.get(f"{kind}:{record_id}")
        return (kind, row) if row is not None else None

    def _selected_plan(self) -> chart.CarePlanRow | None:
        """The plan of whatever is selected in the tree (a plan, goal or intervention)."""
        selection = self._plan_selection()
        if selection is None:
            return None
        _kind, row = selection
        if isinstance(row, chart.CarePlanRow):
            return row
        plan = self._rows.get(f"plan:{getattr(row, 'care_plan_id', None)}")
        return plan if isinstance(plan, chart.CarePlanRow) else None

    # -- writing -----------------------------------------------------------------------

    @property
    def db(self) -> Database:
        return self.caretui.db

    @property
    def today(self) -> date:
        return self.caretui.today

    def _form(self, form: Any, *tabs: str) -> None:
        """Open ``form``; when it saves, say what it did and read ``tabs`` again."""
        self.app.push_screen(form, partial(self._saved, tabs))

    def _saved(self, tabs: tuple[str, ...], result: object | None) -> None:
        from caretui.screens.chart_forms import Saved

        if result is None:
            return
        self.notify(result.message if isinstance(result, Saved) else "Saved", markup=False)
        self.changed(*tabs)

    def changed(self, *tabs: str) -> None:
        """A write touched ``tabs``: read the visible ones now, the others when shown."""
        for tab in tabs:
            if tab == "header" or tab == self.active_tab:
                self.load(tab)
            elif tab in self._data:
                self._stale.add(tab)

    def _run(self, job: Callable[[], object], *tabs: str) -> None:
        """Run a one-step change (it writes through a service) in a thread worker."""
        self.run_worker(partial(self._run_job, job, tabs), thread=True, group="patient-write")

    def _run_job(self, job: Callable[[], object], tabs: tuple[str, ...]) -> None:
        try:
            result = job()
        except CaretuiError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error", markup=False)
            return
        self.app.call_from_thread(self._saved, tabs, result)

    def _shown_name(self) -> str:
        """The patient's name as this screen shows it (initials when redacted)."""
        p = self._data.get("header")
        if not isinstance(p, PatientDetail):
            return ""
        return patient_name(
            p.given_name, p.family_name, p.preferred_name, redact=self.caretui.redact
        )

    # -- overview ------------------------------------------------------------------------

    def action_edit_patient(self) -> None:
        from caretui.screens.patient_forms import edit_patient_form

        current = self._data.get("header")
        if isinstance(current, PatientDetail):
            self._form(edit_patient_form(self.db, current, self.today), "header", "overview")

    def action_add_contact(self) -> None:
        from caretui.screens.chart_forms import contact_form

        self._form(contact_form(self.db, self.today, self.patient_id), "overview")

    def action_add_problem(self) -> None:
        from caretui.screens.chart_forms import problem_form

        self._form(problem_form(self.db, self.today, self.patient_id), "overview")

    def action_add_allergy(self) -> None:
        from caretui.screens.chart_forms import allergy_form

        self._form(allergy_form(self.db, self.today, self.patient_id), "overview")

    # -- care plan -----------------------------------------------------------------------

    def _plans(self) -> chart.CarePlans:
        data = self._data.get("careplan")
        return data if isinstance(data, chart.CarePlans) else chart.CarePlans((), (), ())

    def action_plan_add(self) -> None:
        from caretui.screens.chart_forms import care_plan_form

        self._form(care_plan_form(self.db, self.today, self.patient_id), "careplan")

    def action_goal_add(self) -> None:
        from caretui.screens.chart_forms import goal_form

        plan = self._selected_plan()
        plans = self._plans().plans
        form = goal_form(
            self.db, self.today, self.patient_id, plans, plan_id=plan.id if plan else None
        )
        self._form(form, "careplan")

    def action_intervention_add(self) -> None:
        from caretui.screens.chart_forms import intervention_form

        plans = self._plans()
        if not plans.plans:
            self.notify("Add a care plan first (n)", severity="warning", markup=False)
            return
        plan = self._selected_plan()
        selection = self._plan_selection()
        goal_id = None
        if selection is not None:
            _kind, row = selection
            goal_id = row.id if isinstance(row, chart.GoalRow) else getattr(row, "goal_id", None)
        form = intervention_form(
            self.db,
            self.today,
            self.patient_id,
            plans.plans,
            plans.goals,
            plan_id=plan.id if plan else plans.plans[0].id,
            goal_id=goal_id,
        )
        self._form(form, "careplan")

    def action_plan_edit(self) -> None:
        from caretui.screens import chart_forms as f

        selection = self._plan_selection()
        if selection is None:
            self.notify("Select a plan, goal or intervention first", markup=False)
            return
        _kind, row = selection
        plans, db, today, pid = self._plans(), self.db, self.today, self.patient_id
        if isinstance(row, chart.CarePlanRow):
            form = f.care_plan_form(db, today, pid, row)
        elif isinstance(row, chart.GoalRow):
            form = f.goal_form(db, today, pid, plans.plans, current=row)
        else:
            form = f.intervention_form(db, today, pid, plans.plans, plans.goals, current=row)
        self._form(form, "careplan")

    def action_plan_status(self) -> None:
        from caretui.screens.chart_forms import STATUS_CODES
        from caretui.widgets.dialogs import ChoiceDialog

        selection = self._plan_selection()
        if selection is None:
            self.notify("Select a plan, goal or intervention first", markup=False)
            return
        kind, row = selection
        current = row.lifecycle_status if isinstance(row, chart.GoalRow) else row.status
        choices = [(code(value), value) for value in STATUS_CODES[kind]]
        dialog = ChoiceDialog(f"Status of this {kind}", choices, current=current)
        self.app.push_screen(dialog, partial(self._set_plan_status, kind, row, current))

    def _set_plan_status(self, kind: str, row: Any, current: str, status: str | None) -> None:
        from caretui.screens.chart_forms import plan_item_status

        if status is not None and status != current:
            db, today = self.db, self.today
            self._run(
                lambda: plan_item_status(db, today, kind, row.id, row.version, status), "careplan"
            )

    def action_plan_review(self) -> None:
        from caretui.screens.chart_forms import next_review_form

        plan = self._selected_plan()
        if plan is None:
            self.notify("Select a care plan first", markup=False)
            return
        self._form(next_review_form(self.db, self.today, plan), "careplan")

    # -- medications ---------------------------------------------------------------------

    def action_med_add(self) -> None:
        from caretui.screens.chart_forms import medication_form

        form = medication_form(self.db, self.today, self.patient_id)
        self._form(form, "medications", "overview")

    def action_med_edit(self) -> None:
        from caretui.screens.chart_forms import medication_form

        med = self._selected("medications", chart.MedicationRow)
        if med is not None:
            form = medication_form(self.db, self.today, self.patient_id, med)
            self._form(form, "medications", "overview")

    def action_med_stop(self) -> None:
        from caretui.screens.chart_forms import stop_medication_form

        med = self._selected("medications", chart.MedicationRow)
        if med is not None:
            self._form(stop_medication_form(self.db, self.today, med), "medications", "overview")

    def action_med_refill(self) -> None:
        from caretui.screens.chart_forms import refill_due_form

        med = self._selected("medications", chart.MedicationRow)
        if med is not None:
            self._form(refill_due_form(self.db, self.today, med), "medications", "overview")

    def action_med_reconcile(self) -> None:
        from caretui.screens.chart_forms import medication_reconciled

        med = self._selected("medications", chart.MedicationRow)
        if med is not None:
            db, today = self.db, self.today
            self._run(
                lambda: medication_reconciled(db, today, med.id, med.version, med.name),
                "medications",
                "overview",
            )

    # -- appointments --------------------------------------------------------------------

    def action_appt_add(self) -> None:
        from caretui.screens.work_forms import appointment_form

        form = appointment_form(
            self.db, self.today, patient_id=self.patient_id, patient=self._shown_name()
        )
        self._form(form, "appointments", "overview")

    def action_appt_edit(self) -> None:
        appt = self._selected("appointments", chart.AppointmentRow)
        if appt is not None:
            self._edit_work("appointment", appt.id)

    def action_appt_cancel(self) -> None:
        from caretui.widgets.dialogs import TextDialog

        appt = self._selected("appointments", chart.AppointmentRow)
        if appt is not None:
            dialog = TextDialog(
                f"Cancel the appointment of {when(appt)}",
                label="Reason",
                placeholder="e.g. patient in hospital",
            )
            self.app.push_screen(dialog, partial(self._cancel_appointment, appt))

    def _cancel_appointment(self, appt: chart.AppointmentRow, reason: str | None) -> None:
        from caretui.screens.work_forms import appointment_cancel

        if reason is not None:
            db, today = self.db, self.today
            self._run(
                lambda: appointment_cancel(db, today, appt.id, appt.version, reason or None),
                "appointments",
                "overview",
            )

    def action_appt_outcome(self) -> None:
        from caretui.screens.work_forms import OUTCOME_CHOICES
        from caretui.widgets.dialogs import ChoiceDialog

        appt = self._selected("appointments", chart.AppointmentRow)
        if appt is not None:
            dialog = ChoiceDialog(f"What happened at {when(appt)}?", OUTCOME_CHOICES)
            self.app.push_screen(dialog, partial(self._record_outcome, appt))

    def _record_outcome(self, appt: chart.AppointmentRow, outcome: str | None) -> None:
        from caretui.screens.work_forms import appointment_outcome

        if outcome is not None:
            db, today = self.db, self.today
            self._run(
                lambda: appointment_outcome(db, today, appt.id, appt.version, outcome),
                "appointments",
                "overview",
                "tasks",
            )

    def action_appt_transport(self) -> None:
        from caretui.screens.chart_forms import transport_form

        appt = self._selected("appointments", chart.AppointmentRow)
        if appt is not None:
            self._form(transport_form(self.db, self.today, appt), "appointments", "overview")

    # -- tasks ---------------------------------------------------------------------------

    def action_task_add(self) -> None:
        from caretui.screens.work_forms import task_form

        form = task_form(
            self.db,
            self.today,
            patient_id=self.patient_id,
            queues=self.caretui.settings.queues,
            patient=self._shown_name(),
        )
        self._form(form, "tasks", "overview")

    def action_task_edit(self) -> None:
        task = self._selected("tasks", chart.TaskRow)
        if task is not None:
            self._edit_work("task", task.id)

    def action_task_snooze(self) -> None:
        from caretui.widgets.dialogs import DateDialog

        task = self._selected("tasks", chart.TaskRow)
        if task is None:
            return
        today = self.today
        dialog = DateDialog(
            "Snooze until",
            today=today,
            initial=task.wait_until,
            check=lambda day: None if day > today else "Choose a date after today",
        )
        self.app.push_screen(dialog, partial(self._snooze, task))

    def _snooze(self, task: chart.TaskRow, until: date | None) -> None:
        from caretui.screens.work_forms import task_snooze

        if until is not None:
            db, today = self.db, self.today
            self._run(
                lambda: task_snooze(db, today, task.id, task.version, until), "tasks", "overview"
            )

    def action_task_done(self) -> None:
        from caretui.screens.work_forms import task_done

        task = self._selected("tasks", chart.TaskRow)
        if task is not None:
            db, today = self.db, self.today
            self._run(lambda: task_done(db, today, task.id, task.version), "tasks", "overview")

    def _edit_work(self, kind: str, record_id: int) -> None:
        """Open the shared task or appointment form on the record, read fresh."""
        self.run_worker(
            partial(self._read_work, kind, record_id),
            thread=True,
            exclusive=True,
            group="patient-edit",
        )

    def _read_work(self, kind: str, record_id: int) -> None:
        from caretui.queries.agenda import appointment_detail
        from caretui.queries.tasks import task_detail

        with self.caretui.reading() as con:
            current = (
                task_detail(con, record_id)
                if kind == "task"
                else appointment_detail(con, record_id)
            )
        if current is not None and not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._push_work_form, current)

    def _push_work_form(self, current: object) -> None:
        from caretui.queries.agenda import AppointmentDetail
        from caretui.queries.tasks import TaskDetail
        from caretui.screens.work_forms import appointment_form, task_form

        name = self._shown_name()
        if isinstance(current, TaskDetail):
            queues = self.caretui.settings.queues
            form = task_form(self.db, self.today, current=current, queues=queues, patient=name)
            self._form(form, "tasks", "overview")
        elif isinstance(current, AppointmentDetail):
            pid = self.patient_id
            form = appointment_form(
                self.db, self.today, patient_id=pid, current=current, patient=name
            )
            self._form(form, "appointments", "overview")

    # -- notes ---------------------------------------------------------------------------

    def action_note_add(self) -> None:
        from caretui.screens.chart_forms import note_form

        self._form(note_form(self.db, self.today, self.patient_id), "notes", "overview")


def _walk(node: Any) -> list[Any]:
    out = []
    for child in node.children:
        out.append(child)
        out.extend(_walk(child))
    return out
