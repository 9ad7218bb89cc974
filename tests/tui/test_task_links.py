"""`b` / `B` in Queues: what a task waits on and what it blocks, add and remove a wait,
a circle refused; checked in the database and on Today."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.widgets import Static

from caretui.app import CaretuiApp
from caretui.config import DEFAULT_QUEUES
from caretui.screens.queues import QueuesScreen
from caretui.screens.task_links import WaitsOnDialog
from caretui.services import patients, tasks
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.dialogs import ChoiceDialog
from tests.tui.helpers import SIZE, make_app, rows, settle, table_text


def add(db: Database, today: date, title: str, **fields: Any) -> int:
    with action(db, "Add task") as s:
        return tasks.add_task(
            s, {"title": title, "queue": "calls", **fields}, today=today, queues=DEFAULT_QUEUES
        ).id


def texts(app: CaretuiApp) -> str:
    return "\n".join(
        str(getattr(w.render(), "plain", w.render())) for w in app.screen.query(Static)
    )


def notifications(app: CaretuiApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_wait_on_show_and_stop_waiting(db: Database, today: date) -> None:
    with action(db, "Add patient") as s:
        ana = patients.create_patient(
            s, {"given_name": "Ana", "family_name": "Núñez"}, today=today
        ).id
    book = add(db, today, "Book the appointment", patient_id=ana, due="2026-03-10")
    accepted = add(db, today, "Referral accepted", patient_id=ana, due="2026-03-11")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, QueuesScreen)
        assert table_text(app, "#queues-table")[0].split(" | ")[2] == "Book the appointment"
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, WaitsOnDialog)
        shown = texts(app)
        assert "Waits on: nothing" in shown and "Blocks: nothing" in shown
        assert "Referral accepted — Núñez, Ana" in str(
            app.screen.query_one("OptionList").get_option_at_index(0).prompt
        )
        await pilot.press("enter")
        await settle(pilot)
        assert rows(db, "SELECT task_id, blocked_by_id FROM task_dependency") == [(book, accepted)]
        assert any("Waits on it now" in n for n in notifications(app))
        # the other end: the blocker shows what it blocks; waiting back is refused
        await pilot.press("down")
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, WaitsOnDialog)
        assert "Blocks:\n  Tue 10 Mar  Book the appointment — Núñez, Ana  (calls)" in texts(app)
        await pilot.press("enter")
        await settle(pilot)
        assert any("in a circle" in n for n in notifications(app))
        assert rows(db, "SELECT count(*) FROM task_dependency") == [(1,)]
        # and B takes the wait away
        await pilot.press("up")
        await pilot.press("B")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("1")
        await settle(pilot)
        assert rows(db, "SELECT count(*) FROM task_dependency") == [(0,)]
        assert any("No longer waits" in n for n in notifications(app))
