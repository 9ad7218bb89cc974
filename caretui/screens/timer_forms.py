"""The timer's own screens: "Really 5 h 12 min?" and the note form it offers
(``timer.TimerKeeper`` shows them; imported when first shown, not at start)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from caretui import codes
from caretui.errors import DomainError
from caretui.services import timer as timing
from caretui.services.text import one_line
from caretui.widgets.dialogs import Dialog
from caretui.widgets.form import Field, FormScreen

if TYPE_CHECKING:
    from caretui.store.database import Database


@dataclass(frozen=True, slots=True)
class Logged:
    """What the note form saved: the note, and what to tell the user."""

    note_id: int
    message: str


def _stamp(moment: datetime) -> str:
    return f"{moment:%a %H:%M}"


class ConfirmMinutesDialog(Dialog[int | None]):
    """ "Really 5 h 12 min?": the minutes to log, to confirm or edit; escape logs nothing."""

    def __init__(self, stopped: timing.StoppedTimer, who: str) -> None:
        super().__init__()
        self._stopped = stopped
        self._who = who

    def compose(self) -> ComposeResult:
        s = self._stopped
        title = Text(f"Really {timing.describe_minutes(s.minutes)}?")
        about = Text("The timer for ")
        about.append(one_line(self._who))
        about.append(
            f" ran from {_stamp(s.timer.started_at)} to {_stamp(s.stopped_at)}: {s.why()}."
        )
        with Vertical():
            yield Label(title, classes="dialog-title")
            yield Static(about)
            yield Label(Text("Minutes to log"), classes="dialog-label")
            yield Input(str(s.minutes), id="dialog-input")
            yield Static("", id="dialog-error", classes="dialog-error")
            yield Static(
                Text("enter: log these minutes (the note comes next) · escape: log nothing"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#dialog-input")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            minutes = timing.check_minutes(event.value)
        except ValueError as exc:
            error = self.query_one("#dialog-error", Static)
            error.update(Text(str(exc)))
            error.display = True
            return
        self.dismiss(minutes)


def timer_note_form(
    db: Database,
    today: date,
    patient_id: int,
    who: str,
    minutes: int,
    stopped: timing.StoppedTimer,
    now: Callable[[], datetime],
) -> FormScreen:
    """The note the timer offers: minutes and time filled in, the kind for the user to
    choose; saved (in one action) only on ctrl+s."""
    from caretui.screens.patient_forms import choices

    fields = [
        # Not "required": a required choice starts on its first option, and the kind is
        # the user's to choose; ``save`` asks for it.
        Field("kind", "Kind *", "choice", choices=choices(codes.NoteKind)),
        Field("minutes", "Minutes spent", "int", required=True, initial=minutes),
        Field("with_whom", "With", placeholder="e.g. patient, daughter, pharmacy"),
        Field(
            "outcome",
            "Outcome (calls and messages)",
            "choice",
            choices=choices(codes.OutreachOutcome),
        ),
        Field("text", "Note", "multiline"),
        Field(
            "occurred_at", "When (the timer's start)", "datetime", initial=stopped.timer.started_at
        ),
    ]

    def save(values: dict[str, Any]) -> Logged:
        from caretui.services.notes import log_note, require_outcome
        from caretui.services.unit import action

        if values["kind"] is None:
            raise DomainError("Choose the kind: call, visit, message or note", field="kind")
        kind = str(values["kind"])
        require_outcome(kind, values["outcome"])
        with action(db, "Log time " + kind) as session:
            note = log_note(
                session,
                patient_id,
                kind=kind,
                text=values["text"],
                with_whom=values["with_whom"],
                outcome=values["outcome"],
                minutes=values["minutes"],
                occurred_at=values["occurred_at"],
                now=now(),
            )
            logged = timing.describe_minutes(int(values["minutes"]))
            return Logged(note.id, f"{kind.capitalize()} logged: {logged}")

    title = Text(f"Log {timing.describe_minutes(minutes)} — ")
    title.append(one_line(who))
    # Escape on this form, even untouched, drops the timed minutes: it asks first.
    return FormScreen(
        title,
        fields,
        save,
        today=today,
        always_confirm=True,
        discard_question=f"Log nothing? The {timing.describe_minutes(minutes)} timed are lost.",
        discard_choice="Log nothing",
    )
