"""Today and task dependencies: a task waiting on an open task is not on Today; `x` on
its last open blocker puts it there at once, in place, without reading the list again."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.coordinate import Coordinate

from caretui.config import DEFAULT_QUEUES
from caretui.models.all import Task
from caretui.screens.today import TodayScreen
from caretui.services import patients, tasks
from caretui.services.dependencies import add_dependency
from caretui.services.unit import action
from caretui.store.database import Database
from tests.tui.helpers import SIZE, make_app, rows, settle


def add(db: Database, today: date, title: str, **fields: Any) -> int:
    with action(db, "Add task") as s:
        return tasks.add_task(
            s, {"title": title, "queue": "calls", **fields}, today=today, queues=DEFAULT_QUEUES
        ).id


def wait(db: Database, task_id: int, blocked_by_id: int) -> None:
    with action(db, "Wait on task") as s:
        add_dependency(s, s.get_one(Task, task_id), s.get_one(Task, blocked_by_id))


def shown(app: Any) -> list[str]:
    screen = app.screen
    assert isinstance(screen, TodayScreen), screen
    table = screen.table
    return [
        str(table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value)
        for i in range(table.row_count)
    ]


async def select(app: Any, key: str) -> None:
    table = app.screen.table
    table.move_cursor(row=table.get_row_index(key), animate=False)


async def test_done_on_the_last_blocker_puts_the_waiting_task_on_today(
    db: Database, today: date
) -> None:
    with action(db, "Add patient") as s:
        ana = patients.create_patient(
            s, {"given_name": "Ana", "family_name": "Núñez"}, today=today
        ).id
    book = add(db, today, "Book the appointment", patient_id=ana, due="2026-03-11")
    accepted = add(db, today, "Referral accepted", patient_id=ana, due="2026-03-10")
    faxed = add(db, today, "Referral faxed", patient_id=ana, due="2026-03-09")
    later = add(db, today, "Plan the visit", patient_id=ana, due="2026-03-20")
    wait(db, book, accepted)
    wait(db, book, faxed)
    wait(db, later, accepted)  # due later: not on Today even once it can be done
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown(app) == [f"task:{faxed}", f"task:{accepted}"]
        # one blocker done: the other still holds it back
        await select(app, f"task:{faxed}")
        await pilot.press("x")
        await settle(pilot)
        assert shown(app) == [f"task:{accepted}"]
        assert rows(db, "SELECT status FROM task WHERE id = ?", faxed) == [("completed",)]
        # the last one done: it is on Today the same moment
        await pilot.press("x")
        await settle(pilot)
        assert shown(app) == [f"task:{book}"]
        assert rows(db, "SELECT status FROM task WHERE id = ?", book) == [("requested",)]
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        assert screen.full_loads == 1  # in place, not by reading the whole list again
        assert "Book the appointment" in str(screen.table.get_row(f"task:{book}")[2])
        assert screen.table.selected_key == f"task:{book}"
