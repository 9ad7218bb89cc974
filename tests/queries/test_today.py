"""The Today list's rows: exactly what appears, what does not, and how it is read."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest

from caretui.config import DEFAULT_QUEUES
from caretui.models.all import (
    Appointment,
    CarePlan,
    Goal,
    Medication,
    Patient,
    Record,
    Task,
)
from caretui.queries import today as q
from caretui.queries.common import patient_display
from caretui.queries.today import ItemKind, TodayItem, count_items, today_items
from caretui.services import patients, records
from caretui.services.unit import action
from caretui.store.database import Database

#: Noon on the frozen today (Wed 2026-03-11).
NOON = datetime(2026, 3, 11, 12, 0)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute)


def build_caseload(db: Database, today: date) -> dict[str, int]:
    """A small known caseload; returns label -> record id. Labels starting with
    "in_" should be on Today at noon on 2026-03-11, "out_" should not."""
    ids: dict[str, int] = {}

    with action(db, "Build caseload") as s:

        def add(label: str, model: type[Record], **fields: Any) -> None:
            obj = records.create(s, model, fields, today=today, queues=DEFAULT_QUEUES)
            ids[label] = obj.id

        def patient(label: str, **fields: Any) -> int:
            ids[label] = patients.create_patient(s, fields, today=today).id
            return ids[label]

        ann = patient("ann", given_name="Ann", family_name="Lee", risk="high")
        bob = patient(
            "bob", given_name="Roberto", family_name="Díaz", preferred_name="Bob", risk="low"
        )
        cara = patient("cara", given_name="Cara", family_name="Moss", risk="medium")
        dan = patient("dan", given_name="Dan", family_name="Gone", risk="high")

        # Tasks
        task = {"queue": "calls"}
        add(
            "in_task_overdue",
            Task,
            patient_id=ann,
            title="Call pharmacy",
            due="2026-03-08",
            priority="asap",
            **task,
        )
        add(
            "in_task_today",
            Task,
            patient_id=bob,
            title="Fax forms",
            due="2026-03-11",
            queue="paperwork",
        )
        add(
            "in_task_snooze_over",
            Task,
            patient_id=cara,
            title="Chase labs",
            due="2026-03-05",
            wait_until="2026-03-11",
            status="in-progress",
            **task,
        )
        add(
            "in_task_no_patient",
            Task,
            title="Order supplies",
            due="2026-03-11",
            priority="stat",
            queue="paperwork",
        )
        add(
            "out_task_snoozed",
            Task,
            patient_id=ann,
            title="Snoozed",
            due="2026-03-09",
            wait_until="2026-03-13",
            **task,
        )
        add(
            "out_task_completed",
            Task,
            patient_id=ann,
            title="Done",
            due="2026-03-10",
            status="completed",
            **task,
        )
        add(
            "out_task_cancelled",
            Task,
            patient_id=ann,
            title="Dropped",
            due="2026-03-10",
            status="cancelled",
            **task,
        )
        add("out_task_future", Task, patient_id=bob, title="Later", due="2026-03-12", **task)
        add("out_task_no_due", Task, patient_id=bob, title="Someday", **task)
        add("out_task_discharged", Task, patient_id=dan, title="Gone", due="2026-03-10", **task)

        # Appointments
        add(
            "in_appt_transport",
            Appointment,
            patient_id=ann,
            start=_at(11, 14),
            end=_at(11, 15),
            purpose="Cardiology follow-up",
            transport="needed",
        )
        add(
            "in_appt_proposed",
            Appointment,
            patient_id=cara,
            start=_at(11, 16),
            with_whom="Dr Osei",
            status="proposed",
        )
        add(
            "in_appt_morning",
            Appointment,
            patient_id=bob,
            start=_at(11, 9),
            end=_at(11, 9, 30),
            purpose="Podiatry",
        )
        add("in_appt_no_end", Appointment, patient_id=cara, start=_at(11, 11), purpose="Labs")
        add(
            "in_appt_arrived",
            Appointment,
            patient_id=ann,
            start=_at(10, 10),
            end=_at(10, 11),
            purpose="Eye exam",
            status="arrived",
        )
        # Transport needed but the appointment is over: it wants an outcome, not transport.
        add(
            "in_appt_transport_over",
            Appointment,
            patient_id=bob,
            start=_at(11, 8),
            end=_at(11, 8, 30),
            purpose="Blood draw",
            transport="needed",
        )
        add(
            "out_appt_arranged",
            Appointment,
            patient_id=bob,
            start=_at(11, 15),
            transport="arranged",
            transport_details="Van 3",
        )
        add(
            "out_appt_tomorrow",
            Appointment,
            patient_id=ann,
            start=_at(12, 10),
            transport="needed",
            status="proposed",
        )
        add("out_appt_running", Appointment, patient_id=cara, start=_at(11, 11, 45))
        add("out_appt_fulfilled", Appointment, patient_id=ann, start=_at(10, 9), status="fulfilled")
        add(
            "out_appt_cancelled",
            Appointment,
            patient_id=ann,
            start=_at(11, 13),
            status="cancelled",
            transport="needed",
        )
        add("out_appt_noshow", Appointment, patient_id=cara, start=_at(9, 9), status="noshow")
        add("out_appt_ready", Appointment, patient_id=cara, start=_at(11, 17))
        add(
            "out_appt_discharged", Appointment, patient_id=dan, start=_at(11, 13), status="proposed"
        )

        # Medications (window 7 days: up to 2026-03-18)
        add(
            "in_refill_edge",
            Medication,
            patient_id=ann,
            name="Metformin",
            dose="500 mg",
            refill_due="2026-03-18",
        )
        add(
            "in_refill_overdue",
            Medication,
            patient_id=bob,
            name="Lisinopril",
            refill_due="2026-03-09",
        )
        add(
            "out_refill_outside",
            Medication,
            patient_id=ann,
            name="Atorvastatin",
            refill_due="2026-03-19",
        )
        add(
            "out_refill_stopped",
            Medication,
            patient_id=cara,
            name="Warfarin",
            refill_due="2026-03-12",
            status="stopped",
        )
        add("out_refill_none", Medication, patient_id=cara, name="Aspirin")
        add(
            "out_refill_discharged",
            Medication,
            patient_id=dan,
            name="Insulin",
            refill_due="2026-03-11",
        )

        # Care plans
        add(
            "in_plan_due",
            CarePlan,
            patient_id=cara,
            title="Diabetes plan",
            next_review="2026-03-11",
        )
        add(
            "in_plan_overdue",
            CarePlan,
            patient_id=ann,
            title="Falls plan",
            next_review="2026-02-01",
        )
        add(
            "out_plan_future",
            CarePlan,
            patient_id=ann,
            title="Heart plan",
            next_review="2026-03-12",
        )
        add(
            "out_plan_draft",
            CarePlan,
            patient_id=bob,
            title="Draft plan",
            status="draft",
            next_review="2026-03-01",
        )
        add(
            "out_plan_completed",
            CarePlan,
            patient_id=bob,
            title="Old plan",
            status="completed",
            next_review="2026-03-01",
        )

        # Goals
        add(
            "in_goal_past",
            Goal,
            patient_id=ann,
            description="Walk 20 minutes daily",
            target_date="2026-03-01",
            achievement_status="in-progress",
        )
        add(
            "in_goal_proposed",
            Goal,
            patient_id=cara,
            description="A1c under 7",
            target_date="2026-02-15",
            lifecycle_status="proposed",
        )
        add(
            "out_goal_achieved",
            Goal,
            patient_id=ann,
            description="Quit smoking",
            target_date="2026-03-01",
            achievement_status="achieved",
        )
        add(
            "out_goal_sustaining",
            Goal,
            patient_id=bob,
            description="Keep weight",
            target_date="2026-03-01",
            achievement_status="sustaining",
        )
        add(
            "out_goal_completed",
            Goal,
            patient_id=bob,
            description="Finished",
            target_date="2026-03-01",
            lifecycle_status="completed",
        )
        add(
            "out_goal_cancelled",
            Goal,
            patient_id=bob,
            description="Dropped",
            target_date="2026-03-01",
            lifecycle_status="cancelled",
        )
        add(
            "out_goal_today",
            Goal,
            patient_id=cara,
            description="Due today",
            target_date="2026-03-11",
        )
        add(
            "out_goal_discharged",
            Goal,
            patient_id=dan,
            description="Gone",
            target_date="2026-03-01",
        )

    with action(db, "Discharge") as s:
        patients.update_patient(
            s, records.get(s, Patient, dan), {"status": "discharged"}, today=today
        )
    return ids


#: Where each expected label lands: (kind, entity).
EXPECTED: dict[str, tuple[ItemKind, str]] = {
    "in_task_overdue": (ItemKind.TASK, "task"),
    "in_task_today": (ItemKind.TASK, "task"),
    "in_task_snooze_over": (ItemKind.TASK, "task"),
    "in_task_no_patient": (ItemKind.TASK, "task"),
    "in_appt_transport": (ItemKind.APPOINTMENT_NOT_READY, "appointment"),
    "in_appt_proposed": (ItemKind.APPOINTMENT_NOT_READY, "appointment"),
    "in_appt_morning": (ItemKind.APPOINTMENT_NO_OUTCOME, "appointment"),
    "in_appt_no_end": (ItemKind.APPOINTMENT_NO_OUTCOME, "appointment"),
    "in_appt_arrived": (ItemKind.APPOINTMENT_NO_OUTCOME, "appointment"),
    "in_appt_transport_over": (ItemKind.APPOINTMENT_NO_OUTCOME, "appointment"),
    "in_refill_edge": (ItemKind.REFILL, "medication"),
    "in_refill_overdue": (ItemKind.REFILL, "medication"),
    "in_plan_due": (ItemKind.PLAN_REVIEW, "care_plan"),
    "in_plan_overdue": (ItemKind.PLAN_REVIEW, "care_plan"),
    "in_goal_past": (ItemKind.GOAL_OVERDUE, "goal"),
    "in_goal_proposed": (ItemKind.GOAL_OVERDUE, "goal"),
}


@pytest.fixture
def caseload(db: Database, today: date) -> dict[str, int]:
    return build_caseload(db, today)


@pytest.fixture
def con(db: Database) -> Iterator[sqlite3.Connection]:
    connection = db.read()
    yield connection
    connection.close()


def keyed(items: list[TodayItem]) -> dict[tuple[str, int], TodayItem]:
    return {(i.entity, i.record_id): i for i in items}


def test_exactly_the_items_that_need_attention(
    caseload: dict[str, int], con: sqlite3.Connection, today: date
) -> None:
    items = today_items(con, today, now=NOON)
    got = {(i.kind, i.entity, i.record_id) for i in items}
    expected = {(kind, entity, caseload[label]) for label, (kind, entity) in EXPECTED.items()}
    assert got == expected
    assert len(items) == len(got), "no item appears twice"
    assert all(not i.bad_date for i in items)


def test_the_fields_of_each_kind(
    caseload: dict[str, int], con: sqlite3.Connection, today: date
) -> None:
    by_key = keyed(today_items(con, today, now=NOON))

    def get(label: str) -> TodayItem:
        return by_key[(EXPECTED[label][1], caseload[label])]

    task = get("in_task_overdue")
    assert (task.what, task.when, task.at, task.priority, task.queue) == (
        "Call pharmacy",
        date(2026, 3, 8),
        None,
        "asap",
        "calls",
    )
    assert (task.patient_id, task.given_name, task.family_name, task.risk) == (
        caseload["ann"],
        "Ann",
        "Lee",
        "high",
    )
    assert task.version == 1 and task.detail == ""
    assert get("in_task_snooze_over").detail == "in progress"

    lone = get("in_task_no_patient")
    assert (lone.patient_id, lone.patient, lone.risk, lone.priority) == (None, "", None, "stat")

    bob = get("in_task_today")
    assert bob.preferred_name == "Bob"
    assert bob.patient == "Díaz, Roberto (Bob)"

    transport = get("in_appt_transport")
    assert transport.what == "Cardiology follow-up"
    assert transport.detail == "transport needed, not arranged"
    assert (transport.when, transport.at) == (date(2026, 3, 11), _at(11, 14))
    assert transport.priority == "urgent" and transport.queue is None

    proposed = get("in_appt_proposed")
    assert (proposed.what, proposed.detail) == ("with Dr Osei", "not booked yet")

    assert get("in_appt_morning").detail == "no outcome recorded"
    arrived = get("in_appt_arrived")
    assert arrived.detail == "arrived, no outcome recorded"
    assert arrived.when == date(2026, 3, 10) and arrived.priority == "routine"

    refill = get("in_refill_edge")
    assert (refill.what, refill.detail, refill.when) == (
        "Metformin 500 mg",
        "refill due in 7 days",
        date(2026, 3, 18),
    )
    assert get("in_refill_overdue").detail == "refill due 2 days ago"

    plan = get("in_plan_due")
    assert (plan.what, plan.detail) == ("Diabetes plan", "review due today")
    assert get("in_plan_overdue").detail == "review due 38 days ago"

    goal = get("in_goal_past")
    assert (goal.what, goal.when) == ("Walk 20 minutes daily", date(2026, 3, 1))
    assert goal.detail == "target date passed 10 days ago; in progress"


def test_refill_window_is_configurable(
    caseload: dict[str, int], con: sqlite3.Connection, today: date
) -> None:
    def refills(window: int) -> set[int]:
        items = today_items(con, today, refill_window_days=window, now=NOON)
        return {i.record_id for i in items if i.kind is ItemKind.REFILL}

    assert refills(8) == {
        caseload[k] for k in ("in_refill_edge", "in_refill_overdue", "out_refill_outside")
    }
    assert refills(0) == {caseload["in_refill_overdue"]}


def test_appointments_follow_the_clock(
    caseload: dict[str, int], con: sqlite3.Connection, today: date
) -> None:
    def kinds(now: datetime) -> dict[str, ItemKind]:
        by_id = {(i.entity, i.record_id): i.kind for i in today_items(con, today, now=now)}
        names = {v: k for k, v in caseload.items() if k.startswith(("in_appt", "out_appt"))}
        return {
            names[rid]: kind for (entity, rid), kind in by_id.items() if entity == "appointment"
        }

    early = kinds(_at(11, 7))  # before anything today has started
    assert early == {
        "in_appt_transport": ItemKind.APPOINTMENT_NOT_READY,
        "in_appt_proposed": ItemKind.APPOINTMENT_NOT_READY,
        "in_appt_transport_over": ItemKind.APPOINTMENT_NOT_READY,
        "in_appt_arrived": ItemKind.APPOINTMENT_NO_OUTCOME,
    }
    late = kinds(_at(11, 23))
    assert late["in_appt_transport"] is ItemKind.APPOINTMENT_NO_OUTCOME
    assert late["out_appt_running"] is ItemKind.APPOINTMENT_NO_OUTCOME
    assert late["out_appt_arranged"] is ItemKind.APPOINTMENT_NO_OUTCOME
    # Proposed is not booked: still not ready, never "no outcome".
    assert late["in_appt_proposed"] is ItemKind.APPOINTMENT_NOT_READY


def test_another_day_is_evaluated_from_its_start(
    caseload: dict[str, int], con: sqlite3.Connection
) -> None:
    tomorrow = date(2026, 3, 12)
    items = today_items(con, tomorrow)  # now defaults to 2026-03-12 00:00
    kinds = {(i.kind, i.record_id) for i in items if i.entity == "appointment"}
    assert (ItemKind.APPOINTMENT_NOT_READY, caseload["out_appt_tomorrow"]) in kinds
    # Everything on the 11th is over by then, still booked: no outcome.
    assert (ItemKind.APPOINTMENT_NO_OUTCOME, caseload["out_appt_ready"]) in kinds
    tasks = {i.record_id for i in items if i.entity == "task"}
    assert caseload["out_task_future"] in tasks
    assert caseload["out_task_snoozed"] not in tasks  # snoozed to the 13th


def test_counts_match_the_list(
    caseload: dict[str, int], con: sqlite3.Connection, today: date
) -> None:
    items = today_items(con, today, now=NOON)
    assert count_items(con, today, "all", now=NOON) == len(items) == len(EXPECTED)
    assert count_items(con, today, "overdue", now=NOON) == sum(i.when < today for i in items)
    assert count_items(con, today, "today", now=NOON) == sum(i.when == today for i in items)
    assert count_items(con, today, "overdue", now=NOON) == 7
    assert count_items(con, today, "today", now=NOON) == 8
    with pytest.raises(ValueError):
        count_items(con, today, "soon", now=NOON)  # type: ignore[arg-type]


def test_an_empty_caseload(con: sqlite3.Connection, today: date) -> None:
    assert today_items(con, today, now=NOON) == []
    assert count_items(con, today, "all", now=NOON) == 0


def test_malformed_stored_dates_do_not_break_the_list(
    caseload: dict[str, int], db: Database, con: sqlite3.Connection, today: date
) -> None:
    raw = sqlite3.connect(db.path)
    with raw:
        raw.execute("UPDATE task SET due = '2026-02-30' WHERE id = ?", (caseload["in_task_today"],))
        raw.execute(
            "UPDATE task SET due = 20260301 WHERE id = ?", (caseload["in_task_snooze_over"],)
        )
        raw.execute(
            "UPDATE appointment SET \"start\" = '2026-03-11 25:00' WHERE id = ?",
            (caseload["in_appt_proposed"],),
        )
        raw.execute(
            "UPDATE medication SET refill_due = '2026-03-0x' WHERE id = ?",
            (caseload["in_refill_overdue"],),
        )
        raw.execute(
            "UPDATE goal SET target_date = '2026-02-29' WHERE id = ?", (caseload["in_goal_past"],)
        )
    raw.close()

    items = today_items(con, today, now=NOON)
    by_key = keyed(items)
    flagged = {
        label
        for label, (_, entity) in EXPECTED.items()
        if by_key[(entity, caseload[label])].bad_date
    }
    assert flagged == {
        "in_task_today",
        "in_task_snooze_over",
        "in_appt_proposed",
        "in_refill_overdue",
        "in_goal_past",
    }
    bad_task = by_key[("task", caseload["in_task_today"])]
    assert bad_task.when == today
    assert bad_task.detail == "stored due date '2026-02-30' is not a real date"
    assert by_key[("task", caseload["in_task_snooze_over"])].detail == (
        "in progress; stored due date 20260301 is not a real date"
    )
    bad_appt = by_key[("appointment", caseload["in_appt_proposed"])]
    assert (bad_appt.when, bad_appt.at) == (today, None)
    assert bad_appt.detail == "not booked yet; stored start '2026-03-11 25:00' is not a real date"
    assert len(items) == len(EXPECTED)

    from caretui.services.triage import rank

    assert len(rank(items, today, now=NOON)) == len(items)


def test_unknown_codes_are_read_defensively(
    caseload: dict[str, int], db: Database, con: sqlite3.Connection, today: date
) -> None:
    raw = sqlite3.connect(db.path)
    with raw:
        raw.execute("PRAGMA ignore_check_constraints = ON")
        raw.execute(
            "UPDATE task SET priority = 'whenever' WHERE id = ?", (caseload["in_task_overdue"],)
        )
        raw.execute("UPDATE patient SET risk = 'extreme' WHERE id = ?", (caseload["ann"],))
    raw.close()
    item = keyed(today_items(con, today, now=NOON))[("task", caseload["in_task_overdue"])]
    assert (item.priority, item.risk) == ("routine", None)


@pytest.mark.parametrize(
    ("sql", "table", "index"),
    [
        (q.TASKS_SQL, "t", "ix_task_status_due"),
        (q.NOT_READY_SQL, "a", "ix_appointment_status_start"),
        (q.NO_OUTCOME_SQL, "a", "ix_appointment_status_start"),
        (q.REFILLS_SQL, "m", "ix_medication_status_refill"),
        (q.PLAN_REVIEWS_SQL, "c", "ix_care_plan_status_review"),
        (q.GOALS_SQL, "g", "ix_goal_status_target"),
    ],
)
def test_each_query_searches_an_index(
    caseload: dict[str, int], con: sqlite3.Connection, today: date, sql: str, table: str, index: str
) -> None:
    params = q.query_params(today, now=NOON)
    plan = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + sql, params)]
    # One SEARCH on the index (or two, one per status, under a MULTI-INDEX OR).
    assert any(
        step.startswith(
            (
                f"SEARCH {table} USING INDEX {index} ",
                f"SEARCH {table} USING COVERING INDEX {index} ",
            )
        )
        for step in plan
    ), plan
    assert not any(step.startswith("SCAN") for step in plan), plan
    assert any("SEARCH p USING INTEGER PRIMARY KEY" in step for step in plan), plan


def test_the_count_searches_indexes_only(con: sqlite3.Connection, today: date) -> None:
    params = q.query_params(today, now=NOON)
    for what in ("all", "overdue", "today"):
        plan = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + q.count_sql(what), params)]
        scans = [s for s in plan if s.startswith("SCAN") and s != "SCAN CONSTANT ROW"]
        # The care-minutes source reads the patient rows (no index holds the program
        # flag), and only in a month's last week. The task count leaves out what waits
        # on an open task by walking the dependencies (a short list, on its covering
        # index) and the few tasks so found (x). No other scan.
        assert sorted(scans) == [
            "SCAN d USING COVERING INDEX ix_task_dependency_task_blocker",
            "SCAN p",
            "SCAN x",
        ], plan
        # The big sources (open tasks, past appointments, refills) are answered from
        # their index alone, with no table lookup per row (migration 0005).
        for table, index in (
            ("t", "ix_task_status_due"),
            ("a", "ix_appointment_status_start"),
            ("m", "ix_medication_status_refill"),
        ):
            covering = f"SEARCH {table} USING COVERING INDEX {index} "
            assert any(step.startswith(covering) for step in plan), (what, table, plan)


def test_the_queries_use_no_sqlite_only_functions() -> None:
    for source in q.SOURCES:
        text = source.select_sql.lower()
        for fn in ("date(", "datetime(", "julianday(", "strftime(", "ifnull(", "iif("):
            assert fn not in text, (source.kind, fn)


def test_patient_display() -> None:
    assert patient_display("Ana María", "Núñez", "Ana") == "Núñez, Ana María (Ana)"
    assert patient_display("Ana", "Núñez", "Ana") == "Núñez, Ana"
    assert patient_display("Beatriz", "Núñez", "Bea") == "Núñez, Beatriz (Bea)"
    assert patient_display(None, None, None) == ""
    assert patient_display("A\x1b]0;x\x07", "B", None) == "B, A\\x1b]0;x\\x07"


def test_the_task_groups_are_read_from_the_covering_index(
    con: sqlite3.Connection, today: date
) -> None:
    from caretui.queries.today_top import TASK_GROUPS_SQL

    params = q.query_params(today, now=NOON)
    plan = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + TASK_GROUPS_SQL, params)]
    assert any(
        step.startswith("SEARCH t USING COVERING INDEX ix_task_status_due ") for step in plan
    ), plan
    assert not any(step.startswith("SCAN") for step in plan), plan
