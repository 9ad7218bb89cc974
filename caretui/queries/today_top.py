"""The open tasks of Today, read by group, so the top of a huge list is found
without reading all of it.

A task's urgency depends only on its priority, its patient's risk and its due
date (``services.triage``). ``task_groups`` counts the open tasks of Today by those
three (one pass over ``ix_task_status_due``, which covers them); the caller scores
each group and asks ``tasks_in`` for the rows of the groups that can reach its top.
At 5,000 patients and 50,000 overdue tasks, that is a few hundred groups and a few
hundred rows instead of 50,000 rows turned into objects.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from caretui.queries.today import SOURCES, TASKS_FROM, TASKS_SQL, ItemKind, TodayItem

_TASKS = next(s for s in SOURCES if s.kind is ItemKind.TASK)

#: The open tasks of Today counted by (priority, patient's risk, due) as stored.
TASK_GROUPS_SQL = f"SELECT t.priority, p.risk, t.due, count(*) {TASKS_FROM} GROUP BY 1, 2, 3"


@dataclass(frozen=True, slots=True)
class TaskGroup:
    """Open tasks of Today alike in everything their urgency reads."""

    priority: str | None
    risk: str | None
    due: str
    count: int
    #: A task of this group as Today shows it (id 0): its day, priority and risk
    #: read the way every task's are, to be scored.
    probe: TodayItem


def task_groups(
    con: sqlite3.Connection, params: Mapping[str, Any], today: date, now: datetime
) -> list[TaskGroup]:
    rows = con.execute(TASK_GROUPS_SQL, params).fetchall()
    probes = _TASKS.convert(
        [(0, 0, None, None, None, None, r[1], "", "", r[0], None, r[2]) for r in rows], today, now
    )
    return [
        TaskGroup(r[0], r[1], r[2], int(r[3]), probe) for r, probe in zip(rows, probes, strict=True)
    ]


def tasks_in(
    con: sqlite3.Connection,
    params: Mapping[str, Any],
    groups: Sequence[TaskGroup],
    today: date,
    now: datetime,
) -> list[TodayItem]:
    """The tasks of ``groups`` (and perhaps a few more, never fewer): per priority and
    risk, every task due on or before the latest due date among the groups, and those
    whose stored due date is not a date, by their stored value."""
    if not groups:
        return []
    latest: dict[tuple[str | None, str | None], str] = {}
    odd: dict[tuple[str | None, str | None], list[str]] = {}
    for g in groups:
        pair = (g.priority, g.risk)
        if g.probe.bad_date:
            odd.setdefault(pair, []).append(g.due)
        elif pair not in latest or g.due > latest[pair]:
            latest[pair] = g.due
    terms: list[str] = []
    bound: dict[str, Any] = dict(params)
    for n, pair in enumerate(sorted({*latest, *odd}, key=repr)):
        bound[f"top_pri_{n}"], bound[f"top_risk_{n}"] = pair
        days: list[str] = []
        if pair in latest:
            bound[f"top_due_{n}"] = latest[pair]
            days.append(f"t.due <= :top_due_{n}")
        for m, value in enumerate(odd.get(pair, ())):
            bound[f"top_odd_{n}_{m}"] = value
            days.append(f"t.due = :top_odd_{n}_{m}")
        terms.append(
            f"(t.priority IS :top_pri_{n} AND p.risk IS :top_risk_{n} AND ({' OR '.join(days)}))"
        )
    sql = f"{TASKS_SQL}  AND ({' OR '.join(terms)})\n"
    return _TASKS.convert(con.execute(sql, bound), today, now)


__all__ = ["TASK_GROUPS_SQL", "TaskGroup", "task_groups", "tasks_in"]
