"""`1` Today: one ranked list of what needs attention now, worked from the keyboard.

The first paint reads through the plain read side (``queries.today``) in a
thread worker and ranks with ``services.triage`` (the top ``PAGE`` rows; more
are read as the cursor nears the end): no SQLAlchemy is imported before it.

Each key writes through the services in a thread worker, inside one
``action()``. The list is then brought up to date in place, not reloaded: the
audit trail says which records the action touched, their Today items are read
again, and each row is dropped, updated or added, and re-ranked where its score
moved. Only undo, which can touch anything, reloads the whole list.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.events import ScreenResume
from textual.widgets import Checkbox, DataTable, Header, Input, Label, Select, Static
from textual.widgets.data_table import RowDoesNotExist
from textual.worker import get_current_worker

from caretui import codes
from caretui.errors import CaretuiError, StaleRecord
from caretui.queries.names import patient_name
from caretui.queries.today import (
    CARE_MINUTES_THRESHOLD,
    KIND_LABELS,
    SOURCES,
    ItemKind,
    TodayItem,
    count_items,
    default_now,
    query_params,
    today_items,
)
from caretui.screens.base import CaseloadScreen
from caretui.services.text import one_line
from caretui.services.triage import Ranked, Weights, explain, rank
from caretui.widgets.dialogs import Dialog
from caretui.widgets.keys_footer import KeysFooter
from caretui.widgets.records import RecordTable, Row, cell

if TYPE_CHECKING:
    from caretui.store.database import Database

#: Rows ranked and shown at first; as many more each time the cursor nears the end.
PAGE = 200
PRIORITY_STYLE = {"stat": "bold reverse red", "asap": "bold red", "urgent": "yellow", "routine": ""}
#: The patient tab each kind of item opens on.
TAB_OF_KIND = {
    ItemKind.TASK: "tasks",
    ItemKind.APPOINTMENT_NOT_READY: "appointments",
    ItemKind.APPOINTMENT_NO_OUTCOME: "appointments",
    ItemKind.REFILL: "medications",
    ItemKind.PLAN_REVIEW: "careplan",
    ItemKind.GOAL_OVERDUE: "careplan",
    ItemKind.REFERRAL_OVERDUE: "referrals",
    ItemKind.REFERRAL_DRAFT: "referrals",
    ItemKind.REFERRAL_NO_OUTCOME: "referrals",
    ItemKind.UNABLE_TO_REACH: "overview",
}
#: Kinds of row about a referral: x moves it a step.
REFERRAL_KINDS = frozenset(
    {ItemKind.REFERRAL_OVERDUE, ItemKind.REFERRAL_DRAFT, ItemKind.REFERRAL_NO_OUTCOME}
)
COLUMNS = [("Kind", 14), ("Patient", 26), ("What", 44), ("When", 12), ("Priority", 8), ("Score", 6)]
SCORE_COLUMN = 5
_KIND_ORDER = {kind: i for i, kind in enumerate(ItemKind)}


# --------------------------------------------------------------------------- rows


class ScoreCell(Text):
    """The score, carrying the row's place in the ranking so the table re-sorts in place."""

    __slots__ = ("order",)

    def __init__(self, ranked: Ranked) -> None:
        super().__init__(f"{ranked.score:.1f}", style="bold", justify="right")
        item = ranked.item
        self.order = (
            -ranked.score,
            item.when,
            _KIND_ORDER[item.kind],
            item.at or datetime.min,
            item.record_id,
        )


def item_key(item: TodayItem) -> str:
    """The row key of an item: the record it is about ("task:12")."""
    return f"{item.entity}:{item.record_id}"


def when_text(item: TodayItem, today: date) -> Text:
    """ "today 14:00" (the time for today's appointments), "3d ago", "in 2d"; red when
    overdue, "?" for a bad stored date."""
    if item.bad_date:
        return Text("?", style="bold red")
    delta = (item.when - today).days
    text = "today" if delta == 0 else f"{-delta}d ago" if delta < 0 else f"in {delta}d"
    if item.at is not None and delta == 0:
        text += f" {item.at:%H:%M}"
    return Text(text, style="red" if delta < 0 else "bold" if delta == 0 else "")


def today_row(ranked: Ranked, today: date, *, redact: bool) -> Row:
    item = ranked.item
    patient = "—"
    if item.patient_id is not None:
        patient = patient_name(
            item.given_name or "", item.family_name or "", item.preferred_name, redact=redact
        )
    what = Text(one_line(item.what) or "—", no_wrap=True, overflow="ellipsis")
    if item.detail:
        what.append(f" — {one_line(item.detail)}", style="dim")
    return Row(
        item_key(item),
        (
            Text(KIND_LABELS[item.kind]),
            Text(one_line(patient), no_wrap=True, overflow="ellipsis"),
            what,
            when_text(item, today),
            Text(item.priority.value, style=PRIORITY_STYLE.get(item.priority.value, "")),
            ScoreCell(ranked),
        ),
    )


# ------------------------------------------------------------------- read helpers
# Small read-side helpers for refreshing rows in place: stdlib sqlite3 only.

_ALIAS = {
    ItemKind.TASK: "t",
    ItemKind.APPOINTMENT_NOT_READY: "a",
    ItemKind.APPOINTMENT_NO_OUTCOME: "a",
    ItemKind.REFILL: "m",
    ItemKind.PLAN_REVIEW: "c",
    ItemKind.GOAL_OVERDUE: "g",
    ItemKind.REFERRAL_OVERDUE: "r",
    ItemKind.REFERRAL_DRAFT: "r",
    ItemKind.REFERRAL_NO_OUTCOME: "r",
    ItemKind.UNABLE_TO_REACH: "p",
    ItemKind.CARE_MINUTES: "p",
}
_ENTITY = {
    ItemKind.TASK: "task",
    ItemKind.APPOINTMENT_NOT_READY: "appointment",
    ItemKind.APPOINTMENT_NO_OUTCOME: "appointment",
    ItemKind.REFILL: "medication",
    ItemKind.PLAN_REVIEW: "care_plan",
    ItemKind.GOAL_OVERDUE: "goal",
    ItemKind.REFERRAL_OVERDUE: "referral",
    ItemKind.REFERRAL_DRAFT: "referral",
    ItemKind.REFERRAL_NO_OUTCOME: "referral",
    ItemKind.UNABLE_TO_REACH: "patient",
    ItemKind.CARE_MINUTES: "care_minutes",
}


def audit_mark(con: sqlite3.Connection) -> int:
    """The newest audit event's id: every write adds one, so it marks "changed since"."""
    row = con.execute("SELECT MAX(id) FROM audit_event").fetchone()
    return int(row[0] or 0) if row else 0


def touched_since(con: sqlite3.Connection, mark: int) -> dict[str, set[int]]:
    """The records (table -> ids) that actions after ``mark`` created, changed or deleted."""
    out: dict[str, set[int]] = {}
    for entity, record_id in con.execute(
        "SELECT DISTINCT entity, record_id FROM audit_event WHERE id > ?", (mark,)
    ):
        out.setdefault(str(entity), set()).add(int(record_id))
    return out


def items_of(
    con: sqlite3.Connection,
    today: date,
    records: dict[str, set[int]],
    *,
    refill_window_days: int,
    now: datetime,
    care_threshold: int = CARE_MINUTES_THRESHOLD,
) -> list[TodayItem]:
    """The Today items of the given records only (Today's own queries, narrowed by id)."""
    params = query_params(
        today, refill_window_days=refill_window_days, now=now, care_threshold=care_threshold
    )
    out: list[TodayItem] = []
    for source in SOURCES:
        if source.kind not in _ENTITY:  # a kind this screen does not act on yet
            continue
        ids = sorted(records.get(_ENTITY[source.kind], ()))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            keys = {f"rid_{i}": rid for i, rid in enumerate(chunk)}
            sql = (
                source.select_sql.rstrip()
                + f"\n  AND {_ALIAS[source.kind]}.id IN ({', '.join(':' + k for k in keys)})"
            )
            out.extend(source.convert(con.execute(sql, {**params, **keys}), today, now))
    return out


@dataclass(frozen=True, slots=True)
class Counts:
    overdue: int
    today: int
    total: int


@dataclass(frozen=True, slots=True)
class Loaded:
    """A full read of the list: the top rows, ranked, and the counts."""

    ranked: tuple[Ranked, ...]
    counts: Counts
    mark: int


@dataclass(frozen=True, slots=True)
class Refreshed:
    """What changed after a write: the rows it touched, re-read and re-ranked."""

    message: str
    touched: frozenset[str]
    ranked: tuple[Ranked, ...]
    counts: Counts
    mark: int
    undo: str | None
    error: bool = False


def read_error(db: Database, exc: BaseException) -> str:
    """One line for the user from a caretui or SQLite error (neither names any data)."""
    if isinstance(exc, CaretuiError):
        return exc.message
    from caretui.store.plain import describe_sqlite_error

    return describe_sqlite_error(db.path, exc)


# -------------------------------------------------------- writes (thread workers)


def _fresh(session: Any, model: Any, record_id: int, version: int) -> Any:
    from caretui.screens.chart_forms import fresh

    return fresh(session, model, record_id, version)


def reconcile_refill(db: Database, today: date, med_id: int, version: int, next_due: date) -> str:
    """Reconciled today, and the next refill's date, in one action."""
    from caretui.models.all import Medication
    from caretui.services import dates
    from caretui.services.medications import mark_reconciled, set_refill_due
    from caretui.services.unit import action

    with action(db, "Reconcile medication") as session:
        med = _fresh(session, Medication, med_id, version)
        mark_reconciled(session, med, today=today)
        set_refill_due(session, med, next_due, today=today)
    return f"Reconciled today; next refill due {dates.describe(next_due, today)}"


def move_refill(db: Database, today: date, med_id: int, version: int, due: date) -> str:
    from caretui.models.all import Medication
    from caretui.services import dates
    from caretui.services.medications import set_refill_due
    from caretui.services.unit import action

    with action(db, "Set refill due") as session:
        set_refill_due(session, _fresh(session, Medication, med_id, version), due, today=today)
    return f"Refill due {dates.describe(due, today)}"


def review_plan(db: Database, today: date, plan_id: int, version: int, on: date, label: str) -> str:
    from caretui.models.all import CarePlan
    from caretui.services import dates
    from caretui.services.careplans import set_next_review
    from caretui.services.unit import action

    with action(db, label) as session:
        set_next_review(session, _fresh(session, CarePlan, plan_id, version), on, today=today)
    return f"Next review {dates.describe(on, today)}"


def goal_achieved(db: Database, today: date, goal_id: int, version: int) -> str:
    from caretui.models.all import Goal
    from caretui.services.careplans import update_goal
    from caretui.services.unit import action

    with action(db, "Goal achieved") as session:
        goal = _fresh(session, Goal, goal_id, version)
        update_goal(
            session,
            goal,
            {
                "lifecycle_status": codes.GoalLifecycleStatus.COMPLETED,
                "achievement_status": codes.GoalAchievementStatus.ACHIEVED,
            },
            today=today,
        )
    return "Goal marked achieved"


def goal_target(db: Database, today: date, goal_id: int, version: int, target: date) -> str:
    from caretui.models.all import Goal
    from caretui.services import dates
    from caretui.services.careplans import update_goal
    from caretui.services.unit import action

    with action(db, "Set goal target") as session:
        goal = _fresh(session, Goal, goal_id, version)
        update_goal(session, goal, {"target_date": target}, today=today)
    return f"New target date {dates.describe(target, today)}"


def appointment_ready(
    db: Database, today: date, appt_id: int, version: int, *, book: bool, ride: str | None
) -> str:
    """What kept today's appointment from being ready is done: booked, ride arranged."""
    from caretui.models.all import Appointment
    from caretui.services.appointments import update_appointment
    from caretui.services.unit import action

    fields: dict[str, Any] = {}
    if book:
        fields["status"] = codes.AppointmentStatus.BOOKED
    if ride is not None:
        fields.update(transport=codes.Transport.ARRANGED, transport_details=ride)
    with action(db, "Appointment ready") as session:
        appt = _fresh(session, Appointment, appt_id, version)
        update_appointment(session, appt, fields, today=today)
    done = [word for word, did in (("booked", book), ("ride arranged", ride is not None)) if did]
    return "Appointment " + " and ".join(done)


def call_form(db: Database, today: date, patient_id: int, patient: str) -> Any:
    """Log a call for the patient: outcome, with whom, minutes (empty unless typed), text."""
    from caretui.screens.chart_forms import Saved
    from caretui.screens.patient_forms import choices
    from caretui.widgets.form import Field, FormScreen

    fields = [
        Field("outcome", "Outcome", "choice", choices=choices(codes.OutreachOutcome)),
        Field("with_whom", "With", placeholder="e.g. patient, daughter, pharmacy"),
        Field("minutes", "Minutes spent", "int", placeholder="empty if not counted"),
        Field("text", "Note", "multiline"),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.services.notes import log_note
        from caretui.services.unit import action

        now = datetime.combine(today, datetime.now().time())
        with action(db, "Log call") as session:
            note = log_note(
                session,
                patient_id,
                kind=codes.NoteKind.CALL,
                outcome=values["outcome"],
                with_whom=values["with_whom"],
                minutes=values["minutes"],
                text=values["text"],
                now=now,
            )
            from caretui.services.outreach import change_of

            change = change_of(session)  # the unable-to-reach rule may have acted
            return Saved(note.id, "Call logged" + (f"; {change.message}" if change else ""))

    title = Text("Log a call — ")
    title.append(one_line(patient))
    return FormScreen(title, fields, save, today=today)


# ------------------------------------------------------------------------ dialogs


class ExplainDialog(Dialog[None]):
    """`i`: the factors of one row's score, as a table of numbers."""

    DEFAULT_CSS = """
    ExplainDialog #explain-factors { margin: 1 0 0 0; }
    """

    def __init__(self, ranked: Ranked, patient: str) -> None:
        super().__init__()
        self._ranked = ranked
        self._patient = patient

    def compose(self) -> ComposeResult:
        item = self._ranked.item
        title = Text(f"Why {KIND_LABELS[item.kind]} scores {self._ranked.score:.1f}")
        about = Text(one_line(self._patient) + " · " if self._patient else "")
        about.append(one_line(item.what))
        with Vertical():
            yield Label(title, classes="dialog-title")
            yield Static(about, id="explain-item")
            yield Static(Text("\n".join(explain(self._ranked))), id="explain-factors")
            yield Static(
                Text("Coefficients: the [urgency] table of the config file · escape closes"),
                classes="dialog-hint",
            )


@dataclass(frozen=True, slots=True)
class SheetRequest:
    fmt: str
    path: Path
    redact: bool


class DaySheetDialog(Dialog[SheetRequest | None]):
    """`p`: write the day sheet: a format, where, redacted or not."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "write", "Write", id="sheet.write", tooltip="Write the day sheet"),
    ]

    def __init__(self, day: date, *, redact: bool) -> None:
        super().__init__()
        self.day = day
        self._redact = redact
        #: The path last filled in for the user; once they type another, it stays theirs.
        self._auto_path = self.default_path("html", redact)
        self._edited = False

    def default_path(self, fmt: str, redact: bool) -> str:
        from caretui.services.day_sheet import default_path

        return str(default_path(self.day, fmt, redacted=redact))

    def compose(self) -> ComposeResult:
        formats = [
            (Text("HTML: prints well from a browser"), "html"),
            (Text("PDF (needs caretui[pdf])"), "pdf"),
            (Text("Markdown"), "md"),
            (Text("Plain text"), "txt"),
        ]
        with Vertical():
            yield Label(
                Text(f"Day sheet — {self.day:%a} {self.day.isoformat()}"), classes="dialog-title"
            )
            yield Label(Text("Format"), classes="dialog-label")
            yield Select(formats, value="html", allow_blank=False, id="sheet-format")
            yield Checkbox(
                Text("Redacted: initials, no birth date, phone or address"),
                value=self._redact,
                id="sheet-redact",
            )
            yield Label(Text("Save to"), classes="dialog-label")
            yield Input(self._auto_path, id="sheet-path")
            yield Static("", id="sheet-error", classes="dialog-error")
            yield Static(Text("enter or ctrl+s writes it · escape cancels"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#sheet-path", Input).focus()

    def _choice(self) -> tuple[str, bool]:
        fmt = self.query_one("#sheet-format", Select).value
        return (fmt if isinstance(fmt, str) else "html"), self.query_one(Checkbox).value

    @on(Select.Changed, "#sheet-format")
    @on(Checkbox.Changed, "#sheet-redact")
    def _refresh_path(self) -> None:
        if not self._edited:
            fmt, redact = self._choice()
            self._auto_path = self.default_path(fmt, redact)
            self.query_one("#sheet-path", Input).value = self._auto_path

    @on(Input.Changed, "#sheet-path")
    def _path_edited(self, event: Input.Changed) -> None:
        self._edited = event.value != self._auto_path

    @on(Input.Submitted, "#sheet-path")
    def action_write(self) -> None:
        fmt, redact = self._choice()
        text = self.query_one("#sheet-path", Input).value.strip()
        if not text:
            self.query_one("#sheet-error", Static).update(Text("Where should it be saved?"))
            return
        path = Path(text).expanduser()
        if path.is_dir():
            from caretui.services.day_sheet import default_filename

            path = path / default_filename(self.day, fmt, redacted=redact)
        self.dismiss(SheetRequest(fmt, path, redact))


# ------------------------------------------------------------------------- screen


def _binding(key: str, action: str, description: str, tooltip: str, **kw: Any) -> Binding:
    return Binding(key, action, description, id=f"today.{action}", tooltip=tooltip, **kw)


class TodayScreen(CaseloadScreen):
    HELP_TITLE = "Today"
    HELP_EXTRA = Text(
        "The list is ranked by an urgency score: i shows how a row's score was made; "
        "the coefficients are the [urgency] table of the config file.\n"
        "Dates: today, tomorrow, fri, +3d, next week, 12/01, 2026-12-01."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        _binding(
            "x",
            "done",
            "Done",
            "Done: a task is completed (a repeating one creates its next), a refill "
            "reconciled with its next date, a review held with its next date, a goal "
            "achieved, an appointment's outcome recorded",
        ),
        _binding(
            "s",
            "snooze",
            "Snooze",
            "Hide a task until a later day (a care-plan review: move the review)",
        ),
        _binding(
            "r",
            "reschedule",
            "Reschedule",
            "Move the date: a task's due date, an appointment's start, a refill's "
            "date, a review, a goal's target",
        ),
        _binding("l", "log_call", "Log call", "Log a call with the row's patient"),
        _binding(
            "o",
            "outcome",
            "Outcome",
            "Record an appointment's outcome: fulfilled, no-show (adds a follow-up "
            "task) or cancelled",
        ),
        _binding(
            "enter",
            "open",
            "Open",
            "Open the patient at the tab the row is about",
        ),
        _binding(
            "u",
            "undo",
            "Undo",
            "Undo the last change and reload (one not made here is confirmed first)",
        ),
        _binding("i", "explain", "Why?", "How the row's urgency score was made"),
        _binding("p", "day_sheet", "Day sheet", "Write the day sheet (HTML, PDF, Markdown, text)"),
    ]
    DEFAULT_CSS = """
    TodayScreen #today-status { padding: 0 1; height: 1; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        #: The ranked item behind each row key.
        self._ranked: dict[str, Ranked] = {}
        self._counts = Counts(0, 0, 0)
        self._mark = 0
        self._undo: str | None = None
        self._loaded = False
        self._writing = 0
        self._modal_open = False
        #: The undo label of this screen's last change (undone without asking).
        self._mine: str | None = None
        self._weights = Weights()
        #: How many times the whole list was read and shown (tests check it stays 1).
        self.full_loads = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Reading…"), id="today-status")
        yield RecordTable(COLUMNS, id="today-table")
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
        self._load(max(PAGE, len(self._ranked)))

    @work(thread=True, exclusive=True, group="today-load")
    def _load(self, limit: int) -> None:
        app = self.caretui
        day, now = app.today, self._now
        window = app.settings.refill_window_days
        try:
            with app.reading() as con:
                items = today_items(
                    con, day, refill_window_days=window, now=now, care_threshold=self._threshold
                )
                counts = self._count(con, day, now, total=len(items))
                mark = audit_mark(con)
        except (CaretuiError, sqlite3.DatabaseError) as exc:
            self.app.call_from_thread(self._failed, read_error(app.db, exc))
            return
        ranked = tuple(rank(items, day, self._weights, now, limit=limit))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_all, Loaded(ranked, counts, mark))

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
        """Names redacted or shown again: the same rows, drawn again, no reading."""
        ordered = sorted(self._ranked.values(), key=lambda r: ScoreCell(r).order)
        self.table.show(self._rows(ordered))

    @on(DataTable.RowHighlighted, "#today-table")
    def _maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        shown = self.table.row_count
        if self._loaded and shown < self._counts.total and event.cursor_row >= shown - 10:
            self._load_more(shown + PAGE)

    @work(thread=True, exclusive=True, group="today-more")
    def _load_more(self, limit: int) -> None:
        app = self.caretui
        day, now = app.today, self._now
        try:
            with app.reading() as con:
                window = app.settings.refill_window_days
                items = today_items(
                    con, day, refill_window_days=window, now=now, care_threshold=self._threshold
                )
        except (CaretuiError, sqlite3.DatabaseError) as exc:
            self.app.call_from_thread(self._failed, read_error(app.db, exc))
            return
        ranked = tuple(rank(items, day, self._weights, now, limit=limit))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_more, ranked)

    def _show_more(self, ranked: tuple[Ranked, ...]) -> None:
        added = [r for r in ranked if item_key(r.item) not in self._ranked]
        if not added:
            return
        for row in self._rows(added):
            self.table.add_row(*(cell(c) for c in row.cells), key=row.key)
        self._ranked.update({item_key(r.item): r for r in added})
        self._resort(self.table.selected_key)
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
        """The last undoable action's name, for the status line (after the first paint:
        this imports the write side)."""
        from caretui.services.undo import last_undoable

        label = last_undoable(self.caretui.db)
        self.app.call_from_thread(self._set_undo, label)

    def _set_undo(self, label: str | None) -> None:
        self._undo = label
        self._show_status()

    def _show_status(self) -> None:
        day = self.caretui.today
        c = self._counts
        shown = self.table.row_count
        status = Text(f"{day:%a} {day.isoformat()}  ·  ")
        status.append(f"{c.overdue:,} overdue", style="bold red" if c.overdue else "")
        status.append(f" · {c.today:,} today · {c.total:,} in all")
        if shown < c.total:
            status.append(f" ({shown:,} shown)")
        if self._undo:
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
        with self.caretui.reading() as con:
            mark = audit_mark(con)
        self.app.call_from_thread(self._maybe_reload, mark)

    def _maybe_reload(self, mark: int) -> None:
        if mark > self._mark and not self._writing:
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

    def _ask_date(
        self,
        title: Text,
        item: TodayItem,
        write: Callable[[date], Callable[[], str]],
        *,
        initial: date | None = None,
        after_today: bool = False,
    ) -> None:
        from caretui.widgets.dialogs import DateDialog

        today = self.caretui.today

        def chosen(day: date | None) -> None:
            if day is not None:
                self._write(write(day), item_key(item))

        check = (
            (lambda d: None if d > today else "Choose a day after today") if after_today else None
        )
        self._push(DateDialog(title, today=today, initial=initial, check=check), chosen)

    # -- the actions ----------------------------------------------------------------

    def action_done(self) -> None:
        ranked = self.selected()
        if ranked is None:
            return
        item = ranked.item
        db, today = self.caretui.db, self.caretui.today
        rid, version = item.record_id, item.version
        kind = item.kind
        if kind is ItemKind.TASK:
            from caretui.screens.work_forms import task_done

            self._write(lambda: task_done(db, today, rid, version).message, item_key(item))
        elif kind is ItemKind.REFILL:
            self._ask_date(
                self._title("Reconciled today; next refill due", item),
                item,
                lambda due: lambda: reconcile_refill(db, today, rid, version, due),
                initial=today + timedelta(days=30),
                after_today=True,
            )
        elif kind is ItemKind.PLAN_REVIEW:
            self._ask_date(
                self._title("Review held; next review on", item),
                item,
                lambda on: lambda: review_plan(db, today, rid, version, on, "Review care plan"),
                initial=today + timedelta(days=90),
                after_today=True,
            )
        elif kind is ItemKind.GOAL_OVERDUE:
            self._write(lambda: goal_achieved(db, today, rid, version), item_key(item))
        elif kind is ItemKind.APPOINTMENT_NO_OUTCOME:
            self.action_outcome()
        elif kind is ItemKind.APPOINTMENT_NOT_READY:
            self._make_ready(item)
        elif kind in REFERRAL_KINDS:
            from caretui.screens.referral_forms import step_from

            key = item_key(item)
            step_from(self, rid, push=self._push, done=lambda m: self._written_elsewhere(m, key))
        elif kind is ItemKind.UNABLE_TO_REACH:
            self.action_log_call()
        else:
            self._tell("x does nothing for this kind of row yet; enter opens the patient.")

    def _make_ready(self, item: TodayItem) -> None:
        """x on a not-ready appointment: book it, and arrange the ride (asking its details)."""
        from caretui.widgets.dialogs import TextDialog

        db, today = self.caretui.db, self.caretui.today
        rid, version = item.record_id, item.version
        book = "not booked" in item.detail
        needs_ride = "transport needed" in item.detail
        if not needs_ride:
            self._write(
                lambda: appointment_ready(db, today, rid, version, book=book, ride=None),
                item_key(item),
            )
            return

        def chosen(details: str | None) -> None:
            if details:
                self._write(
                    lambda: appointment_ready(db, today, rid, version, book=book, ride=details),
                    item_key(item),
                )

        dialog = TextDialog(
            self._title("Ride arranged", item),
            label="Details: who drives, pick-up time",
            required=True,
        )
        self._push(dialog, chosen)

    def action_snooze(self) -> None:
        ranked = self.selected()
        if ranked is None:
            return
        item = ranked.item
        db, today = self.caretui.db, self.caretui.today
        rid, version = item.record_id, item.version
        if item.kind is ItemKind.TASK:
            from caretui.screens.work_forms import task_snooze

            self._ask_date(
                self._title("Snooze until", item),
                item,
                lambda until: lambda: task_snooze(db, today, rid, version, until).message,
                initial=today + timedelta(days=1),
                after_today=True,
            )
        elif item.kind is ItemKind.PLAN_REVIEW:
            self._ask_date(
                self._title("Snooze the review: move it to", item),
                item,
                lambda on: lambda: review_plan(db, today, rid, version, on, "Postpone review"),
                initial=today + timedelta(days=7),
                after_today=True,
            )
        else:
            self._tell(SNOOZE_REFUSED.get(item.kind, "This kind of row cannot be snoozed."))

    def action_reschedule(self) -> None:
        ranked = self.selected()
        if ranked is None:
            return
        item = ranked.item
        db, today = self.caretui.db, self.caretui.today
        rid, version = item.record_id, item.version
        kind = item.kind
        if kind is ItemKind.TASK:
            from caretui.screens.work_forms import task_due

            self._ask_date(
                self._title("Due", item),
                item,
                lambda due: lambda: task_due(db, today, rid, version, due).message,
                initial=max(item.when, today),
            )
        elif kind in (ItemKind.APPOINTMENT_NOT_READY, ItemKind.APPOINTMENT_NO_OUTCOME):
            from caretui.screens.work_forms import appointment_reschedule
            from caretui.widgets.dialogs import DateTimeDialog

            def moved(start: datetime | None) -> None:
                if start is not None:
                    self._write(
                        lambda: appointment_reschedule(db, today, rid, version, start).message,
                        item_key(item),
                    )

            dialog = DateTimeDialog(self._title("Move to", item), today=today, initial=item.at)
            self._push(dialog, moved)
        elif kind is ItemKind.REFILL:
            self._ask_date(
                self._title("Refill due", item),
                item,
                lambda due: lambda: move_refill(db, today, rid, version, due),
                initial=item.when,
            )
        elif kind is ItemKind.PLAN_REVIEW:
            self._ask_date(
                self._title("Next review", item),
                item,
                lambda on: lambda: review_plan(db, today, rid, version, on, "Set next review"),
                initial=today + timedelta(days=7),
            )
        elif kind is ItemKind.GOAL_OVERDUE:
            self._ask_date(
                self._title("New target date", item),
                item,
                lambda on: lambda: goal_target(db, today, rid, version, on),
                initial=today + timedelta(days=30),
                after_today=True,
            )
        else:
            self._tell("r does nothing for this kind of row yet; enter opens the patient.")

    def action_outcome(self) -> None:
        from caretui.screens.work_forms import OUTCOME_CHOICES, appointment_outcome
        from caretui.widgets.dialogs import ChoiceDialog

        ranked = self.selected()
        if ranked is None:
            return
        item = ranked.item
        if item.entity != "appointment":
            self._tell("o records an appointment's outcome; this row is not an appointment.")
            return
        db, today = self.caretui.db, self.caretui.today
        rid, version = item.record_id, item.version

        def chosen(outcome: str | None) -> None:
            if outcome:
                self._write(
                    lambda: appointment_outcome(db, today, rid, version, outcome).message,
                    item_key(item),
                )

        self._push(ChoiceDialog(self._title("What happened", item), OUTCOME_CHOICES), chosen)

    def action_log_call(self) -> None:
        ranked = self.selected()
        if ranked is None:
            return
        item = ranked.item
        if item.patient_id is None:
            self._tell("This task is about no patient: there is no one to log a call for.")
            return
        form = call_form(self.caretui.db, self.caretui.today, item.patient_id, self._patient(item))

        def saved(result: object | None) -> None:
            message = getattr(result, "message", None)
            if isinstance(message, str):
                self._written_elsewhere(message, item_key(item))

        self._push(form, saved)

    @on(DataTable.RowSelected, "#today-table")
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        ranked = self.selected()
        if ranked is None:
            return
        item = ranked.item
        if item.patient_id is None:
            self._tell("This task is about no patient; find it in Queues (4).")
            return
        self.caretui.open_patient(item.patient_id, TAB_OF_KIND.get(item.kind, "overview"))

    def action_explain(self) -> None:
        ranked = self.selected()
        if ranked is not None:
            self._push(ExplainDialog(ranked, self._patient(ranked.item)))

    def action_undo(self) -> None:
        self._undo_last(confirmed=False)

    @work(thread=True, exclusive=True, group="today-undo")
    def _undo_last(self, *, confirmed: bool) -> None:
        """Undo the newest change. One not made on this screen (a form elsewhere, an
        import, another caretui) is undone only once confirmed: undo can touch anything."""
        from caretui.services.undo import last_undoable, undo_last

        db = self.caretui.db
        if not confirmed:
            label = last_undoable(db)
            if label is None:
                self.app.call_from_thread(self._tell, "Nothing to undo")
                return
            if label != self._mine:
                self.app.call_from_thread(self._confirm_undo, label)
                return
        try:
            undone = undo_last(db)
        except CaretuiError as exc:
            self.app.call_from_thread(self._failed, exc.message)
            return
        self.app.call_from_thread(self._undone, undone)

    def _confirm_undo(self, label: str) -> None:
        from caretui.widgets.dialogs import ChoiceDialog

        def chosen(answer: str | None) -> None:
            if answer == "undo":
                self._undo_last(confirmed=True)

        title = Text("Undo “")
        title.append(one_line(label))
        title.append("”? It was not done on this screen.")
        choices = [("keep it", "keep"), ("undo it", "undo")]
        self._push(ChoiceDialog(title, choices), chosen)

    def _undone(self, label: str | None) -> None:
        self._mine = None
        self._tell(f"Undone: {label}" if label else "Nothing to undo")
        if label:
            self.reload()

    def action_day_sheet(self) -> None:
        today = self.caretui.today

        def chosen(request: SheetRequest | None) -> None:
            if request is not None:
                self._write_sheet(request)

        self._push(DaySheetDialog(today, redact=self.caretui.redact), chosen)

    @work(thread=True, exclusive=True, group="today-sheet")
    def _write_sheet(self, request: SheetRequest) -> None:
        from caretui.services.day_sheet import build_day_sheet, save

        app = self.caretui
        settings = app.settings
        try:
            with app.reading() as con:
                sheet = build_day_sheet(
                    con,
                    app.today,
                    coordinator=settings.coordinator_name,
                    redact=request.redact,
                    queues=settings.queues,
                    refill_window_days=settings.refill_window_days,
                    printed_at=datetime.now().replace(microsecond=0),
                )
            save(sheet, request.fmt, request.path)
        except (CaretuiError, sqlite3.DatabaseError) as exc:
            self.app.call_from_thread(self._failed, read_error(app.db, exc))
            return
        self.app.call_from_thread(self._tell, f"Day sheet written to {request.path}")

    # -- writing, then bringing the rows up to date ---------------------------------

    def _write(self, change: Callable[[], str], key: str) -> None:
        self._writing += 1
        self._run_write(change, key, self._mark)

    @work(thread=True, group="today-write")
    def _run_write(self, change: Callable[[], str], key: str, mark: int) -> None:
        try:
            message = change()
        except StaleRecord as exc:
            # Keep the list; read the row again so the next try acts on its new version.
            message, error = exc.message, True
        except CaretuiError as exc:
            self.app.call_from_thread(self._write_failed, exc.message)
            return
        else:
            error = False
        self._refresh_after(message, key, mark, error=error)

    def _refresh_after(self, message: str, key: str, mark: int, *, error: bool = False) -> None:
        """(In a worker thread.) Read what the write touched and bring the rows up to date."""
        try:
            refreshed = self._read_touched(message, key, mark, error=error)
        except (CaretuiError, sqlite3.DatabaseError) as exc:
            problem = read_error(self.caretui.db, exc)
            self.app.call_from_thread(self._write_failed, f"{message}; {problem}")
            return
        self.app.call_from_thread(self._apply, refreshed)

    def _written_elsewhere(self, message: str, key: str) -> None:
        """A form saved in its own worker: bring the rows it touched up to date."""
        self._writing += 1
        self._run_refresh(message, key, self._mark)

    @work(thread=True, group="today-write")
    def _run_refresh(self, message: str, key: str, mark: int) -> None:
        self._refresh_after(message, key, mark)

    def _read_touched(self, message: str, key: str, mark: int, *, error: bool = False) -> Refreshed:
        """(In a worker thread.) The records written since ``mark`` and the acted-on row,
        their Today items read again and ranked, the counts, the last undoable action."""
        from caretui.services.undo import last_undoable

        app = self.caretui
        day, now = app.today, self._now
        entity, _, rid = key.partition(":")
        with app.reading() as con:
            touched = touched_since(con, mark)
            touched.setdefault(entity, set()).add(int(rid))
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
        ranked = tuple(rank(items, day, self._weights, now))
        keys = frozenset(f"{e}:{i}" for e, ids in touched.items() for i in ids)
        undo = last_undoable(app.db)
        return Refreshed(message, keys, ranked, counts, max(new_mark, mark), undo, error)

    def _write_failed(self, message: str) -> None:
        self._writing = max(self._writing - 1, 0)
        self._failed(message)

    def _failed(self, message: str) -> None:
        self.notify(message, severity="error", markup=False, timeout=10)

    def _apply(self, refreshed: Refreshed) -> None:
        """Drop, update or add the touched rows; re-sort only if an order moved."""
        self._writing = max(self._writing - 1, 0)
        if refreshed.error:
            self._failed(refreshed.message)
        else:
            self._tell(refreshed.message)
            self._mine = refreshed.undo
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


#: Why each kind of item other than a task cannot be snoozed, and what to do instead.
SNOOZE_REFUSED = {
    ItemKind.REFILL: "A refill cannot be snoozed: the patient may run out. x reconciles "
    "it and sets the next refill date; r moves the refill date.",
    ItemKind.GOAL_OVERDUE: "A goal cannot be snoozed: r gives it a new target date; x marks "
    "it achieved.",
    ItemKind.APPOINTMENT_NOT_READY: "An appointment cannot be snoozed: r moves it; x books "
    "it or arranges its ride.",
    ItemKind.APPOINTMENT_NO_OUTCOME: "An appointment cannot be snoozed: o records what "
    "happened (fulfilled, no-show, cancelled); r moves it.",
}
