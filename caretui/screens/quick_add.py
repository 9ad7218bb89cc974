"""`a`: quick add. One line becomes a task (or, with a time, an appointment).

As the line is typed it is parsed in a thread worker (the patient is matched
against the caseload's names, read once), and its parts are shown below it: what
will be added, its title, patient, due date or time, priority, queue and repeats,
and a note for each word left in the title. ``enter`` saves it; a patient that
could be several is asked about first. ``tab`` opens the full task or appointment
form with every part filled in, to change any of them. The grammar is
``caretui.services.quick_add``'s; ``f1`` shows it.

Nothing here imports SQLAlchemy: saving runs ``services.quick_add_save`` in a worker.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static
from textual.worker import get_current_worker

from caretui import codes
from caretui.errors import CaretuiError
from caretui.services.quick_add import LABEL_WIDTH, NO_TITLE, QuickAdd, parse, parts
from caretui.services.text import one_line

if TYPE_CHECKING:
    from caretui.app import CaretuiApp
    from caretui.queries.patients import PaletteEntry
    from caretui.widgets.form import FormScreen

#: The grammar, a row a part: what to type, and what it does.
GRAMMAR_ROWS: tuple[tuple[str, str], ...] = (
    (
        '@nunez  @"Ana Núñez"  @ana_nunez  @MRN123',
        "the patient: fuzzy name or MRN (asked if several)",
    ),
    ("!  !!  !!!  pri:urgent", "priority: urgent, asap, stat (routine if none)"),
    ("#calls  #ref", "the queue, or its first letters (default: your first queue)"),
    ('due:fri  due:"next week"', "due: today, tomorrow, fri, +3d, next week, 12/01, dec 1"),
    ("… fri   … next week", "or a date as the line's last words"),
    ("fri 14:30 30m", "a time (and length) makes an appointment; the rest is its purpose"),
    ("every 2 weeks  weekly  every mon", "repeats"),
)
GRAMMAR_NOTE = (
    "Only the last words are read as a date (markers such as @ # ! may sit among them): "
    '"monday meeting notes" keeps its monday. With due: none are; a final period keeps a '
    "date word in the title. Words not understood stay in the title, with a note."
)
GRAMMAR_EXAMPLE = "Call pharmacy re warfarin refill @nunez fri !! #calls"


def grammar_text() -> Text:
    """The grammar as plain lines (the help screen's extra text)."""
    text = Text("Quick add: one line becomes a task, or with a time an appointment.\n", "bold")
    for typed, meaning in GRAMMAR_ROWS:
        text.append(f"  {typed}\n", style="bold")
        text.append(f"      {meaning}\n")
    text.append(GRAMMAR_NOTE + "\n")
    text.append("Example: ", style="dim")
    text.append(GRAMMAR_EXAMPLE)
    return text


def grammar_table() -> Table:
    """The grammar as a table: what to type beside what it does."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for typed, meaning in GRAMMAR_ROWS:
        table.add_row(Text(typed), Text(meaning))
    return table


class QuickAddScreen(ModalScreen[object | None]):
    """The one-line input and the parts it was read as. Dismissed with what a save
    returns (it has a ``message``), or ``None`` when cancelled."""

    HELP_TITLE = "Quick add"
    #: Opening it imports the write side ahead (``CaretuiApp.warm_up``).
    WARMS_WRITE_SIDE: ClassVar[bool] = True
    HELP_EXTRA = grammar_text()
    DEFAULT_CSS = """
    QuickAddScreen { align: center top; }
    QuickAddScreen > Vertical {
        width: 90; max-width: 98%; height: auto; margin-top: 3;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    QuickAddScreen .quick-title { text-style: bold; padding: 0 0 1 0; }
    QuickAddScreen #quick-parts { height: auto; padding: 1 0 0 0; }
    QuickAddScreen .quick-message { height: auto; display: none; }
    QuickAddScreen #quick-notes { color: $warning; }
    QuickAddScreen #quick-problems { color: $error; }
    QuickAddScreen .quick-hint { height: auto; color: $text-muted; padding: 1 0 0 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="quick.cancel", tooltip="Close without adding"),
        Binding(
            "tab",
            "form",
            "Form",
            id="quick.form",
            tooltip="Open the full task or appointment form, every part filled in, to edit",
        ),
        Binding(
            "f1",
            "grammar",
            "Grammar",
            id="quick.help",
            tooltip="How a line is read: @patient, !, #queue, due:, times, repeats",
        ),
    ]

    def __init__(self, *, initial: str = "") -> None:
        super().__init__()
        self._initial = initial
        self._entries: list[PaletteEntry] | None = None
        #: The last draft shown, and the line it was parsed from.
        self.draft: QuickAdd | None = None
        self._busy = False

    @property
    def caretui(self) -> CaretuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Quick add"), classes="quick-title")
            yield Input(
                self._initial,
                placeholder="Call pharmacy re warfarin refill @nunez fri !! #calls",
                id="quick-line",
            )
            yield Static("", id="quick-parts")
            yield Static("", id="quick-notes", classes="quick-message")
            yield Static("", id="quick-problems", classes="quick-message")
            yield Static(
                Text("enter adds · tab opens the form · f1 grammar · escape cancels"),
                classes="quick-hint",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._parse(self.query_one(Input).value)

    # -- reading the line ----------------------------------------------------------------

    def _entries_now(self) -> list[PaletteEntry]:
        """(In a worker thread.) Every patient's names, read once per opening."""
        if self._entries is None:
            from caretui.queries.patients import palette_entries

            with self.caretui.reading() as con:
                self._entries = palette_entries(con)
        return self._entries

    def _read(self, line: str) -> QuickAdd:
        """(In a worker thread.) ``line`` parsed, its patient matched."""
        from caretui.queries.patient_match import patient_candidates

        entries = self._entries_now() if "@" in line else []
        return parse(
            line,
            today=self.caretui.today,
            queues=tuple(self.caretui.settings.queues),
            resolve=lambda term: patient_candidates(entries, term),
        )

    @on(Input.Changed, "#quick-line")
    def _changed(self, event: Input.Changed) -> None:
        self._parse(event.value)

    @work(thread=True, exclusive=True, group="quick-add-parse")
    def _parse(self, line: str) -> None:
        draft = self._read(line)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, draft)

    def _show(self, draft: QuickAdd) -> None:
        if draft.line != self.query_one(Input).value:
            return  # typed on since: a newer parse is coming
        self.draft = draft
        redact = self.caretui.redact
        shown = Text()
        if draft.line.strip():
            for n, (label, value) in enumerate(parts(draft, redact=redact)):
                if n:
                    shown.append("\n")
                shown.append(f"{label:<{LABEL_WIDTH}}  ", style="dim")
                shown.append(value, style="bold" if label == "add" else "")
        self.query_one("#quick-parts", Static).update(shown)
        notes = "\n".join(f"note: {one_line(n)}" for n in draft.notes)
        _say(self.query_one("#quick-notes", Static), notes)
        problems = draft.problems if draft.line.strip() else ()
        _say(self.query_one("#quick-problems", Static), "\n".join(problems))

    # -- saving --------------------------------------------------------------------------

    @on(Input.Submitted, "#quick-line")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() and not self._busy:
            self._busy = True
            self._settle(event.value, "save")

    def action_form(self) -> None:
        if not self._busy:
            self._busy = True
            self._settle(self.query_one(Input).value, "form")

    @work(thread=True, exclusive=True, group="quick-add-parse")
    def _settle(self, line: str, then: str) -> None:
        """Parse ``line`` once more (it may have changed since the last preview), then
        save it or open the form, asking for the patient first if that is not clear."""
        draft = self._read(line)
        self.app.call_from_thread(self._settled, draft, then)

    def _settled(self, draft: QuickAdd, then: str) -> None:
        self._show(draft)
        patient = draft.patient
        if patient is not None and patient.state == "ambiguous":
            self._ask_patient(draft, then)
        else:
            self._go_on(draft, then)

    def _go_on(self, draft: QuickAdd, then: str) -> None:
        """Save the settled draft, or open the form on it; a problem stops both (the form
        may start without a title, but nothing typed is left behind for it)."""
        problems = [p for p in draft.problems if then == "save" or p != NO_TITLE]
        if problems:
            self._refused("\n".join(problems))
        elif then == "form":
            self._open_form(draft)
        else:
            self._save(draft)

    def _ask_patient(self, draft: QuickAdd, then: str) -> None:
        """Which patient ``@term`` means, in the patient picker: every patient the term
        narrows to (not only the few closest), in a scrolling list, narrowed further by
        typing a given name, MRN or date of birth."""
        from caretui.widgets.patient_picker import PatientPicker

        assert draft.patient is not None
        term = draft.patient.term

        def chosen(patient_id: int | None) -> None:
            if not patient_id:
                self._busy = False
                self.query_one(Input).focus()
                return
            self._take_patient(draft, patient_id, then)

        title = Text(f"@{one_line(term)}: which patient?")
        self.app.push_screen(PatientPicker(title, query=term), chosen)

    @work(thread=True, exclusive=True, group="quick-add-parse")
    def _take_patient(self, draft: QuickAdd, patient_id: int, then: str) -> None:
        """(In a worker thread.) The draft with the patient picked, read by id when the
        picker offered one beyond the parser's few candidates."""
        from caretui.queries.patient_match import PatientCandidate
        from caretui.queries.patients import patient_detail

        assert draft.patient is not None
        candidate = next((c for c in draft.patient.candidates if c.id == patient_id), None)
        if candidate is None:
            from caretui.errors import CaretuiError
            from caretui.screens.today_rows import read_error
            from caretui.store.plain import database_errors

            try:
                with self.caretui.reading() as con:
                    found = patient_detail(con, patient_id)
            except database_errors(CaretuiError) as exc:
                self.app.call_from_thread(self._refused, read_error(self.caretui.db, exc))
                return
            if found is None:  # gone since it was listed
                self.app.call_from_thread(self._refused, "That patient is no longer there")
                return
            candidate = PatientCandidate(
                found.id,
                found.given_name,
                found.family_name,
                found.preferred_name,
                found.mrn,
                1.0,
                False,
            )
        settled = draft.with_patient(candidate)
        self.app.call_from_thread(self._picked, settled, then)

    def _picked(self, settled: QuickAdd, then: str) -> None:
        self.draft = settled
        self._show(settled)
        self._go_on(settled, then)

    @work(thread=True, exclusive=True, group="quick-add-save")
    def _save(self, draft: QuickAdd) -> None:
        from caretui.services.quick_add_save import save_quick_add

        app = self.caretui
        try:
            added = save_quick_add(
                app.db, draft, today=app.today, queues=tuple(app.settings.queues)
            )
        except CaretuiError as exc:
            self.app.call_from_thread(self._refused, exc.message)
            return
        self.app.call_from_thread(self.dismiss, added)

    def _refused(self, message: str) -> None:
        self._busy = False
        _say(self.query_one("#quick-problems", Static), message)
        self.query_one(Input).focus()

    # -- the full form -------------------------------------------------------------------

    def _open_form(self, draft: QuickAdd) -> None:
        """The task or appointment form with the draft's parts filled in; what it saves
        closes quick add too."""
        app = self.caretui
        chosen = draft.patient.chosen if draft.patient else None
        name = chosen.name(redact=app.redact) if chosen else None
        form = _prefilled_form(draft, app, name)

        def done(result: object | None) -> None:
            self._busy = False
            if result is not None:
                self.dismiss(result)
            else:
                self.query_one(Input).focus()

        self.app.push_screen(form, done)

    def action_cancel(self) -> None:
        """Close: at once on an empty line, else after asking (as a form does)."""
        if not self.query_one(Input).value.strip():
            self.dismiss(None)
            return
        from caretui.widgets.dialogs import close_after_asking

        close_after_asking(self, "Discard this line?", "Discard it")

    def action_grammar(self) -> None:
        self.app.push_screen(GrammarScreen())


class GrammarScreen(ModalScreen[None]):
    """`f1` in quick add: how a line is read."""

    DEFAULT_CSS = """
    GrammarScreen { align: center middle; }
    GrammarScreen > VerticalScroll {
        width: 100; max-width: 98%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    GrammarScreen Static { margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,f1,q,question_mark",
            "close",
            "Close",
            id="grammar.close",
            tooltip="Back to the line",
        ),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(
                Text("Quick add: one line becomes a task, or with a time an appointment", "bold")
            )
            yield Static(grammar_table(), classes="grammar-rows")
            yield Static(Text(GRAMMAR_NOTE))
            yield Static(Text.assemble(("Example: ", "dim"), GRAMMAR_EXAMPLE))
            yield Static(Text("escape closes this help", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)


def _say(line: Static, text: str) -> None:
    """Show ``text`` (plain, never markup) on a message line; an empty one takes no room."""
    line.update(Text(text))
    line.display = bool(text)


def _prefilled_form(draft: QuickAdd, app: CaretuiApp, patient: str | None) -> FormScreen:
    from caretui.screens.work_forms import appointment_form, task_form
    from caretui.services.quick_add_save import appointment_fields, task_fields

    values: dict[str, Any]
    if draft.kind == "appointment":
        assert draft.patient_id is not None
        form = appointment_form(
            app.db, app.today, patient_id=draft.patient_id, start=draft.start, patient=patient
        )
        values = appointment_fields(draft)
        values["end"] = f"{draft.minutes}m" if draft.minutes else None  # "Length or end"
    else:
        queues = tuple(app.settings.queues)
        form = task_form(
            app.db,
            app.today,
            patient_id=draft.patient_id,
            queues=queues,
            queue=draft.queue or draft.default_queue,
            patient=patient or ("no patient" if draft.patient is None else None),
        )
        values = task_fields(draft)
        values["priority"] = (draft.priority or codes.Priority.ROUTINE).value
    form.fields = tuple(
        replace(spec, initial=values[spec.name]) if values.get(spec.name) is not None else spec
        for spec in form.fields
    )
    return form
