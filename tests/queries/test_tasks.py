"""The Queues screen's read side: one queue's tasks by view and priority, paged, counted."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date

import pytest

from caretui.config import DEFAULT_QUEUES
from caretui.models.all import Task
from caretui.queries import tasks as q
from caretui.queries.tasks import TaskFilter
from caretui.services import patients, tasks
from caretui.services.unit import action
from caretui.store.database import Database


@pytest.fixture
def con(db: Database) -> Iterator[sqlite3.Connection]:
    connection = db.read()
    yield connection
    connection.close()


def add(db: Database, today: date, title: str, **fields: object) -> int:
    with action(db, "Add task") as s:
        return tasks.add_task(
            s, {"title": title, "queue": "calls", **fields}, today=today, queues=DEFAULT_QUEUES
        ).id


@pytest.fixture
def calls(db: Database, today: date) -> dict[str, int]:
    with action(db, "Add patient") as s:
        pid = patients.create_patient(
            s, {"given_name": "Ana", "family_name": "Núñez"}, today=today
        ).id
    ids = {
        "no_due": add(db, today, "No date"),
        "late_routine": add(db, today, "Late routine", due="2026-03-09", patient_id=pid),
        "late_stat": add(db, today, "Late stat", due="2026-03-09", priority="stat"),
        "today": add(db, today, "Today", due="2026-03-11", priority="urgent"),
        "snoozed": add(db, today, "Snoozed", due="2026-03-10"),
        "woken": add(db, today, "Woke today", due="2026-03-12"),
        "done": add(db, today, "Done", due="2026-03-05"),
        "other_queue": add(db, today, "Paperwork", queue="paperwork"),
    }
    with action(db, "Work") as s:
        tasks.snooze(s, s.get_one(Task, ids["snoozed"]), date(2026, 3, 13), today=today)
        tasks.complete_task(s, s.get_one(Task, ids["done"]), today=today)
    raw = sqlite3.connect(db.path)
    raw.execute("UPDATE task SET wait_until = '2026-03-11' WHERE id = ?", (ids["woken"],))
    raw.commit()
    raw.close()
    return ids


def test_open_view_by_due_then_priority_undated_last(
    con: sqlite3.Connection, today: date, calls: dict[str, int]
) -> None:
    rows = q.list_tasks(con, TaskFilter("calls"), today=today)
    assert [r.id for r in rows] == [
        calls["late_stat"],
        calls["late_routine"],
        calls["today"],
        calls["woken"],
        calls["no_due"],
    ]
    assert rows[1].patient == "Núñez, Ana"
    assert rows[0].patient == ""
    assert q.count_tasks(con, TaskFilter("calls"), today=today) == 5


def test_snoozed_and_done_views(
    con: sqlite3.Connection, today: date, calls: dict[str, int]
) -> None:
    snoozed = q.list_tasks(con, TaskFilter("calls", "snoozed"), today=today)
    assert [(r.id, r.wait_until) for r in snoozed] == [(calls["snoozed"], date(2026, 3, 13))]
    done = q.list_tasks(con, TaskFilter("calls", "done"), today=today)
    assert [r.id for r in done] == [calls["done"]]
    assert done[0].completed_at is not None
    assert done[0].view(today) == "done"


def test_priority_filter(con: sqlite3.Connection, today: date, calls: dict[str, int]) -> None:
    flt = TaskFilter("calls", priorities=("stat", "urgent"))
    assert [r.id for r in q.list_tasks(con, flt, today=today)] == [
        calls["late_stat"],
        calls["today"],
    ]
    assert q.count_tasks(con, flt, today=today) == 2


def test_counts_per_queue(con: sqlite3.Connection, today: date, calls: dict[str, int]) -> None:
    assert q.queue_counts(con, today=today) == {"calls": 5, "paperwork": 1}
    assert q.queue_counts(con, today=today, view="snoozed") == {"calls": 1}


def test_paged(db: Database, con: sqlite3.Connection, today: date) -> None:
    with action(db, "Many") as s:
        for n in range(25):
            tasks.add_task(
                s,
                {"title": f"Task {n:02d}", "queue": "insurance", "due": f"2026-04-{n + 1:02d}"},
                today=today,
                queues=DEFAULT_QUEUES,
            )
    flt = TaskFilter("insurance")
    first = q.list_tasks(con, flt, today=today, limit=10)
    second = q.list_tasks(con, flt, today=today, limit=10, offset=10)
    third = q.list_tasks(con, flt, today=today, limit=10, offset=20)
    titles = [r.title for r in first + second + third]
    assert titles == [f"Task {n:02d}" for n in range(25)]
    assert q.count_tasks(con, flt, today=today) == 25


@pytest.mark.parametrize("view", ["open", "snoozed", "done"])
def test_a_page_near_the_end_read_from_the_end_is_the_same_page(
    db: Database, con: sqlite3.Connection, today: date, view: q.View
) -> None:
    """Ties on every sort term but the id, undated tasks (NULLs), and pages that run
    past the end: read from the end and turned round, each page is the one the top
    would have given."""
    with action(db, "Many") as s:
        for n in range(37):
            task = tasks.add_task(
                s,
                {
                    "title": f"Task {n:02d}",
                    "queue": "insurance",
                    "due": None if n % 5 == 0 else f"2026-04-{n % 4 + 1:02d}",
                    "priority": ("routine", "urgent", "asap")[n % 3],
                },
                today=today,
                queues=DEFAULT_QUEUES,
            )
            if view == "snoozed":
                tasks.snooze(s, task, date(2026, 3, 20 + n % 3), today=today)
            elif view == "done":
                tasks.complete_task(s, task, today=today)
    flt = TaskFilter("insurance", view=view)
    total = q.count_tasks(con, flt, today=today)
    assert total == 37
    whole = [r.id for r in q.list_tasks(con, flt, today=today, limit=100)]
    for offset, limit in [(30, 10), (27, 10), (20, 17), (36, 5), (19, 100), (40, 10)]:
        page = q.list_tasks(con, flt, today=today, limit=limit, offset=offset, total=total)
        assert [r.id for r in page] == whole[offset : offset + limit], (offset, limit)


def test_one_row_matches_its_view_after_a_change(
    db: Database, con: sqlite3.Connection, today: date, calls: dict[str, int]
) -> None:
    row = q.task_row(con, calls["today"])
    assert row is not None and row.matches(TaskFilter("calls"), today)
    assert not row.matches(TaskFilter("calls", priorities=("routine",)), today)
    with action(db, "Move") as s:
        tasks.move_to_queue(
            s, s.get_one(Task, calls["today"]), "paperwork", today=today, queues=DEFAULT_QUEUES
        )
    moved = q.task_row(con, calls["today"])
    assert moved is not None and moved.queue == "paperwork" and moved.version == 2
    assert not moved.matches(TaskFilter("calls"), today)
    assert q.task_row(con, 9999) is None


def test_detail_for_the_form(con: sqlite3.Connection, today: date, calls: dict[str, int]) -> None:
    detail = q.task_detail(con, calls["late_routine"])
    assert detail is not None
    assert (detail.title, detail.queue, detail.priority, detail.due) == (
        "Late routine",
        "calls",
        "routine",
        date(2026, 3, 9),
    )
    assert detail.patient == "Núñez, Ana" and detail.open and detail.version == 1
    assert q.task_detail(con, 9999) is None


def test_a_stored_due_that_is_not_a_date_is_flagged(
    db: Database, con: sqlite3.Connection, today: date, calls: dict[str, int]
) -> None:
    raw = sqlite3.connect(db.path)
    raw.execute("UPDATE task SET due = '2026-02-30' WHERE id = ?", (calls["no_due"],))
    raw.commit()
    raw.close()
    rows = {r.id: r for r in q.list_tasks(con, TaskFilter("calls"), today=today)}
    bad = rows[calls["no_due"]]
    assert bad.due is None and bad.bad_due and bad.due_text == "2026-02-30"
    assert not rows[calls["today"]].bad_due
