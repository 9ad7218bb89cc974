"""Today's top, read by group, is exactly the top of the whole list ranked."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from caretui.queries.today import today_items
from caretui.services.seed import seed_caseload
from caretui.services.triage import Weights, rank
from caretui.services.triage_top import top_items
from caretui.store.database import Database

TODAY = date(2026, 3, 11)
NOON = datetime(2026, 3, 11, 12, 0)


@pytest.fixture
def con(db: Database) -> Iterator[sqlite3.Connection]:
    seed_caseload(db, patients=60, tasks=900, appointments=120, seed=11, today=TODAY)
    raw = sqlite3.connect(db.path)
    with raw:  # stored due dates that are not dates sort as today: they must still be found
        raw.execute("PRAGMA ignore_check_constraints = ON")
        raw.execute("UPDATE task SET due = '2026-02-30' WHERE id % 97 = 0")
        raw.execute("UPDATE task SET due = '1' WHERE id % 89 = 0")
        raw.execute("UPDATE task SET priority = 'whenever' WHERE id % 83 = 0")
    raw.close()
    db.dispose()
    con = db.read()
    yield con
    con.close()


def signature(ranked: list) -> list[tuple[str, int, float]]:  # type: ignore[type-arg]
    return [(r.item.entity, r.item.record_id, r.score) for r in ranked]


@pytest.mark.parametrize("limit", [0, 1, 7, 50, 200, 5_000])
@pytest.mark.parametrize(
    "weights",
    [Weights(), Weights(overdue_cap_days=2.5, risk_high=30.0, priority_routine=9.0, due=0.0)],
    ids=["default weights", "odd weights"],
)
@pytest.mark.parametrize("day", [TODAY, date(2026, 4, 30)], ids=["mid-month", "month end"])
def test_top_items_is_the_top_of_the_whole_ranking(
    con: sqlite3.Connection, limit: int, weights: Weights, day: date
) -> None:
    now = datetime.combine(day, NOON.time())
    everything = today_items(con, day, now=now)
    assert sum(1 for i in everything if i.kind == "task") > 150  # a real contest
    expected = rank(everything, day, weights, now, limit=limit)
    got, total = top_items(con, day, limit=limit, weights=weights, now=now)
    assert signature(got) == signature(expected)
    assert [r.explanation for r in got] == [r.explanation for r in expected]
    assert total == len(everything)


def test_top_items_reads_few_task_rows(con: sqlite3.Connection) -> None:
    statements: list[str] = []
    con.set_trace_callback(statements.append)
    got, total = top_items(con, TODAY, limit=10, now=NOON)
    con.set_trace_callback(None)
    assert len(got) == 10 and total > 150
    task_reads = [s for s in statements if "t.title" in s]
    assert len(task_reads) == 1 and "t.due <= " in task_reads[0]  # only the groups at the top


def _handmade(db: Database, tasks: list[tuple[str, str, str]]) -> sqlite3.Connection:
    """One patient per risk level, then ``tasks`` as (priority, risk, stored due), in id order."""
    from caretui.config import DEFAULT_QUEUES
    from caretui.models.all import Task
    from caretui.services import patients, records
    from caretui.services.unit import action

    with action(db, "Build") as s:
        pid = {
            risk: patients.create_patient(
                s,
                {"given_name": risk.title(), "family_name": "Testwood", "risk": risk},
                today=TODAY,
            ).id
            for risk in ("high", "medium", "low")
        }
        ids = []
        for priority, risk, _due in tasks:
            fields = {"patient_id": pid[risk], "title": "t", "queue": "calls", "due": "2026-03-01"}
            fields["priority"] = priority
            ids.append(records.create(s, Task, fields, today=TODAY, queues=DEFAULT_QUEUES).id)
    raw = sqlite3.connect(db.path)
    with raw:
        for task_id, (_p, _r, due) in zip(ids, tasks, strict=True):
            raw.execute("UPDATE task SET due = ? WHERE id = ?", (due, task_id))
    raw.close()
    db.dispose()
    return db.read()


@pytest.mark.parametrize(
    ("tasks", "weights", "limit"),
    [
        # Equal scores across risk levels: the tie goes to the lower id, in the later group.
        (
            [("routine", "medium", "2026-03-05"), ("routine", "high", "2026-03-05")],
            Weights(risk_high=0.0, risk_medium=0.0),
            1,
        ),
        # A stored due that is not a date counts as today; alone in its group.
        (
            [("asap", "high", "2026-02-30"), ("routine", "low", "2026-03-10")],
            Weights(),
            1,
        ),
        # Not a date, and later in text than the pair's real due dates.
        (
            [
                ("stat", "high", "2026-01-05"),
                ("stat", "high", "2026-02-30"),
                ("routine", "low", "2026-03-11"),
                ("routine", "low", "2026-03-10"),
            ],
            Weights(),
            2,
        ),
    ],
    ids=["tie across groups", "not a date, alone", "not a date, later in text"],
)
def test_edge_groups(
    db: Database, tasks: list[tuple[str, str, str]], weights: Weights, limit: int
) -> None:
    con = _handmade(db, tasks)
    try:
        expected = rank(today_items(con, TODAY, now=NOON), TODAY, weights, NOON, limit=limit)
        got, _ = top_items(con, TODAY, limit=limit, weights=weights, now=NOON)
    finally:
        con.close()
    assert signature(got) == signature(expected)


@pytest.mark.parametrize("day", [TODAY, date(2026, 3, 31), date(2026, 5, 2)])
def test_count_agrees_with_the_list_with_blocked_tasks_and_discharged_patients(
    db: Database, day: date
) -> None:
    from caretui.models.all import Patient, Task
    from caretui.queries.today import count_items
    from caretui.services import dependencies, records
    from caretui.services.unit import action

    seed_caseload(db, patients=40, tasks=500, appointments=80, seed=5, today=TODAY)
    with action(db, "Block and discharge") as s:
        tasks = [
            t for t in s.query(Task).order_by(Task.id) if t.status not in ("completed", "cancelled")
        ]
        for waiting, blocker in zip(tasks[::7], tasks[3::7], strict=False):
            dependencies.add_dependency(s, waiting, blocker)
        for patient in s.query(Patient).order_by(Patient.id).limit(6):
            records.update(s, patient, {"status": "discharged"}, today=TODAY)
    db.dispose()
    con = db.read()
    try:
        now = datetime.combine(day, NOON.time())
        items = today_items(con, day, now=now)
        assert count_items(con, day, "all", now=now) == len(items)
        assert count_items(con, day, "overdue", now=now) == sum(i.when < day for i in items)
        assert count_items(con, day, "today", now=now) == sum(i.when == day for i in items)
        blocked = con.execute("SELECT count(*) FROM task_dependency").fetchone()[0]
        assert blocked > 20
    finally:
        con.close()
