"""Today's care-minutes item: enrolled patients under the first threshold when the
month has 7 or fewer days left (today included), ranked by the same explainable score."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest

from caretui.models.all import Patient
from caretui.queries import today as q
from caretui.queries.today import ItemKind, TodayItem, count_items, today_items
from caretui.services import notes, patients, records
from caretui.services.triage import Weights, explain, rank
from caretui.services.unit import action
from caretui.store.database import Database

#: March 2026 has 31 days: on the 25th 7 days are left (25th to 31st), on the 24th 8.
SEVEN_LEFT = date(2026, 3, 25)
EIGHT_LEFT = date(2026, 3, 24)
LAST_DAY = date(2026, 3, 31)


def build(db: Database) -> dict[str, int]:
    """Patients and their March minutes; returns name -> id. Only "under" and "none"
    are enrolled, on the caseload and under 20 minutes."""
    ids: dict[str, int] = {}
    day = date(2026, 3, 1)

    def patient(name: str, **fields: Any) -> None:
        with action(db, f"patient {name}") as s:
            fields = {"given_name": name.capitalize(), "family_name": "Test", **fields}
            ids[name] = patients.create_patient(s, fields, today=day).id

    patient("under", care_management=True, enrolled_on="2025-01-01", risk="medium")
    patient("none", care_management=True, enrolled_on="2025-01-01", risk="high")
    patient("twenty", care_management=True, enrolled_on="2025-01-01")
    patient("forty", care_management=True, enrolled_on="2025-01-01")
    patient("plain", care_management=False, enrolled_on="2025-01-01")
    patient("gone", care_management=True, enrolled_on="2025-01-01")
    patient("later", care_management=True, enrolled_on="2026-03-28")
    with action(db, "discharge") as s:
        patients.discharge(s, records.get(s, Patient, ids["gone"]), on=date(2026, 3, 10), today=day)

    now = datetime(2026, 3, 24, 18, 0)
    with action(db, "notes") as s:

        def log(who: str, when: str, minutes: int | None, kind: str = "call") -> None:
            notes.log_note(
                s,
                ids[who],
                kind=kind,
                outcome="reached" if kind == "call" else None,
                text="paperwork" if kind == "note" else None,
                minutes=minutes,
                occurred_at=datetime.fromisoformat(when),
                now=now,
            )

        log("under", "2026-02-28 23:59", 30)  # February: does not count
        log("under", "2026-03-02 10:00", 10)
        log("under", "2026-03-20 10:00", 9, kind="note")
        log("under", "2026-03-21 10:00", None)
        log("twenty", "2026-03-03 10:00", 20)
        log("forty", "2026-03-03 10:00", 25)
        log("forty", "2026-03-04 10:00", 15)
        log("plain", "2026-03-04 10:00", 5)
        log("gone", "2026-03-04 10:00", 5)
    return ids


@pytest.fixture
def ids(db: Database) -> dict[str, int]:
    return build(db)


@pytest.fixture
def con(db: Database, ids: dict[str, int]) -> Iterator[sqlite3.Connection]:
    connection = db.read()
    yield connection
    connection.close()


def care_items(items: list[TodayItem]) -> dict[int, TodayItem]:
    return {i.record_id: i for i in items if i.kind is ItemKind.CARE_MINUTES}


def test_seven_days_left_lists_enrolled_patients_under_the_first_threshold(
    ids: dict[str, int], con: sqlite3.Connection
) -> None:
    found = care_items(today_items(con, SEVEN_LEFT, now=datetime(2026, 3, 25, 9)))
    assert set(found) == {ids["under"], ids["none"]}
    under = found[ids["under"]]
    assert under.entity == "care_minutes"
    assert under.what == "care management: 19 of 20 min this month"
    assert under.detail == "7 days left in the month"
    assert under.when == LAST_DAY
    assert (under.given_name, under.risk) == ("Under", "medium")
    assert found[ids["none"]].what == "care management: 0 of 20 min this month"


def test_eight_days_left_lists_none(ids: dict[str, int], con: sqlite3.Connection) -> None:
    assert care_items(today_items(con, EIGHT_LEFT, now=datetime(2026, 3, 24, 9))) == {}
    assert count_items(con, EIGHT_LEFT, "all", now=datetime(2026, 3, 24, 9)) == 0


def test_the_threshold_is_the_configured_first_one(
    ids: dict[str, int], con: sqlite3.Connection
) -> None:
    now = datetime(2026, 3, 25, 9)
    found = care_items(today_items(con, SEVEN_LEFT, now=now, care_threshold=45))
    assert set(found) == {ids["under"], ids["none"], ids["twenty"], ids["forty"]}
    assert found[ids["forty"]].what == "care management: 40 of 45 min this month"
    assert set(care_items(today_items(con, SEVEN_LEFT, now=now, care_threshold=19))) == {
        ids["none"]
    }


def test_counts_the_same_as_the_list(ids: dict[str, int], con: sqlite3.Connection) -> None:
    now = datetime(2026, 3, 25, 9)
    assert count_items(con, SEVEN_LEFT, "all", now=now) == 2
    assert count_items(con, SEVEN_LEFT, "overdue", now=now) == 0
    assert count_items(con, SEVEN_LEFT, "today", now=now) == 0
    last = datetime(2026, 3, 31, 9)
    items = care_items(today_items(con, LAST_DAY, now=last))
    assert items[ids["under"]].detail == "last day of the month"
    assert set(items) == {ids["under"], ids["none"], ids["later"]}  # enrolled on the 28th
    assert count_items(con, LAST_DAY, "today", now=last) == 3
    assert count_items(con, LAST_DAY, "all", now=last) == len(today_items(con, LAST_DAY, now=last))


def test_the_month_starts_afresh(ids: dict[str, int], con: sqlite3.Connection) -> None:
    """On April 30 nobody has March's minutes any more; "later" is enrolled by then."""
    found = care_items(today_items(con, date(2026, 4, 30), now=datetime(2026, 4, 30, 9)))
    assert set(found) == {ids["under"], ids["none"], ids["twenty"], ids["forty"], ids["later"]}


def test_each_patient_s_minutes_come_through_the_note_index(con: sqlite3.Connection) -> None:
    params = q.query_params(SEVEN_LEFT, now=datetime(2026, 3, 25, 9))
    plan = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + q.CARE_MINUTES_SQL, params)]
    assert plan.count("SCAN p") == 1, plan
    note_steps = [s for s in plan if " n " in f" {s} "]
    assert note_steps and all("USING INDEX ix_note_patient_when" in s for s in note_steps), plan


def test_the_score_grows_as_the_month_ends(ids: dict[str, int], con: sqlite3.Connection) -> None:
    seven = rank(care_items(today_items(con, SEVEN_LEFT)).values(), SEVEN_LEFT)
    last = rank(care_items(today_items(con, LAST_DAY)).values(), LAST_DAY)
    by_id = {r.item.record_id: r for r in seven}
    under = by_id[ids["under"]]
    assert [f.label for f in under.explanation] == [
        "priority routine",
        "risk medium",
        "under threshold 7 days left",
    ]
    assert under.score == pytest.approx(1.8 + 2.0 + 8.0 / 7)
    last_under = next(r for r in last if r.item.record_id == ids["under"])
    assert last_under.score == pytest.approx(1.8 + 2.0 + 8.0)
    assert explain(last_under)[-2].startswith("under threshold 1 day left")
    # high risk ranks first; the weight is configurable by name
    assert seven[0].item.record_id == ids["none"]
    heavier = rank([under.item], SEVEN_LEFT, Weights.from_config({"care-minutes": 14}))
    assert heavier[0].score == pytest.approx(1.8 + 2.0 + 14.0 / 7)
