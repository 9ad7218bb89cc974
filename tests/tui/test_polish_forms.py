"""Forms: escape asks before discarding edits; a field's message goes when it is changed."""

from __future__ import annotations

from datetime import date

from textual.widgets import Button, Input, Select, Static

from caretui.screens.patients import PatientsScreen
from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.dialogs import ChoiceDialog
from caretui.widgets.form import FormScreen
from tests.tui.helpers import SIZE, make_app, rows, settle


def add(db: Database, today: date, **fields: object) -> int:
    with action(db, "Add patient") as s:
        return patients.create_patient(s, fields, today=today).id


async def test_escape_on_an_untouched_form_closes_at_once(db: Database, today: date) -> None:
    add(db, today, given_name="Ann", family_name="Lee")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("e")  # the edit form, on every stored value
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PatientsScreen)
        # typed and typed back: nothing differs, nothing to ask
        await pilot.press("n", *"Zo", "backspace", "backspace")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PatientsScreen)


async def test_escape_on_an_edited_form_asks_before_discarding(db: Database, today: date) -> None:
    pid = add(db, today, given_name="Ann", family_name="Lee")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-risk", Select).value = "high"
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        assert "Discard your changes?" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("enter")  # the first choice: keep editing
        await pilot.pause()
        assert app.screen is form
        assert form.query_one("#field-risk", Select).value == "high"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")  # escaping the question keeps editing too
        await pilot.pause()
        assert app.screen is form
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("2")  # discard
        await settle(pilot)
        assert isinstance(app.screen, PatientsScreen)
        assert rows(db, "SELECT risk FROM patient WHERE id = ?", pid) == [("medium",)]


async def test_cancel_button_asks_too(db: Database, today: date) -> None:
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("n", *"Zoë")
        await pilot.pause()
        app.screen.query_one("#cancel", Button).press()
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, PatientsScreen)
        assert rows(db, "SELECT count(*) FROM patient") == [(0,)]


async def test_a_field_message_goes_when_the_field_is_changed(db: Database, today: date) -> None:
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("n", *"Zoë", "tab", "tab", "tab", *"1950-02-30")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        family = form.query_one("#error-family_name", Static)
        birth = form.query_one("#error-birth_date", Static)
        assert "Family name is required" in str(family.render())
        assert "not a real date" in str(birth.render())
        # correcting one field clears its message only
        form.query_one("#field-family_name", Input).focus()
        await pilot.press(*"Ünal")
        await pilot.pause()
        assert str(family.render()).strip() == ""
        assert "not a real date" in str(birth.render())
        # the date's own message goes as it is retyped; the live preview is back
        form.query_one("#field-birth_date", Input).focus()
        await pilot.press("end", "backspace", "backspace", "2", "8")
        await pilot.pause()
        assert str(birth.render()).strip() == ""
        preview = form.query_one("#preview-birth_date", Static)
        assert preview.display and "1950" in str(preview.render())
        assert rows(db, "SELECT count(*) FROM patient") == [(0,)]
