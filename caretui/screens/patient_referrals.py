"""The patient's Referrals tab: a self-contained widget the Patient screen mounts.

Lists the patient's referrals (the open ones, oldest first, then the closed ones),
read in a thread worker through ``queries.referrals``; under the list, the
highlighted referral's steps, each with its day and note. Keys: `n` new referral,
`x` the next step, `c` close it, `l` link the appointment it produced, `e` edit.
Writes go through ``screens.referral_forms`` in the forms' workers; afterwards the
tab reads again and posts ``ReferralsTab.Changed`` (a step also logs a note, so
the screen may refresh its Notes tab).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from caretui.queries.referrals import (
    ReferralRow,
    StepRow,
    patient_referrals,
    referral_steps,
)
from caretui.screens.common import short, shown_name
from caretui.screens.referrals import URGENCY_STYLE, waiting_on
from caretui.services.text import one_line
from caretui.widgets.records import RecordTable, Row

if TYPE_CHECKING:
    from caretui.app import CaretuiApp
    from caretui.screens.referral_forms import Choices

#: The widths fit 120 columns; a wider terminal gives its room to To and Reason.
COLUMNS = [
    ("Opened", 10),
    ("To", 24),
    ("Reason", 26),
    ("Urgency", 8),
    ("Status", 10),
    ("Waiting on", 28),
]


def _b(key: str, action: str, label: str, tooltip: str, **kw: Any) -> Binding:
    return Binding(key, action, label, id=f"patient.referrals.{action}", tooltip=tooltip, **kw)


@dataclass(frozen=True, slots=True)
class Loaded:
    rows: tuple[ReferralRow, ...]
    patient: str


def tab_line(row: ReferralRow, today: date) -> Row:
    return Row(
        f"referral:{row.id}",
        (
            Text(row.opened_on.isoformat() if row.opened_on else "?"),
            Text(short(row.receiver, 40) or "—", no_wrap=True, overflow="ellipsis"),
            Text(short(row.reason, 60), no_wrap=True, overflow="ellipsis"),
            Text(row.urgency, style=URGENCY_STYLE.get(row.urgency, "")),
            Text(row.status),
            waiting_on(row, today),
        ),
    )


def steps_text(row: ReferralRow | None, steps: list[StepRow]) -> Text:
    """ "drafted 2026-03-01 · sent 2026-03-02 (Faxed) · accepted …"."""
    if row is None:
        return Text("No referrals yet: n starts one.", style="dim")
    text = Text("Steps: ", style="bold")
    for i, step in enumerate(steps):
        if i:
            text.append("  →  ")
        text.append(f"{step.status} {step.taken_on.isoformat() if step.taken_on else '?'}")
        if step.note:
            text.append(f" ({short(step.note, 60)})", style="italic")
    if not steps:
        text.append("none recorded", style="dim")
    if row.outcome:
        text.append("\nOutcome: ", style="bold")
        text.append(one_line(row.outcome))
    return text


class ReferralsTab(Vertical):
    """The patient's referrals and the highlighted one's steps; see the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        _b("n", "new", "New", "New referral for this patient (to the directory or a contact)"),
        _b(
            "x",
            "step",
            "Step",
            "Move the referral a step: the usual next one, asking the "
            "day (default today) and a short note",
        ),
        _b(
            "c",
            "close",
            "Close",
            "Close the referral: completed (with its outcome), declined or cancelled",
        ),
        _b("l", "link", "Link appt", "Link the appointment a scheduled referral produced"),
        _b("e", "edit", "Edit", "Edit the referral: receiver, reason, urgency, response date"),
    ]
    DEFAULT_CSS = """
    ReferralsTab { height: 1fr; }
    ReferralsTab #referrals-tab-status { padding: 0 1; color: $text-muted; height: 1; }
    ReferralsTab #referrals-tab-steps {
        height: auto; max-height: 6; border-top: solid $primary 50%; padding: 0 1;
    }
    """

    class Changed(Message):
        """A referral of the patient was added or moved (and a note logged)."""

    def __init__(self, patient_id: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.patient_id = patient_id
        self._rows: dict[str, ReferralRow] = {}
        self._patient = ""
        self.loaded = False

    @property
    def caretui(self) -> CaretuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def table(self) -> RecordTable:
        return self.query_one("#referrals-tab-table", RecordTable)

    def compose(self) -> ComposeResult:
        yield Static(Text("Reading…"), id="referrals-tab-status")
        yield RecordTable(COLUMNS, id="referrals-tab-table", flex=("To", "Reason"))
        yield Static("", id="referrals-tab-steps")

    def focus_list(self) -> None:
        self.table.focus()

    # -- reading ---------------------------------------------------------------------

    def load(self) -> None:
        """Read the patient's referrals (in a worker) and show them."""
        self._load()

    @work(thread=True, exclusive=True, group="referrals-tab-load")
    def _load(self) -> None:
        from caretui.queries.patients import patient_detail

        app = self.caretui
        with app.reading() as con:
            rows = patient_referrals(con, self.patient_id)
            patient = patient_detail(con, self.patient_id)
        name = shown_name(patient, redact=app.redact) if patient is not None else ""
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, Loaded(tuple(rows), name))

    def _show(self, loaded: Loaded) -> None:
        self.loaded = True
        self._patient = loaded.patient
        today = self.caretui.today
        lines = [tab_line(r, today) for r in loaded.rows]
        self._rows = {line.key: r for line, r in zip(lines, loaded.rows, strict=True)}
        self.table.show(lines)
        open_count = sum(1 for r in loaded.rows if r.is_open)
        late = sum(1 for r in loaded.rows if r.overdue(today))
        status = Text(f"{open_count} open, {len(loaded.rows) - open_count} closed")
        if late:
            status.append(f" · {late} past the response date", style="bold red")
        self.query_one("#referrals-tab-status", Static).update(status)
        self._read_steps(self.selected())

    def selected(self) -> ReferralRow | None:
        key = self.table.selected_key
        return self._rows.get(key) if key else None

    @on(DataTable.RowHighlighted, "#referrals-tab-table")
    def _highlighted(self) -> None:
        self._read_steps(self.selected())

    @work(thread=True, exclusive=True, group="referrals-tab-steps")
    def _read_steps(self, row: ReferralRow | None) -> None:
        steps: list[StepRow] = []
        if row is not None:
            with self.caretui.reading() as con:
                steps = referral_steps(con, row.id)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_steps, row, steps)

    def _show_steps(self, row: ReferralRow | None, steps: list[StepRow]) -> None:
        self.query_one("#referrals-tab-steps", Static).update(steps_text(row, steps))

    # -- acting ----------------------------------------------------------------------

    def action_new(self) -> None:
        self._with_choices(None, "new")

    def action_step(self) -> None:
        self._act("step")

    def action_close(self) -> None:
        self._act("close")

    def action_link(self) -> None:
        self._act("link")

    def action_edit(self) -> None:
        self._act("edit")

    def _act(self, what: str) -> None:
        row = self.selected()
        if row is None:
            self.notify("No referral selected: n starts one", markup=False)
            return
        if what != "edit" and not row.is_open:
            self.notify(
                f"This referral is already {row.status}; its loop is closed",
                severity="warning",
                markup=False,
            )
            return
        self._with_choices(row, what)

    @work(thread=True, exclusive=True, group="open-form")
    def _with_choices(self, row: ReferralRow | None, what: str) -> None:
        from caretui.queries.referrals import referral_detail
        from caretui.screens.referral_forms import due_if_sent, read_choices

        app = self.caretui
        with app.reading() as con:
            fresh = referral_detail(con, row.id) if row is not None else None
            choices = read_choices(con, self.patient_id, app.today)
        if (row is not None and fresh is None) or get_current_worker().is_cancelled:
            return
        days = app.settings.referral_response_days
        hint = due_if_sent(fresh, app.today, days) if fresh is not None else None
        self.app.call_from_thread(self._open, fresh, choices, what, hint)

    def _open(
        self, row: ReferralRow | None, choices: Choices, what: str, hint: date | None = None
    ) -> None:
        from caretui.screens import referral_forms as forms

        app = self.caretui
        db, today, patient = app.db, app.today, self._patient
        if row is None:
            if not choices.resources and not choices.contacts:
                self.notify(
                    "The directory is empty and the patient has no contacts: add a resource "
                    "(6) or a contact first",
                    severity="warning",
                    markup=False,
                )
                return
            form = forms.referral_form(db, today, self.patient_id, choices, patient=patient)
        elif what == "edit":
            form = forms.referral_form(
                db, today, self.patient_id, choices, current=row, patient=patient
            )
        elif what == "link":
            self._ask_link(row, choices)
            return
        else:
            form = forms.step_form(
                db,
                today,
                row,
                choices.appointments,
                closing=what == "close",
                patient=patient,
                response_days=app.settings.referral_response_days,
                due_hint=hint,
            )
        self.app.push_screen(form, self._done)

    def _ask_link(self, row: ReferralRow, choices: Choices) -> None:
        from caretui.screens import referral_forms as forms
        from caretui.widgets.dialogs import ChoiceDialog

        db, today = self.caretui.db, self.caretui.today

        def chosen(value: str | None) -> None:
            if value is not None:
                appointment_id = None if value == "none" else int(value)
                self._write(
                    lambda: forms.link_appointment(db, today, row.id, row.version, appointment_id)
                )

        dialog = ChoiceDialog(
            forms.referral_title("Link appointment", row, self._patient),
            forms.appointment_dialog_choices(choices.appointments),
            current=str(row.appointment_id) if row.appointment_id else None,
        )
        self.app.push_screen(dialog, chosen)

    def _write(self, change: Callable[[], object]) -> None:
        self._run_write(change)

    @work(thread=True, group="referrals-tab-write")
    def _run_write(self, change: Callable[[], object]) -> None:
        from caretui.errors import CaretuiError

        try:
            result = change()
        except CaretuiError as exc:
            self.app.call_from_thread(
                self.notify, exc.message, severity="error", markup=False, timeout=8
            )
            return
        self.app.call_from_thread(self._done, result)

    def _done(self, result: object | None) -> None:
        message = getattr(result, "message", None)
        if isinstance(message, str):
            self.notify(message, markup=False, timeout=8)
            self.load()
            self.post_message(self.Changed())
