"""Tasks as the Queues screen reads them: one queue, filtered, ordered and paged in SQL.

Standard library only (see "Speed by design" in DESIGN.md): SQL text with bound
parameters that PostgreSQL accepts too. A queue can hold tens of thousands of
tasks, so lists come a page at a time (LIMIT/OFFSET) with a separate count.

A task is in one of three views: *open* (not closed, not snoozed past today),
*snoozed* (not closed, waiting until a day after today) and *done* (closed:
completed, cancelled…). A stored date that is not a real date is read as
``None`` and flagged, never raised.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from caretui import codes
from caretui.queries.common import patient_display
from caretui.queries.sql import like_pattern, to_date, to_datetime
from caretui.services.text import fold

View = Literal["open", "snoozed", "done"]
VIEWS: tuple[View, ...] = ("open", "snoozed", "done")

OPEN_STATUSES = tuple(s.value for s in codes.TaskStatus if s not in codes.TASK_CLOSED)
CLOSED_STATUSES = tuple(sorted(s.value for s in codes.TASK_CLOSED))

#: Highest priority first.
PRIORITY_ORDER = tuple(reversed([p.value for p in codes.Priority]))
_PRIORITY_RANK = (
    "CASE t.priority "
    + " ".join(f"WHEN '{code}' THEN {i}" for i, code in enumerate(PRIORITY_ORDER))
    + f" ELSE {len(PRIORITY_ORDER)} END"
)

_ORDER: dict[View, tuple[str, ...]] = {
    "open": ("CASE WHEN t.due IS NULL THEN 1 ELSE 0 END", "t.due", _PRIORITY_RANK, "t.id"),
    "snoozed": ("t.wait_until", "CASE WHEN t.due IS NULL THEN 1 ELSE 0 END", "t.due", "t.id"),
    "done": ("t.updated_at DESC", "t.id DESC"),
}


def _reversed(order: tuple[str, ...]) -> tuple[str, ...]:
    """The exact reverse of an order: every term's direction flipped. SQLite sorts NULL
    below every value in both directions, so this reverses NULLs' places too, and the
    last term (the id) leaves no ties."""
    return tuple(t.removesuffix(" DESC") if t.endswith(" DESC") else t + " DESC" for t in order)


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """Which tasks a queue view lists."""

    queue: str
    view: View = "open"
    #: Only these priorities (codes); empty for any.
    priorities: tuple[str, ...] = ()
    #: Words each of which is in the title or the patient's name or identifiers
    #: (``/`` on Queues); empty for any.
    search: str = ""


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One task in a queue, with its patient's names (empty for a task about no one)."""

    id: int
    version: int
    patient_id: int | None
    given_name: str | None
    family_name: str | None
    preferred_name: str | None
    title: str
    queue: str
    status: str
    priority: str
    #: ``None`` when missing or not a real date (then ``due_text`` holds what is stored).
    due: date | None
    wait_until: date | None
    rrule: str | None
    origin: str
    completed_at: datetime | None
    due_text: str

    @property
    def patient(self) -> str:
        return patient_display(self.given_name, self.family_name, self.preferred_name)

    @property
    def bad_due(self) -> bool:
        """A due date is stored but is not a real date."""
        return bool(self.due_text) and self.due is None

    def view(self, today: date) -> View:
        if self.status in CLOSED_STATUSES:
            return "done"
        if self.wait_until is not None and self.wait_until > today:
            return "snoozed"
        return "open"

    def matches(self, flt: TaskFilter, today: date) -> bool:
        """Whether this task belongs in the list ``flt`` describes (after a change). The
        search is left out: a task found and then edited stays in view."""
        return (
            self.queue == flt.queue
            and self.view(today) == flt.view
            and (not flt.priorities or self.priority in flt.priorities)
        )


_COLUMNS = (
    "t.id, t.version, t.patient_id, p.given_name, p.family_name, p.preferred_name, t.title, "
    "t.queue, t.status, t.priority, t.due, t.wait_until, t.rrule, t.origin, t.completed_at"
)


def _row(r: tuple[Any, ...]) -> TaskRow:
    return TaskRow(
        id=r[0],
        version=r[1],
        patient_id=r[2],
        given_name=r[3],
        family_name=r[4],
        preferred_name=r[5],
        title=r[6] or "",
        queue=r[7] or "",
        status=r[8] or "",
        priority=r[9] or "",
        due=to_date(r[10]),
        wait_until=to_date(r[11]),
        rrule=r[12],
        origin=r[13] or "",
        completed_at=to_datetime(r[14]),
        due_text=str(r[10] or ""),
    )


def _in(values: Sequence[str]) -> str:
    return ", ".join("?" for _ in values)


def _view_where(view: View, today: date) -> tuple[str, list[object]]:
    """The view as SQL. Statuses are excluded (``NOT IN`` the other side) rather than
    listed: the status column only holds task-status codes, so the two are the same
    set, and ``NOT IN`` keeps the planner off ix_task_status_due, whose per-row
    lookups over 100,000 open tasks cost about ten times a plain scan."""
    if view == "done":
        return f"t.status NOT IN ({_in(OPEN_STATUSES)})", [*OPEN_STATUSES]
    not_closed = f"t.status NOT IN ({_in(CLOSED_STATUSES)})"
    if view == "snoozed":
        return f"{not_closed} AND t.wait_until > ?", [*CLOSED_STATUSES, today.isoformat()]
    return (
        f"{not_closed} AND (t.wait_until IS NULL OR t.wait_until <= ?)",
        [*CLOSED_STATUSES, today.isoformat()],
    )


def _where(flt: TaskFilter, today: date) -> tuple[str, list[object]]:
    clause, params = _view_where(flt.view, today)
    clauses = ["t.queue = ?", clause]
    params = [flt.queue, *params]
    if flt.priorities:
        clauses.append(f"t.priority IN ({_in(flt.priorities)})")
        params.extend(flt.priorities)
    for word in flt.search.split():
        # The title as typed (LIKE folds ASCII case); the patient's folded search key
        # (names without accents, phone digits, MRN): "nunez" finds Núñez's tasks.
        clauses.append("(t.title LIKE ? ESCAPE '\\' OR p.search_key LIKE ? ESCAPE '\\')")
        params.extend([like_pattern(word), like_pattern(fold(word))])
    return " AND ".join(clauses), params


def list_tasks(
    con: sqlite3.Connection,
    flt: TaskFilter,
    *,
    today: date,
    limit: int = 100,
    offset: int = 0,
    total: int | None = None,
) -> list[TaskRow]:
    """One page of the queue's tasks in ``flt``'s view: open ones by due date (none
    last), then priority; snoozed ones by the day they wake; done ones latest first.

    With the list's ``total`` known, a page nearer the end is read from the end, in the
    reverse order, and turned round: SQLite sorts to reach an offset, keeping every row
    before it, so the last page of a 40,000-task queue took 96 ms from the top and
    takes as long as the first (30 ms) from the end."""
    where, params = _where(flt, today)
    order, limit, offset = _ORDER[flt.view], max(limit, 0), max(offset, 0)
    from_end = total is not None and offset > total - offset - limit
    if from_end:
        assert total is not None
        end = min(offset + limit, total)  # rows offset..end-1 are the end's end-1..offset
        order, offset, limit = _reversed(order), total - end, max(end - offset, 0)
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM task AS t LEFT JOIN patient AS p ON p.id = t.patient_id "
        f"WHERE {where} ORDER BY {', '.join(order)} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    found = [_row(r) for r in rows]
    return found[::-1] if from_end else found


def count_tasks(con: sqlite3.Connection, flt: TaskFilter, *, today: date) -> int:
    where, params = _where(flt, today)
    joined = " LEFT JOIN patient AS p ON p.id = t.patient_id" if flt.search.strip() else ""
    found = con.execute(f"SELECT count(*) FROM task AS t{joined} WHERE {where}", params)
    return int(found.fetchone()[0])


def queue_counts(con: sqlite3.Connection, *, today: date, view: View = "open") -> dict[str, int]:
    """How many tasks each queue holds in ``view`` (queues with none are absent)."""
    where, params = _view_where(view, today)
    rows = con.execute(
        f"SELECT t.queue, count(*) FROM task AS t WHERE {where} GROUP BY t.queue", params
    ).fetchall()
    return {str(queue): int(n) for queue, n in rows}


def task_row(con: sqlite3.Connection, task_id: int) -> TaskRow | None:
    """One task as a queue shows it (after a change, to update or drop its line)."""
    found = con.execute(
        f"SELECT {_COLUMNS} FROM task AS t LEFT JOIN patient AS p ON p.id = t.patient_id "
        "WHERE t.id = ?",
        (task_id,),
    ).fetchone()
    return _row(found) if found is not None else None


@dataclass(frozen=True, slots=True)
class TaskDetail:
    """Every field the task form edits, with the version it was read at."""

    id: int
    patient_id: int | None
    given_name: str | None
    family_name: str | None
    preferred_name: str | None
    title: str
    description: str | None
    queue: str
    status: str
    priority: str
    due: date | None
    wait_until: date | None
    rrule: str | None
    origin: str
    version: int

    @property
    def patient(self) -> str:
        return patient_display(self.given_name, self.family_name, self.preferred_name)

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES


def task_detail(con: sqlite3.Connection, task_id: int) -> TaskDetail | None:
    r = con.execute(
        "SELECT t.id, t.patient_id, p.given_name, p.family_name, p.preferred_name, t.title, "
        "t.description, t.queue, t.status, t.priority, t.due, t.wait_until, t.rrule, t.origin, "
        "t.version FROM task AS t LEFT JOIN patient AS p ON p.id = t.patient_id WHERE t.id = ?",
        (task_id,),
    ).fetchone()
    if r is None:
        return None
    return TaskDetail(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5] or "",
        r[6],
        r[7] or "",
        r[8] or "",
        r[9] or "",
        to_date(r[10]),
        to_date(r[11]),
        r[12],
        r[13] or "",
        r[14],
    )


# --- dependencies: what a task waits on, and what waits on it ---------------------------


@dataclass(frozen=True, slots=True)
class LinkedTask:
    """A task on the other end of a dependency, as a list of them shows it."""

    id: int
    version: int
    patient_id: int | None
    given_name: str | None
    family_name: str | None
    preferred_name: str | None
    title: str
    queue: str
    status: str
    due: date | None

    @property
    def patient(self) -> str:
        return patient_display(self.given_name, self.family_name, self.preferred_name)

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES


_LINKED_COLUMNS = (
    "t.id, t.version, t.patient_id, p.given_name, p.family_name, p.preferred_name, t.title, "
    "t.queue, t.status, t.due"
)


def _linked(r: tuple[Any, ...]) -> LinkedTask:
    return LinkedTask(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "", r[7] or "", r[8] or "", to_date(r[9])
    )


def blockers(con: sqlite3.Connection, task_id: int) -> list[LinkedTask]:
    """The tasks ``task_id`` waits on, open ones first (a closed one no longer blocks)."""
    rows = con.execute(
        f"SELECT {_LINKED_COLUMNS} FROM task_dependency AS d "
        "JOIN task AS t ON t.id = d.blocked_by_id "
        "LEFT JOIN patient AS p ON p.id = t.patient_id "
        f"WHERE d.task_id = ? ORDER BY CASE WHEN t.status IN ({_in(OPEN_STATUSES)}) "
        "THEN 0 ELSE 1 END, t.id",
        (task_id, *OPEN_STATUSES),
    ).fetchall()
    return [_linked(r) for r in rows]


def blocked_by_task(con: sqlite3.Connection, task_id: int) -> list[LinkedTask]:
    """The tasks that wait on ``task_id``, open ones first."""
    rows = con.execute(
        f"SELECT {_LINKED_COLUMNS} FROM task_dependency AS d "
        "JOIN task AS t ON t.id = d.task_id "
        "LEFT JOIN patient AS p ON p.id = t.patient_id "
        f"WHERE d.blocked_by_id = ? ORDER BY CASE WHEN t.status IN ({_in(OPEN_STATUSES)}) "
        "THEN 0 ELSE 1 END, t.id",
        (task_id, *OPEN_STATUSES),
    ).fetchall()
    return [_linked(r) for r in rows]


def open_blocker_counts(con: sqlite3.Connection, task_ids: Sequence[int]) -> dict[int, int]:
    """How many open tasks each of ``task_ids`` waits on (tasks waiting on none are absent)."""
    if not task_ids:
        return {}
    out: dict[int, int] = {}
    for start in range(0, len(task_ids), 500):
        part = list(task_ids[start : start + 500])
        rows = con.execute(
            "SELECT d.task_id, count(*) FROM task_dependency AS d "
            "JOIN task AS b ON b.id = d.blocked_by_id "
            f"WHERE d.task_id IN ({_in([str(i) for i in part])}) "
            f"AND b.status IN ({_in(OPEN_STATUSES)}) GROUP BY d.task_id",
            (*part, *OPEN_STATUSES),
        ).fetchall()
        out.update({int(task): int(n) for task, n in rows})
    return out


def blocker_choices(
    con: sqlite3.Connection,
    task_id: int,
    *,
    patient_id: int | None,
    queue: str,
    limit: int = 50,
) -> list[LinkedTask]:
    """Open tasks ``task_id`` could wait on: the same patient's first, then the same
    queue's, soonest due first; not itself, nor one it already waits on."""
    same_patient = "t.patient_id = ?" if patient_id is not None else "0 = 1"
    patient_params: list[object] = [patient_id] if patient_id is not None else []
    rows = con.execute(
        f"SELECT {_LINKED_COLUMNS} FROM task AS t "
        "LEFT JOIN patient AS p ON p.id = t.patient_id "
        f"WHERE t.status IN ({_in(OPEN_STATUSES)}) AND t.id <> ? "
        f"AND ({same_patient} OR t.queue = ?) "
        "AND t.id NOT IN (SELECT d.blocked_by_id FROM task_dependency AS d WHERE d.task_id = ?) "
        f"ORDER BY CASE WHEN {same_patient} THEN 0 ELSE 1 END, "
        "CASE WHEN t.due IS NULL THEN 1 ELSE 0 END, t.due, t.id LIMIT ?",
        (
            *OPEN_STATUSES,
            task_id,
            *patient_params,
            queue,
            task_id,
            *patient_params,
            max(limit, 0),
        ),
    ).fetchall()
    return [_linked(r) for r in rows]


def task_counts_by_day(con: sqlite3.Connection, first: date, last: date) -> dict[date, int]:
    """Tasks not closed (snoozed ones too) due on each day from ``first`` to ``last``
    (both included), in one query; every day is present, 0 when none is due.

    ``due`` is stored as an ISO date, so the range is a text range and the day is
    the stored value itself (portable SQL, no date functions); a stored due that is
    not a real date is left out."""
    rows = con.execute(
        f"SELECT t.due, count(*) FROM task AS t WHERE t.status NOT IN ({_in(CLOSED_STATUSES)}) "
        "AND t.due >= ? AND t.due < ? GROUP BY t.due",
        (*CLOSED_STATUSES, first.isoformat(), (last + timedelta(days=1)).isoformat()),
    ).fetchall()
    out: dict[date, int] = {}
    day = first
    while day <= last:
        out[day] = 0
        day += timedelta(days=1)
    for due, n in rows:
        found = to_date(due)
        if found is not None and found in out:
            out[found] += int(n)
    return out
