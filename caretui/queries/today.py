"""What needs attention today: the rows behind the Today screen and ``caretui today``.

Standard library only (see "Speed by design" in DESIGN.md). Six small SQL
queries, one per kind of item, each filtered by an index and bound
parameters, written in SQL that PostgreSQL accepts too (no SQLite functions;
dates and instants are compared as the ISO text they are stored as, and every
date sum is done in Python and bound). Rows come back as frozen
``TodayItem``s; ``caretui.services.triage.rank`` orders them.

A stored date that is not a real date (a hand edit, an import) never breaks
the list: the row is kept, flagged with ``bad_date``, dated today, and says so
in its ``detail``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Literal, NamedTuple

from caretui import codes
from caretui.queries.common import (
    parse_day,
    parse_instant,
    patient_display,
    stored_instant,
)


class ItemKind(StrEnum):
    """What kind of attention an item needs. Declaration order breaks ranking ties."""

    TASK = "task"
    APPOINTMENT_NOT_READY = "appointment-not-ready"
    APPOINTMENT_NO_OUTCOME = "appointment-no-outcome"
    REFILL = "refill"
    PLAN_REVIEW = "plan-review"
    GOAL_OVERDUE = "goal-overdue"
    REFERRAL_OVERDUE = "referral-overdue"
    REFERRAL_DRAFT = "referral-draft"
    REFERRAL_NO_OUTCOME = "referral-no-outcome"
    UNABLE_TO_REACH = "unable-to-reach"
    CARE_MINUTES = "care-minutes"


#: How a coordinator names each kind in a list.
KIND_LABELS: Mapping[ItemKind, str] = {
    ItemKind.TASK: "task",
    ItemKind.APPOINTMENT_NOT_READY: "appt not ready",
    ItemKind.APPOINTMENT_NO_OUTCOME: "no outcome",
    ItemKind.REFILL: "refill",
    ItemKind.PLAN_REVIEW: "plan review",
    ItemKind.GOAL_OVERDUE: "goal overdue",
    ItemKind.REFERRAL_OVERDUE: "referral late",
    ItemKind.REFERRAL_DRAFT: "referral draft",
    ItemKind.REFERRAL_NO_OUTCOME: "ref. outcome",
    ItemKind.UNABLE_TO_REACH: "unreachable",
    ItemKind.CARE_MINUTES: "care minutes",
}

#: The priority shown for items that carry none of their own (only tasks do).
#: An appointment today that is not ready cannot wait for tomorrow: urgent.
DEFAULT_PRIORITY: Mapping[ItemKind, codes.Priority] = {
    ItemKind.TASK: codes.Priority.ROUTINE,
    ItemKind.APPOINTMENT_NOT_READY: codes.Priority.URGENT,
    ItemKind.APPOINTMENT_NO_OUTCOME: codes.Priority.ROUTINE,
    ItemKind.REFILL: codes.Priority.ROUTINE,
    ItemKind.PLAN_REVIEW: codes.Priority.ROUTINE,
    ItemKind.GOAL_OVERDUE: codes.Priority.ROUTINE,
    ItemKind.REFERRAL_OVERDUE: codes.Priority.ROUTINE,  # referrals carry their urgency
    ItemKind.REFERRAL_DRAFT: codes.Priority.ROUTINE,
    ItemKind.REFERRAL_NO_OUTCOME: codes.Priority.ROUTINE,
    ItemKind.UNABLE_TO_REACH: codes.Priority.ROUTINE,
    ItemKind.CARE_MINUTES: codes.Priority.ROUTINE,
}

#: An appointment with no end is taken to last this long.
DEFAULT_APPOINTMENT_LENGTH = timedelta(minutes=30)


class TodayItem(NamedTuple):
    """One line of the Today list. ``(entity, record_id, version)`` names the record
    to act on; ``version`` lets a later write refuse a record changed since.

    A ``NamedTuple`` (immutable, light), not a dataclass: ``caretui count`` runs in
    shell prompts and importing ``dataclasses`` alone costs it ~7 ms."""

    kind: ItemKind
    entity: str
    record_id: int
    version: int
    patient_id: int | None
    given_name: str | None
    family_name: str | None
    preferred_name: str | None
    risk: codes.RiskLevel | None
    #: Task title, appointment purpose, medication, care-plan title or goal.
    what: str
    #: Why it is on the list, in a coordinator's words ("transport needed, not arranged").
    detail: str
    #: The day the item is about: due date, appointment day, refill date, review or target.
    when: date
    #: Appointments only: the start.
    at: datetime | None
    priority: codes.Priority
    #: Tasks only: the coordinator's queue.
    queue: str | None
    #: The stored date was not a real date; ``when`` is today as a stand-in.
    bad_date: bool = False

    @property
    def patient(self) -> str:
        """The patient's display name, or "" for a task about no patient."""
        return patient_display(self.given_name, self.family_name, self.preferred_name)


# --------------------------------------------------------------------------- SQL

_OPEN_TASK = tuple(s for s in codes.TaskStatus if s not in codes.TASK_CLOSED)
_OPEN_GOAL = tuple(
    s
    for s in codes.GoalLifecycleStatus
    if s
    not in (
        codes.GoalLifecycleStatus.COMPLETED,
        codes.GoalLifecycleStatus.CANCELLED,
        codes.GoalLifecycleStatus.REJECTED,
        codes.GoalLifecycleStatus.ENTERED_IN_ERROR,
    )
)
_DONE_GOAL = (codes.GoalAchievementStatus.ACHIEVED, codes.GoalAchievementStatus.SUSTAINING)


def _in(name: str, values: Sequence[str]) -> tuple[str, dict[str, str]]:
    """Placeholders for ``IN (...)`` and their bound values."""
    keys = [f"{name}_{i}" for i in range(len(values))]
    bound = {k: str(v) for k, v in zip(keys, values, strict=True)}  # plain str, not StrEnum
    return ", ".join(f":{k}" for k in keys), bound


_TASK_OPEN_IN, _TASK_OPEN_PARAMS = _in("task_open", _OPEN_TASK)
_GOAL_OPEN_IN, _GOAL_OPEN_PARAMS = _in("goal_open", _OPEN_GOAL)
_GOAL_DONE_IN, _GOAL_DONE_PARAMS = _in("goal_done", _DONE_GOAL)

#: Code values bound into every query (statuses are parameters, not literals).
_CODE_PARAMS: dict[str, str] = {
    **_TASK_OPEN_PARAMS,
    **_GOAL_OPEN_PARAMS,
    **_GOAL_DONE_PARAMS,
    "discharged": codes.PatientStatus.DISCHARGED.value,
    "proposed": codes.AppointmentStatus.PROPOSED.value,
    "booked": codes.AppointmentStatus.BOOKED.value,
    "arrived": codes.AppointmentStatus.ARRIVED.value,
    "transport_needed": codes.Transport.NEEDED.value,
    "med_active": codes.MedicationStatus.ACTIVE.value,
    "plan_active": codes.CarePlanStatus.ACTIVE.value,
}

_PATIENT_COLUMNS = "p.id, p.given_name, p.family_name, p.preferred_name, p.risk"

# "end" is a reserved word in PostgreSQL; "start" is quoted alongside it for symmetry.
# An appointment has ended when its end has passed, or, with no end, its start
# plus the default length (bound as :now_less_length, computed in Python).
_ENDED = '(a."end" < :now OR (a."end" IS NULL AND a."start" < :now_less_length))'
_NOT_ENDED = '(a."end" >= :now OR (a."end" IS NULL AND a."start" >= :now_less_length))'

#: Open tasks due today or before, not snoozed past today, not waiting on an open
#: task (a closed blocker blocks nothing); a task about no patient is kept, one
#: about a discharged patient is not. Uses ix_task_status_due, and
#: ix_task_dependency_task_blocker for the blockers.
TASKS_FROM = f"""
FROM task AS t
LEFT JOIN patient AS p ON p.id = t.patient_id
WHERE t.status IN ({_TASK_OPEN_IN})
  AND t.due <= :today
  AND (t.wait_until IS NULL OR t.wait_until <= :today)
  AND (p.id IS NULL OR p.status <> :discharged)
  AND NOT EXISTS (
    SELECT 1 FROM task_dependency AS d
    JOIN task AS b ON b.id = d.blocked_by_id
    WHERE d.task_id = t.id AND b.status IN ({_TASK_OPEN_IN})
  )
"""
TASKS_SQL = f"""
SELECT t.id, t.version, {_PATIENT_COLUMNS},
       t.title, t.status, t.priority, t.queue, t.due
{TASKS_FROM}"""

#: Today's appointments not ready: not yet booked, or booked with transport needed
#: and not arranged (until the appointment is over: then it wants an outcome).
#: Uses ix_appointment_start.
NOT_READY_FROM = f"""
FROM appointment AS a
JOIN patient AS p ON p.id = a.patient_id
WHERE a."start" >= :day_start AND a."start" < :day_end
  AND (a.status = :proposed
       OR (a.status = :booked AND a.transport = :transport_needed AND {_NOT_ENDED}))
  AND p.status <> :discharged
"""
NOT_READY_SQL = f"""
SELECT a.id, a.version, {_PATIENT_COLUMNS},
       a.purpose, a.with_whom, a.status, a.transport, a."start"
{NOT_READY_FROM}"""

#: Appointments that are over and still booked or arrived: no outcome recorded.
#: ``start < now`` bounds the range on ix_appointment_start (an appointment
#: cannot end before it starts).
NO_OUTCOME_FROM = f"""
FROM appointment AS a
JOIN patient AS p ON p.id = a.patient_id
WHERE a."start" < :now
  AND a.status IN (:booked, :arrived)
  AND {_ENDED}
  AND p.status <> :discharged
"""
NO_OUTCOME_SQL = f"""
SELECT a.id, a.version, {_PATIENT_COLUMNS},
       a.purpose, a.with_whom, a.status, a.transport, a."start"
{NO_OUTCOME_FROM}"""

#: Active medications whose refill falls due within the window. Uses ix_medication_status_refill.
REFILLS_FROM = """
FROM medication AS m
JOIN patient AS p ON p.id = m.patient_id
WHERE m.status = :med_active
  AND m.refill_due <= :refill_until
  AND p.status <> :discharged
"""
REFILLS_SQL = f"""
SELECT m.id, m.version, {_PATIENT_COLUMNS},
       m.name, m.dose, m.refill_due
{REFILLS_FROM}"""

#: Active care plans whose review is due or overdue. Uses ix_care_plan_status_review.
PLAN_REVIEWS_FROM = """
FROM care_plan AS c
JOIN patient AS p ON p.id = c.patient_id
WHERE c.status = :plan_active
  AND c.next_review <= :today
  AND p.status <> :discharged
"""
PLAN_REVIEWS_SQL = f"""
SELECT c.id, c.version, {_PATIENT_COLUMNS},
       c.title, c.next_review
{PLAN_REVIEWS_FROM}"""

#: Open goals past their target date and not achieved. Uses ix_goal_status_target.
GOALS_FROM = f"""
FROM goal AS g
JOIN patient AS p ON p.id = g.patient_id
WHERE g.lifecycle_status IN ({_GOAL_OPEN_IN})
  AND g.target_date < :today
  AND (g.achievement_status IS NULL OR g.achievement_status NOT IN ({_GOAL_DONE_IN}))
  AND p.status <> :discharged
"""
GOALS_SQL = f"""
SELECT g.id, g.version, {_PATIENT_COLUMNS},
       g.description, g.achievement_status, g.target_date
{GOALS_FROM}"""


#: Code values the referral and outreach queries bind.
_LOOP_PARAMS: dict[str, str] = {
    "referral_draft": codes.ReferralStatus.DRAFT.value,
    "referral_sent": codes.ReferralStatus.SENT.value,
    "referral_scheduled": codes.ReferralStatus.SCHEDULED.value,
}
#: A draft waiting this many days to be sent is on the list the day after.
DRAFT_WAIT_DAYS = 2
#: The receiver's name: a directory resource or a contact.
_RECEIVER = """LEFT JOIN resource AS res ON res.id = r.resource_id
LEFT JOIN contact AS c ON c.id = r.contact_id"""

#: Referrals sent and not answered by the day an answer was expected. Uses
#: ix_referral_status_due.
REFERRALS_OVERDUE_FROM = """
FROM referral AS r
JOIN patient AS p ON p.id = r.patient_id
WHERE r.status = :referral_sent
  AND r.response_due < :today
  AND p.status <> :discharged
"""
REFERRALS_OVERDUE_SQL = f"""
SELECT r.id, r.version, {_PATIENT_COLUMNS},
       r.reason, COALESCE(res.name, c.name), r.urgency, r.response_due
FROM referral AS r
JOIN patient AS p ON p.id = r.patient_id
{_RECEIVER}
WHERE r.status = :referral_sent
  AND r.response_due < :today
  AND p.status <> :discharged
"""

#: The day a draft was made: its first step's, else the record's (an import's).
_DRAFTED = (
    "COALESCE((SELECT MIN(s.taken_on) FROM referral_step AS s WHERE s.referral_id = r.id), "
    "r.created_at)"
)
#: Drafts not sent for more than ``DRAFT_WAIT_DAYS`` days. Uses ix_referral_status_due,
#: and ix_referral_step_referral for the day drafted.
REFERRAL_DRAFTS_FROM = f"""
FROM referral AS r
JOIN patient AS p ON p.id = r.patient_id
WHERE r.status = :referral_draft
  AND {_DRAFTED} < :draft_before
  AND p.status <> :discharged
"""
REFERRAL_DRAFTS_SQL = f"""
SELECT r.id, r.version, {_PATIENT_COLUMNS},
       r.reason, COALESCE(res.name, c.name), r.urgency, {_DRAFTED}
FROM referral AS r
JOIN patient AS p ON p.id = r.patient_id
{_RECEIVER}
WHERE r.status = :referral_draft
  AND {_DRAFTED} < :draft_before
  AND p.status <> :discharged
"""

#: Scheduled referrals whose appointment was on a day before today, and no outcome
#: recorded (still scheduled). Uses ix_referral_status_due.
REFERRALS_NO_OUTCOME_FROM = """
FROM referral AS r
JOIN appointment AS a ON a.id = r.appointment_id
JOIN patient AS p ON p.id = r.patient_id
WHERE r.status = :referral_scheduled
  AND a."start" < :day_start
  AND p.status <> :discharged
"""
REFERRALS_NO_OUTCOME_SQL = f"""
SELECT r.id, r.version, {_PATIENT_COLUMNS},
       r.reason, COALESCE(res.name, c.name), r.urgency, a."start"
FROM referral AS r
JOIN appointment AS a ON a.id = r.appointment_id
JOIN patient AS p ON p.id = r.patient_id
{_RECEIVER}
WHERE r.status = :referral_scheduled
  AND a."start" < :day_start
  AND p.status <> :discharged
"""

#: Patients marked unable to reach (the outreach rule). Uses ix_patient_unable_to_reach.
UNABLE_TO_REACH_FROM = """
FROM patient AS p
WHERE p.unable_to_reach_since <= :today
  AND p.status <> :discharged
"""
UNABLE_TO_REACH_SQL = f"""
SELECT p.id, p.version, {_PATIENT_COLUMNS}, p.unable_to_reach_since
{UNABLE_TO_REACH_FROM}"""

#: Enrolled patients under their first care-management threshold come onto the list
#: when the month has this many days left or fewer, today included (from the 25th of a
#: 31-day month).
CARE_MINUTES_DAYS_LEFT = 7
#: The first threshold's minutes when the caller names none (``config.DEFAULT_THRESHOLDS``).
CARE_MINUTES_THRESHOLD = 20
#: Minutes logged for patient ``p`` in today's calendar month. Uses ix_note_patient_when.
_MONTH_MINUTES = """(SELECT COALESCE(SUM(n.minutes), 0) FROM note AS n
    WHERE n.patient_id = p.id
      AND n.occurred_at >= :care_month_start AND n.occurred_at < :care_month_end)"""
#: Patients in a care-management program, on the caseload, under the first threshold
#: this month, in the month's last ``CARE_MINUTES_DAYS_LEFT`` days (before them the
#: bound ``:care_closing`` is false and no row is read). The item's day is the month's
#: last. Reads the patient rows (no index holds the program flag: a few thousand
#: short rows, in a month's last week only); each one's minutes through its index.
CARE_MINUTES_FROM = f"""
FROM patient AS p
WHERE :care_closing = :care_yes
  AND p.care_management = :care_yes
  AND p.status <> :discharged
  AND (p.enrolled_on IS NULL OR p.enrolled_on <= :today)
  AND {_MONTH_MINUTES} < :care_threshold
"""
CARE_MINUTES_SQL = f"""
SELECT p.id, p.version, {_PATIENT_COLUMNS}, {_MONTH_MINUTES}, :care_threshold, :care_last_day
{CARE_MINUTES_FROM}"""


def care_minutes_params(today: date, threshold: int) -> dict[str, Any]:
    """What the care-minutes query binds: today's month, and whether it is closing."""
    start = today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return {
        "care_yes": True,
        "care_closing": (end - today).days <= CARE_MINUTES_DAYS_LEFT,
        "care_month_start": start.isoformat(),
        "care_month_end": end.isoformat(),
        "care_last_day": (end - timedelta(days=1)).isoformat(),
        "care_threshold": threshold,
    }


def default_now(today: date) -> datetime:
    """The instant the list is evaluated at: the clock if ``today`` is the real
    today, else the start of ``today`` (``caretui today --date fri``)."""
    real = datetime.now()
    return real if real.date() == today else datetime.combine(today, time.min)


def query_params(
    today: date,
    *,
    refill_window_days: int = 7,
    now: datetime | None = None,
    care_threshold: int = CARE_MINUTES_THRESHOLD,
) -> dict[str, Any]:
    """Every parameter the queries above bind, for ``today`` as of ``now``."""
    now = now if now is not None else default_now(today)
    return {
        **_CODE_PARAMS,
        "today": today.isoformat(),
        "day_start": stored_instant(datetime.combine(today, time.min)),
        "day_end": stored_instant(datetime.combine(today + timedelta(days=1), time.min)),
        "now": stored_instant(now),
        "now_less_length": stored_instant(now - DEFAULT_APPOINTMENT_LENGTH),
        "refill_until": (today + timedelta(days=max(refill_window_days, 0))).isoformat(),
        **_LOOP_PARAMS,
        "draft_before": (today - timedelta(days=DRAFT_WAIT_DAYS)).isoformat(),
        **care_minutes_params(today, care_threshold),
    }


# ----------------------------------------------------------------- rows to items
# Written as plain loops with dict lookups: 10,000 rows must convert in a few ms.

_Row = tuple[Any, ...]
_Rows = Iterable[_Row]
_RISK: dict[object, codes.RiskLevel] = {m.value: m for m in codes.RiskLevel}
_PRIORITY: dict[object, codes.Priority] = {m.value: m for m in codes.Priority}
_ROUTINE = codes.Priority.ROUTINE
_TASK_STATUS_WORDS: dict[object, str] = {
    codes.TaskStatus.IN_PROGRESS.value: "in progress",
    codes.TaskStatus.ON_HOLD.value: "on hold",
    codes.TaskStatus.DRAFT.value: "draft",
}


def _days(day: date, today: date) -> str:
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    return f"in {delta} days" if delta > 0 else f"{-delta} days ago"


def _bad(what: str, value: object) -> str:
    shown = repr(value)
    if len(shown) > 24:
        shown = shown[:21] + "..."
    return f"stored {what} {shown} is not a real date"


def _tasks(rows: _Rows, today: date, now: datetime) -> list[TodayItem]:
    out: list[TodayItem] = []
    append = out.append
    kind = ItemKind.TASK
    for (
        rid,
        version,
        pid,
        given,
        family,
        preferred,
        risk,
        title,
        status,
        prio,
        queue,
        due_raw,
    ) in rows:
        due = parse_day(due_raw)
        detail = _TASK_STATUS_WORDS.get(status, "")
        if due is None:
            detail = "; ".join(p for p in (detail, _bad("due date", due_raw)) if p)
        append(
            TodayItem(
                kind,
                "task",
                rid,
                version,
                pid,
                given,
                family,
                preferred,
                _RISK.get(risk),
                title or "",
                detail,
                due or today,
                None,
                _PRIORITY.get(prio, _ROUTINE),
                queue,
                due is None,
            )
        )
    return out


def _appointments(kind: ItemKind, rows: _Rows, today: date) -> list[TodayItem]:
    out: list[TodayItem] = []
    priority = DEFAULT_PRIORITY[kind]
    for row in rows:
        rid, version, pid, given, family, preferred, risk = row[:7]
        purpose, with_whom, status, transport, start_raw = row[7:]
        start = parse_instant(start_raw)
        parts: list[str] = []
        if kind is ItemKind.APPOINTMENT_NOT_READY:
            if status == codes.AppointmentStatus.PROPOSED:
                parts.append("not booked yet")
            if transport == codes.Transport.NEEDED:
                parts.append("transport needed, not arranged")
        elif status == codes.AppointmentStatus.ARRIVED:
            parts.append("arrived, no outcome recorded")
        else:
            parts.append("no outcome recorded")
        when = start.date() if start is not None else None
        if start is None:
            # Keep the day if the text starts with one ("2026-03-10 25:00").
            when = parse_day(start_raw[:10]) if isinstance(start_raw, str) else None
            parts.append(_bad("start", start_raw))
        out.append(
            TodayItem(
                kind,
                "appointment",
                rid,
                version,
                pid,
                given,
                family,
                preferred,
                _RISK.get(risk),
                purpose or (f"with {with_whom}" if with_whom else "appointment"),
                "; ".join(parts),
                when or today,
                start,
                priority,
                None,
                start is None,
            )
        )
    return out


def _not_ready(rows: _Rows, today: date, now: datetime) -> list[TodayItem]:
    return _appointments(ItemKind.APPOINTMENT_NOT_READY, rows, today)


def _no_outcome(rows: _Rows, today: date, now: datetime) -> list[TodayItem]:
    return _appointments(ItemKind.APPOINTMENT_NO_OUTCOME, rows, today)


def _dated(
    kind: ItemKind,
    entity: str,
    what_of: Callable[[_Row], str],
    detail_of: Callable[[_Row, date, date], str],
    bad_what: str,
) -> Callable[[_Rows, date, datetime], list[TodayItem]]:
    """A converter for rows ending in one stored date: refills, reviews, goals."""
    priority = DEFAULT_PRIORITY[kind]

    def convert(rows: _Rows, today: date, now: datetime) -> list[TodayItem]:
        out: list[TodayItem] = []
        append = out.append
        for row in rows:
            day = parse_day(row[-1])
            detail = detail_of(row, day, today) if day is not None else _bad(bad_what, row[-1])
            append(
                TodayItem(
                    kind,
                    entity,
                    row[0],
                    row[1],
                    row[2],
                    row[3],
                    row[4],
                    row[5],
                    _RISK.get(row[6]),
                    what_of(row),
                    detail,
                    day or today,
                    None,
                    priority,
                    None,
                    day is None,
                )
            )
        return out

    return convert


def _goal_detail(row: _Row, target: date, today: date) -> str:
    detail = f"target date passed {_days(target, today)}"
    achievement = row[8]
    return f"{detail}; {str(achievement).replace('-', ' ')}" if achievement else detail


_refills = _dated(
    ItemKind.REFILL,
    "medication",
    lambda row: f"{row[7]} {row[8]}" if row[8] else (row[7] or ""),
    lambda row, due, today: f"refill due {_days(due, today)}",
    "refill date",
)
_plan_reviews = _dated(
    ItemKind.PLAN_REVIEW,
    "care_plan",
    lambda row: row[7] or "",
    lambda row, due, today: f"review due {_days(due, today)}",
    "review date",
)
_goals = _dated(
    ItemKind.GOAL_OVERDUE, "goal", lambda row: row[7] or "", _goal_detail, "target date"
)


def _referral_what(reason: object, receiver: object) -> str:
    what = str(reason or "referral")
    return f"{what} → {receiver}" if receiver else what


def _referrals(
    kind: ItemKind, detail_of: Callable[[date, date], str], bad_what: str, instant: bool = False
) -> Callable[[_Rows, date, datetime], list[TodayItem]]:
    """A converter for referral rows: (…patient, reason, receiver, urgency, the day)."""

    def convert(rows: _Rows, today: date, now: datetime) -> list[TodayItem]:
        out: list[TodayItem] = []
        for row in rows:
            raw = row[-1]
            bad = False
            if instant:
                at = parse_instant(raw)
                day = at.date() if at is not None else None
                if at is None:  # keep the day if the text starts with one
                    bad = True
                    day = parse_day(raw[:10]) if isinstance(raw, str) else None
            else:
                at = None
                day = parse_day(raw)
                if day is None:  # a draft with no steps: the day its record was made
                    made = parse_instant(raw)
                    day = made.date() if made is not None else None
                    bad = day is None
            detail = detail_of(day, today) if day is not None else ""
            if bad:
                detail = "; ".join(p for p in (detail, _bad(bad_what, raw)) if p)
            out.append(
                TodayItem(
                    kind,
                    "referral",
                    row[0],
                    row[1],
                    row[2],
                    row[3],
                    row[4],
                    row[5],
                    _RISK.get(row[6]),
                    _referral_what(row[7], row[8]),
                    detail,
                    day or today,
                    at,
                    _PRIORITY.get(row[9], _ROUTINE),
                    None,
                    bad,
                )
            )
        return out

    return convert


_referrals_overdue = _referrals(
    ItemKind.REFERRAL_OVERDUE,
    lambda due, today: f"no answer; expected by {due:%a} {due.isoformat()} ({_days(due, today)})",
    "response date",
)
_referral_drafts = _referrals(
    ItemKind.REFERRAL_DRAFT,
    lambda made, today: f"drafted {_days(made, today)}, not sent",
    "draft date",
)
_referrals_no_outcome = _referrals(
    ItemKind.REFERRAL_NO_OUTCOME,
    lambda day, today: f"appointment {_days(day, today)}; outcome not recorded",
    "appointment start",
    instant=True,
)
_care_minutes = _dated(
    ItemKind.CARE_MINUTES,
    "care_minutes",  # the record is the patient; its own row key, apart from "patient:"
    lambda row: f"care management: {row[7]} of {row[8]} min this month",
    lambda row, last, today: (
        "last day of the month"
        if last <= today
        else f"{(last - today).days + 1} days left in the month"
    ),
    "month end",
)
_unable_to_reach = _dated(
    ItemKind.UNABLE_TO_REACH,
    "patient",
    lambda row: "unable to reach",
    lambda row, since, today: f"unsuccessful attempts; marked {_days(since, today)}",
    "unable-to-reach date",
)


class Source(NamedTuple):
    """One kind of item: its query, the date column counts split on, its row converter."""

    kind: ItemKind
    select_sql: str
    from_sql: str
    #: The column holding the item's day (a ``DateTime`` column if ``instant``).
    day_column: str
    instant: bool
    convert: Callable[[_Rows, date, datetime], list[TodayItem]]


SOURCES: tuple[Source, ...] = (
    Source(ItemKind.TASK, TASKS_SQL, TASKS_FROM, "t.due", False, _tasks),
    Source(
        ItemKind.APPOINTMENT_NOT_READY, NOT_READY_SQL, NOT_READY_FROM, 'a."start"', True, _not_ready
    ),
    Source(
        ItemKind.APPOINTMENT_NO_OUTCOME,
        NO_OUTCOME_SQL,
        NO_OUTCOME_FROM,
        'a."start"',
        True,
        _no_outcome,
    ),
    Source(ItemKind.REFILL, REFILLS_SQL, REFILLS_FROM, "m.refill_due", False, _refills),
    Source(
        ItemKind.PLAN_REVIEW,
        PLAN_REVIEWS_SQL,
        PLAN_REVIEWS_FROM,
        "c.next_review",
        False,
        _plan_reviews,
    ),
    Source(ItemKind.GOAL_OVERDUE, GOALS_SQL, GOALS_FROM, "g.target_date", False, _goals),
    Source(
        ItemKind.REFERRAL_OVERDUE,
        REFERRALS_OVERDUE_SQL,
        REFERRALS_OVERDUE_FROM,
        "r.response_due",
        False,
        _referrals_overdue,
    ),
    Source(
        ItemKind.REFERRAL_DRAFT,
        REFERRAL_DRAFTS_SQL,
        REFERRAL_DRAFTS_FROM,
        _DRAFTED,
        False,
        _referral_drafts,
    ),
    Source(
        ItemKind.REFERRAL_NO_OUTCOME,
        REFERRALS_NO_OUTCOME_SQL,
        REFERRALS_NO_OUTCOME_FROM,
        'a."start"',
        True,
        _referrals_no_outcome,
    ),
    Source(
        ItemKind.UNABLE_TO_REACH,
        UNABLE_TO_REACH_SQL,
        UNABLE_TO_REACH_FROM,
        "p.unable_to_reach_since",
        False,
        _unable_to_reach,
    ),
    Source(
        ItemKind.CARE_MINUTES,
        CARE_MINUTES_SQL,
        CARE_MINUTES_FROM,
        ":care_last_day",
        False,
        _care_minutes,
    ),
)


def today_items(
    con: sqlite3.Connection,
    today: date,
    *,
    refill_window_days: int = 7,
    now: datetime | None = None,
    care_threshold: int = CARE_MINUTES_THRESHOLD,
) -> list[TodayItem]:
    """Everything that needs attention on ``today``, as of ``now``, in no particular
    order (``services.triage.rank`` orders it). Discharged patients' items are left out.

    ``now`` defaults to the clock on the real today and to the start of any other day;
    ``care_threshold`` is the first care-management threshold's minutes.
    """
    now = now if now is not None else default_now(today)
    params = query_params(
        today, refill_window_days=refill_window_days, now=now, care_threshold=care_threshold
    )
    items: list[TodayItem] = []
    for source in SOURCES:
        items.extend(source.convert(con.execute(source.select_sql, params), today, now))
    return items


CountWhat = Literal["overdue", "today", "all"]


#: The open tasks of Today, counted: those in the range of ``ix_task_status_due``, less
#: those in it that wait on an open task or are about a discharged patient. The same
#: tasks as ``TASKS_FROM``, but the few to leave out are found from their side (the
#: dependencies, the discharged patients) instead of checking each of ~50,000 tasks
#: at 5,000 patients: 14 ms → 5 ms. CROSS JOIN keeps SQLite's join order as written.
_TASKS_IN_RANGE = f"""t.status IN ({_TASK_OPEN_IN})
  AND t.due <= :today
  AND (t.wait_until IS NULL OR t.wait_until <= :today)"""
_TASKS_LEFT_OUT = f"""SELECT d.task_id AS id FROM task_dependency AS d
  CROSS JOIN task AS b ON b.id = d.blocked_by_id
  WHERE b.status IN ({_TASK_OPEN_IN})
UNION
SELECT o.id FROM patient AS p
  CROSS JOIN task AS o ON o.patient_id = p.id
  WHERE p.status = :discharged"""
_TASKS_COUNT = (
    f"((SELECT COUNT(*) FROM task AS t WHERE {_TASKS_IN_RANGE}\n{{extra}})"
    f" - (SELECT COUNT(*) FROM ({_TASKS_LEFT_OUT}) AS x CROSS JOIN task AS t ON t.id = x.id"
    f"\n  WHERE {_TASKS_IN_RANGE}\n{{extra}}))"
)


def _count_extra(what: CountWhat, source: Source) -> str:
    """The condition on the item's day that ``what`` adds ("" for all)."""
    col = source.day_column
    if what == "overdue":
        return f"  AND {col} < :day_start\n" if source.instant else f"  AND {col} < :today\n"
    if what == "today":
        return (
            f"  AND {col} >= :day_start AND {col} < :day_end\n"
            if source.instant
            else f"  AND {col} = :today\n"
        )
    return ""


def count_sql(what: CountWhat) -> str:
    """One statement summing a ``COUNT(*)`` per kind of item, for ``count_items``."""
    if what not in ("overdue", "today", "all"):
        raise ValueError(f"count what: {what!r}")
    parts = []
    for source in SOURCES:
        extra = _count_extra(what, source)
        if source.kind is ItemKind.TASK:
            parts.append(_TASKS_COUNT.format(extra=extra))
        else:
            parts.append(f"(SELECT COUNT(*) {source.from_sql}{extra})")
    return "SELECT " + "\n + ".join(parts)


def count_items(
    con: sqlite3.Connection,
    today: date,
    what: CountWhat = "all",
    *,
    refill_window_days: int = 7,
    now: datetime | None = None,
    care_threshold: int = CARE_MINUTES_THRESHOLD,
) -> int:
    """How many items of the Today list, counted in SQL: ``all`` of them, those
    ``overdue`` (their day is before ``today``), or those whose day is ``today``.
    Refills coming due later in the window count only in ``all``."""
    params = query_params(
        today, refill_window_days=refill_window_days, now=now, care_threshold=care_threshold
    )
    row = con.execute(count_sql(what), params).fetchone()
    return int(row[0]) if row else 0
