"""Patients: down or enter from the search goes to the list's first row; counts in words."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input, Static

from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.records import RecordTable
from tests.tui.helpers import SIZE, make_app, settle, table_text


def add(db: Database, today: date, given: str, family: str) -> int:
    with action(db, "Add patient") as s:
        return patients.create_patient(
            s, {"given_name": given, "family_name": family}, today=today
        ).id


def caseload(db: Database, today: date) -> None:
    for given, family in (("Ann", "Lee"), ("Bob", "Lees"), ("Cy", "Moss"), ("Di", "Nunn")):
        add(db, today, given, family)


async def test_down_from_the_search_goes_to_the_first_row(db: Database, today: date) -> None:
    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one("#patients-table", RecordTable)
        await pilot.press("down", "down")  # the cursor is on the third row
        assert table.cursor_row == 2
        await pilot.press("slash", *"le")
        await settle(pilot)
        search = app.screen.query_one("#patients-search", Input)
        assert search.has_focus
        assert len(table_text(app, "#patients-table")) == 2
        await pilot.press("down")
        await pilot.pause()
        assert table.has_focus
        assert table.cursor_row == 0
        await pilot.press("down")  # in the list, down moves the cursor
        assert table.cursor_row == 1
        assert search.value == "le"
        # back to the search: typing goes on searching, down again lands on the first row
        await pilot.press("slash", "end", *"es")
        await settle(pilot)
        assert search.value == "lees"
        assert table_text(app, "#patients-table")[0].startswith("Lees, Bob")
        await pilot.press("down")
        await pilot.pause()
        assert table.has_focus and table.cursor_row == 0


async def test_enter_from_the_search_goes_to_the_first_row(db: Database, today: date) -> None:
    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one("#patients-table", RecordTable)
        await pilot.press("down", "down", "down")
        assert table.cursor_row == 3
        await pilot.press("slash", "enter")  # nothing typed: the same list, from the top
        await pilot.pause()
        assert table.has_focus and table.cursor_row == 0


async def test_one_patient_is_one_patient(db: Database, today: date) -> None:
    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        status = app.screen.query_one("#patients-status", Static)
        assert str(status.render()).startswith("4 patients · ")
        await pilot.press("slash", *"moss")
        await settle(pilot)
        assert str(status.render()).startswith("1 patient · ")


def test_plural_says_one_once() -> None:
    from caretui.services.text import plural

    assert plural(1, "patient") == "1 patient"
    assert plural(0, "patient") == "0 patients"
    assert plural(1204, "entry", "entries") == "1,204 entries"
    assert plural(1, "entry", "entries") == "1 entry"
    assert plural(51, "note", count="50 of 51") == "50 of 51 notes"


def test_care_plan_status_counts_in_words() -> None:
    from caretui.queries import chart
    from caretui.screens.patient_careplan import care_plan_status

    plan = chart.CarePlanRow(1, "Diabetes", None, "active", None, None, None, 1)
    text = care_plan_status(chart.CarePlans((plan,), (), ()))
    assert text.plain == "1 open of 1 plan · 0 goals · 0 interventions"
