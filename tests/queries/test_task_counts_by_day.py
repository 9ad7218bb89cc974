"""Open tasks due on each day of a range, for the month calendar: one query."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date

import pytest

from caretui.config import DEFAULT_QUEUES
from caretui.models.all import Task
from caretui.queries.tasks import task_counts_by_day
from caretui.services import tasks
from caretui.services.unit import action
from caretui.store.database import Database


@pytest.fixture
def con(db: Database) -> Iterator[sqlite3.Connection]:
    connection = db.read()
    yield connection
    connection.close()


def add(db: Database, today: date, due: str | None, **fields: object) -> int:
    with action(db, "Add task") as s:
        return tasks.add_task(
            s,
            {"title": f"Due {due}", "queue": "calls", "due": due, **fields},
            today=today,
            queues=DEFAULT_QUEUES,
        ).id


def test_open_tasks_by_due_day_every_day_present(
    db: Database, today: date, con: sqlite3.Connection
) -> None:
    add(db, today, "2026-03-01")
    add(db, today, "2026-03-11")
    add(db, today, "2026-03-11", queue="paperwork")
    done = add(db, today, "2026-03-11")
    cancelled = add(db, today, "2026-03-12")
    snoozed = add(db, today, "2026-03-20")
    add(db, today, "2026-03-31")
    add(db, today, "2026-02-28")  # before the range
    add(db, today, "2026-04-01")  # after it
    add(db, today, None)  # no due date
    with action(db, "Work") as s:
        tasks.complete_task(s, s.get_one(Task, done), today=today)
        tasks.cancel_task(s, s.get_one(Task, cancelled), today=today)
        tasks.snooze(s, s.get_one(Task, snoozed), date(2026, 3, 15), today=today)

    counts = task_counts_by_day(con, date(2026, 3, 1), date(2026, 3, 31))

    assert list(counts) == [date(2026, 3, d) for d in range(1, 32)]
    busy = {day.day: n for day, n in counts.items() if n}
    assert busy == {1: 1, 11: 2, 20: 1, 31: 1}


def test_a_bad_stored_due_is_left_out(db: Database, today: date, con: sqlite3.Connection) -> None:
    task_id = add(db, today, "2026-03-05")
    raw = sqlite3.connect(db.path)
    raw.execute("UPDATE task SET due = '2026-03-0x' WHERE id = ?", (task_id,))
    raw.commit()
    raw.close()
    counts = task_counts_by_day(con, date(2026, 3, 1), date(2026, 3, 7))
    assert sum(counts.values()) == 0 and len(counts) == 7
