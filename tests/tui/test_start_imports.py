"""What the TUI imports as it starts: each mode's screen only when it is built, and
no SQLAlchemy until the keys pause after the first paint or a screen that can save
opens (in a fresh process: this one has imported everything already)."""

from __future__ import annotations

import ast
from datetime import date

from caretui.store.database import Database
from tests.tui.helpers import run_script
from tests.tui.test_today_screen import build

START = """
import asyncio
import sys
from datetime import date

import caretui.app as app_module
from caretui import config
from caretui.app import CaretuiApp
from caretui.store.database import Database

LATER = ["caretui.screens." + m for m in (
    "today", "patients", "appointments", "queues", "referrals", "resources", "reports",
    "palette", "help", "today_dialogs", "today_writes",
)]
seen = {"at import": [m for m in LATER if m in sys.modules]}
app_module.PREBUILD_PAUSE = 0.01
app_module.WARM_IDLE = float(sys.argv[2])
CaretuiApp._daily_backup = lambda self: None  # writes files; not what is checked


async def main():
    app = CaretuiApp(Database.open(sys.argv[1]), today=date(2026, 3, 11), settings=config.Config())
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            if len(app._screen_stacks) == 4:  # Today and the keys 2 to 4
                break
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        seen["rows"] = app.screen.query_one("#today-table").row_count
        seen["built"] = len(app._screen_stacks)
        seen["orm after start"] = "sqlalchemy" in sys.modules
        await pilot.press("i")  # a dialog that only shows
        await pilot.pause(0.1)
        seen["explained"] = type(app.screen).__name__
        await pilot.press("escape")
        await pilot.press("u")  # undo with nothing to undo: only reads
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        seen["orm after reading"] = "sqlalchemy" in sys.modules
        await pilot.press("a")  # quick add: the user types, the ORM is imported meanwhile
        await pilot.pause(0.1)
        seen["typing in"] = type(app.screen).__name__
        await app.workers.wait_for_complete()
        seen["orm once a form is open"] = "sqlalchemy.orm" in sys.modules


asyncio.run(main())
print(repr(seen))
"""


def test_no_screen_module_and_no_orm_until_needed(db: Database, today: date) -> None:
    build(db, today)
    with db.engine.begin() as con:  # nothing undoable: the caseload as if seeded
        con.exec_driver_sql("UPDATE audit_event SET entity = 'caseload'")
    out = run_script(START, str(db.path), "60")
    seen = ast.literal_eval(out.strip().splitlines()[-1])
    assert seen == {
        "at import": [],
        "rows": 9,
        "built": 4,
        "orm after start": False,
        "explained": "ExplainDialog",
        "orm after reading": False,
        "typing in": "QuickAddScreen",
        "orm once a form is open": True,
    }


IDLE = """
import asyncio
import sys
from datetime import date

import caretui.app as app_module
from caretui import config
from caretui.app import CaretuiApp
from caretui.store.database import Database

app_module.PREBUILD_PAUSE = 0.01
app_module.WARM_IDLE = 0.5
CaretuiApp._daily_backup = lambda self: None
seen = {}


async def main():
    app = CaretuiApp(Database.open(sys.argv[1]), today=date(2026, 3, 11), settings=config.Config())
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            if len(app._screen_stacks) == 4:
                break
        for _ in range(8):  # keys every 0.2 s: the import waits for a pause
            await pilot.press("down")
            await pilot.pause(0.2)
        seen["orm while keys come"] = "sqlalchemy" in sys.modules
        seen["built while keys come"] = len(app._screen_stacks)
        await pilot.pause(1.0)
        await app.workers.wait_for_complete()
        seen["orm after a pause"] = "sqlalchemy.orm" in sys.modules
        for _ in range(100):  # then the other mode screens, one per pause
            await pilot.pause(0.05)
            if len(app._screen_stacks) == 7:
                break
        seen["built after pauses"] = sorted(app._screen_stacks)


asyncio.run(main())
print(repr(seen))
"""


def test_the_write_side_and_the_other_screens_wait_for_the_keys_to_pause(
    db: Database, today: date
) -> None:
    """The first x after start does not wait for SQLAlchemy's import, nor the first 5, 6
    or 7 for its screen to be built: each is done once the user leaves the keys alone
    for a moment, one per pause, not between keys."""
    build(db, today)
    out = run_script(IDLE, str(db.path))
    seen = ast.literal_eval(out.strip().splitlines()[-1])
    assert seen == {
        "orm while keys come": False,
        "built while keys come": 4,
        "orm after a pause": True,
        "built after pauses": [
            "appointments",
            "patients",
            "queues",
            "referrals",
            "reports",
            "resources",
            "today",
        ],
    }
