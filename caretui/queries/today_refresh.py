"""Today's rows brought up to date after a write, without reading the whole list.

Every write adds an audit event, so the newest event's id marks "changed since";
the records touched after a mark have their Today items read again with Today's
own queries, narrowed by id. Standard library only (see "Speed by design").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date, datetime

from caretui.queries.today import (
    CARE_MINUTES_THRESHOLD,
    SOURCES,
    ItemKind,
    TodayItem,
    query_params,
)

_ALIAS = {
    ItemKind.TASK: "t",
    ItemKind.APPOINTMENT_NOT_READY: "a",
    ItemKind.APPOINTMENT_NO_OUTCOME: "a",
    ItemKind.REFILL: "m",
    ItemKind.PLAN_REVIEW: "c",
    ItemKind.GOAL_OVERDUE: "g",
    ItemKind.REFERRAL_OVERDUE: "r",
    ItemKind.REFERRAL_DRAFT: "r",
    ItemKind.REFERRAL_NO_OUTCOME: "r",
    ItemKind.UNABLE_TO_REACH: "p",
    ItemKind.CARE_MINUTES: "p",
}
_ENTITY = {
    ItemKind.TASK: "task",
    ItemKind.APPOINTMENT_NOT_READY: "appointment",
    ItemKind.APPOINTMENT_NO_OUTCOME: "appointment",
    ItemKind.REFILL: "medication",
    ItemKind.PLAN_REVIEW: "care_plan",
    ItemKind.GOAL_OVERDUE: "goal",
    ItemKind.REFERRAL_OVERDUE: "referral",
    ItemKind.REFERRAL_DRAFT: "referral",
    ItemKind.REFERRAL_NO_OUTCOME: "referral",
    ItemKind.UNABLE_TO_REACH: "patient",
    ItemKind.CARE_MINUTES: "care_minutes",
}


def audit_mark(con: sqlite3.Connection) -> int:
    """The newest audit event's id: every write adds one, so it marks "changed since"."""
    row = con.execute("SELECT MAX(id) FROM audit_event").fetchone()
    return int(row[0] or 0) if row else 0


def touched_since(con: sqlite3.Connection, mark: int) -> dict[str, set[int]]:
    """The records (table -> ids) that actions after ``mark`` created, changed or deleted."""
    out: dict[str, set[int]] = {}
    for entity, record_id in con.execute(
        "SELECT DISTINCT entity, record_id FROM audit_event WHERE id > ?", (mark,)
    ):
        out.setdefault(str(entity), set()).add(int(record_id))
    return out


def waiting_on(con: sqlite3.Connection, task_ids: Iterable[int]) -> set[int]:
    """The tasks that wait on any of ``task_ids``: completing (or cancelling) the last
    of a task's blockers puts it on Today, so it is read again with them."""
    return _linked(
        con, "SELECT DISTINCT task_id FROM task_dependency WHERE blocked_by_id", task_ids
    )


def referrals_of(con: sqlite3.Connection, appointment_ids: Iterable[int]) -> set[int]:
    """The referrals linked to any of ``appointment_ids``: a referral's Today row (its
    visit's outcome to record) is read with its appointment, so it is read again when
    the appointment changes."""
    return _linked(con, "SELECT id FROM referral WHERE appointment_id", appointment_ids)


def _linked(con: sqlite3.Connection, select_where: str, ids: Iterable[int]) -> set[int]:
    """``select_where`` (a query of ids ending in the column to match) ``IN`` ``ids``,
    500 at a time."""
    wanted = sorted(set(ids))
    out: set[int] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        sql = f"{select_where} IN ({', '.join('?' * len(chunk))})"
        out.update(int(row[0]) for row in con.execute(sql, chunk))
    return out


def items_of(
    con: sqlite3.Connection,
    today: date,
    records: dict[str, set[int]],
    *,
    refill_window_days: int,
    now: datetime,
    care_threshold: int = CARE_MINUTES_THRESHOLD,
) -> list[TodayItem]:
    """The Today items of the given records only (Today's own queries, narrowed by id)."""
    params = query_params(
        today, refill_window_days=refill_window_days, now=now, care_threshold=care_threshold
    )
    out: list[TodayItem] = []
    for source in SOURCES:
        if source.kind not in _ENTITY:  # a kind this screen does not act on yet
            continue
        ids = sorted(records.get(_ENTITY[source.kind], ()))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            keys = {f"rid_{i}": rid for i, rid in enumerate(chunk)}
            sql = (
                source.select_sql.rstrip()
                + f"\n  AND {_ALIAS[source.kind]}.id IN ({', '.join(':' + k for k in keys)})"
            )
            out.extend(source.convert(con.execute(sql, {**params, **keys}), today, now))
    return out
