"""What the day sheet reads: one day's schedule, the work due, and a brief of each
patient seen that day.

Standard library only (``caretui export day-sheet`` must not pay for SQLAlchemy).
Every query filters by date in SQL on an index (``ix_appointment_start``,
``ix_task_status_due``, ``ix_medication_status_refill``,
``ix_care_plan_status_review``, the ``patient_id`` indexes), orders and limits
there too, and is written in SQL that PostgreSQL also accepts. Rows come back as
frozen dataclasses holding the text exactly as stored; ``services.day_sheet``
turns them into the sheet. A stored date that is not a real date reads as
``None``; it never breaks the sheet.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

from caretui import codes
from caretui.queries.common import parse_day, parse_instant, snapshot, stored_instant

T = TypeVar("T")

# --------------------------------------------------------------------------- rows


@dataclass(frozen=True, slots=True)
class PatientRef:
    """Who a line is about, with the one way to reach them."""

    id: int
    given_name: str
    family_name: str
    preferred_name: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class VisitRow:
    """One appointment of the day (never a cancelled one)."""

    id: int
    start: datetime | None
    end: datetime | None
    with_whom: str | None
    location: str | None
    purpose: str | None
    status: str
    transport: str
    transport_details: str | None
    patient: PatientRef


@dataclass(frozen=True, slots=True)
class DueTaskRow:
    """An open task due on or before the day (not snoozed past it)."""

    id: int
    title: str
    queue: str
    priority: str
    status: str
    due: date | None
    #: None for a task about no patient.
    patient: PatientRef | None
    #: Tasks of this queue on the sheet's terms, including those past the limit.
    in_queue: int


@dataclass(frozen=True, slots=True)
class RefillRow:
    id: int
    name: str
    dose: str | None
    refill_due: date | None
    last_reconciled: date | None
    patient: PatientRef
    #: The patient's pharmacy (first contact of role pharmacy), if one is known.
    pharmacy: str | None
    pharmacy_phone: str | None


@dataclass(frozen=True, slots=True)
class ReviewRow:
    id: int
    title: str
    next_review: date | None
    patient: PatientRef


@dataclass(frozen=True, slots=True)
class BriefPatient:
    id: int
    given_name: str
    family_name: str
    preferred_name: str | None
    birth_date: date | None
    phone: str | None
    address: str | None
    language: str | None
    interpreter_needed: bool
    risk: str


@dataclass(frozen=True, slots=True)
class AllergyRow:
    patient_id: int
    substance: str
    reaction: str | None
    criticality: str | None


@dataclass(frozen=True, slots=True)
class MedicationRow:
    patient_id: int
    name: str
    dose: str | None
    route: str | None
    frequency: str | None


@dataclass(frozen=True, slots=True)
class ContactRow:
    patient_id: int
    name: str
    role: str
    relationship: str | None
    organization: str | None
    phone: str | None
    emergency: bool


@dataclass(frozen=True, slots=True)
class GoalRow:
    patient_id: int
    description: str
    target_date: date | None
    achievement_status: str | None


@dataclass(frozen=True, slots=True)
class Limited(Generic[T]):
    """The first rows of a list, and how many there are in all."""

    rows: tuple[T, ...]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.rows), 0)


# ---------------------------------------------------------------------- SQL text


def _in(name: str, values: Iterable[str]) -> tuple[str, dict[str, str]]:
    """Named placeholders for ``IN (...)`` and their bound values."""
    bound = {f"{name}_{i}": str(v) for i, v in enumerate(values)}
    return ", ".join(f":{k}" for k in bound), bound


_OPEN_TASK_IN, _OPEN_TASK = _in(
    "task_open", (s.value for s in codes.TaskStatus if s not in codes.TASK_CLOSED)
)
_OPEN_GOAL_IN, _OPEN_GOAL = _in(
    "goal_open",
    (
        s.value
        for s in codes.GoalLifecycleStatus
        if s
        not in (
            codes.GoalLifecycleStatus.COMPLETED,
            codes.GoalLifecycleStatus.CANCELLED,
            codes.GoalLifecycleStatus.REJECTED,
            codes.GoalLifecycleStatus.ENTERED_IN_ERROR,
        )
    ),
)
_DONE_GOAL_IN, _DONE_GOAL = _in(
    "goal_done",
    (codes.GoalAchievementStatus.ACHIEVED.value, codes.GoalAchievementStatus.SUSTAINING.value),
)
_KEY_ROLE_IN, _KEY_ROLE = _in(
    "key_role", (codes.ContactRole.CAREGIVER.value, codes.ContactRole.PCP.value)
)

#: Code values bound into the queries (statuses are parameters, never literals).
_CODES: dict[str, str] = {
    **_OPEN_TASK,
    **_OPEN_GOAL,
    **_DONE_GOAL,
    **_KEY_ROLE,
    "cancelled": codes.AppointmentStatus.CANCELLED.value,
    "discharged": codes.PatientStatus.DISCHARGED.value,
    "med_active": codes.MedicationStatus.ACTIVE.value,
    "plan_active": codes.CarePlanStatus.ACTIVE.value,
    "allergy_active": codes.AllergyClinicalStatus.ACTIVE.value,
    "pharmacy": codes.ContactRole.PHARMACY.value,
    "stat": codes.Priority.STAT.value,
    "asap": codes.Priority.ASAP.value,
    "urgent": codes.Priority.URGENT.value,
    "high": codes.AllergyCriticality.HIGH.value,
    "unable": codes.AllergyCriticality.UNABLE_TO_ASSESS.value,
}

_PATIENT = "p.id, p.given_name, p.family_name, p.preferred_name, p.phone"

#: The day's appointments in time order, cancelled ones left out, as are those of
#: discharged patients (as on Today). Uses ix_appointment_start.
SCHEDULE_FROM = """
FROM appointment AS a
JOIN patient AS p ON p.id = a.patient_id
WHERE a."start" >= :day_start AND a."start" < :day_end
  AND a.status <> :cancelled
  AND p.status <> :discharged
"""
SCHEDULE_SQL = f"""
SELECT a.id, a."start", a."end", a.with_whom, a.location, a.purpose, a.status,
       a.transport, a.transport_details, {_PATIENT}
{SCHEDULE_FROM}
ORDER BY a."start", a.id
LIMIT :limit
"""

#: Open tasks due on or before the day and not snoozed past it: Today's rule. A task
#: about no patient is kept, one about a discharged patient is not (a set read once
#: from ix_patient_status); a task waiting on an open task is not on it yet, as on
#: Today. Uses ix_task_status_due.
TASKS_WHERE = f"""
FROM task AS t
WHERE t.status IN ({_OPEN_TASK_IN})
  AND t.due <= :day
  AND (t.wait_until IS NULL OR t.wait_until <= :day)
  AND (t.patient_id IS NULL
       OR t.patient_id NOT IN (SELECT d.id FROM patient AS d WHERE d.status = :discharged))
  AND NOT EXISTS (
    SELECT 1 FROM task_dependency AS w
    JOIN task AS b ON b.id = w.blocked_by_id
    WHERE w.task_id = t.id AND b.status IN ({_OPEN_TASK_IN})
  )
"""
_PRIORITY_RANK = (
    "CASE t.priority WHEN :stat THEN 0 WHEN :asap THEN 1 WHEN :urgent THEN 2 ELSE 3 END"
)
#: How many tasks each queue has on the sheet's day, queues in name order.
QUEUE_COUNTS_SQL = f"SELECT t.queue, COUNT(*) {TASKS_WHERE} GROUP BY t.queue ORDER BY t.queue"
#: The first ``:per_queue`` tasks of the queue ``:queue``, most pressing first
#: (priority, then the oldest due date), picked from the covering index (a bounded
#: sort, not a window over every open task); titles and patients joined to those only.
TASKS_SQL = f"""
SELECT x.id, x.title, x.queue, x.priority, x.status, x.due, p.id, p.given_name,
       p.family_name, p.preferred_name, p.phone
FROM (
  SELECT t.id
  {TASKS_WHERE}
    AND t.queue IS :queue
  ORDER BY {_PRIORITY_RANK}, t.due, t.id
  LIMIT :per_queue
) AS r
JOIN task AS x ON x.id = r.id
LEFT JOIN patient AS p ON p.id = x.patient_id
ORDER BY {_PRIORITY_RANK.replace("t.priority", "x.priority")}, x.due, x.id
"""

#: Active medications whose refill falls due by the end of the window, soonest first,
#: with the patient's pharmacy. Uses ix_medication_status_refill, ix_contact_patient_id.
REFILLS_FROM = """
FROM medication AS m
JOIN patient AS p ON p.id = m.patient_id
WHERE m.status = :med_active
  AND m.refill_due <= :refill_until
  AND p.status <> :discharged
"""
REFILLS_SQL = f"""
SELECT m.id, m.name, m.dose, m.refill_due, m.last_reconciled, {_PATIENT},
       (SELECT COALESCE(c.organization, c.name) FROM contact AS c
         WHERE c.patient_id = p.id AND c.role = :pharmacy ORDER BY c.id LIMIT 1),
       (SELECT c.phone FROM contact AS c
         WHERE c.patient_id = p.id AND c.role = :pharmacy ORDER BY c.id LIMIT 1)
{REFILLS_FROM}
ORDER BY m.refill_due, p.family_name, p.given_name, m.id
LIMIT :limit
"""

#: Active care plans whose review is due on or before the day. Uses ix_care_plan_status_review.
REVIEWS_FROM = """
FROM care_plan AS c
JOIN patient AS p ON p.id = c.patient_id
WHERE c.status = :plan_active
  AND c.next_review <= :day
  AND p.status <> :discharged
"""
REVIEWS_SQL = f"""
SELECT c.id, c.title, c.next_review, {_PATIENT}
{REVIEWS_FROM}
ORDER BY c.next_review, p.family_name, p.given_name, c.id
LIMIT :limit
"""

#: SQLite's default limit on bound variables is far above this; PostgreSQL has none.
_CHUNK = 500


def _ids_in(ids: Sequence[int]) -> tuple[str, dict[str, int]]:
    bound = {f"pid_{i}": pid for i, pid in enumerate(ids)}
    return ", ".join(f":{k}" for k in bound), bound


def brief_patients_sql(placeholders: str) -> str:
    return f"""
SELECT id, given_name, family_name, preferred_name, birth_date, phone, address,
       language, interpreter_needed, risk
FROM patient
WHERE id IN ({placeholders})
"""


def allergies_sql(placeholders: str) -> str:
    """Active allergies, the dangerous first. Uses ix_allergy_patient_id."""
    return f"""
SELECT a.patient_id, a.substance, a.reaction, a.criticality
FROM allergy AS a
WHERE a.patient_id IN ({placeholders})
  AND a.clinical_status = :allergy_active
ORDER BY a.patient_id,
         CASE a.criticality WHEN :high THEN 0 WHEN :unable THEN 1 ELSE 2 END,
         a.substance, a.id
"""


def medications_sql(placeholders: str) -> str:
    """Active medications (stopped, completed, on hold and mistaken ones left out).
    Uses ix_medication_patient_id: ``status || ''`` keeps the planner off the status
    index, which would read every active medication of the caseload."""
    return f"""
SELECT m.patient_id, m.name, m.dose, m.route, m.frequency
FROM medication AS m
WHERE m.patient_id IN ({placeholders})
  AND m.status || '' = :med_active
ORDER BY m.patient_id, m.name, m.id
"""


def contacts_sql(placeholders: str) -> str:
    """Key contacts: emergency contacts, caregivers and the PCP, emergency first.
    Uses ix_contact_patient_id."""
    return f"""
SELECT c.patient_id, c.name, c.role, c.relationship, c.organization, c.phone, c.emergency
FROM contact AS c
WHERE c.patient_id IN ({placeholders})
  AND (c.emergency = 1 OR c.role IN ({_KEY_ROLE_IN}))
ORDER BY c.patient_id, c.emergency DESC, c.role, c.id
"""


def goals_sql(placeholders: str) -> str:
    """Open goals not achieved, the nearest target first. Uses ix_goal_patient_id."""
    return f"""
SELECT g.patient_id, g.description, g.target_date, g.achievement_status
FROM goal AS g
WHERE g.patient_id IN ({placeholders})
  AND g.lifecycle_status IN ({_OPEN_GOAL_IN})
  AND (g.achievement_status IS NULL OR g.achievement_status NOT IN ({_DONE_GOAL_IN}))
ORDER BY g.patient_id, g.target_date IS NULL, g.target_date, g.id
"""


def day_params(day: date, *, refill_window_days: int = 7) -> dict[str, Any]:
    """The parameters every query above binds for ``day``."""
    start = datetime.combine(day, time.min)
    return {
        **_CODES,
        "day": day.isoformat(),
        "day_start": stored_instant(start),
        "day_end": stored_instant(start + timedelta(days=1)),
        "refill_until": (day + timedelta(days=max(refill_window_days, 0))).isoformat(),
    }


# ------------------------------------------------------------------------ reading


def _patient(r: Sequence[Any], at: int) -> PatientRef:
    return PatientRef(r[at], r[at + 1] or "", r[at + 2] or "", r[at + 3], r[at + 4])


def _count(con: sqlite3.Connection, from_sql: str, params: dict[str, Any]) -> int:
    return int(con.execute(f"SELECT COUNT(*) {from_sql}", params).fetchone()[0])


def schedule(con: sqlite3.Connection, day: date, *, limit: int = 200) -> Limited[VisitRow]:
    """The day's appointments in time order (no cancelled ones), at most ``limit``."""
    params = {**day_params(day), "limit": limit}
    rows = tuple(
        VisitRow(
            r[0],
            parse_instant(r[1]),
            parse_instant(r[2]),
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            _patient(r, 9),
        )
        for r in con.execute(SCHEDULE_SQL, params)
    )
    total = len(rows) if len(rows) < limit else _count(con, SCHEDULE_FROM, params)
    return Limited(rows, total)


def due_tasks(con: sqlite3.Connection, day: date, *, per_queue: int = 15) -> list[DueTaskRow]:
    """Open tasks due on or before ``day``: the first ``per_queue`` of each queue, most
    pressing first, each with its queue's full count; queues in name order.

    One count per queue, then one bounded read per queue (a coordinator has a handful):
    at 5,000 patients and 50,000 open tasks, ~70 ms instead of ~190 ms for one window
    query that numbered every open task."""
    params = {**day_params(day), "per_queue": per_queue}
    out: list[DueTaskRow] = []
    with snapshot(con):  # the counts and the rows from one state of the database
        _due_tasks(con, params, out)
    return out


def _due_tasks(con: sqlite3.Connection, params: dict[str, Any], out: list[DueTaskRow]) -> None:
    for queue, in_queue in con.execute(QUEUE_COUNTS_SQL, params).fetchall():
        out.extend(
            DueTaskRow(
                r[0],
                r[1] or "",
                r[2] or "",
                r[3],
                r[4],
                parse_day(r[5]),
                _patient(r, 6) if r[6] is not None else None,
                int(in_queue),
            )
            for r in con.execute(TASKS_SQL, {**params, "queue": queue})
        )


def refills_due(
    con: sqlite3.Connection, day: date, *, window_days: int = 7, limit: int = 25
) -> Limited[RefillRow]:
    """Active medications whose refill is due within ``window_days`` of ``day``, soonest first."""
    params = {**day_params(day, refill_window_days=window_days), "limit": limit}
    rows = tuple(
        RefillRow(
            r[0],
            r[1] or "",
            r[2],
            parse_day(r[3]),
            parse_day(r[4]),
            _patient(r, 5),
            r[10],
            r[11],
        )
        for r in con.execute(REFILLS_SQL, params)
    )
    total = len(rows) if len(rows) < limit else _count(con, REFILLS_FROM, params)
    return Limited(rows, total)


def reviews_due(con: sqlite3.Connection, day: date, *, limit: int = 25) -> Limited[ReviewRow]:
    """Active care plans whose review is due on or before ``day``, the oldest first."""
    params = {**day_params(day), "limit": limit}
    rows = tuple(
        ReviewRow(r[0], r[1] or "", parse_day(r[2]), _patient(r, 3))
        for r in con.execute(REVIEWS_SQL, params)
    )
    total = len(rows) if len(rows) < limit else _count(con, REVIEWS_FROM, params)
    return Limited(rows, total)


@dataclass(frozen=True, slots=True)
class BriefRows:
    """What the briefs of the patients seen that day are made of, by patient id."""

    patients: dict[int, BriefPatient]
    allergies: dict[int, tuple[AllergyRow, ...]]
    medications: dict[int, tuple[MedicationRow, ...]]
    contacts: dict[int, tuple[ContactRow, ...]]
    goals: dict[int, tuple[GoalRow, ...]]


def _grouped(rows: Iterable[T], patient_of: Any) -> dict[int, tuple[T, ...]]:
    out: dict[int, list[T]] = {}
    for row in rows:
        out.setdefault(patient_of(row), []).append(row)
    return {pid: tuple(items) for pid, items in out.items()}


def brief_rows(con: sqlite3.Connection, patient_ids: Sequence[int]) -> BriefRows:
    """Everything the briefs show for ``patient_ids``: a few queries per 500 patients."""
    patients: dict[int, BriefPatient] = {}
    allergies: list[AllergyRow] = []
    medications: list[MedicationRow] = []
    contacts: list[ContactRow] = []
    goals: list[GoalRow] = []
    unique = list(dict.fromkeys(patient_ids))
    for start in range(0, len(unique), _CHUNK):
        placeholders, ids = _ids_in(unique[start : start + _CHUNK])
        params = {**_CODES, **ids}
        for r in con.execute(brief_patients_sql(placeholders), params):
            patients[r[0]] = BriefPatient(
                r[0],
                r[1] or "",
                r[2] or "",
                r[3],
                parse_day(r[4]),
                r[5],
                r[6],
                r[7],
                bool(r[8]),
                r[9],
            )
        allergies.extend(
            AllergyRow(r[0], r[1] or "", r[2], r[3])
            for r in con.execute(allergies_sql(placeholders), params)
        )
        medications.extend(
            MedicationRow(r[0], r[1] or "", r[2], r[3], r[4])
            for r in con.execute(medications_sql(placeholders), params)
        )
        contacts.extend(
            ContactRow(r[0], r[1] or "", r[2], r[3], r[4], r[5], bool(r[6]))
            for r in con.execute(contacts_sql(placeholders), params)
        )
        goals.extend(
            GoalRow(r[0], r[1] or "", parse_day(r[2]), r[3])
            for r in con.execute(goals_sql(placeholders), params)
        )
    return BriefRows(
        patients,
        _grouped(allergies, lambda r: r.patient_id),
        _grouped(medications, lambda r: r.patient_id),
        _grouped(contacts, lambda r: r.patient_id),
        _grouped(goals, lambda r: r.patient_id),
    )
