"""Minutes this month in Patients (a column) and on the patient's overview: 19 / 20 / 40
for patients in care management, "—" for the others; ctrl+t on a row times its patient."""

from __future__ import annotations

import io
from datetime import date, datetime

from rich.console import Console
from textual.widgets import Static

from caretui.screens.patient import PatientScreen
from caretui.services import notes, patients
from caretui.services.unit import action
from caretui.store.database import Database
from tests.tui.helpers import SIZE, make_app, settle, table_text

TODAY = date(2026, 3, 18)


def build(db: Database) -> dict[str, int]:
    """ann 19, bob 20, cara 40 minutes in March (care management); dan not enrolled."""
    ids: dict[str, int] = {}
    with action(db, "month") as s:
        for name, family, enrolled in (
            ("Ann", "Avery", True),
            ("Bob", "Brook", True),
            ("Cara", "Cole", True),
            ("Dan", "Dale", False),
        ):
            ids[name.lower()] = patients.create_patient(
                s,
                {"given_name": name, "family_name": family, "care_management": enrolled},
                today=TODAY,
            ).id

        def log(who: str, when: str, minutes: int) -> None:
            notes.log_note(
                s,
                ids[who],
                kind="call",
                minutes=minutes,
                occurred_at=datetime.fromisoformat(when),
                now=datetime(2026, 3, 18, 9),
            )

        log("ann", "2026-02-28 23:59", 30)  # February: not counted
        log("ann", "2026-03-01 00:00", 10)
        log("ann", "2026-03-17 10:00", 9)
        log("bob", "2026-03-12 10:00", 20)
        log("cara", "2026-03-05 10:00", 25)
        log("cara", "2026-03-06 10:00", 15)
        log("dan", "2026-03-06 10:00", 45)
    return ids


async def test_the_minutes_column(db: Database) -> None:
    build(db)
    app = make_app(db, TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        minutes = {
            line.split(" | ")[0]: line.split(" | ")[5]
            for line in table_text(app, "#patients-table")
        }
        assert minutes == {
            "Avery, Ann": "19",
            "Brook, Bob": "20",
            "Cole, Cara": "40",
            "Dale, Dan": "—",
        }


async def test_the_overview_line_and_ctrl_t_on_a_row(db: Database) -> None:
    ids = build(db)
    app = make_app(db, TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("ctrl+t")  # the first row: Ann
        await settle(pilot)
        assert app.timer.running is not None and app.timer.running.patient_id == ids["ann"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
        content = app.screen.query_one("#ov-patient", Static).content
        console = Console(width=100, record=True, file=io.StringIO(), color_system=None)
        console.print(content)
        assert "Care management: yes · 19 min this month · 1 min to CCM 20" in console.export_text()
