"""The patient's Tasks tab (`]`): `x` leaves the cursor on the next open task (the
task done goes under "Done", the user stays where they were working), and the
section headings ("Open — 3") cannot be selected: `home` lands on the first task."""

from __future__ import annotations

from datetime import date
from typing import Any

from caretui.app import CaretuiApp
from caretui.config import DEFAULT_QUEUES
from caretui.screens.patient import PatientScreen
from caretui.services import patients, tasks
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.records import RecordTable
from tests.tui.helpers import SIZE, make_app, settle, table_text


def seed(db: Database, today: date) -> dict[str, int]:
    """Ana: open tasks due the 12th, 13th, 14th (in that order); two done."""
    ids: dict[str, int] = {}
    with action(db, "Seed") as s:
        pid = patients.create_patient(
            s, {"given_name": "Ana", "family_name": "Núñez"}, today=today
        ).id
        ids["patient"] = pid
        for n, due in enumerate(("2026-03-12", "2026-03-13", "2026-03-14"), start=1):
            fields = {"title": f"Open {n}", "queue": "calls", "due": due, "patient_id": pid}
            ids[f"open{n}"] = tasks.add_task(s, fields, today=today, queues=DEFAULT_QUEUES).id
        for n in (1, 2):
            fields = {
                "title": f"Done {n}",
                "queue": "calls",
                "due": "2026-03-01",
                "patient_id": pid,
            }
            done = tasks.add_task(s, fields, today=today, queues=DEFAULT_QUEUES)
            s.flush()
            tasks.complete_task(s, done, today=today)
    return ids


def table(app: CaretuiApp) -> RecordTable:
    return app.screen.query_one("#tasks-table", RecordTable)


def cursor_title(app: CaretuiApp) -> str:
    return table_text(app, "#tasks-table")[table(app).cursor_row].split(" | ")[0]


async def open_tasks(app: CaretuiApp, pilot: Any, patient_id: int) -> None:
    app.open_patient(patient_id, "tasks")
    await settle(pilot)
    assert isinstance(app.screen, PatientScreen)


async def test_done_leaves_the_cursor_on_the_next_open_task(db: Database, today: date) -> None:
    ids = seed(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot, ids["patient"])
        assert [line.split(" | ")[0] for line in table_text(app, "#tasks-table")] == [
            "Open — 3",
            "Open 1",
            "Open 2",
            "Open 3",
            "Done — 2",
            "Done 2",
            "Done 1",
        ]
        assert cursor_title(app) == "Open 1"
        await pilot.press("x")
        await settle(pilot)
        assert table_text(app, "#tasks-table")[0].startswith("Open — 2")
        assert cursor_title(app) == "Open 2"  # the row that took its place
        await pilot.press("down")
        assert cursor_title(app) == "Open 3"
        await pilot.press("x")  # the last open task: the one before it
        await settle(pilot)
        assert cursor_title(app) == "Open 2"
        await pilot.press("x")  # none left open: the first record, under "Done"
        await settle(pilot)
        assert table_text(app, "#tasks-table")[0].startswith("Open — 0")
        assert table(app).selected_key is not None
        assert not table(app).selected_key.startswith("section:")


async def test_headings_cannot_be_selected(db: Database, today: date) -> None:
    ids = seed(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_tasks(app, pilot, ids["patient"])
        await pilot.press("end")
        assert cursor_title(app) == "Done 1"
        await pilot.press("home")
        await pilot.pause()
        assert cursor_title(app) == "Open 1"
        assert table(app).scroll_y == 0  # the heading above it still shows
        await pilot.press("up")
        assert cursor_title(app) == "Open 1"
        await pilot.press("down", "down", "down")  # over "Done — 2"
        assert cursor_title(app) == "Done 2"
        await pilot.press("up")  # back over it
        assert cursor_title(app) == "Open 3"
        await pilot.press("home", "x")
        await settle(pilot)
        assert "Select a row first (up/down)" not in [n.message for n in app._notifications]
        assert cursor_title(app) == "Open 2"
