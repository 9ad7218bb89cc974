"""A form whose closing loses something even untouched (the timer's minutes) asks
before escape discards it; an ordinary untouched form still closes at once."""

from __future__ import annotations

from datetime import date, datetime

from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from caretui.screens.patient import PatientScreen
from caretui.store.database import Database
from caretui.widgets.dialogs import ChoiceDialog
from caretui.widgets.form import Field, FormScreen
from tests.tui.helpers import SIZE, settle
from tests.tui.test_timer import FakeClock, make, notes_of, open_patient, two_patients


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("host")


def form(
    always_confirm: bool = False, question: str = "Discard?", choice: str = "Discard"
) -> FormScreen:
    return FormScreen(
        "A form",
        [Field("what", "What", initial="x")],
        lambda values: values,
        always_confirm=always_confirm,
        discard_question=question,
        discard_choice=choice,
    )


async def test_always_confirm_asks_even_untouched() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        closed: list[object] = []
        plain = form()
        app.push_screen(plain, closed.append)
        await pilot.pause()
        await pilot.press("escape")  # untouched, ordinary: closes at once
        await pilot.pause()
        assert app.screen is not plain and closed == [None]

        asking = form(always_confirm=True, question="Lose it?", choice="Lose it")
        app.push_screen(asking, closed.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        assert "Lose it?" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("1")  # keep editing
        await pilot.pause()
        assert app.screen is asking and closed == [None]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert app.screen is not asking and closed == [None, None]


async def test_escape_on_the_timer_note_asks_before_the_minutes_are_lost(
    db: Database, today: date
) -> None:
    ann, _ = two_patients(db, today)
    clock = FakeClock(datetime(2026, 3, 11, 9, 0))
    app = make(db, today, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_patient(app, pilot, ann)
        await pilot.press("ctrl+t")
        await settle(pilot)
        clock.advance(minutes=12)
        await pilot.press("ctrl+t")
        await settle(pilot)
        note = app.screen
        assert isinstance(note, FormScreen)
        assert note.query_one("#field-minutes", Input).value == "12"
        await pilot.press("escape")  # untouched, but the 12 minutes would be lost
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        title = str(app.screen.query_one(".dialog-title").render())
        assert "12 min" in title and "lost" in title
        await pilot.press("1")  # keep editing: the form, its minutes, are still there
        await settle(pilot)
        assert app.screen is note
        assert note.query_one("#field-minutes", Input).value == "12"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("2")  # log nothing
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
    assert notes_of(db, ann) == []
