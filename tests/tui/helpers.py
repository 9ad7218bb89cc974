"""Pilot helpers: an app on a test database with a frozen today, and waiting for workers."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from caretui import config
from caretui.app import CaretuiApp
from caretui.store.database import Database

SIZE = (120, 36)


def make_app(db: Database, today: date) -> CaretuiApp:
    return CaretuiApp(db, today=today, settings=config.Config())


async def settle(pilot: Pilot[Any]) -> None:
    """Let thread workers finish and their results reach the screen."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def rows(db: Database, sql: str, *params: object) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(db.path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def table_text(app: CaretuiApp, selector: str) -> list[str]:
    """Each row of a DataTable as the plain text of its cells, joined by ' | '."""
    from textual.widgets import DataTable

    table = app.screen.query_one(selector, DataTable)
    out = []
    for row_index in range(table.row_count):
        cells = table.get_row_at(row_index)
        out.append(" | ".join(str(getattr(c, "plain", c)) for c in cells))
    return out


def run_script(script: str, *args: str) -> str:
    """Run ``script`` in a fresh interpreter (what it imports is its own), this checkout
    on its path; its standard output."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    ).stdout


def held(function: Callable[..., Any]) -> tuple[Callable[..., Any], threading.Event]:
    """``function``, made to wait (in its worker thread) until the event is set: what a
    screen shows while a read or a write is under way can then be looked at."""
    release = threading.Event()

    def waiting(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(10), "never released"
        return function(*args, **kwargs)

    return waiting, release
