"""What the TUI imports as it starts: each mode's screen only when it is built, and
no SQLAlchemy until the first key after the first paint, or a screen that can save
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
app_module.IDLE_PAUSE = 60
CaretuiApp._daily_backup = lambda self: None  # writes files; not what is checked
# The first key imports the write side ahead, in a worker: kept out here, to see
# that reading (a dialog that only shows, an undo with nothing to undo) needs none.
CaretuiApp.warm_up = lambda self: None


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


asyncio.run(main())
print(repr(seen))
"""


def test_no_screen_module_and_no_orm_until_needed(db: Database, today: date) -> None:
    build(db, today)
    with db.engine.begin() as con:  # nothing undoable: the caseload as if seeded
        con.exec_driver_sql("UPDATE audit_event SET entity = 'caseload'")
    out = run_script(START, str(db.path))
    seen = ast.literal_eval(out.strip().splitlines()[-1])
    assert seen == {
        "at import": [],
        "rows": 9,
        "built": 4,
        "orm after start": False,
        "explained": "ExplainDialog",
        "orm after reading": False,
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
app_module.IDLE_PAUSE = 0.5
CaretuiApp._daily_backup = lambda self: None
seen = {}


async def main():
    app = CaretuiApp(Database.open(sys.argv[1]), today=date(2026, 3, 11), settings=config.Config())
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            if len(app._screen_stacks) == 4:
                break
        await pilot.pause(0.2)
        seen["built before a pause"] = len(app._screen_stacks)
        for _ in range(100):  # the other mode screens, one per pause of the keys
            await pilot.pause(0.05)
            if len(app._screen_stacks) == 7:
                break
        seen["built after pauses"] = sorted(app._screen_stacks)
        await app.workers.wait_for_complete()
        seen["orm with no key pressed"] = "sqlalchemy" in sys.modules
        await pilot.press("down")  # in use: the write side is imported, in a worker
        await app.workers.wait_for_complete()
        seen["orm after the first key"] = "sqlalchemy.orm" in sys.modules


asyncio.run(main())
print(repr(seen))
"""


def test_the_other_screens_wait_for_a_pause_and_the_write_side_for_a_key(
    db: Database, today: date
) -> None:
    """The first 5, 6 or 7 does not wait for its screen to be built: each is built once
    the user leaves the keys alone for a moment, one per pause. The first x does not
    wait for SQLAlchemy's import: the first key after start imports it in a worker; a
    session only looked at never does."""
    build(db, today)
    out = run_script(IDLE, str(db.path))
    seen = ast.literal_eval(out.strip().splitlines()[-1])
    assert seen == {
        "built before a pause": 4,
        "built after pauses": [
            "appointments",
            "patients",
            "queues",
            "referrals",
            "reports",
            "resources",
            "today",
        ],
        "orm with no key pressed": False,
        "orm after the first key": True,
    }
