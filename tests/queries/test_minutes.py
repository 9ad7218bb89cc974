"""Minutes this calendar month for a page of patients: one query, through the note index."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from caretui.queries.minutes import month_bounds, month_minutes, month_minutes_sql
from caretui.services import notes, patients
from caretui.services.unit import action
from caretui.store.database import Database


def build(db: Database) -> dict[str, int]:
    """ann 19, bob 20, cara 40 in March 2026 (care management); dan not enrolled."""
    ids: dict[str, int] = {}
    day = date(2026, 3, 1)
    with action(db, "month") as s:
        for name, enrolled in (("ann", True), ("bob", True), ("cara", True), ("dan", False)):
            ids[name] = patients.create_patient(
                s,
                {
                    "given_name": name.capitalize(),
                    "family_name": "Test",
                    "care_management": enrolled,
                },
                today=day,
            ).id

        def log(who: str, when: str, minutes: int | None) -> None:
            notes.log_note(
                s,
                ids[who],
                kind="call",
                minutes=minutes,
                occurred_at=datetime.fromisoformat(when),
                now=datetime(2026, 4, 2),
            )

        log("ann", "2026-02-28 23:59", 30)
        log("ann", "2026-03-01 00:00", 10)
        log("ann", "2026-03-31 23:59", 9)
        log("ann", "2026-04-01 00:00", 30)
        log("ann", "2026-03-15 12:00", None)
        log("bob", "2026-03-12 10:00", 20)
        log("cara", "2026-03-05 10:00", 25)
        log("cara", "2026-03-06 10:00", 15)
        log("dan", "2026-03-20 10:00", 45)
    return ids


@pytest.fixture
def con(db: Database) -> Iterator[sqlite3.Connection]:
    connection = db.read()
    yield connection
    connection.close()


def test_minutes_of_the_month_by_patient(db: Database, con: sqlite3.Connection) -> None:
    ids = build(db)
    got = month_minutes(
        con, [ids["ann"], ids["bob"], ids["cara"], ids["dan"], 999], date(2026, 3, 18)
    )
    assert got == {ids["ann"]: 19, ids["bob"]: 20, ids["cara"]: 40, ids["dan"]: None}
    april = month_minutes(con, ids.values(), date(2026, 4, 30))
    assert april[ids["ann"]] == 30 and april[ids["bob"]] == 0
    assert month_minutes(con, [], date(2026, 3, 1)) == {}


def test_month_bounds() -> None:
    assert month_bounds(date(2026, 3, 18)) == ("2026-03-01", "2026-04-01")
    assert month_bounds(date(2026, 12, 31)) == ("2026-12-01", "2027-01-01")


def test_one_query_through_the_note_index(db: Database, con: sqlite3.Connection) -> None:
    build(db)
    params: dict[str, object] = {"id_0": 1, "id_1": 2, "start": "2026-03-01", "end": "2026-04-01"}
    plan = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + month_minutes_sql(2), params)]
    assert not any(step.startswith("SCAN") for step in plan), plan
    assert any("SEARCH n USING INDEX ix_note_patient_when" in step for step in plan), plan
