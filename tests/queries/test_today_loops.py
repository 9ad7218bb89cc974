"""Today's loops: referrals past their response date, drafts not sent, scheduled
referrals with no outcome, patients unable to reach; their order and their counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from caretui.models.all import Referral
from caretui.queries import today as q
from caretui.queries.today import ItemKind, count_items, today_items
from caretui.services import appointments, notes, patients, referrals, resources
from caretui.services.triage import Weights, explain, rank
from caretui.services.unit import action
from caretui.store.database import Database

TODAY = date(2026, 3, 11)  # Wednesday
NOON = datetime(2026, 3, 11, 12, 0)
LOOP_KINDS = {
    ItemKind.REFERRAL_OVERDUE,
    ItemKind.REFERRAL_DRAFT,
    ItemKind.REFERRAL_NO_OUTCOME,
    ItemKind.UNABLE_TO_REACH,
}


def _days(n: int) -> date:
    return TODAY - timedelta(days=n)


def build(db: Database) -> dict[str, int]:
    """Labels starting "in_" are on Today at noon on 2026-03-11; "out_" are not."""
    ids: dict[str, int] = {}
    with action(db, "Build") as s:
        ann = patients.create_patient(
            s, {"given_name": "Ann", "family_name": "Lee", "risk": "high"}, today=_days(60)
        ).id
        bob = patients.create_patient(
            s, {"given_name": "Bob", "family_name": "Ray", "risk": "low"}, today=_days(60)
        ).id
        gone = patients.create_patient(
            s, {"given_name": "Dan", "family_name": "Gone", "risk": "high"}, today=_days(60)
        )
        ids.update(ann=ann, bob=bob)
        bank = resources.add_resource(
            s, {"name": "Food [bold]Bank[/]", "category": "food"}, today=_days(60)
        ).id

        def referral(label: str, pid: int, made: int, *steps: tuple[str, int], **kw: object) -> int:
            ref = referrals.add_referral(
                s,
                pid,
                {
                    "resource_id": bank,
                    "reason": f"Reason {label}",
                    "urgency": kw.pop("urgency", "routine"),
                },
                today=_days(made),
            )
            for status, ago in steps:
                extra = dict(kw) if status in ("scheduled", "completed") else {}
                if status == "completed":
                    extra = {"outcome": "seen"}
                referrals.move(
                    s,
                    ref,
                    status,
                    today=_days(ago),
                    now=datetime.combine(_days(ago), NOON.time()),
                    **extra,  # type: ignore[arg-type]
                )
            ids[label] = ref.id
            return ref.id

        # Sent on Mon 2026-03-02, routine: due 10 business days later, Mon 03-16.
        referral("out_sent_not_due", ann, 10, ("sent", 9))
        # Urgent sent on Mon 2026-02-23: due Mon 03-02, nine days ago.
        referral("in_overdue_urgent", ann, 20, ("sent", 16), urgency="urgent")
        # Stat sent on Mon 03-09: due Wed 03-11, today: not yet past.
        referral("out_due_today", bob, 2, ("sent", 2), urgency="stat")
        # Stat sent Thu 03-05: due Mon 03-09.
        referral("in_overdue_stat", bob, 6, ("sent", 6), urgency="stat")
        referral("out_accepted_past_due", ann, 30, ("sent", 30), ("accepted", 20))
        referral("in_draft_3_days", bob, 3)
        referral("out_draft_2_days", bob, 2)
        referral("out_draft_cancelled", bob, 10, ("cancelled", 9))
        past = appointments.add_appointment(s, ann, {"start": "2026-03-10 09:00"}, today=_days(20))
        later = appointments.add_appointment(s, ann, {"start": "2026-03-11 09:00"}, today=_days(20))
        referral(
            "in_scheduled_no_outcome",
            ann,
            20,
            ("sent", 19),
            ("scheduled", 15),
            appointment_id=past.id,
        )
        referral(
            "out_scheduled_today", ann, 20, ("sent", 19), ("scheduled", 15), appointment_id=later.id
        )
        referral(
            "out_completed",
            ann,
            20,
            ("sent", 19),
            ("scheduled", 15),
            ("completed", 0),
            appointment_id=past.id,
        )
        referral("out_discharged_draft", gone.id, 9)
        ids["gone"] = gone.id
        for day in ("2026-02-20", "2026-03-01", "2026-03-09"):
            notes.log_note(
                s,
                bob,
                kind="call",
                outcome="no-answer",
                occurred_at=f"{day} 10:00",
                now=datetime(2026, 3, 9, 12, 0),
            )
        patients.discharge(s, gone, today=_days(1))
    return ids


@pytest.fixture
def loops(db: Database) -> dict[str, int]:
    return build(db)


@pytest.fixture
def con(db: Database) -> Iterator[sqlite3.Connection]:
    connection = db.read()
    yield connection
    connection.close()


def test_exactly_the_loops_that_need_attention(
    loops: dict[str, int], con: sqlite3.Connection
) -> None:
    items = [i for i in today_items(con, TODAY, now=NOON) if i.kind in LOOP_KINDS]
    got = {(i.kind, i.record_id) for i in items}
    assert got == {
        (ItemKind.REFERRAL_OVERDUE, loops["in_overdue_urgent"]),
        (ItemKind.REFERRAL_OVERDUE, loops["in_overdue_stat"]),
        (ItemKind.REFERRAL_DRAFT, loops["in_draft_3_days"]),
        (ItemKind.REFERRAL_NO_OUTCOME, loops["in_scheduled_no_outcome"]),
        (ItemKind.UNABLE_TO_REACH, loops["bob"]),
    }
    by_id = {(i.kind, i.record_id): i for i in items}
    urgent = by_id[(ItemKind.REFERRAL_OVERDUE, loops["in_overdue_urgent"])]
    assert (urgent.entity, urgent.when, urgent.priority, urgent.patient_id) == (
        "referral",
        date(2026, 3, 2),
        "urgent",
        loops["ann"],
    )
    assert urgent.what == "Reason in_overdue_urgent → Food [bold]Bank[/]"
    assert urgent.detail == "no answer; expected by Mon 2026-03-02 (9 days ago)"
    draft = by_id[(ItemKind.REFERRAL_DRAFT, loops["in_draft_3_days"])]
    assert (draft.when, draft.detail) == (date(2026, 3, 8), "drafted 3 days ago, not sent")
    late = by_id[(ItemKind.REFERRAL_NO_OUTCOME, loops["in_scheduled_no_outcome"])]
    assert (late.when, late.at, late.detail) == (
        date(2026, 3, 10),
        datetime(2026, 3, 10, 9, 0),
        "appointment yesterday; outcome not recorded",
    )
    flag = by_id[(ItemKind.UNABLE_TO_REACH, loops["bob"])]
    assert (flag.entity, flag.patient_id, flag.when, flag.what, flag.detail) == (
        "patient",
        loops["bob"],
        date(2026, 3, 9),
        "unable to reach",
        "unsuccessful attempts; marked 2 days ago",
    )


def test_their_order_through_the_explainable_score(
    loops: dict[str, int], con: sqlite3.Connection
) -> None:
    items = [i for i in today_items(con, TODAY, now=NOON) if i.kind in LOOP_KINDS]
    ranked = rank(items, TODAY, Weights(), NOON)
    order = [(r.item.kind, round(r.score, 1)) for r in ranked]
    assert order == [
        # stat 16 + due 8 + overdue 2 days 6×2/7 + low risk 0 + referral overdue 2
        (ItemKind.REFERRAL_OVERDUE, 27.7),
        # urgent 3.9 + due 8 + overdue 9 days (capped) 6 + high risk 4 + 2
        (ItemKind.REFERRAL_OVERDUE, 23.9),
        # routine 1.8 + due 8 + overdue 1 day 6/7 + high 4 + referral outcome 2
        (ItemKind.REFERRAL_NO_OUTCOME, 16.7),
        # routine 1.8 + low 0 + unable to reach 8
        (ItemKind.UNABLE_TO_REACH, 9.8),
        # routine 1.8 + low 0 + referral draft 6
        (ItemKind.REFERRAL_DRAFT, 7.8),
    ]
    assert explain(ranked[-1]) == [
        "priority routine  ×1.8  = 1.8",
        "referral draft    ×6.0  = 6.0",
        "score                   = 7.8",
    ]
    # The weights are configurable by name.
    heavy = Weights.from_config({"referral-draft": 30})
    assert rank(items, TODAY, heavy, NOON)[0].item.kind is ItemKind.REFERRAL_DRAFT


def test_the_counts_count_them_too(loops: dict[str, int], con: sqlite3.Connection) -> None:
    items = today_items(con, TODAY, now=NOON)
    assert count_items(con, TODAY, "all", now=NOON) == len(items)
    overdue = [i for i in items if i.when < TODAY]
    assert count_items(con, TODAY, "overdue", now=NOON) == len(overdue)
    assert count_items(con, TODAY, "today", now=NOON) == len([i for i in items if i.when == TODAY])
    assert len([i for i in overdue if i.kind in LOOP_KINDS]) == 5


def test_a_draft_with_no_steps_is_dated_by_its_record(
    db: Database, con: sqlite3.Connection
) -> None:
    """A referral imported as a draft has no steps: the day its record was made counts."""
    with action(db, "Build") as s:
        pid = patients.create_patient(s, {"given_name": "A", "family_name": "B"}, today=TODAY).id
        res = resources.add_resource(s, {"name": "Clinic"}, today=TODAY).id
        ref = referrals.add_referral(s, pid, {"resource_id": res, "reason": "x"}, today=TODAY)
        ref_id = ref.id
    raw = sqlite3.connect(db.path)
    raw.execute("DELETE FROM referral_step")
    raw.execute("UPDATE referral SET created_at = '2026-03-01 08:00:00.000000'")
    raw.commit()
    raw.close()
    [item] = [i for i in today_items(con, TODAY, now=NOON) if i.kind is ItemKind.REFERRAL_DRAFT]
    assert (item.record_id, item.when, item.bad_date) == (ref_id, date(2026, 3, 1), False)


def test_bad_stored_dates_do_not_break_the_list(
    loops: dict[str, int], db: Database, con: sqlite3.Connection
) -> None:
    raw = sqlite3.connect(db.path)
    raw.execute(
        "UPDATE referral SET response_due = '2026-02-30' WHERE id = ?", (loops["in_overdue_stat"],)
    )
    raw.execute(
        "UPDATE appointment SET \"start\" = '2026-03-10 25:00' WHERE \"start\" LIKE '2026-03-10%'"
    )
    raw.commit()
    raw.close()
    by_id = {i.record_id: i for i in today_items(con, TODAY, now=NOON) if i.entity == "referral"}
    stat = by_id[loops["in_overdue_stat"]]
    assert stat.bad_date and stat.when == TODAY
    assert "stored response date '2026-02-30' is not a real date" in stat.detail
    late = by_id[loops["in_scheduled_no_outcome"]]
    assert late.bad_date and late.when == date(2026, 3, 10)


@pytest.mark.parametrize(
    ("sql", "first"),
    [
        (
            q.REFERRALS_OVERDUE_SQL,
            "SEARCH r USING INDEX ix_referral_status_due (status=? AND response_due<?)",
        ),
        (q.REFERRAL_DRAFTS_SQL, "SEARCH r USING INDEX ix_referral_status_due (status=?)"),
        (q.REFERRALS_NO_OUTCOME_SQL, "SEARCH r USING INDEX ix_referral_status_due (status=?)"),
        (
            q.UNABLE_TO_REACH_SQL,
            "SEARCH p USING INDEX ix_patient_unable_to_reach (unable_to_reach_since<?)",
        ),
    ],
)
def test_each_loop_query_searches_an_index(
    loops: dict[str, int], con: sqlite3.Connection, sql: str, first: str
) -> None:
    params = q.query_params(TODAY, now=NOON)
    plan = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + sql, params)]
    assert plan[0] == first, plan
    assert not any(step.startswith("SCAN") for step in plan), plan


def test_the_loop_queries_use_no_sqlite_only_functions() -> None:
    for sql in (
        q.REFERRALS_OVERDUE_SQL,
        q.REFERRAL_DRAFTS_SQL,
        q.REFERRALS_NO_OUTCOME_SQL,
        q.UNABLE_TO_REACH_SQL,
    ):
        for fn in ("date(", "datetime(", "julianday(", "strftime(", "ifnull(", "iif("):
            assert fn not in sql.lower()


def test_a_referral_moved_on_leaves_the_list(
    loops: dict[str, int], db: Database, con: sqlite3.Connection
) -> None:
    with action(db, "Referral accepted") as s:
        referrals.move(
            s, s.get_one(Referral, loops["in_overdue_stat"]), "accepted", today=TODAY, now=NOON
        )
    kinds = {(i.kind, i.record_id) for i in today_items(con, TODAY, now=NOON)}
    assert (ItemKind.REFERRAL_OVERDUE, loops["in_overdue_stat"]) not in kinds
