"""Small modal questions behind one key: a date, a date and time, a choice, a line of
text (a patient: ``patient_picker``). Each returns a typed value through ``dismiss``
(``None`` when escaped); the caller then writes through a service in a worker.

Everything a user typed or stored reaches the screen as ``Text``. Nothing here
touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on
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

ResultT = TypeVar("ResultT")


def dialog_title(title: str | Text) -> Text:
    """A dialog's title: ``Text`` as given, a string on one line (never markup)."""
    return title if isinstance(title, Text) else Text(one_line(title))


def _say(line: Static, text: Text | str = "") -> None:
    """Show ``text`` on a message line; an empty line takes no room."""
    line.update(text)
    line.display = bool(text)


class Dialog(ModalScreen[ResultT]):
    """The frame every small dialog shares: a titled box, escape cancels."""

    #: Opening it imports the write side ahead (``CaretuiApp.warm_up``): what the user
    #: answers is usually saved. False for a dialog that only shows or exports.
    WARMS_WRITE_SIDE: ClassVar[bool] = True

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


class _ResolvingDialog(Dialog[ResultT]):
    """A line of natural input, shown resolved (or refused, and why) as it is typed;
    enter returns the resolved value. Subclasses say how to ``resolve`` and ``describe``."""

    PLACEHOLDER: ClassVar[str] = ""

    def __init__(self, title: str | Text, *, today: date, allow_past: bool) -> None:
        super().__init__()
        self._title = dialog_title(title)
        self.today = today
        self._allow_past = allow_past

    def initial_text(self) -> str:
        return ""

    def note(self) -> Text | None:
        """A line under the input (what the value is now), if any."""
        return None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="dialog-title")
            yield Input(self.initial_text(), placeholder=self.PLACEHOLDER, id="dialog-input")
            note = self.note()
            if note is not None:
                yield Static(note, classes="dialog-label")
            yield Static("", id="dialog-preview", classes="dialog-preview")
            yield Static("", id="dialog-error", classes="dialog-error")
            yield Static(Text("enter confirms · escape cancels"), classes="dialog-hint")

    def on_mount(self) -> None:
        self._show(self.query_one(Input).value)

    def resolve(self, text: str) -> ResultT:
        """The value ``text`` names, or ``CaretuiError`` saying why it is not acceptable."""
        raise NotImplementedError

    def describe(self, value: ResultT) -> str:
        """The resolved value in words, shown under the input."""
        raise NotImplementedError

    def _show(self, text: str) -> None:
        preview = self.query_one("#dialog-preview", Static)
        error = self.query_one("#dialog-error", Static)
        if not text.strip():
            _say(preview)
            _say(error)
            return
        try:
            value = self.resolve(text)
        except CaretuiError as exc:
            _say(preview)
            _say(error, Text(exc.message, style="italic"))
            return
        _say(preview, Text(f"→ {self.describe(value)}"))
        _say(error)

    @on(Input.Changed, "#dialog-input")
    def _changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    @on(Input.Submitted, "#dialog-input")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            value = self.resolve(event.value)
        except CaretuiError as exc:
            _say(self.query_one("#dialog-error", Static), Text(exc.message))
            return
        self.dismiss(value)


class DateDialog(_ResolvingDialog[date | None]):
    """One natural date ("tomorrow", "mon", "+3d", "next week", "12/01"), shown resolved
    as it is typed. ``check`` may refuse a date with a message (e.g. "after today")."""

    PLACEHOLDER = "e.g. tomorrow, fri, +3d, next week, 12/01"

    def __init__(
        self,
        title: str | Text,
        *,
        today: date,
        initial: date | None = None,
        allow_past: bool = False,
        check: Callable[[date], str | None] | None = None,
    ) -> None:
        super().__init__(title, today=today, allow_past=allow_past)
        self._initial = initial
        self._check = check

    def initial_text(self) -> str:
        return self._initial.isoformat() if self._initial else ""

    def resolve(self, text: str) -> date:
        day = dates.parse_date(text, self.today)
        if not self._allow_past and day < self.today:
            raise DomainError(f"{dates.describe(day, self.today)} is in the past")
        problem = self._check(day) if self._check else None
        if problem:
            raise DomainError(problem)
        return day

    def describe(self, value: date | None) -> str:
        return dates.describe(value, self.today) if value else ""


class DateTimeDialog(_ResolvingDialog[datetime | None]):
    """A new date and time: "fri 14:30", or only "fri" (keeps the time of ``initial``),
    or only "14:30" (keeps its day)."""

    PLACEHOLDER = "e.g. fri 14:30, tomorrow, +1w, 10:00"

    def __init__(
        self,
        title: str | Text,
        *,
        today: date,
        initial: datetime | None = None,
        allow_past: bool = False,
    ) -> None:
        super().__init__(title, today=today, allow_past=allow_past)
        self._initial = initial

    def note(self) -> Text | None:
        return None if self._initial is None else Text(f"now {self._initial:%a %Y-%m-%d %H:%M}")

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

    def describe(self, value: datetime | None) -> str:
        return f"{dates.describe(value.date(), self.today)} at {value:%H:%M}" if value else ""


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
        self._title = dialog_title(title)
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
        self._title = dialog_title(title)
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

    def action_cancel(self) -> None:
        """Escape: at once when nothing was typed, else after asking."""
        typed = self.query_one("#dialog-input", Input).value
        if typed.strip() and typed != self._initial:
            close_after_asking(self, "Discard what you typed?", "Discard it")
        else:
            self.dismiss(None)

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


__all__ = [
    "ChoiceDialog",
    "DateDialog",
    "DateTimeDialog",
    "Dialog",
    "TextDialog",
]


def close_after_asking(
    screen: ModalScreen[Any], question: str | Text, discard: str = "Discard the changes"
) -> None:
    """Ask ``question`` over ``screen`` (keep editing, first, or ``discard``), and close
    it without a result only once the user chose to discard."""

    def chosen(choice: str | None) -> None:
        if choice == "discard":
            screen.dismiss(None)

    screen.app.push_screen(
        ChoiceDialog(question, [("Keep editing", "keep"), (discard, "discard")]), chosen
    )
