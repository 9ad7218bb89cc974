"""Today's care-minutes rows on screen: shown in a month's last week, enter opens the
patient, `l` logs a call and the row goes once the first threshold is reached, and
ctrl+t on the row starts a timer."""

from __future__ import annotations

from datetime import date, datetime

from textual.widgets import Input, Select

from caretui.app import CaretuiApp
from caretui.screens.patient import PatientScreen
from caretui.screens.today import TodayScreen
from caretui.services import notes, patients
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.form import FormScreen
from tests.tui.helpers import SIZE, make_app, rows, settle, table_text

SEVEN_LEFT = date(2026, 3, 25)


def build(db: Database) -> dict[str, int]:
    ids: dict[str, int] = {}
    with action(db, "patients") as s:
        for name, given in (("ann", "Ann"), ("bob", "Roberto")):
            ids[name] = patients.create_patient(
                s,
                {
                    "given_name": given,
                    "family_name": "Lee" if name == "ann" else "Díaz",
                    "care_management": True,
                    "enrolled_on": "2025-01-01",
                },
                today=SEVEN_LEFT,
            ).id
        notes.log_note(
            s,
            ids["ann"],
            kind="call",
            outcome="reached",
            minutes=10,
            occurred_at=datetime(2026, 3, 3, 10),
            now=datetime(2026, 3, 25, 8),
        )
    return ids


def today_screen(app: CaretuiApp) -> TodayScreen:
    screen = app.screen
    assert isinstance(screen, TodayScreen), screen
    return screen


async def test_the_rows_and_their_keys(db: Database) -> None:
    ids = build(db)
    app = make_app(db, SEVEN_LEFT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = table_text(app, "#today-table")
        assert any(
            line.startswith("care minutes | Lee, Ann | care management: 10 of 20 min this month")
            and "7 days left in the month" in line
            for line in lines
        ), lines
        assert len(lines) == 2

        table = today_screen(app).table
        table.move_cursor(row=table.get_row_index(f"care_minutes:{ids['ann']}"), animate=False)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen) and app.screen.patient_id == ids["ann"]
        await pilot.press("escape")
        await settle(pilot)

        table.move_cursor(row=table.get_row_index(f"care_minutes:{ids['ann']}"), animate=False)
        await pilot.press("l")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-minutes", Input).value == ""  # never guessed
        form.query_one("#field-outcome", Select).value = "reached"
        form.query_one("#field-minutes", Input).value = "12"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(
            db, "SELECT minutes FROM note WHERE patient_id = ? ORDER BY id", ids["ann"]
        ) == [
            (10,),
            (12,),
        ]
        # 22 minutes: Ann reached the first threshold and leaves the list; Bob stays.
        lines = table_text(app, "#today-table")
        assert len(lines) == 1 and "Díaz, Roberto" in lines[0]
        assert today_screen(app).full_loads == 1


async def test_ctrl_t_on_the_row_times_its_patient(db: Database) -> None:
    ids = build(db)
    app = make_app(db, SEVEN_LEFT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = today_screen(app).table
        table.move_cursor(row=table.get_row_index(f"care_minutes:{ids['bob']}"), animate=False)
        await pilot.press("ctrl+t")
        await settle(pilot)
        running = app.timer.running
        assert running is not None and running.patient_id == ids["bob"]
        assert app.sub_title.startswith("⏱ R.D.")


async def test_eight_days_left_shows_no_row(db: Database) -> None:
    build(db)
    app = make_app(db, date(2026, 3, 24))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert table_text(app, "#today-table") == []
