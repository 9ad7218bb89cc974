"""Modal forms: validation messages beside the field, nothing saved until valid.

A form is a list of ``Field`` specs and a ``save`` callable. On ctrl+s the form
parses what was typed (dates in natural language, shown resolved as you type),
then runs ``save`` in a thread worker: it calls the services inside one
``action()``. A ``DomainError`` naming a field is shown beside that field (until
that field is changed); the form stays open. On success the form is dismissed
with ``save``'s result. Escape closes an untouched form at once, and asks before
discarding a form whose fields differ from what it opened with; a form whose closing
loses something even untouched (the timer's minutes) is made with ``always_confirm``
and always asks.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, ClassVar, Literal

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea
from textual.widgets.select import InvalidSelectValueError

from caretui.errors import CaretuiError, DomainError, StaleRecord
from caretui.services import dates
from caretui.widgets.stale_edit import Edited, Stored, accepting, differences, read_stored

Kind = Literal["text", "multiline", "date", "datetime", "choice", "bool", "int", "recurrence"]
#: Kinds shown resolved under the field as the user types (``preview``).
PREVIEWED: tuple[Kind, ...] = ("date", "datetime", "recurrence")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
#: A choice field with more options than this finds one by its typed first letters.
SEARCHED_CHOICES = 9


@dataclass(frozen=True)
class Field:
    """One field of a form. ``name`` is the service's field name, so a service error
    naming it lands beside it."""

    name: str
    label: str
    kind: Kind = "text"
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (shown, value)
    initial: Any = None
    placeholder: str = ""
    aliases: tuple[str, ...] = field(default=())  # other service field names shown here


def parse_time(text: str) -> time:
    m = _TIME.match(text.strip())
    if not m:
        raise DomainError(f"{text.strip()!r} is not a time (use 14:30 or 2:30pm)")
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), (m.group(3) or "").lower()
    if half == "pm" and hour < 12:
        hour += 12
    if half == "am" and hour == 12:
        hour = 0
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise DomainError(f"{text.strip()!r} is not a time of day")
    return time(hour, minute)


def parse_datetime(text: str, today: date) -> datetime:
    """ "fri 14:30", "2026-12-01 09:00", "tomorrow 2pm": a date, a space, a time."""
    text = " ".join(text.split())
    if not text:
        raise DomainError("No date and time given")
    parts = text.rsplit(" ", 1)
    if len(parts) == 2:
        try:
            at = parse_time(parts[1])
        except DomainError:
            at = None
        if at is not None:
            return datetime.combine(dates.parse_date(parts[0], today), at)
    if "T" in text:
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    raise DomainError(f"{text!r}: give a date and a time, like 'fri 14:30'")


def parse_value(spec: Field, raw: Any, today: date) -> Any:
    """What the service receives for ``raw``; ``DomainError`` names what is wrong."""
    if spec.kind == "bool":
        return bool(raw)
    if spec.kind == "choice":
        if raw is None or raw is Select.NULL:
            if spec.required:
                raise DomainError(f"{spec.label} is required")
            return None
        return raw
    text = str(raw or "").strip() if spec.kind != "multiline" else str(raw or "")
    if not text.strip():
        if spec.required:
            raise DomainError(f"{spec.label} is required")
        return None
    if spec.kind == "date":
        return dates.parse_date(text, today)
    if spec.kind == "datetime":
        return parse_datetime(text, today)
    if spec.kind == "recurrence":
        from caretui.services.recurrence import normalize_rrule

        return normalize_rrule(text, spec.label)
    if spec.kind == "int":
        if not re.fullmatch(r"-?\d+", text):
            raise DomainError(f"{spec.label} must be a whole number")
        return int(text)
    return text


def preview(spec: Field, raw: str, today: date, anchor: date | None = None) -> Text:
    """The resolved value shown under a date or recurrence field as the user types: the
    date, or the rule in words (on the day of ``anchor``, the date it repeats from)."""
    if not raw.strip():
        return Text("")
    try:
        value = parse_value(spec, raw, today)
    except CaretuiError as exc:
        return Text(exc.message, style="italic")
    if spec.kind == "recurrence":
        from caretui.services.recurrence import describe

        return Text(f"→ {describe(str(value), anchor)}", style="dim")
    if isinstance(value, datetime):
        return Text(f"→ {dates.describe(value.date(), today)} at {value:%H:%M}", style="dim")
    if isinstance(value, date):
        return Text(f"→ {dates.describe(value, today)}", style="dim")
    return Text("")


def initial_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class FormBody(VerticalScroll, can_focus=False):
    """The fields' scrolling area: tab goes from field to field, never to the scroller."""


class FormScreen(ModalScreen[object | None]):
    """A modal form over the services. See the module docstring."""

    #: Opening it imports the write side ahead (``CaretuiApp.warm_up``).
    WARMS_WRITE_SIDE: ClassVar[bool] = True

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > Vertical {
        width: 80; max-width: 95%; height: auto; max-height: 95%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    FormScreen .form-title { text-style: bold; padding: 0 0 1 0; }
    FormScreen FormBody { height: auto; max-height: 30; }
    FormScreen .field-label { padding: 1 0 0 0; color: $text-muted; }
    FormScreen .field-error { color: $error; height: auto; }
    FormScreen .field-preview { height: auto; }
    FormScreen .form-error { color: $error; height: auto; padding: 1 0 0 0; }
    FormScreen TextArea { height: 6; }
    FormScreen .buttons { height: auto; padding: 1 0 0 0; align-horizontal: right; }
    FormScreen Button { margin-left: 2; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save", tooltip="Check the form and save it"),
        Binding("escape", "cancel", "Cancel", id="form.cancel", tooltip="Close without saving"),
    ]

    def __init__(
        self,
        title: str | Text,
        fields: Sequence[Field],
        save: Callable[[dict[str, Any]], object],
        *,
        today: date | None = None,
        edited: Edited | None = None,
        always_confirm: bool = False,
        discard_question: str = "Discard your changes?",
        discard_choice: str = "Discard the changes",
    ) -> None:
        super().__init__()
        self._title = title if isinstance(title, Text) else Text(title)
        #: Escape asks ``discard_question`` even on an untouched form: closing it loses
        #: something that is not in a field's change (the timer's minutes).
        self.always_confirm = always_confirm
        self.discard_question = discard_question
        self.discard_choice = discard_choice
        #: The record edited (None: a new one); see ``stale_edit``.
        self.edited = edited
        #: A newer version of it the user chose to save over, or to take into the form.
        self._accepted: int | None = None
        #: The values the form was opened on (or last took from the stored record).
        self._opened: dict[str, Any] = {f.name: f.initial for f in fields}
        self.fields = tuple(fields)
        self._save = save
        self.today = today or date.today()
        self._by_name = {f.name: f for f in self.fields}
        self._error_shown = False
        #: Each field's raw value as the form opened (or last took the stored record):
        #: escape asks before discarding anything that differs (``edited_fields``).
        self._pristine: dict[str, Any] = {}
        for f in self.fields:
            for alias in f.aliases:
                self._by_name[alias] = f

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="form-title")
            with FormBody():
                for spec in self.fields:
                    mark = " *" if spec.required else ""
                    yield Label(Text(spec.label + mark), classes="field-label")
                    yield self._input_for(spec)
                    if spec.kind in PREVIEWED:
                        yield Static(
                            preview(
                                spec, initial_text(spec.initial), self.today, self._anchor_initial()
                            ),
                            id=f"preview-{spec.name}",
                            classes="field-preview",
                        )
                    yield Static("", id=f"error-{spec.name}", classes="field-error")
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Save (ctrl+s)", id="save", variant="primary")

    def on_mount(self) -> None:
        self._pristine = self._raw_values()
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()
            # Focus scrolls the first input to the top edge; show its label too.
            self.call_after_refresh(self.query_one(FormBody).scroll_home, animate=False)

    def _input_for(self, spec: Field) -> Widget:
        wid = f"field-{spec.name}"
        if spec.kind == "choice":
            options = [(Text(shown), value) for shown, value in spec.choices]
            return Select(
                options,
                id=wid,
                allow_blank=not spec.required,
                value=spec.initial if spec.initial is not None else Select.NULL,
                # A few choices are read at a glance: typed letters do not move the
                # choice (a note typed on the wrong field must not pick a step).
                type_to_search=len(options) > SEARCHED_CHOICES,
            )
        if spec.kind == "bool":
            return Checkbox(Text(spec.label), value=bool(spec.initial), id=wid)
        if spec.kind == "multiline":
            return TextArea(initial_text(spec.initial), id=wid, soft_wrap=True)
        return Input(initial_text(spec.initial), placeholder=spec.placeholder, id=wid)

    def raw_value(self, spec: Field) -> Any:
        widget = self.query_one(f"#field-{spec.name}")
        if isinstance(widget, Select):
            return widget.value
        if isinstance(widget, Checkbox):
            return widget.value
        if isinstance(widget, TextArea):
            return widget.text
        assert isinstance(widget, Input)
        return widget.value

    def _raw_values(self) -> dict[str, Any]:
        return {spec.name: self.raw_value(spec) for spec in self.fields}

    def edited_fields(self) -> list[str]:
        """The names of the fields whose value is not the one the form opened with."""
        now = self._raw_values()
        return [name for name, value in now.items() if self._pristine.get(name) != value]

    def show_error(self, name: str | None, message: str) -> None:
        """Show ``message`` beside the field ``name`` (or under the form); the first
        error since the last save is brought into view, its field focused."""
        spec = self._by_name.get(name or "")
        target = f"#error-{spec.name}" if spec else "#form-error"
        line = self.query_one(target, Static)
        line.update(Text(message))
        if spec is not None and spec.kind in PREVIEWED:
            # The live preview said the same thing a line above: say it once.
            self.query_one(f"#preview-{spec.name}", Static).display = False
        if not self._error_shown:
            self._error_shown = True
            if spec is not None:
                self.query_one(f"#field-{spec.name}").focus(scroll_visible=False)
            self.call_after_refresh(line.scroll_visible, animate=False)

    def clear_errors(self) -> None:
        self._error_shown = False
        for widget in self.query(".field-error, .form-error").results(Static):
            widget.update("")

    def _anchor_spec(self) -> Field | None:
        """The date a recurrence repeats from: the form's first date field (due, start)."""
        return next((f for f in self.fields if f.kind in ("date", "datetime")), None)

    def _anchor_initial(self) -> date | None:
        spec = self._anchor_spec()
        return self._anchor_of(spec, initial_text(spec.initial)) if spec else None

    def _anchor_of(self, spec: Field, raw: Any) -> date | None:
        try:
            value = parse_value(spec, raw, self.today)
        except CaretuiError:
            return None
        if isinstance(value, datetime):
            return value.date()
        return value if isinstance(value, date) else None

    def _anchor(self) -> date | None:
        spec = self._anchor_spec()
        return self._anchor_of(spec, self.raw_value(spec)) if spec else None

    @on(Input.Changed)
    def _live_preview(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("field-")
        spec = self._by_name.get(name)
        if spec is None:
            return
        changed = [spec] if spec.kind in PREVIEWED else []
        if spec is self._anchor_spec():
            # The day a recurrence keeps ("on Tuesdays") follows the date it starts on.
            changed += [f for f in self.fields if f.kind == "recurrence"]
        anchor = self._anchor() if changed else None
        for each in changed:
            shown = self.query_one(f"#preview-{each.name}", Static)
            raw = event.value if each is spec else self.raw_value(each)
            shown.update(preview(each, raw, self.today, anchor))
            shown.display = True

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _field_changed(
        self, event: Input.Changed | TextArea.Changed | Select.Changed | Checkbox.Changed
    ) -> None:
        """A field the user changed no longer shows the message about what it held: the
        next save checks it again."""
        widget = event.control
        name = (widget.id or "").removeprefix("field-") if widget is not None else ""
        if name in self._by_name and self._by_name[name].name == name:
            with contextlib.suppress(NoMatches):
                self.query_one(f"#error-{name}", Static).update("")

    def on_key(self, event: events.Key) -> None:
        """Text typed on a closed choice goes nowhere: say so beside it, at once."""
        focused = self.focused
        if (
            isinstance(focused, Select)
            and not focused.expanded
            and event.is_printable
            and event.character not in (None, " ")
        ):
            spec = self._by_name.get((focused.id or "").removeprefix("field-"))
            if spec is not None:
                self.query_one(f"#error-{spec.name}", Static).update(
                    Text(f"{spec.label} is a choice: enter opens it; tab goes to the next field")
                )

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without saving: at once if nothing was changed (and closing loses
        nothing else: ``always_confirm``), else after asking."""
        if not self.always_confirm and not self.edited_fields():
            self.dismiss(None)
            return
        from caretui.widgets.dialogs import close_after_asking

        close_after_asking(self, self.discard_question, self.discard_choice)

    def action_save(self) -> None:
        self.clear_errors()
        values: dict[str, Any] = {}
        failed = False
        for spec in self.fields:
            try:
                values[spec.name] = parse_value(spec, self.raw_value(spec), self.today)
            except DomainError as exc:
                self.show_error(spec.name, exc.message)
                failed = True
        if not failed:
            self._run_save(values)

    @work(thread=True, exclusive=True, group="form-save")
    def _run_save(self, values: dict[str, Any]) -> None:
        edited, accepted = self.edited, self._accepted
        try:
            if edited is not None and accepted is not None:
                with accepting(edited, accepted):
                    result = self._save(values)
            else:
                result = self._save(values)
        except StaleRecord as exc:
            self._read_stored(values, exc.message)
            return
        except DomainError as exc:
            self.app.call_from_thread(self.show_error, exc.field, exc.message)
            return
        except CaretuiError as exc:
            self.app.call_from_thread(self.show_error, None, exc.message)
            return
        self.app.call_from_thread(self.dismiss, result)

    # -- changed elsewhere since the form opened (``stale_edit``) -----------------------

    def _read_stored(self, values: dict[str, Any], message: str) -> None:
        """(In the save worker.) Read the record as stored now and show both versions."""
        db = getattr(self.app, "db", None)
        edited = self.edited
        stored = None
        if edited is not None and db is not None:
            try:
                stored = read_stored(db, edited)
            except CaretuiError:
                stored = None
        if stored is None:
            self.app.call_from_thread(self.show_error, None, message)
            return
        self.app.call_from_thread(self._changed_elsewhere, values, stored)

    def _changed_elsewhere(self, values: dict[str, Any], stored: Stored) -> None:
        from caretui.widgets.stale_dialog import StaleDialog

        assert self.edited is not None
        changes = differences(self.fields, values, stored.values, self._opened)
        what = self.edited.table.replace("_", " ")

        def chosen(choice: str | None) -> None:
            if choice == "mine":
                self._accepted = stored.version
                self._run_save(values)
            elif choice == "stored":
                self._accepted = stored.version
                self._opened = {f.name: stored.values.get(f.name) for f in self.fields}
                self.fill(stored.values)
                self._pristine = self._raw_values()  # escape leaves it as it is
                self.show_error(
                    None,
                    "The form now shows what is stored: ctrl+s saves it with your changes, "
                    "escape leaves it as it is.",
                )
            else:
                self.show_error(
                    None, f"This {what} was changed elsewhere since the form opened; not saved."
                )

        self.app.push_screen(StaleDialog(what, changes), chosen)

    def fill(self, values: Mapping[str, Any]) -> None:
        """Put ``values`` (by field name) in the form's fields."""
        for spec in self.fields:
            if spec.name not in values:
                continue
            value = values[spec.name]
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, Select):
                with contextlib.suppress(InvalidSelectValueError):
                    widget.value = Select.NULL if value is None else value
            elif isinstance(widget, Checkbox):
                widget.value = bool(value)
            elif isinstance(widget, TextArea):
                widget.text = initial_text(value)
            elif isinstance(widget, Input):
                widget.value = initial_text(value)
