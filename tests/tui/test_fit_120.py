"""Every list fits a 120-column terminal: no column cut off behind a horizontal
scrollbar, on every screen and every patient tab (a wider terminal gives the room
left to the columns that take it)."""

from __future__ import annotations

from datetime import date

import pytest

from caretui.services.seed import seed_caseload
from caretui.store.database import Database
from caretui.widgets.records import RecordTable
from tests.tui.helpers import make_app, settle

SCREENS = ["1", "2", "3", "4", "5", "6", "7"]
TABS = ["overview", "careplan", "medications", "appointments", "tasks", "notes", "referrals"]


def overflowing(app: object) -> list[str]:
    out = []
    for table in app.screen.query(RecordTable):  # type: ignore[attr-defined]
        shown = table.scrollable_content_region.width
        if shown and table.virtual_size.width > shown:  # (a hidden tab's table has none)
            out.append(f"{table.id}: {table.virtual_size.width} > {shown}")
    return out


@pytest.mark.parametrize("width", [120, 160])
async def test_no_list_is_wider_than_the_terminal(db: Database, today: date, width: int) -> None:
    seed_caseload(db, patients=12, seed=7, today=today)
    app = make_app(db, today)
    async with app.run_test(size=(width, 36)) as pilot:
        await settle(pilot)
        found = {}
        for key in SCREENS:
            await pilot.press(key)
            await settle(pilot)
            found[key] = overflowing(app)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        for tab in TABS:
            app.screen.query_one("#patient-tabs").active = tab  # type: ignore[attr-defined]
            await settle(pilot)
            found[tab] = overflowing(app)
        assert {k: v for k, v in found.items() if v} == {}
