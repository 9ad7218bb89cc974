"""Choose a patient in a dialog: name, MRN or date of birth as you type, enter picks.

Used where a new task or appointment starts from a screen that is not a
patient's own (Appointments, Queues, Referrals), and by quick add when ``@name``
could be several patients. Every typed word narrows the list in SQL (a name, MRN,
member id or phone digits; a date of birth such as 1975 or 1975-12-17), which is
read in a thread worker, at most ``LIMIT`` rows at a time, in a scrolling list; a
line no patient contains falls back to the fuzzy match ("Jonh" finds "John") over
the names read once. Everything is shown as ``Text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from caretui.errors import CaretuiError
from caretui.services.text import one_line, plural
from caretui.store.plain import database_errors, describe_sqlite_error
from caretui.widgets.dialogs import Dialog, dialog_title

if TYPE_CHECKING:
    from caretui.app import CaretuiApp
    from caretui.queries.patients import PaletteEntry, PickRow
    from caretui.store.database import Database


def read_problem(db: Database, exc: BaseException) -> str:
    """One line for the user from a caretui or SQLite error (neither names any data)."""
    if isinstance(exc, CaretuiError):
        return exc.message
    return describe_sqlite_error(db.path, exc)


#: What ``PatientPicker(allow_none=True)`` returns for "a task about no patient".
NO_PATIENT = 0
#: The most patients listed at once (the list scrolls; typing more narrows it).
LIMIT = 200


class PatientPicker(Dialog[int | None]):
    """Find a patient by name, MRN or date of birth as you type; enter picks the
    highlighted one.

    Returns the patient's id, ``NO_PATIENT`` (0) for the "no patient" line offered
    with ``allow_none``, or ``None`` when escaped. ``query`` starts the line (quick
    add passes its ``@`` term). Each change is read in a thread, bounded by ``LIMIT``.
    """

    DEFAULT_CSS = """
    PatientPicker > Vertical { width: 80; }
    PatientPicker OptionList { max-height: 18; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Down", show=False, tooltip="Next patient"),
        Binding("up", "move(-1)", "Up", show=False, tooltip="Previous patient"),
        Binding("pagedown", "page(1)", "Page down", show=False, tooltip="A page on"),
        Binding("pageup", "page(-1)", "Page up", show=False, tooltip="A page back"),
    ]

    def __init__(
        self,
        title: str | Text = "Which patient?",
        *,
        allow_none: bool = False,
        include_discharged: bool = False,
        query: str = "",
    ) -> None:
        super().__init__()
        self._title = dialog_title(title)
        self._allow_none = allow_none
        self._include_discharged = include_discharged
        self._query = query
        #: The names for the fuzzy fallback, read the first time it is needed (a worker).
        self._entries: list[PaletteEntry] | None = None
        self._shown: list[int] = []
        #: The search the list shown answers (None: none shown yet), and whether enter
        #: was pressed before the list for what is typed now was shown.
        self._shown_for: str | None = None
        self._pick_when_shown = False
        #: The row a new list starts on (its first patient): the first Down from the
        #: field keeps it (or lands on it), as Down from the Patients search lands on
        #: the first row, instead of skipping to the second. None once moved.
        self._first_row: int | None = None

    @property
    def caretui(self) -> CaretuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="dialog-title")
            # Typing adds to the term quick add passed in, rather than replacing it.
            yield Input(
                self._query,
                placeholder="name, MRN or date of birth",
                id="dialog-input",
                select_on_focus=False,
            )
            yield OptionList(id="dialog-patients")
            yield Static(Text("loading patients…"), id="dialog-status", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._find(self.query_one(Input).value)

    @property
    def _statuses(self) -> tuple[str, ...]:
        from caretui.queries.patients import OPEN_STATUSES

        return () if self._include_discharged else OPEN_STATUSES

    @work(thread=True, exclusive=True, group="patient-picker")
    def _find(self, query: str) -> None:
        """(In a worker thread.) The patients ``query`` narrows to, at most ``LIMIT``;
        by fuzzy name when no patient holds every word. A database error is shown as
        one line in the dialog; the app goes on."""
        from caretui.queries.patients import birth_pattern, find_patients, palette_entries

        try:
            with self.caretui.reading() as con:
                found: Sequence[PickRow | PaletteEntry]
                found, total = find_patients(con, query, statuses=self._statuses, limit=LIMIT)
                words = query.split()
                fuzzy = not found and words and not any(birth_pattern(w) for w in words)
                if fuzzy and self._entries is None:
                    self._entries = palette_entries(con, self._statuses)
        except database_errors(CaretuiError) as exc:
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._failed, read_problem(self.caretui.db, exc))
            return
        if fuzzy and self._entries is not None:
            from caretui.queries.patient_match import rank_patients

            found = [entry for entry, _score in rank_patients(self._entries, query, LIMIT)]
            total = len(found)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, query, found, total, bool(fuzzy))

    @property
    def _open(self) -> bool:
        """Still on screen: a worker's result may arrive after enter or escape closed
        the dialog (between its last check and the call), when its widgets are gone."""
        return self.is_attached and self in self.app.screen_stack

    def _label(self, row: PickRow | PaletteEntry) -> Text:
        from caretui.queries.names import patient_name

        redact = self.caretui.redact
        text = Text(
            patient_name(row.given_name, row.family_name, row.preferred_name, redact=redact)
        )
        born = getattr(row, "birth_date", None)
        if born is not None and not redact:
            text.append(f"  b. {born.isoformat()}", style="dim")
        elif born is not None:
            # Redacted, initials alone cannot tell namesakes apart: the age can (in
            # years, 90 and over as one group, which identifies no one).
            from caretui.queries.sql import age

            years = age(born, self.caretui.today)
            if years is not None:
                text.append(f"  {'90+' if years >= 90 else years} y", style="dim")
        if row.status != "active":
            text.append(f"  {row.status}", style="dim italic")
        if row.mrn and not redact:
            text.append(f"  {one_line(row.mrn)}", style="dim")
        return text

    def _show(
        self, query: str, found: Sequence[PickRow | PaletteEntry], total: int, fuzzy: bool
    ) -> None:
        if not self._open or query != self.query_one(Input).value:
            return  # closed, or typed on since (a newer read is coming)
        options: list[Option] = []
        self._shown, self._shown_for = [], query
        if self._allow_none:
            options.append(Option(Text("No patient (a task about no one)", style="italic")))
            self._shown.append(NO_PATIENT)
        for row in found:
            options.append(Option(self._label(row)))
            self._shown.append(row.id)
        listing = self.query_one(OptionList)
        listing.set_options(options)
        self._first_row = None
        if options:
            first_patient = 1 if self._allow_none and found and query.strip() else 0
            listing.highlighted = first_patient
            if found:
                self._first_row = 1 if self._allow_none else 0
        if self._pick_when_shown:  # enter came before this list: it picks from this one
            self._pick_when_shown = False
            self._submitted()
            return
        status = self.query_one("#dialog-status", Static)
        if query.strip() and not found:
            status.update(Text("No patient matches · escape cancels"))
            return
        if fuzzy:
            count = f"{len(found):,} close to that"
        elif len(found) < total:
            count = f"{len(found):,} of {total:,} patients shown"
        else:
            count = plural(total, "patient")
        status.update(
            Text(
                f"{count} · type a given name, MRN or birth date (1975-12-17) to narrow "
                "· enter picks · escape cancels"
            )
        )

    @on(Input.Changed, "#dialog-input")
    def _changed(self, event: Input.Changed) -> None:
        self._find(event.value)

    def action_move(self, step: int) -> None:
        listing = self.query_one(OptionList)
        first, self._first_row = self._first_row, None
        if step > 0 and first is not None and (listing.highlighted or 0) <= first:
            listing.highlighted = first  # the first Down from the field: the first patient
        elif step > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    def action_page(self, step: int) -> None:
        self._first_row = None
        listing = self.query_one(OptionList)
        if listing.option_count:
            page = max(1, listing.scrollable_content_region.height - 1)
            now = listing.highlighted or 0
            listing.highlighted = min(max(now + step * page, 0), listing.option_count - 1)

    def _failed(self, problem: str) -> None:
        self._pick_when_shown = False
        if not self._open:
            return
        self.query_one("#dialog-status", Static).update(Text(problem, style="bold red"))

    @on(Input.Submitted, "#dialog-input")
    def _submitted(self) -> None:
        if self._shown_for != self.query_one(Input).value:
            self._pick_when_shown = True  # the list is of an earlier search: wait for it
            return
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self._shown):
            self.dismiss(self._shown[index])

    @on(OptionList.OptionSelected, "#dialog-patients")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_index < len(self._shown):
            self.dismiss(self._shown[event.option_index])
