"""The patient's tabs switched faster than the screen answers (`]` typed three times
in a row, as a terminal delivers them): the chart ends on the third tab and stays
there. Focusing each tab's list as it went made TabbedContent, which follows the
focus, switch back and forth between two tabs for ever."""

from __future__ import annotations

from datetime import date

from textual.widgets import TabbedContent

from caretui.screens.patient import PatientScreen
from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database
from tests.tui.helpers import SIZE, make_app, settle


async def test_three_tabs_at_once_end_on_the_third(db: Database, today: date) -> None:
    with action(db, "Seed") as s:
        pid = patients.create_patient(
            s, {"given_name": "Ana", "family_name": "Núñez"}, today=today
        ).id
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        app.open_patient(pid)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PatientScreen)
        for _ in range(3):  # one batch of keys: no event handled in between
            screen.action_next_tab()
        await settle(pilot)
        assert screen.query_one("#patient-tabs", TabbedContent).active == "appointments"
        assert app.focused is not None and app.focused.id == "appointments-table"
        for _ in range(20):  # and stays there
            await pilot.pause()
            assert screen.query_one("#patient-tabs", TabbedContent).active == "appointments"
