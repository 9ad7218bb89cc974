"""The month in numbers, read side: what happened in one calendar month, counted in SQL.

Standard library only (see "Speed by design" in DESIGN.md): ``caretui report
month`` and the Reports screen read through a plain DB-API connection. Each
query filters and counts in SQL with bound parameters, in SQL PostgreSQL also
accepts: no SQLite functions, dates and instants compared as the ISO text they
are stored as, every date sum done in Python and bound. Where a figure needs a
date per row (a task done on time, a week of the contacts chart), a ``CASE``
over bound boundaries numbers the day, week or month in SQL, so rows come back
already grouped. The pure functions of ``caretui.services.report`` turn these
rows into the report's figures.

Times. A month runs from its first day to the first day of the next, in local
dates. ``note.occurred_at``, ``appointment.start`` and ``task.completed_at``
are local wall-clock times and are compared with local boundaries;
``created_at``, ``updated_at`` and ``audit_event.at`` are UTC and are compared
with the same boundaries converted to UTC (``to_utc``), and audit times come
back converted to local time.

"At month end" figures are taken at the window's ``Cut``: midnight after the
month's last day, or now if the month is still going on.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from caretui import codes
from caretui.queries.common import parse_instant, stored_instant
from caretui.queries.names import patient_name
from caretui.queries.sql import like_pattern, to_date

#: Months the charts look back over, the report's month included.
SERIES_MONTHS = 12

# --------------------------------------------------------------------------- time


def to_utc(local: datetime, tz: tzinfo | None = None) -> datetime:
    """A local wall-clock instant as naive UTC, as ``created_at`` is stored
    (``tz`` None: this computer's zone, daylight saving included)."""
    aware = local.replace(tzinfo=tz) if tz is not None else local.astimezone()
    return aware.astimezone(UTC).replace(tzinfo=None)


def to_local(utc: datetime, tz: tzinfo | None = None) -> datetime:
    """A stored naive-UTC instant as local wall-clock time."""
    aware = utc.replace(tzinfo=UTC)
    return (aware.astimezone(tz) if tz is not None else aware.astimezone()).replace(tzinfo=None)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(first: date, months: int) -> date:
    """The first day of the month ``months`` after the month of ``first``."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class Cut:
    """The moment "at month end" figures are taken: midnight after the month's last
    day or, for a month still going on, now."""

    #: Local wall-clock time.
    at: datetime
    #: The same instant in UTC (for ``created_at``, ``updated_at``).
    at_utc: datetime

    @property
    def due_before(self) -> date:
        """A due date before this one has passed at the cut (due today is not overdue)."""
        return self.at.date()

    @property
    def dated_before(self) -> date:
        """A date-only event (a discharge, a closed referral) before this day had
        happened by the cut; an event dated the cut's own day counts as happened,
        unless the cut is that day's first instant."""
        day = self.at.date()
        return day if self.at.time() == time.min else day + timedelta(days=1)


def cut_for(end: date, now: datetime, tz: tzinfo | None = None) -> Cut:
    """The cut of the month ending (exclusive) on ``end``, looked at ``now``."""
    at = min(datetime.combine(end, time.min), now)
    return Cut(at, to_utc(at, tz))


@dataclass(frozen=True, slots=True)
class Window:
    """The month reported on and the months and weeks of its charts."""

    #: First day of the month.
    start: date
    #: First day of the next month (exclusive end).
    end: date
    #: ``start`` and ``end`` at local midnight, in UTC.
    start_utc: datetime
    end_utc: datetime
    cut: Cut
    #: First days of the chart's months, oldest first; the last is ``start``.
    months: tuple[date, ...]
    #: Each of those months' cut; the last is ``cut``.
    month_cuts: tuple[Cut, ...]
    #: Mondays starting the weeks of the contacts chart: from the Monday on or
    #: before ``months[0]`` to the last Monday before ``end`` (the last week is cut
    #: off at ``end``).
    weeks: tuple[date, ...]

    @property
    def complete(self) -> bool:
        """The month is over: its "month end" figures are final."""
        return self.cut.at == datetime.combine(self.end, time.min)

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.start + timedelta(days=i) for i in range((self.end - self.start).days))


def window(month: date, now: datetime, tz: tzinfo | None = None) -> Window:
    """The window of the month holding ``month``, as seen at ``now`` (local time)."""
    start = first_of_month(month)
    end = add_months(start, 1)
    months = tuple(add_months(start, i) for i in range(1 - SERIES_MONTHS, 1))
    first_week = months[0] - timedelta(days=months[0].weekday())
    weeks = tuple(
        first_week + timedelta(weeks=i) for i in range(((end - first_week).days + 6) // 7)
    )
    return Window(
        start=start,
        end=end,
        start_utc=to_utc(datetime.combine(start, time.min), tz),
        end_utc=to_utc(datetime.combine(end, time.min), tz),
        cut=cut_for(end, now, tz),
        months=months,
        month_cuts=tuple(cut_for(add_months(m, 1), now, tz) for m in months),
        weeks=weeks,
    )


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True, slots=True)
class PatientRow:
    """A patient named in the report (the biller's table, patients not reached)."""

    id: int
    given_name: str
    family_name: str
    preferred_name: str | None
    mrn: str | None

    def name(self, *, redact: bool = False) -> str:
        """ "Núñez, Ana (Ana)", or initials when redacted; control characters made visible."""
        return patient_name(self.given_name, self.family_name, self.preferred_name, redact=redact)


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """Patients of one risk level: on the caseload at the month's start and at its
    cut, in care management at the cut, enrolled and discharged in the month."""

    risk: str
    at_start: int
    at_end: int
    enrolled: int
    new: int
    discharged: int


@dataclass(frozen=True, slots=True)
class NoteCountRow:
    kind: str
    outcome: str | None
    count: int


@dataclass(frozen=True, slots=True)
class AppointmentCountRow:
    status: str
    transport: str
    count: int


@dataclass(frozen=True, slots=True)
class CompletedTaskRow:
    """Tasks of one queue and due date completed on one day of the month."""

    queue: str
    #: None when there is none, or the stored value is not a real date.
    due: date | None
    completed_on: date
    count: int


@dataclass(frozen=True, slots=True)
class OverdueRow:
    """Tasks of one queue overdue at each month's cut of the window (``Window.month_cuts``)."""

    queue: str
    counts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PlanRow:
    """A care plan (not a draft) and its current next review."""

    id: int
    status: str
    next_review: date | None
    #: Local time of creation and of the last change (None if unreadable).
    created: datetime | None
    updated: datetime | None


@dataclass(frozen=True, slots=True)
class PlanEvent:
    """One audit event of a care plan that set or changed its next review."""

    plan_id: int
    #: Local time of the change.
    at: datetime
    action: str
    old: date | None
    new: date | None


@dataclass(frozen=True, slots=True)
class GoalEvent:
    """One audit event, in the month, that set or changed a goal's achievement status."""

    goal_id: int
    at: datetime
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class ReferralCounts:
    sent: int
    closed: int
    open_past_due: int


@dataclass(frozen=True, slots=True)
class CloseSpanRow:
    """Referrals closed in the month that were sent on ``sent_on`` and closed on ``closed_on``."""

    sent_on: date
    closed_on: date
    count: int


@dataclass(frozen=True, slots=True)
class MinutesRow:
    """A care-management patient on the caseload during the month, and the minutes
    logged for them in it (``notes``: entries that recorded minutes)."""

    patient: PatientRow
    minutes: int
    notes: int


@dataclass(frozen=True, slots=True)
class ContactBucketRow:
    """Contacts in one week of the chart and one month (-1: before the first month)."""

    week: int
    month: int
    count: int


@dataclass(frozen=True, slots=True)
class MonthAppointmentRow:
    """Kept or no-show appointments (the no-show chart's) of one status in one month."""

    month: int
    status: str
    count: int


@dataclass(frozen=True, slots=True)
class MonthData:
    """Every row the month's report is made from."""

    window: Window
    #: When the rows were read (local).
    as_of: datetime
    caseload: tuple[CaseloadRow, ...]
    notes: tuple[NoteCountRow, ...]
    unreached: tuple[PatientRow, ...]
    appointments: tuple[AppointmentCountRow, ...]
    completed: tuple[CompletedTaskRow, ...]
    overdue: tuple[OverdueRow, ...]
    plans: tuple[PlanRow, ...]
    plan_events: tuple[PlanEvent, ...]
    goal_events: tuple[GoalEvent, ...]
    #: Goals achieved in the month by their last change, with no audit event of their own.
    goals_untracked: int
    referrals: ReferralCounts
    close_spans: tuple[CloseSpanRow, ...]
    minutes: tuple[MinutesRow, ...]
    contacts_series: tuple[ContactBucketRow, ...]
    appointments_series: tuple[MonthAppointmentRow, ...]


# --------------------------------------------------------------------------- SQL


def _in(name: str, values: Sequence[str]) -> tuple[str, dict[str, str]]:
    """Placeholders for ``IN (...)`` and their bound values."""
    keys = [f"{name}_{i}" for i in range(len(values))]
    return ", ".join(f":{k}" for k in keys), {k: str(v) for k, v in zip(keys, values, strict=True)}


def bucket_case(
    column: str, name: str, starts: Sequence[date], *, below: int | None = None
) -> tuple[str, dict[str, str]]:
    """A ``CASE`` numbering the interval ``column`` falls in: 0 for ``[starts[0],
    starts[1])``, 1 for the next, ..., the last from ``starts[-1]`` on. With ``below``,
    a value before ``starts[0]`` gets that number (otherwise the caller's WHERE
    excludes it). Portable (comparisons with bound ISO dates only) and cheap: the
    ``CASE`` is a balanced tree, about log2(len(starts)) comparisons a row."""
    params = {f"{name}_{i}": day.isoformat() for i, day in enumerate(starts)}

    def tree(lo: int, hi: int) -> str:
        if lo == hi:
            return str(lo)
        mid = (lo + hi + 1) // 2
        return (
            f"CASE WHEN {column} < :{name}_{mid} THEN {tree(lo, mid - 1)} ELSE {tree(mid, hi)} END"
        )

    sql = tree(0, len(starts) - 1)
    if below is not None:
        sql = f"CASE WHEN {column} < :{name}_0 THEN {below} ELSE {sql} END"
    return sql, params


_OPEN_TASK = tuple(s.value for s in codes.TaskStatus if s not in codes.TASK_CLOSED)
_CLOSED_OTHER = (
    codes.TaskStatus.CANCELLED.value,
    codes.TaskStatus.FAILED.value,
    codes.TaskStatus.REJECTED.value,
)
_REFERRAL_CLOSED = (
    codes.ReferralStatus.COMPLETED.value,
    codes.ReferralStatus.DECLINED.value,
    codes.ReferralStatus.CANCELLED.value,
)
_CONTACT_KINDS = (
    codes.NoteKind.CALL.value,
    codes.NoteKind.VISIT.value,
    codes.NoteKind.MESSAGE.value,
)
#: The appointment statuses the no-show chart counts: kept, and no-shows.
_CHART_APPOINTMENT = (
    codes.AppointmentStatus.FULFILLED.value,
    codes.AppointmentStatus.ARRIVED.value,
    codes.AppointmentStatus.NOSHOW.value,
)

_TASK_OPEN_IN, _TASK_OPEN_PARAMS = _in("task_open", _OPEN_TASK)
_TASK_CLOSED_IN, _TASK_CLOSED_PARAMS = _in("task_closed", _CLOSED_OTHER)
_REFERRAL_CLOSED_IN, _REFERRAL_CLOSED_PARAMS = _in("referral_closed", _REFERRAL_CLOSED)
_CONTACT_IN, _CONTACT_PARAMS = _in("contact_kind", _CONTACT_KINDS)
_CHART_APPOINTMENT_IN, _CHART_APPOINTMENT_PARAMS = _in("chart_appointment", _CHART_APPOINTMENT)

#: Code values bound into the queries (statuses are parameters, not literals).
_CODE_PARAMS: dict[str, Any] = {
    **_TASK_OPEN_PARAMS,
    **_TASK_CLOSED_PARAMS,
    **_REFERRAL_CLOSED_PARAMS,
    **_CONTACT_PARAMS,
    **_CHART_APPOINTMENT_PARAMS,
    "yes": True,
    "visit": codes.NoteKind.VISIT.value,
    "reached": codes.OutreachOutcome.REACHED.value,
    "task_completed": codes.TaskStatus.COMPLETED.value,
    "task_error": codes.TaskStatus.ENTERED_IN_ERROR.value,
    "plan_draft": codes.CarePlanStatus.DRAFT.value,
    "care_plan": "care_plan",
    "goal": "goal",
    "goal_achieved": codes.GoalAchievementStatus.ACHIEVED.value,
    "goal_sustaining": codes.GoalAchievementStatus.SUSTAINING.value,
    "has_review": like_pattern('"next_review"'),
    "has_achievement": like_pattern('"achievement_status"'),
}


def on_caseload(day: str, utc: str) -> str:
    """SQL: patient ``p`` is on the caseload at the start of day ``:day``: enrolled
    before it (with no enrolment date, created before ``:utc``) and not discharged
    before it."""
    return (
        f"((p.enrolled_on < :{day} OR (p.enrolled_on IS NULL AND p.created_at < :{utc}))"
        f" AND (p.discharged_on IS NULL OR p.discharged_on >= :{day}))"
    )


CASELOAD_SQL = f"""
SELECT p.risk,
       SUM(CASE WHEN {on_caseload("start", "start_utc")} THEN 1 ELSE 0 END) AS at_start,
       SUM(CASE WHEN {on_caseload("cut_day", "cut_utc")} THEN 1 ELSE 0 END) AS at_end,
       SUM(CASE WHEN {on_caseload("cut_day", "cut_utc")} AND p.care_management = :yes
                THEN 1 ELSE 0 END) AS enrolled,
       SUM(CASE WHEN (p.enrolled_on >= :start AND p.enrolled_on < :cut_day)
                  OR (p.enrolled_on IS NULL
                      AND p.created_at >= :start_utc AND p.created_at < :cut_utc)
                THEN 1 ELSE 0 END) AS new,
       SUM(CASE WHEN p.discharged_on >= :start AND p.discharged_on < :cut_day
                THEN 1 ELSE 0 END) AS discharged
FROM patient AS p
GROUP BY p.risk
"""

#: Notes in the month by kind and outcome. Scans the notes (no index on the time alone).
NOTES_SQL = """
SELECT n.kind, n.outcome, COUNT(*)
FROM note AS n
WHERE n.occurred_at >= :start AND n.occurred_at < :end
GROUP BY n.kind, n.outcome
"""

_PATIENT_COLUMNS = "p.id, p.given_name, p.family_name, p.preferred_name, p.mrn"

#: On the caseload at the cut, and neither visited nor reached by a call or message in
#: the month. Uses ix_note_patient_when for each patient.
UNREACHED_SQL = f"""
SELECT {_PATIENT_COLUMNS}
FROM patient AS p
WHERE {on_caseload("cut_day", "cut_utc")}
  AND NOT EXISTS (
      SELECT 1 FROM note AS n
      WHERE n.patient_id = p.id
        AND n.occurred_at >= :start AND n.occurred_at < :end
        AND (n.kind = :visit OR n.outcome = :reached))
"""

#: Appointments starting in the month. Uses ix_appointment_start.
APPOINTMENTS_SQL = """
SELECT a.status, a.transport, COUNT(*)
FROM appointment AS a
WHERE a."start" >= :start AND a."start" < :end
GROUP BY a.status, a.transport
"""


def completed_sql(days: Sequence[date]) -> tuple[str, dict[str, str]]:
    """Tasks with a completion time in the month, by status, queue, due date and day
    of completion (the caller keeps the completed ones: only they have a completion
    time, but a hand edit may differ). Filtering or grouping first by status here
    would make SQLite walk ix_task_status_due and look up every completed task ever
    (or every task), slower than one scan; an index on ``completed_at`` would serve
    this query as it is."""
    day_case, params = bucket_case("t.completed_at", "day", days)
    sql = f"""
SELECT t.status, t.queue, t.due, {day_case} AS day_no, COUNT(*)
FROM task AS t
WHERE t.completed_at >= :start AND t.completed_at < :end
GROUP BY t.queue, t.due, day_no, t.status
"""
    return sql, params


def open_task_at(k: int) -> str:
    """SQL: task ``t`` (of patient ``p``, if any) is overdue at cut ``k``: due before
    the cut's day, created before the cut, its patient not discharged by then, and
    not closed by then. Completed tasks closed at ``completed_at`` (local; without one,
    at ``updated_at``); cancelled, failed and rejected ones at their last change
    (``updated_at``, UTC: caretui keeps no separate time for those)."""
    return f"""(t.due < :due_{k} AND t.created_at < :utc_{k}
  AND (p.discharged_on IS NULL OR p.discharged_on >= :dated_{k})
  AND (t.status IN ({_TASK_OPEN_IN})
       OR (t.status = :task_completed
           AND (t.completed_at >= :at_{k}
                OR (t.completed_at IS NULL AND t.updated_at >= :utc_{k})))
       OR (t.status IN ({_TASK_CLOSED_IN}) AND t.updated_at >= :utc_{k})))"""


def overdue_sql(cuts: Sequence[Cut]) -> tuple[str, dict[str, str]]:
    """Overdue tasks by queue at each cut, one column per cut. One scan of the tasks
    due before the last cut (entered-in-error tasks never count)."""
    params: dict[str, str] = {}
    columns = []
    for k, cut in enumerate(cuts):
        params[f"due_{k}"] = cut.due_before.isoformat()
        params[f"dated_{k}"] = cut.dated_before.isoformat()
        params[f"at_{k}"] = stored_instant(cut.at)
        params[f"utc_{k}"] = stored_instant(cut.at_utc)
        columns.append(f"SUM(CASE WHEN {open_task_at(k)} THEN 1 ELSE 0 END) AS overdue_{k}")
    last = len(cuts) - 1
    sql = f"""
SELECT t.queue, {", ".join(columns)}
FROM task AS t
LEFT JOIN patient AS p ON p.id = t.patient_id
WHERE t.due < :due_{last} AND t.created_at < :utc_{last} AND t.status <> :task_error
GROUP BY t.queue
"""
    return sql, params


PLANS_SQL = """
SELECT c.id, c.status, c.next_review, c.created_at, c.updated_at
FROM care_plan AS c
WHERE c.status <> :plan_draft
"""

#: Audit events that set or changed a care plan's next review (a create names every
#: field). Uses ix_audit_event_entity_record.
PLAN_EVENTS_SQL = """
SELECT a.id, a.record_id, a.at, a.action, a.changes
FROM audit_event AS a
WHERE a.entity = :care_plan AND a.changes LIKE :has_review ESCAPE '\\'
ORDER BY a.record_id, a.at, a.id
"""

#: Audit events in the month that set or changed an existing goal's achievement status.
GOAL_EVENTS_SQL = """
SELECT a.record_id, a.at, a.changes
FROM audit_event AS a
WHERE a.entity = :goal
  AND a.at >= :start_utc AND a.at < :end_utc
  AND a.changes LIKE :has_achievement ESCAPE '\\'
  AND EXISTS (SELECT 1 FROM goal AS g WHERE g.id = a.record_id)
ORDER BY a.at, a.id
"""

#: Goals achieved (or sustaining) whose last change falls in the month and which have no
#: audit event of their own (seeded or imported records): their last change stands in.
GOALS_UNTRACKED_SQL = """
SELECT COUNT(*)
FROM goal AS g
WHERE g.achievement_status IN (:goal_achieved, :goal_sustaining)
  AND g.updated_at >= :start_utc AND g.updated_at < :end_utc
  AND NOT EXISTS (
      SELECT 1 FROM audit_event AS a WHERE a.entity = :goal AND a.record_id = g.id)
"""

#: Referrals sent and closed in the month, and open past their response date at the
#: cut: sent before it, the date passed, not closed by then (a closed status without a
#: closed date counts as closed, when unknown).
REFERRALS_SQL = f"""
SELECT SUM(CASE WHEN r.sent_on >= :start AND r.sent_on < :end THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.closed_on >= :start AND r.closed_on < :end THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.sent_on < :cut_day AND r.response_due < :due_before
                 AND (r.closed_on >= :cut_day
                      OR (r.closed_on IS NULL AND r.status NOT IN ({_REFERRAL_CLOSED_IN})))
                THEN 1 ELSE 0 END)
FROM referral AS r
"""

CLOSE_SPANS_SQL = """
SELECT r.sent_on, r.closed_on, COUNT(*)
FROM referral AS r
WHERE r.closed_on >= :start AND r.closed_on < :end AND r.sent_on IS NOT NULL
GROUP BY r.sent_on, r.closed_on
"""

#: Care-management patients on the caseload at some time in the month, with the
#: minutes of their notes in it. Uses ix_note_patient_when.
MINUTES_SQL = f"""
SELECT {_PATIENT_COLUMNS}, COALESCE(SUM(n.minutes), 0), COUNT(n.minutes)
FROM patient AS p
LEFT JOIN note AS n
  ON n.patient_id = p.id AND n.occurred_at >= :start AND n.occurred_at < :end
WHERE p.care_management = :yes
  AND (p.enrolled_on < :cut_day OR (p.enrolled_on IS NULL AND p.created_at < :cut_utc))
  AND (p.discharged_on IS NULL OR p.discharged_on >= :start)
GROUP BY {_PATIENT_COLUMNS}
"""


def contacts_series_sql(w: Window) -> tuple[str, dict[str, str]]:
    """Contacts (calls, visits, messages) by week of the chart and by month."""
    week_case, week_params = bucket_case("n.occurred_at", "week", w.weeks)
    month_case, month_params = bucket_case("n.occurred_at", "month", w.months, below=-1)
    sql = f"""
SELECT {week_case} AS week_no, {month_case} AS month_no, COUNT(*)
FROM note AS n
WHERE n.occurred_at >= :series_from AND n.occurred_at < :end
  AND n.kind IN ({_CONTACT_IN})
GROUP BY week_no, month_no
"""
    return sql, {**week_params, **month_params, "series_from": w.weeks[0].isoformat()}


def appointments_series_sql(w: Window) -> tuple[str, dict[str, str]]:
    """Kept (fulfilled, arrived) and no-show appointments by month of the chart and
    status: the no-show chart needs no other status. Filtering by status lets SQLite
    answer from ix_appointment_status_start alone (status, start), with no table row
    read: about 40 ms → 7 ms over 12 months at 5,000 patients."""
    month_case, params = bucket_case('a."start"', "month", w.months)
    sql = f"""
SELECT {month_case} AS month_no, a.status, COUNT(*)
FROM appointment AS a
WHERE a.status IN ({_CHART_APPOINTMENT_IN})
  AND a."start" >= :series_from AND a."start" < :end
GROUP BY month_no, a.status
"""
    return sql, {**params, "series_from": w.months[0].isoformat()}


# --------------------------------------------------------------------------- reading


#: The newest audit event: every write adds one (the seed too), so it marks the data's
#: version. Its ``action_id`` (a UUID) tells a database restored from a backup, whose
#: newest event may have the same id, from the one it replaced.
MARK_SQL = "SELECT id, action_id FROM audit_event ORDER BY id DESC LIMIT 1"


def data_mark(con: sqlite3.Connection) -> tuple[int, str]:
    """The newest audit event's id and action, ``(0, "")`` when there is none: equal
    marks, equal data (as ``today_refresh.audit_mark``, made safe against a restore)."""
    row = con.execute(MARK_SQL).fetchone()
    return (int(row[0]), str(row[1])) if row else (0, "")


def window_params(w: Window) -> dict[str, Any]:
    """The parameters every query of the month binds."""
    return {
        **_CODE_PARAMS,
        "start": w.start.isoformat(),
        "end": w.end.isoformat(),
        "start_utc": stored_instant(w.start_utc),
        "end_utc": stored_instant(w.end_utc),
        "cut_day": w.cut.dated_before.isoformat(),
        "cut_utc": stored_instant(w.cut.at_utc),
        "due_before": w.cut.due_before.isoformat(),
    }


def _run(
    con: sqlite3.Connection,
    sql: str,
    params: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (parameters it does not name are ignored)."""
    return con.execute(sql, {**params, **(extra or {})}).fetchall()


def _int(value: object) -> int:
    return int(value) if isinstance(value, int) else 0


def _patient(row: Sequence[Any]) -> PatientRow:
    return PatientRow(int(row[0]), str(row[1] or ""), str(row[2] or ""), row[3], row[4])


def _changes(text: object, key: str) -> tuple[object, object] | None:
    """``[old, new]`` of ``key`` in an audit event's JSON changes, or None."""
    try:
        changes = json.loads(str(text))
        pair = changes[key]
        if isinstance(pair, list) and len(pair) == 2:
            return pair[0], pair[1]
    except (ValueError, KeyError, TypeError):
        pass
    return None


def _local(value: object, tz: tzinfo | None) -> datetime | None:
    instant = parse_instant(value)
    return to_local(instant, tz) if instant is not None else None


def month_data(
    con: sqlite3.Connection, month: date, *, now: datetime, tz: tzinfo | None = None
) -> MonthData:
    """Every row of the report on the month holding ``month``, read at ``now`` (local
    wall-clock; ``tz`` None: this computer's zone)."""
    w = window(month, now, tz)
    p = window_params(w)

    caseload = tuple(
        CaseloadRow(str(r[0]), *(_int(v) for v in r[1:6])) for r in _run(con, CASELOAD_SQL, p)
    )
    notes = tuple(NoteCountRow(str(r[0]), r[1], _int(r[2])) for r in _run(con, NOTES_SQL, p))
    unreached = tuple(_patient(r) for r in _run(con, UNREACHED_SQL, p))
    appointments = tuple(
        AppointmentCountRow(str(r[0]), str(r[1]), _int(r[2]))
        for r in _run(con, APPOINTMENTS_SQL, p)
    )
    days = w.days
    sql, extra = completed_sql(days)
    completed = tuple(
        CompletedTaskRow(str(r[1]), to_date(r[2]), days[int(r[3])], _int(r[4]))
        for r in _run(con, sql, p, extra)
        if r[0] == codes.TaskStatus.COMPLETED
    )
    sql, extra = overdue_sql(w.month_cuts)
    overdue = tuple(
        OverdueRow(str(r[0]), tuple(_int(v) for v in r[1:])) for r in _run(con, sql, p, extra)
    )
    plans = tuple(
        PlanRow(int(r[0]), str(r[1]), to_date(r[2]), _local(r[3], tz), _local(r[4], tz))
        for r in _run(con, PLANS_SQL, p)
    )
    plan_events = []
    for r in _run(con, PLAN_EVENTS_SQL, p):
        pair, at = _changes(r[4], "next_review"), _local(r[2], tz)
        if pair is not None and at is not None:
            plan_events.append(
                PlanEvent(int(r[1]), at, str(r[3]), to_date(pair[0]), to_date(pair[1]))
            )
    goal_events = []
    for r in _run(con, GOAL_EVENTS_SQL, p):
        pair, at = _changes(r[2], "achievement_status"), _local(r[1], tz)
        if pair is not None and at is not None:
            old, new = pair
            goal_events.append(
                GoalEvent(
                    int(r[0]),
                    at,
                    old if isinstance(old, str) else None,
                    new if isinstance(new, str) else None,
                )
            )
    (untracked,) = _run(con, GOALS_UNTRACKED_SQL, p)[0]
    sent, closed, past_due = _run(con, REFERRALS_SQL, p)[0]
    close_spans = []
    for r in _run(con, CLOSE_SPANS_SQL, p):
        sent_on, closed_on = to_date(r[0]), to_date(r[1])
        if sent_on is not None and closed_on is not None:
            close_spans.append(CloseSpanRow(sent_on, closed_on, _int(r[2])))
    minutes = tuple(
        MinutesRow(_patient(r), _int(r[5]), _int(r[6])) for r in _run(con, MINUTES_SQL, p)
    )
    sql, extra = contacts_series_sql(w)
    contacts_series = tuple(
        ContactBucketRow(int(r[0]), int(r[1]), _int(r[2])) for r in _run(con, sql, p, extra)
    )
    sql, extra = appointments_series_sql(w)
    appointments_series = tuple(
        MonthAppointmentRow(int(r[0]), str(r[1]), _int(r[2])) for r in _run(con, sql, p, extra)
    )
    return MonthData(
        window=w,
        as_of=now,
        caseload=caseload,
        notes=notes,
        unreached=unreached,
        appointments=appointments,
        completed=completed,
        overdue=overdue,
        plans=plans,
        plan_events=tuple(plan_events),
        goal_events=tuple(goal_events),
        goals_untracked=_int(untracked),
        referrals=ReferralCounts(_int(sent), _int(closed), _int(past_due)),
        close_spans=tuple(close_spans),
        minutes=minutes,
        contacts_series=contacts_series,
        appointments_series=appointments_series,
    )
