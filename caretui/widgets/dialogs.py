"""Small modal questions behind one key: a date, a date and time, a choice, a line of
text, a patient. Each returns a typed value through ``dismiss`` (``None`` when
escaped); the caller then writes through a service in a worker.

Everything a user typed or stored reaches the screen as ``Text``. Nothing here
imports SQLAlchemy; the patient picker reads through the plain read side in a
thread worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING, ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from caretui.errors import CaretuiError, DomainError
from caretui.services import dates
from caretui.services.text import one_line
from caretui.widgets.form import parse_datetime, parse_time

if TYPE_CHECKING:
    from caretui.app import CaretuiApp
    from caretui.queries.patients import PaletteEntry

ResultT = TypeVar("ResultT")


def _title(title: str | Text) -> Text:
    return title if isinstance(title, Text) else Text(one_line(title))


def _say(line: Static, text: Text | str = "") -> None:
    """Show ``text`` on a message line; an empty line takes no room."""
    line.update(text)
    line.display = bool(text)


class Dialog(ModalScreen[ResultT]):
    """The frame every small dialog shares: a titled box, escape cancels."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical {
        width: 64; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    Dialog .dialog-title { text-style: bold; padding: 0 0 1 0; width: 100%; }
    Dialog .dialog-label { color: $text-muted; }
    Dialog .dialog-preview { height: auto; color: $text-muted; display: none; }
    Dialog .dialog-error { height: auto; color: $error; display: none; }
    Dialog .dialog-hint { height: auto; color: $text-muted; padding: 1 0 0 0; }
    Dialog OptionList { height: auto; max-height: 16; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without a choice"),
    ]

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- dates -----------------------------------------------------------------------------


class DateDialog(Dialog[date | None]):
    """One natural date ("tomorrow", "mon", "+3d", "next week", "12/01"), shown resolved
    as it is typed. ``check`` may refuse a date with a message (e.g. "after today")."""

    def __init__(
        self,
        title: str | Text,
        *,
        today: date,
        initial: date | None = None,
        allow_past: bool = False,
        check: Callable[[date], str | None] | None = None,
    ) -> None:
        super().__init__()
        self._title = _title(title)
        self.today = today
        self._initial = initial
        self._allow_past = allow_past
        self._check = check

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="dialog-title")
            yield Input(
                self._initial.isoformat() if self._initial else "",
                placeholder="e.g. tomorrow, fri, +3d, next week, 12/01",
                id="dialog-input",
            )
            yield Static("", id="dialog-preview", classes="dialog-preview")
            yield Static("", id="dialog-error", classes="dialog-error")
            yield Static(Text("enter confirms · escape cancels"), classes="dialog-hint")

    def on_mount(self) -> None:
        self._show(self.query_one(Input).value)

    def resolve(self, text: str) -> date:
        """The date ``text`` names, or ``DomainError`` saying why it is not acceptable."""
        day = dates.parse_date(text, self.today)
        if not self._allow_past and day < self.today:
            raise DomainError(f"{dates.describe(day, self.today)} is in the past")
        problem = self._check(day) if self._check else None
        if problem:
            raise DomainError(problem)
        return day

    def _show(self, text: str) -> None:
        preview = self.query_one("#dialog-preview", Static)
        error = self.query_one("#dialog-error", Static)
        if not text.strip():
            _say(preview)
            _say(error)
            return
        try:
            day = self.resolve(text)
        except CaretuiError as exc:
            _say(preview)
            _say(error, Text(exc.message, style="italic"))
            return
        _say(preview, Text(f"→ {dates.describe(day, self.today)}"))
        _say(error)

    @on(Input.Changed, "#dialog-input")
    def _changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    @on(Input.Submitted, "#dialog-input")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            day = self.resolve(event.value)
        except CaretuiError as exc:
            _say(self.query_one("#dialog-error", Static), Text(exc.message))
            return
        self.dismiss(day)


class DateTimeDialog(Dialog[datetime | None]):
    """A new date and time: "fri 14:30", or only "fri" (keeps the time of ``initial``),
    or only "14:30" (keeps its day)."""

    def __init__(
        self,
        title: str | Text,
        *,
        today: date,
        initial: datetime | None = None,
        allow_past: bool = False,
    ) -> None:
        super().__init__()
        self._title = _title(title)
        self.today = today
        self._initial = initial
        self._allow_past = allow_past

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="dialog-title")
            yield Input(
                "",
                placeholder="e.g. fri 14:30, tomorrow, +1w, 10:00",
                id="dialog-input",
            )
            if self._initial is not None:
                shown = f"now {self._initial:%a %Y-%m-%d %H:%M}"
                yield Static(Text(shown), classes="dialog-label")
            yield Static("", id="dialog-preview", classes="dialog-preview")
            yield Static("", id="dialog-error", classes="dialog-error")
            yield Static(Text("enter confirms · escape cancels"), classes="dialog-hint")

    def resolve(self, text: str) -> datetime:
        text = " ".join(text.split())
        if not text:
            raise DomainError("No date or time given")
        base = self._initial or datetime.combine(self.today, time(9, 0))
        try:
            when = parse_datetime(text, self.today)
        except DomainError:
            try:
                when = datetime.combine(base.date(), parse_time(text))
            except DomainError:
                when = datetime.combine(dates.parse_date(text, self.today), base.time())
        if not self._allow_past and when.date() < self.today:
            raise DomainError(f"{dates.describe(when.date(), self.today)} is in the past")
        return when

    @on(Input.Changed, "#dialog-input")
    def _changed(self, event: Input.Changed) -> None:
        preview = self.query_one("#dialog-preview", Static)
        error = self.query_one("#dialog-error", Static)
        if not event.value.strip():
            _say(preview)
            _say(error)
            return
        try:
            when = self.resolve(event.value)
        except CaretuiError as exc:
            _say(preview)
            _say(error, Text(exc.message, style="italic"))
            return
        _say(preview, Text(f"→ {dates.describe(when.date(), self.today)} at {when:%H:%M}"))
        _say(error)

    @on(Input.Submitted, "#dialog-input")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            when = self.resolve(event.value)
        except CaretuiError as exc:
            _say(self.query_one("#dialog-error", Static), Text(exc.message))
            return
        self.dismiss(when)


# --- a choice, a line of text ----------------------------------------------------------


class ChoiceDialog(Dialog[str | None]):
    """One of a few choices, given as ``(label, value)``: arrows and enter, or its number."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            str(n),
            f"pick({n})",
            str(n),
            show=False,
            id=f"dialog.pick{n}",
            tooltip=f"Choose option {n}",
        )
        for n in range(1, 10)
    ]

    def __init__(
        self,
        title: str | Text,
        choices: Sequence[tuple[str | Text, str]],
        *,
        current: str | None = None,
    ) -> None:
        super().__init__()
        self._title = _title(title)
        self._choices = list(choices)
        self._current = current

    def compose(self) -> ComposeResult:
        options = []
        for n, (label, value) in enumerate(self._choices, start=1):
            prompt = Text(f"{n}  " if n < 10 else "   ", style="bold")
            prompt.append_text(label if isinstance(label, Text) else Text(one_line(label)))
            if value == self._current:
                prompt.append("  (now)", style="dim")
            options.append(Option(prompt, id=f"choice-{n - 1}"))
        with Vertical():
            yield Label(self._title, classes="dialog-title")
            yield OptionList(*options, id="dialog-choices")
            yield Static(Text("enter or a number chooses · escape cancels"), classes="dialog-hint")

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        choices.focus()
        values = [value for _label, value in self._choices]
        if self._current in values:
            choices.highlighted = values.index(self._current)
        elif values:
            choices.highlighted = 0

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self._choices):
            self.dismiss(self._choices[number - 1][1])

    @on(OptionList.OptionSelected, "#dialog-choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._choices[event.option_index][1])


class TextDialog(Dialog[str | None]):
    """A short line: a reason, transport details. Confirmed empty gives ``""``
    (unless ``required``); escape gives ``None``."""

    def __init__(
        self,
        title: str | Text,
        *,
        label: str,
        required: bool = False,
        initial: str = "",
        placeholder: str = "",
        max_length: int = 200,
    ) -> None:
        super().__init__()
        self._title = _title(title)
        self._label = label
        self._required = required
        self._initial = initial
        self._placeholder = placeholder
        self._max_length = max_length

    def compose(self) -> ComposeResult:
        mark = " *" if self._required else " (optional)"
        with Vertical():
            yield Label(self._title, classes="dialog-title")
            yield Label(Text(self._label + mark), classes="dialog-label")
            yield Input(self._initial, placeholder=self._placeholder, id="dialog-input")
            yield Static("", id="dialog-error", classes="dialog-error")
            yield Static(Text("enter confirms · escape cancels"), classes="dialog-hint")

    @on(Input.Submitted, "#dialog-input")
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        error = self.query_one("#dialog-error", Static)
        if self._required and not value:
            _say(error, Text(f"{self._label} is required"))
            return
        if len(value) > self._max_length:
            _say(error, Text(f"{self._label} is longer than {self._max_length} characters"))
            return
        self.dismiss(value)


# --- a patient -------------------------------------------------------------------------

#: What ``PatientPicker(allow_none=True)`` returns for "a task about no patient".
NO_PATIENT = 0
_SHOWN = 20


class PatientPicker(Dialog[int | None]):
    """Find a patient by fuzzy name or MRN as you type; enter picks the highlighted one.

    Returns the patient's id, ``NO_PATIENT`` (0) for the "no patient" line offered
    with ``allow_none``, or ``None`` when escaped. Names are loaded once, in a thread.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Down", show=False, tooltip="Next patient"),
        Binding("up", "move(-1)", "Up", show=False, tooltip="Previous patient"),
    ]

    def __init__(
        self,
        title: str | Text = "Which patient?",
        *,
        allow_none: bool = False,
        include_discharged: bool = False,
    ) -> None:
        super().__init__()
        self._title = _title(title)
        self._allow_none = allow_none
        self._include_discharged = include_discharged
        self._entries: list[PaletteEntry] | None = None
        self._shown: list[int] = []

    @property
    def caretui(self) -> CaretuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="dialog-title")
            yield Input(placeholder="name or MRN", id="dialog-input")
            yield OptionList(id="dialog-patients")
            yield Static(Text("loading patients…"), id="dialog-status", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._load()

    @work(thread=True, exclusive=True, group="patient-picker")
    def _load(self) -> None:
        from caretui.queries.patients import OPEN_STATUSES, palette_entries

        statuses: tuple[str, ...] = () if self._include_discharged else OPEN_STATUSES
        with self.caretui.reading() as con:
            entries = palette_entries(con, statuses)
        self.app.call_from_thread(self._loaded, entries)

    def _loaded(self, entries: list[PaletteEntry]) -> None:
        self._entries = entries
        self._refresh(self.query_one(Input).value)

    def _label(self, entry: PaletteEntry) -> Text:
        from caretui.queries.names import patient_name

        redact = self.caretui.redact
        text = Text(
            patient_name(entry.given_name, entry.family_name, entry.preferred_name, redact=redact)
        )
        if entry.status != "active":
            text.append(f"  {entry.status}", style="dim italic")
        if entry.mrn and not redact:
            text.append(f"  {one_line(entry.mrn)}", style="dim")
        return text

    def _refresh(self, query: str) -> None:
        from caretui.screens.palette import rank_patients

        if self._entries is None:
            return
        if query.strip():
            found = [entry for entry, _score in rank_patients(self._entries, query, _SHOWN)]
        else:
            found = self._entries[:_SHOWN]
        options: list[Option] = []
        self._shown = []
        if self._allow_none:
            options.append(Option(Text("No patient (a task about no one)", style="italic")))
            self._shown.append(NO_PATIENT)
        for entry in found:
            options.append(Option(self._label(entry)))
            self._shown.append(entry.id)
        listing = self.query_one(OptionList)
        listing.set_options(options)
        if options:
            first_patient = 1 if self._allow_none and found and query.strip() else 0
            listing.highlighted = first_patient
        total = len(self._entries)
        status = self.query_one("#dialog-status", Static)
        if query.strip() and not found:
            status.update(Text("No patient matches · escape cancels"))
        else:
            status.update(
                Text(f"{total:,} patients · type to narrow · enter picks · escape cancels")
            )

    @on(Input.Changed, "#dialog-input")
    def _changed(self, event: Input.Changed) -> None:
        self._refresh(event.value)

    def action_move(self, step: int) -> None:
        listing = self.query_one(OptionList)
        if step > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    @on(Input.Submitted, "#dialog-input")
    def _submitted(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self._shown):
            self.dismiss(self._shown[index])

    @on(OptionList.OptionSelected, "#dialog-patients")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_index < len(self._shown):
            self.dismiss(self._shown[event.option_index])


__all__ = [
    "NO_PATIENT",
    "ChoiceDialog",
    "DateDialog",
    "DateTimeDialog",
    "Dialog",
    "PatientPicker",
    "TextDialog",
]
