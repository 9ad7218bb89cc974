"""Patients: find, filter, add and edit from the keyboard, checked on screen and in the DB."""

from __future__ import annotations

from datetime import date

from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database
from tests.tui.helpers import SIZE, make_app, rows, settle, table_text


def add(db: Database, today: date, **fields: object) -> int:
    with action(db, "Add patient") as s:
        return patients.create_patient(s, fields, today=today).id


async def test_search_filters_as_you_type(db: Database, today: date) -> None:
    add(db, today, given_name="Ana María", family_name="Núñez", phone="555-0101")
    add(db, today, given_name="John", family_name="Okafor", mrn="MRN777")
    add(db, today, given_name="Lena", family_name="Gone", status="discharged")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        shown = table_text(app, "#patients-table")
        assert len(shown) == 2  # the discharged patient is hidden
        await pilot.press("slash", *"nunez")
        await settle(pilot)
        assert [r.split(" | ")[0] for r in table_text(app, "#patients-table")] == [
            "Núñez, Ana María"
        ]
        await pilot.press("escape")
        await pilot.press("slash", *"mrn777", "enter")
        await settle(pilot)
        assert table_text(app, "#patients-table")[0].startswith("Okafor, John")
        await pilot.press("escape", "f")
        await settle(pilot)
        assert len(table_text(app, "#patients-table")) == 3


async def test_markup_in_names_is_shown_literally(db: Database, today: date) -> None:
    add(db, today, given_name="[@click=app.quit]x", family_name="[bold red]Robert[/]")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        assert table_text(app, "#patients-table")[0].startswith(
            "[bold red]Robert[/], [@click=app.quit]x"
        )
        await pilot.click("#patients-table", offset=(3, 1))
        await settle(pilot)
        assert app.is_running


async def test_new_patient_through_the_form(db: Database, today: date) -> None:
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Zoë", "tab", *"Ünal", "tab", "tab", *"1950-02-30")
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = app.screen.query_one("#error-birth_date")
        assert "'1950-02-30' is not a real date" in str(error.render())
        assert rows(db, "SELECT count(*) FROM patient") == [(0,)]
        birth = app.screen.query_one("#field-birth_date")
        birth.value = "1950-02-28"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(db, "SELECT given_name, family_name, birth_date FROM patient") == [
            ("Zoë", "Ünal", "1950-02-28")
        ]
        assert table_text(app, "#patients-table")[0].startswith("Ünal, Zoë")
