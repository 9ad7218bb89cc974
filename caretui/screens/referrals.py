"""`5` Referrals: every open loop across the caseload, oldest first, paged in SQL.

Filters: status (`f`), urgency (`u`), the directory resource it went to (`r`). One
key moves a referral a step (`x`: the usual next step, asking the day and a short
note); `c` closes it (completed with its outcome, declined, cancelled); `l` links
the appointment it produced; `n` starts a new one (which patient, then the form);
enter opens the patient at their Referrals tab. Every write runs in a thread
worker through ``screens.referral_forms``; the list is read again after it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from caretui.queries.referrals import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    ReferralFilter,
    ReferralRow,
    count_referrals,
    list_referrals,
    referral_detail,
)
from caretui.queries.today_refresh import audit_mark
from caretui.screens.base import RecordListScreen
from caretui.screens.common import code, short, shown_name
from caretui.services.text import one_line, plural
from caretui.widgets.keys_footer import KeysFooter
from caretui.widgets.records import RecordTable, Row

if TYPE_CHECKING:
    import sqlite3

    from caretui.screens.referral_forms import Choices

#: The widths fit 120 columns; a wider terminal gives its room to the names and reason.
COLUMNS = [
    ("Opened", 10),
    ("Patient", 16),
    ("To", 16),
    ("Reason", 18),
    ("Urgency", 7),
    ("Status", 9),
    ("Waiting on", 28),
]
URGENCY_STYLE = {"stat": "bold reverse red", "asap": "bold red", "urgent": "yellow", "routine": ""}
#: The status views `f` goes through: (label, statuses).
STATUS_VIEWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("every open referral", OPEN_STATUSES),
    *((f"{s} only", (s,)) for s in OPEN_STATUSES),
    ("closed", CLOSED_STATUSES),
)
URGENCY_VIEWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("any urgency", ()),
    ("stat", ("stat",)),
    ("asap", ("asap",)),
    ("urgent", ("urgent",)),
    ("routine", ("routine",)),
)


def waiting_on(row: ReferralRow, today: date) -> Text:
    """What the loop waits on, in a coordinator's words; red when it is late."""
    if row.status == "draft":
        age = row.age_days(today)
        if age is None:
            return Text("to send")
        ago = "today" if age == 0 else f"{age}d ago"
        return Text(f"to send (drafted {ago})", style="bold red" if age > 2 else "")
    if row.status == "sent":
        if row.response_due is None:
            return Text("an answer")
        late = row.response_due < today
        days = (row.response_due - today).days
        word = f"{-days}d late" if late else "today" if days == 0 else f"in {days}d"
        return Text(
            f"an answer by {row.response_due.isoformat()} ({word})",
            style="bold red" if late else "",
        )
    if row.status == "accepted":
        return Text("a date to be scheduled")
    if row.status == "scheduled":
        if row.appointment_start is None:
            return Text("the visit (no appt linked: l)")
        past = row.appointment_start.date() < today
        return Text(
            f"{'the outcome of' if past else 'the visit on'} {row.appointment_start:%Y-%m-%d}",
            style="bold red" if past else "",
        )
    closed = row.closed_on.isoformat() if row.closed_on else "?"
    outcome = (row.outcome_code or "").replace("-", " ")
    return Text(f"closed {closed}" + (f": {outcome}" if outcome else ""), style="dim")


def referral_line(row: ReferralRow, today: date, *, redact: bool) -> Row:
    patient = shown_name(row, redact=redact)
    return Row(
        f"referral:{row.id}",
        (
            Text(row.opened_on.isoformat() if row.opened_on else "?"),
            Text(one_line(patient), no_wrap=True, overflow="ellipsis"),
            Text(short(row.receiver, 40) or "—", no_wrap=True, overflow="ellipsis"),
            Text(short(row.reason, 60), no_wrap=True, overflow="ellipsis"),
            Text(row.urgency, style=URGENCY_STYLE.get(row.urgency, "")),
            Text(row.status),
            waiting_on(row, today),
        ),
    )


def _b(key: str, action: str, label: str, tooltip: str, **kw: Any) -> Binding:
    return Binding(key, action, label, id=f"referrals.{action}", tooltip=tooltip, **kw)


class ReferralsScreen(RecordListScreen[ReferralRow]):
    HELP_TITLE = "Referrals"
    HELP_EXTRA = Text(
        "Every open referral across the caseload, the longest open first. A referral "
        "moves draft → sent → accepted → scheduled → completed, or ends declined or "
        "cancelled; each step keeps its day and a short note, and is noted in the "
        "patient's contact log. Sending sets the day an answer is expected by, in "
        "business days by urgency (referral_response_days in the config file)."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        _b(
            "x",
            "step",
            "Step",
            "Move the referral a step: the usual next one, asking the day "
            "(default today) and a short note",
        ),
        _b(
            "c",
            "close",
            "Close",
            "Close the referral: completed (with its outcome), declined or cancelled",
        ),
        _b("l", "link", "Link appt", "Link the appointment a scheduled referral produced"),
        _b("n", "new", "New", "New referral: choose the patient, then the form"),
        _b("e", "edit", "Edit", "Edit the referral: receiver, reason, urgency, response date"),
        _b("f", "cycle_status", "Status", "Show every open referral / one status / the closed"),
        _b("u", "cycle_urgency", "Urgency", "Show any urgency / stat / asap / urgent / routine"),
        _b("r", "pick_resource", "Resource", "Only the referrals to one directory resource"),
        _b(
            "enter",
            "open",
            "Open",
            "Open the patient at their Referrals tab",
            show=False,
            priority=True,
        ),
    ]
    DEFAULT_CSS = """
    ReferralsScreen #referrals-status { padding: 0 1; color: $text-muted; height: 1; }
    """
    ROW_KIND = "referral"

    def __init__(self) -> None:
        super().__init__()
        self.flt = ReferralFilter()
        self._status_view = 0
        self._urgency_view = 0
        self._resource_name = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="referrals-status")
        yield RecordTable(COLUMNS, id="referrals-table", flex=("Patient", "To", "Reason"))
        yield KeysFooter()

    def on_mount(self) -> None:
        self.table.focus()
        self.reload()
        self.watch(self.app, "redact", lambda _old, _new: self.reload(), init=False)

    # -- reading ---------------------------------------------------------------------

    def reload(self) -> None:
        self._load(self.flt, 0, max(self.PAGE, len(self._rows)), self._changes)

    def load_page(self, offset: int, limit: int) -> None:
        self._load(self.flt, offset, limit, self._changes)

    @work(thread=True, exclusive=True, group="referrals-load")
    def _load(self, flt: ReferralFilter, offset: int, limit: int, stamp: int) -> None:
        with self.caretui.reading() as con:
            mark = audit_mark(con) if offset == 0 else None
            rows = list_referrals(con, flt, limit=limit, offset=offset)
            total = count_referrals(con, flt) if offset == 0 else self._total
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, flt, offset, rows, total, stamp, mark)

    def _show(
        self,
        flt: ReferralFilter,
        offset: int,
        rows: list[ReferralRow],
        total: int,
        stamp: int,
        mark: int | None,
    ) -> None:
        if flt == self.flt and self.show_page(offset, rows, total, stamp, mark=mark):
            self._show_status()

    def line(self, row: ReferralRow) -> Row:
        return referral_line(row, self.caretui.today, redact=self.caretui.redact)

    def read_row(self, con: sqlite3.Connection, record_id: int) -> ReferralRow | None:
        return referral_detail(con, record_id)

    def belongs(self, row: ReferralRow) -> bool:
        flt = self.flt
        return (
            (not flt.statuses or row.status in flt.statuses)
            and (not flt.urgencies or row.urgency in flt.urgencies)
            and (flt.resource_id is None or row.resource_id == flt.resource_id)
        )

    def after_change(self) -> None:
        self._show_status()

    def _show_status(self) -> None:
        shown = self.table.row_count
        status = Text(plural(self._total, "referral"))
        if shown < self._total:
            status.append(f" ({shown:,} shown)")
        status.append(f"  ·  {STATUS_VIEWS[self._status_view][0]}")
        status.append(f" · {URGENCY_VIEWS[self._urgency_view][0]}")
        if self.flt.resource_id is not None:
            status.append(" · to ")
            status.append(short(self._resource_name, 40), style="italic")
        self.query_one("#referrals-status", Static).update(status)

    # -- filters ---------------------------------------------------------------------

    def _refilter(self, flt: ReferralFilter) -> None:
        self.flt = flt
        self._rows = {}
        self.reload()

    def action_cycle_status(self) -> None:
        self._status_view = (self._status_view + 1) % len(STATUS_VIEWS)
        self._refilter(dataclasses.replace(self.flt, statuses=STATUS_VIEWS[self._status_view][1]))

    def action_cycle_urgency(self) -> None:
        self._urgency_view = (self._urgency_view + 1) % len(URGENCY_VIEWS)
        self._refilter(
            dataclasses.replace(self.flt, urgencies=URGENCY_VIEWS[self._urgency_view][1])
        )

    def action_pick_resource(self) -> None:
        self._read_resources()

    @work(thread=True, exclusive=True, group="referrals-resources")
    def _read_resources(self) -> None:
        from caretui.queries.resources import resource_choices

        with self.caretui.reading() as con:
            found = resource_choices(con)
        self.app.call_from_thread(self._ask_resource, found)

    def _ask_resource(self, found: list[object]) -> None:
        from caretui.queries.resources import ResourceChoice
        from caretui.widgets.dialogs import ChoiceDialog

        entries = [r for r in found if isinstance(r, ResourceChoice)]
        names = {str(r.id): r.name for r in entries}
        choices: list[tuple[str | Text, str]] = [(Text("any resource", style="italic"), "any")]
        choices += [(f"{short(r.name, 50)} ({code(r.category)})", str(r.id)) for r in entries]

        def chosen(value: str | None) -> None:
            if value is None:
                return
            self._resource_name = names.get(value, "")
            resource_id = None if value == "any" else int(value)
            self._refilter(dataclasses.replace(self.flt, resource_id=resource_id))

        current = str(self.flt.resource_id) if self.flt.resource_id is not None else "any"
        self.app.push_screen(
            ChoiceDialog("Referrals to which resource?", choices, current=current), chosen
        )

    # -- acting on the selected referral ---------------------------------------------

    def action_open(self) -> None:
        row = self.selected()
        if row is not None:
            self.caretui.open_patient(row.patient_id, "referrals")

    def action_step(self) -> None:
        row = self.selected()
        if row is not None:
            self._with_choices(row, "step")

    def action_close(self) -> None:
        row = self.selected()
        if row is not None:
            self._with_choices(row, "close")

    def action_link(self) -> None:
        row = self.selected()
        if row is not None:
            self._with_choices(row, "link")

    def action_edit(self) -> None:
        row = self.selected()
        if row is not None:
            self._with_choices(row, "edit")

    @work(thread=True, exclusive=True, group="open-form")
    def _with_choices(self, row: ReferralRow, what: str) -> None:
        from caretui.screens.referral_forms import due_if_sent, read_choices

        app = self.caretui
        with app.reading() as con:
            fresh = referral_detail(con, row.id)
            choices = read_choices(con, row.patient_id, app.today)
        if fresh is None or get_current_worker().is_cancelled:
            return
        hint = due_if_sent(fresh, app.today, app.settings.referral_response_days)
        self.app.call_from_thread(self._open_form, fresh, choices, what, hint)

    def _open_form(
        self, row: ReferralRow, choices: Choices, what: str, hint: date | None = None
    ) -> None:
        from caretui.screens import referral_forms as forms

        app = self.caretui
        db, today = app.db, app.today
        patient = shown_name(row, redact=app.redact)
        if what == "edit":
            form = forms.referral_form(
                db, today, row.patient_id, choices, current=row, patient=patient
            )
            self.app.push_screen(form, self._form_done())
            return
        if not row.is_open:
            self.notify(
                f"This referral is already {row.status}; its loop is closed",
                severity="warning",
                markup=False,
            )
            return
        if what == "link":
            self._ask_link(row, choices, patient)
            return
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
        self.app.push_screen(form, self._form_done())

    def _ask_link(self, row: ReferralRow, choices: Choices, patient: str) -> None:
        from caretui.screens import referral_forms as forms
        from caretui.widgets.dialogs import ChoiceDialog

        db, today = self.caretui.db, self.caretui.today

        def chosen(value: str | None) -> None:
            if value is not None:
                appointment_id = None if value == "none" else int(value)
                self.write(
                    lambda: forms.link_appointment(db, today, row.id, row.version, appointment_id),
                    row.id,
                )

        current = str(row.appointment_id) if row.appointment_id else None
        dialog = ChoiceDialog(
            forms.referral_title("Link appointment", row, patient),
            forms.appointment_dialog_choices(choices.appointments),
            current=current,
        )
        self.app.push_screen(dialog, chosen)

    def _form_done(self) -> Callable[[object | None], None]:
        def done(result: object | None) -> None:
            message = getattr(result, "message", None)
            if isinstance(message, str):
                self._changes += 1
                self.notify(message, markup=False, timeout=8)
                self.reload()

        return done

    def action_new(self) -> None:
        from caretui.widgets.patient_picker import PatientPicker

        def picked(patient_id: int | None) -> None:
            if patient_id:
                self._new_for(patient_id)

        self.app.push_screen(PatientPicker("New referral — for which patient?"), picked)

    @work(thread=True, exclusive=True, group="open-form")
    def _new_for(self, patient_id: int) -> None:
        from caretui.queries.patients import patient_detail
        from caretui.screens.referral_forms import read_choices

        app = self.caretui
        with app.reading() as con:
            patient = patient_detail(con, patient_id)
            choices = read_choices(con, patient_id, app.today)
        if patient is not None:
            name = shown_name(patient, redact=app.redact)
            self.app.call_from_thread(self._push_new, patient_id, name, choices)

    def _push_new(self, patient_id: int, name: str, choices: Choices) -> None:
        from caretui.screens.referral_forms import referral_form

        app = self.caretui
        if not choices.resources and not choices.contacts:
            self.notify(
                "The directory is empty and the patient has no contacts: add a resource (6) "
                "or a contact first",
                severity="warning",
                markup=False,
            )
            return
        form = referral_form(app.db, app.today, patient_id, choices, patient=name)
        self.app.push_screen(form, self._form_done())


__all__ = ["ReferralsScreen", "referral_line", "waiting_on"]
