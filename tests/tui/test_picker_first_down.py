"""The picker's first row is highlighted as the list is shown; the first Down from the
search field keeps it (as Down from the Patients search lands on the first row),
later Downs move on, and a new list (typing) starts over. Synthetic names only."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.widgets import OptionList, Static

from caretui.app import CaretuiApp
from caretui.screens.appointments import AppointmentsScreen
from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.form import FormScreen
from caretui.widgets.patient_picker import NO_PATIENT, PatientPicker
from tests.tui.helpers import SIZE, make_app, settle

NAMES = [("Aldo", "Brevik"), ("Bea", "Brevik"), ("Cato", "Brevik"), ("Dina", "Quell")]


def caseload(db: Database, today: date) -> dict[str, int]:
    with action(db, "Add patients") as s:
        return {
            given: patients.create_patient(
                s, {"given_name": given, "family_name": family}, today=today
            ).id
            for given, family in NAMES
        }


def highlighted(app: CaretuiApp) -> str:
    listing = app.screen.query_one(OptionList)
    assert listing.highlighted is not None
    return str(listing.get_option_at_index(listing.highlighted).prompt)


async def new_appointment_for(pilot: Any, *keys: str) -> str:
    """``n`` on Appointments, ``keys`` in the picker, enter: the form's title."""
    app = pilot.app
    await pilot.press("3")
    await settle(pilot)
    assert isinstance(app.screen, AppointmentsScreen)
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(app.screen, PatientPicker)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, FormScreen)
    return str(app.screen.query_one(".form-title", Static).content)


async def test_first_down_keeps_the_first_patient(db: Database, today: date) -> None:
    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        assert "Brevik, Aldo" in await new_appointment_for(pilot, "down")


async def test_later_downs_move_on(db: Database, today: date) -> None:
    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        assert "Brevik, Cato" in await new_appointment_for(pilot, "down", "down", "down")


async def test_up_then_down_moves_as_usual(db: Database, today: date) -> None:
    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        assert "Brevik, Bea" in await new_appointment_for(pilot, "down", "down", "up", "down")


async def test_typing_starts_a_new_list_whose_first_down_keeps_its_first_row(
    db: Database, today: date
) -> None:
    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("down", "down")
        assert "Bea" in highlighted(app)
        await pilot.press(*"brev")
        await settle(pilot)
        assert "Aldo" in highlighted(app)
        await pilot.press("down")
        assert "Aldo" in highlighted(app)
        await pilot.press("down")
        assert "Bea" in highlighted(app)


async def test_with_a_no_patient_line(db: Database, today: date) -> None:
    ids = caseload(db, today)
    app = make_app(db, today)
    chosen: list[int | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(PatientPicker(allow_none=True), chosen.append)
        await settle(pilot)
        assert "No patient" in highlighted(app)
        await pilot.press("down")  # from "no patient" to the first patient
        assert "Aldo" in highlighted(app)
        await pilot.press(*"brevik")
        await settle(pilot)
        assert "Aldo" in highlighted(app)  # typed: the first patient, not "no patient"
        await pilot.press("down")
        assert "Aldo" in highlighted(app)
        await pilot.press("enter")
        await settle(pilot)
    assert chosen == [ids["Aldo"]]
    assert chosen[0] != NO_PATIENT
