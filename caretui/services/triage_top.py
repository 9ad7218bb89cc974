"""The top of Today without reading all of it.

``top_items(con, today, limit=n)`` gives what ``rank(today_items(con, today),
limit=n)`` gives, item for item and score for score, but reads the open tasks by
group first (``queries.today_top``): each group is scored with the same ``Weights``,
and only the rows of groups that can reach the top ``n`` are read and ranked. The
other kinds of item are few and are read whole. Standard library only, like
``services.triage``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from itertools import chain
from typing import Any

from caretui.queries.today import (
    CARE_MINUTES_THRESHOLD,
    SOURCES,
    ItemKind,
    TodayItem,
    default_now,
    query_params,
    today_items,
)
from caretui.queries.today_top import TaskGroup, task_groups, tasks_in
from caretui.services.triage import Ranked, Weights, rank, scores


def groups_for_top(
    groups: list[TaskGroup],
    limit: int,
    today: date,
    weights: Weights | None = None,
    now: datetime | None = None,
) -> list[TaskGroup]:
    """The groups whose tasks can be among the ``limit`` most urgent: every group
    ranked above the one that fills the top, and the groups tied with it (same score
    and day; ``rank`` then orders them by record id)."""
    scored = sorted(
        zip(scores([g.probe for g in groups], today, weights, now), groups, strict=True),
        key=lambda pair: (-pair[0], pair[1].probe.when),
    )
    chosen: list[TaskGroup] = []
    held = 0
    boundary: tuple[float, date] | None = None
    for score, group in scored:
        if boundary is not None and (score, group.probe.when) != boundary:
            break
        chosen.append(group)
        held += group.count
        if boundary is None and held >= limit:
            boundary = (score, group.probe.when)
    return chosen


def top_items(
    con: sqlite3.Connection,
    today: date,
    *,
    limit: int | None,
    weights: Weights | None = None,
    now: datetime | None = None,
    refill_window_days: int = 7,
    care_threshold: int = CARE_MINUTES_THRESHOLD,
) -> tuple[list[Ranked], int]:
    """The ``limit`` most urgent items of Today (all of them when ``limit`` is None),
    ranked, and how many items Today holds in all."""
    now = now if now is not None else default_now(today)
    if limit is None:
        items = today_items(
            con,
            today,
            refill_window_days=refill_window_days,
            now=now,
            care_threshold=care_threshold,
        )
        return rank(items, today, weights, now), len(items)
    params = query_params(
        today, refill_window_days=refill_window_days, now=now, care_threshold=care_threshold
    )
    groups = task_groups(con, params, today, now)
    chosen = groups_for_top(groups, max(limit, 0), today, weights, now)
    tasks = tasks_in(con, params, chosen, today, now)
    read = [len(tasks)]  # items read so far: the other kinds are counted as they stream
    others = _others(con, params, today, now, read)
    top = rank(chain(tasks, others), today, weights, now, limit=limit)
    for _ in others:  # a heap of none reads nothing: count what is left
        pass
    return top, read[0] - len(tasks) + sum(g.count for g in groups)


def _others(
    con: sqlite3.Connection,
    params: dict[str, Any],
    today: date,
    now: datetime,
    read: list[int],
) -> Iterator[TodayItem]:
    """The items of every kind but tasks, a thousand rows at a time, so ranking them
    for the top never holds them all (at 5,000 patients, ~13,000 items, ~14 MB)."""
    for source in SOURCES:
        if source.kind is ItemKind.TASK:
            continue
        cursor = con.execute(source.select_sql, params)
        while rows := cursor.fetchmany(1000):
            items = source.convert(rows, today, now)
            read[0] += len(items)
            yield from items


__all__ = ["groups_for_top", "top_items"]
