"""Quick add in the TUI: `a` opens it, the parts show as you type, enter saves, an
ambiguous patient is asked about, tab opens the form filled in, and an Input keeps its "a"."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.widgets import Input, OptionList, Static

from caretui.app import CaretuiApp
from caretui.screens.quick_add import GrammarScreen, QuickAddScreen
from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.dialogs import ChoiceDialog
from caretui.widgets.form import FormScreen
from caretui.widgets.patient_picker import PatientPicker
from tests.tui.helpers import SIZE, make_app, rows, settle

EXAMPLE = "Call pharmacy re warfarin refill @nunez fri !! #calls"


def caseload(db: Database, today: date) -> dict[str, int]:
    ids = {}
    with action(db, "Add patients") as s:
        for key, given, family, mrn in (
            ("ana", "Ana María", "Núñez", "MRN123"),
            ("luis", "Luis", "García", "MRN200"),
            ("rosa", "Rosa", "García", "MRN201"),
        ):
            ids[key] = patients.create_patient(
                s, {"given_name": given, "family_name": family, "mrn": mrn}, today=today
            ).id
    return ids


def shown(app: CaretuiApp, selector: str) -> str:
    content = app.screen.query_one(selector, Static).render()
    return str(getattr(content, "plain", content))


def notifications(app: CaretuiApp) -> list[str]:
    return [n.message for n in app._notifications]


async def type_line(pilot: Any, line: str) -> None:
    await pilot.press("a")
    await pilot.pause()
    assert isinstance(pilot.app.screen, QuickAddScreen)
    pilot.app.screen.query_one(Input).value = line
    await settle(pilot)


async def test_a_opens_quick_add_shows_the_parts_and_enter_saves(db: Database, today: date) -> None:
    ids = caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_line(pilot, EXAMPLE)
        parts = shown(app, "#quick-parts").splitlines()
        assert parts == [
            "add       task",
            "title     Call pharmacy re warfarin refill",
            "patient   Núñez, Ana María  MRN123",
            "due       Fri 2026-03-13 (in 2 days)",
            "priority  asap",
            "queue     calls",
        ]
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, QuickAddScreen)
        assert rows(db, "SELECT patient_id, title, queue, priority, due FROM task") == [
            (ids["ana"], "Call pharmacy re warfarin refill", "calls", "asap", "2026-03-13")
        ]
        assert "Task added to calls, due Fri 2026-03-13 (in 2 days)" in notifications(app)


async def test_typing_keys_one_by_one_previews_as_it_goes(db: Database, today: date) -> None:
    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.press(*"Fax @MRN201 tomorrow")
        await settle(pilot)
        assert app.screen.query_one(Input).value == "Fax @MRN201 tomorrow"
        parts = shown(app, "#quick-parts")
        assert "patient   García, Rosa  MRN201" in parts
        assert "due       Thu 2026-03-12 (tomorrow)" in parts
        await pilot.press("escape")  # a line typed: asked before it goes
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("1")  # keep editing: the line is as it was
        await settle(pilot)
        assert app.screen.query_one(Input).value == "Fax @MRN201 tomorrow"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("2")  # discard it
        await settle(pilot)
        assert not isinstance(app.screen, (QuickAddScreen, ChoiceDialog))
        assert rows(db, "SELECT count(*) FROM task") == [(0,)]


async def test_an_ambiguous_patient_is_asked_about(db: Database, today: date) -> None:
    ids = caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_line(pilot, "Fax forms @garcia !")
        assert "which? García, Luis; García, Rosa" in shown(app, "#quick-parts")
        assert "could be more than one patient" in shown(app, "#quick-problems")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PatientPicker)
        labels = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
        assert len(labels) == 2 and all("García" in label for label in labels)
        await pilot.press(*" ros", "enter")
        await settle(pilot)
        assert rows(db, "SELECT patient_id, title, priority FROM task") == [
            (ids["rosa"], "Fax forms", "urgent")
        ]


async def test_an_unknown_patient_stops_enter(db: Database, today: date) -> None:
    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_line(pilot, "Fax forms @zzqqxx")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QuickAddScreen)
        assert shown(app, "#quick-problems") == "No patient matches @zzqqxx"
        assert rows(db, "SELECT count(*) FROM task") == [(0,)]


async def test_tab_opens_the_form_filled_in(db: Database, today: date) -> None:
    ids = caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_line(pilot, "Fax forms @MRN200 ! #paper every month next week")
        await pilot.press("tab")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-title", Input).value == "Fax forms"
        assert form.query_one("#field-due", Input).value == "2026-03-16"
        assert form.query_one("#field-rrule", Input).value == "FREQ=MONTHLY"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(db, "SELECT patient_id, title, queue, priority, due, rrule FROM task") == [
            (ids["luis"], "Fax forms", "paperwork", "urgent", "2026-03-16", "FREQ=MONTHLY")
        ]
        assert not isinstance(app.screen, QuickAddScreen | FormScreen)


async def test_a_time_books_an_appointment(db: Database, today: date) -> None:
    ids = caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_line(pilot, "Cardiology @ana_nunez fri 14:30 45m")
        assert "when      Fri 2026-03-13 (in 2 days) at 14:30, 45 minutes" in shown(
            app, "#quick-parts"
        )
        await pilot.press("enter")
        await settle(pilot)
        assert rows(db, 'SELECT patient_id, "start", "end", purpose FROM appointment') == [
            (ids["ana"], "2026-03-13 14:30:00.000000", "2026-03-13 15:15:00.000000", "Cardiology")
        ]


async def test_an_input_keeps_its_a(db: Database, today: date) -> None:
    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"ana")
        await settle(pilot)
        assert not isinstance(app.screen, QuickAddScreen)
        search = app.screen.focused
        assert isinstance(search, Input) and search.value == "ana"
        # and quick add's own line takes "a" as a letter too
        await pilot.press("escape")  # (the search's escape: an empty line closes at once)
        await settle(pilot)
        await pilot.press("a")
        await pilot.press(*"a banana")
        assert app.screen.query_one(Input).value == "a banana"


async def test_f1_shows_the_grammar_and_user_text_is_never_markup(
    db: Database, today: date
) -> None:
    with action(db, "Add patient") as s:
        patients.create_patient(
            s, {"given_name": "[bold]Ann[/]", "family_name": "O'Brien [/]"}, today=today
        )
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_line(pilot, "note: [/ @obrien [@click=app.quit]x[/]")
        assert "O'Brien [/], [bold]Ann[/]" in shown(app, "#quick-parts")
        assert "note: [/ [@click=app.quit]x[/]" in shown(app, "#quick-parts")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, GrammarScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QuickAddScreen)


async def test_tab_with_an_unknown_patient_opens_no_form(db: Database, today: date) -> None:
    """The form would have no room for the @term: nothing typed may be left behind."""
    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_line(pilot, "Fax forms @zzqqxx")
        await pilot.press("tab")
        await settle(pilot)
        assert isinstance(app.screen, QuickAddScreen)
        assert shown(app, "#quick-problems") == "No patient matches @zzqqxx"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("2")  # discard the line
        await settle(pilot)
        assert not isinstance(app.screen, QuickAddScreen)
        assert rows(db, "SELECT count(*) FROM task") == [(0,)]
