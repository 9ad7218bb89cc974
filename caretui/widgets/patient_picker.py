"""Choose a patient in a dialog: fuzzy name or MRN as you type, enter picks.

Used where a new task or appointment starts from a screen that is not a
patient's own (Appointments, Queues). Names are read once per opening, in a
thread worker, through the plain read side; they are shown as ``Text``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from caretui.services.text import one_line
from caretui.widgets.dialogs import Dialog, dialog_title

if TYPE_CHECKING:
    from caretui.app import CaretuiApp
    from caretui.queries.patients import PaletteEntry

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
        self._title = dialog_title(title)
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
        from caretui.queries.patient_match import rank_patients

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
