"""`1` Today: one ranked list of what needs attention now, worked from the keyboard.

The list (reading, paging, updating rows in place) is ``today_list.TodayList``;
this module is its keys. Each key writes through the services in a thread
worker, inside one ``action()`` (``work_forms``, ``today_writes``), then the rows
it touched are brought up to date.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from caretui.errors import CaretuiError
from caretui.queries.today import ItemKind, TodayItem
from caretui.screens.today_list import TodayList
from caretui.screens.today_rows import (
    REFERRAL_KINDS,
    TAB_OF_KIND,
    Refreshed,
    item_key,
    read_error,
)
from caretui.services.text import one_line
from caretui.store.plain import database_errors

if TYPE_CHECKING:
    from caretui.screens.today_dialogs import SheetRequest
    from caretui.store.database import Database


class Target(NamedTuple):
    item: TodayItem
    db: Database
    today: date
    rid: int
    version: int


def _binding(key: str, action: str, description: str, tooltip: str, **kw: Any) -> Binding:
    return Binding(key, action, description, id=f"today.{action}", tooltip=tooltip, **kw)


class TodayScreen(TodayList):
    HELP_TITLE = "Today"
    HELP_EXTRA = Text(
        "The list is ranked by an urgency score: i shows how a row's score was made; "
        "the coefficients are the [urgency] table of the config file.\n"
        "The counts are of items of every kind (tasks, appointments, refills, reviews, "
        "goals, referrals, calls to make): snoozed tasks and tasks waiting on another "
        "are not on Today until they wake or are unblocked.\n"
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
            "e",
            "edit",
            "Edit",
            "Edit the row's task or appointment in its form (other rows: the patient "
            "opens at the tab where e edits them)",
            show=False,
        ),
        _binding(
            "n",
            "new",
            "New",
            "A new task or appointment, in one line (quick add, as a)",
            show=False,
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

    def _target(self) -> Target | None:
        """What a key acts on: the selected row's item, the database, today, and the
        record's id and version (a write refuses the record if its version moved)."""
        ranked = self.selected()
        if ranked is None:
            return None
        item = ranked.item
        return Target(item, self.caretui.db, self.caretui.today, item.record_id, item.version)

    def action_done(self) -> None:
        from caretui.screens.today_writes import goal_achieved, reconcile_refill, review_plan

        target = self._target()
        if target is None:
            return
        item, db, today, rid, version = target
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
        from caretui.screens.today_writes import appointment_ready
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
        from caretui.screens.today_writes import review_plan

        target = self._target()
        if target is None:
            return
        item, db, today, rid, version = target
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
        from caretui.screens.today_writes import goal_target, move_refill, review_plan

        target = self._target()
        if target is None:
            return
        item, db, today, rid, version = target
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
        from caretui.screens.common import now_on
        from caretui.screens.work_forms import appointment_outcome, ask_outcome

        target = self._target()
        if target is None:
            return
        item, db, today, rid, version = target
        if item.entity != "appointment":
            self._tell("o records an appointment's outcome; this row is not an appointment.")
            return

        def record(outcome: str, note: str | None) -> None:
            self._write(
                lambda: appointment_outcome(db, today, rid, version, outcome, note).message,
                item_key(item),
            )

        ask_outcome(self._push, self._title("What happened", item), item.at, now_on(today), record)

    def action_log_call(self) -> None:
        from caretui.screens.today_writes import call_form

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

    def action_edit(self) -> None:
        target = self._target()
        if target is None:
            return
        item, key = target.item, item_key(target.item)
        if item.entity not in ("task", "appointment"):
            self.action_open()  # a refill, a plan, a goal, a referral: edited on its tab
            return

        def saved(result: object | None) -> None:
            message = getattr(result, "message", None)
            if isinstance(message, str):
                self._written_elsewhere(message, key)

        self._modal_open = True
        kind: Literal["task", "appointment"] = "task" if item.entity == "task" else "appointment"
        self.edit_work(kind, target.rid, saved)

    def action_new(self) -> None:
        self.caretui.action_quick_add()

    def action_explain(self) -> None:
        from caretui.screens.today_dialogs import ExplainDialog

        ranked = self.selected()
        if ranked is not None:
            self._push(ExplainDialog(ranked, self._patient(ranked.item)))

    def action_undo(self) -> None:
        self._undo_last(confirmed=False)

    @work(thread=True, exclusive=True, group="today-undo")
    def _undo_last(self, *, confirmed: bool) -> None:
        """Undo the newest change. One not made on this screen (a form elsewhere, an
        import, another caretui) is undone only once confirmed: undo can touch anything."""
        from caretui.queries.undo import last_undoable

        app = self.caretui
        if not confirmed:
            try:
                with app.reading() as con:
                    label = last_undoable(con)
            except database_errors(CaretuiError) as exc:
                self.app.call_from_thread(self._failed, read_error(app.db, exc))
                return
            if label is None:
                self.app.call_from_thread(self._tell, "Nothing to undo")
                return
            if not self._mine or label != self._mine[-1]:
                self.app.call_from_thread(self._confirm_undo, label)
                return
        from caretui.services.undo import undo_last

        mark = self._mark
        try:
            undone = undo_last(app.db)
        except CaretuiError as exc:
            self.app.call_from_thread(self._failed, exc.message)
            return
        refreshed = None
        if undone is not None:
            # What the undo wrote is read back as a write's is: only its rows change.
            with contextlib.suppress(*database_errors(CaretuiError)):
                refreshed = self._read_touched(f"Undone: {undone}", None, mark)
        self.app.call_from_thread(self._undone, undone, refreshed)

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

    def _undone(self, label: str | None, refreshed: Refreshed | None) -> None:
        if self._mine and label == self._mine[-1]:
            self._mine.pop()
        self._tell(f"Undone: {label}" if label else "Nothing to undo")
        if refreshed is not None:
            self._update_rows(refreshed)
            self._to_first_of(refreshed.touched)  # on what the undo brought back
        elif label:
            self.reload()  # it touched more than rows (a patient, a link): read it all

    def _to_first_of(self, keys: frozenset[str]) -> None:
        table = self.table
        shown = [table.get_row_index(k) for k in keys if k in self._ranked]
        if shown:
            table.move_cursor(row=min(shown), animate=False)

    def action_day_sheet(self) -> None:
        from caretui.screens.today_dialogs import DaySheetDialog

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
        except database_errors(CaretuiError) as exc:
            self.app.call_from_thread(self._failed, read_error(app.db, exc))
            return
        self.app.call_from_thread(self._tell, f"Day sheet written to {request.path}")


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
