"""One patient's chart as the Patient screen reads it: plain frozen rows, limited in SQL.

Standard library only (see "Speed by design" in DESIGN.md): SQL text with bound
parameters, in SQL that PostgreSQL accepts too. Each tab of the Patient screen
reads one bundle (``overview``, ``care_plans``, ``medications``, ``appointments``,
``tasks``, ``notes``); long histories come back limited, with their full count so
the screen can offer more. A stored date that is not a real date is read as
``None``, never raised.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from caretui import codes
from caretui.queries.minutes import month_minutes
from caretui.queries.patients import PatientDetail, patient_detail
from caretui.queries.sql import to_date, to_datetime

#: How SQLAlchemy stores ``DateTime`` on SQLite; instants are bound in the same form.
_STORED_INSTANT = "%Y-%m-%d %H:%M:%S.%f"

#: Medication statuses under which the patient still takes it.
MEDICATION_ACTIVE = (codes.MedicationStatus.ACTIVE.value, codes.MedicationStatus.ON_HOLD.value)
#: Task statuses that mean nothing more is to be done.
TASK_CLOSED = tuple(sorted(s.value for s in codes.TASK_CLOSED))
#: Note kinds that are a contact with someone (not a plain note to self).
CONTACT_KINDS = (
    codes.NoteKind.CALL.value,
    codes.NoteKind.VISIT.value,
    codes.NoteKind.MESSAGE.value,
)

#: How many rows of a history a tab shows before "more".
PAST_APPOINTMENTS = 100
PAST_MEDICATIONS = 100
DONE_TASKS = 50
NOTES_PAGE = 50
#: How many open tasks the overview lists (it counts them all).
OVERVIEW_TASKS = 5


def _instant(value: datetime) -> str:
    return value.strftime(_STORED_INSTANT)


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


# --- rows ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactRow:
    id: int
    role: str
    name: str
    relationship: str | None
    organization: str | None
    phone: str | None
    emergency: bool
    notes: str | None
    version: int


@dataclass(frozen=True, slots=True)
class ProblemRow:
    id: int
    name: str
    clinical_status: str
    onset_date: date | None
    notes: str | None
    version: int


@dataclass(frozen=True, slots=True)
class AllergyRow:
    id: int
    substance: str
    reaction: str | None
    criticality: str | None
    clinical_status: str
    version: int


@dataclass(frozen=True, slots=True)
class MedicationRow:
    id: int
    name: str
    dose: str | None
    route: str | None
    frequency: str | None
    instructions: str | None
    prescriber: str | None
    start_date: date | None
    end_date: date | None
    status: str
    stop_reason: str | None
    refill_due: date | None
    last_reconciled: date | None
    version: int

    @property
    def active(self) -> bool:
        return self.status in MEDICATION_ACTIVE


@dataclass(frozen=True, slots=True)
class CarePlanRow:
    id: int
    title: str
    description: str | None
    status: str
    period_start: date | None
    period_end: date | None
    next_review: date | None
    version: int


@dataclass(frozen=True, slots=True)
class GoalRow:
    id: int
    care_plan_id: int | None
    description: str
    lifecycle_status: str
    achievement_status: str | None
    target_date: date | None
    measure: str | None
    version: int


@dataclass(frozen=True, slots=True)
class InterventionRow:
    id: int
    care_plan_id: int
    goal_id: int | None
    description: str
    performer: str | None
    status: str
    scheduled_on: date | None
    version: int


@dataclass(frozen=True, slots=True)
class AppointmentRow:
    id: int
    #: ``None`` when the stored value is not a real date and time.
    start: datetime | None
    end: datetime | None
    with_whom: str | None
    location: str | None
    purpose: str | None
    status: str
    transport: str
    transport_details: str | None
    rrule: str | None
    outcome_note: str | None
    version: int


@dataclass(frozen=True, slots=True)
class TaskRow:
    id: int
    title: str
    description: str | None
    queue: str
    status: str
    priority: str
    due: date | None
    wait_until: date | None
    rrule: str | None
    origin: str
    completed_at: datetime | None
    version: int

    @property
    def open(self) -> bool:
        return self.status not in TASK_CLOSED


@dataclass(frozen=True, slots=True)
class NoteRow:
    id: int
    occurred_at: datetime | None
    kind: str
    with_whom: str | None
    text: str | None
    outcome: str | None
    minutes: int | None
    version: int


# --- bundles, one per tab -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overview:
    patient: PatientDetail
    contacts: tuple[ContactRow, ...]
    problems: tuple[ProblemRow, ...]
    allergies: tuple[AllergyRow, ...]
    medications: tuple[MedicationRow, ...]
    next_appointment: AppointmentRow | None
    open_tasks: tuple[TaskRow, ...]
    open_task_count: int
    last_contact: NoteRow | None
    #: Minutes logged this calendar month; None when not in a care-management program.
    month_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class CarePlans:
    plans: tuple[CarePlanRow, ...]
    goals: tuple[GoalRow, ...]
    interventions: tuple[InterventionRow, ...]


@dataclass(frozen=True, slots=True)
class Medications:
    active: tuple[MedicationRow, ...]
    past: tuple[MedicationRow, ...]
    past_total: int


@dataclass(frozen=True, slots=True)
class Appointments:
    upcoming: tuple[AppointmentRow, ...]
    past: tuple[AppointmentRow, ...]
    past_total: int


@dataclass(frozen=True, slots=True)
class Tasks:
    open: tuple[TaskRow, ...]
    done: tuple[TaskRow, ...]
    done_total: int


@dataclass(frozen=True, slots=True)
class Notes:
    notes: tuple[NoteRow, ...]
    total: int


# --- readers ----------------------------------------------------------------------------

_CONTACT = (
    "SELECT id, role, name, relationship, organization, phone, emergency, notes, version "
    "FROM contact WHERE patient_id = ?"
)
_PROBLEM = (
    "SELECT id, name, clinical_status, onset_date, notes, version FROM problem WHERE patient_id = ?"
)
_ALLERGY = (
    "SELECT id, substance, reaction, criticality, clinical_status, version "
    "FROM allergy WHERE patient_id = ?"
)
_MEDICATION = (
    "SELECT id, name, dose, route, frequency, instructions, prescriber, start_date, end_date, "
    "status, stop_reason, refill_due, last_reconciled, version FROM medication WHERE patient_id = ?"
)
_APPOINTMENT = (
    'SELECT id, start, "end", with_whom, location, purpose, status, transport, '
    "transport_details, rrule, outcome_note, version FROM appointment WHERE patient_id = ?"
)
_TASK = (
    "SELECT id, title, description, queue, status, priority, due, wait_until, rrule, origin, "
    "completed_at, version FROM task WHERE patient_id = ?"
)
_NOTE = (
    "SELECT id, occurred_at, kind, with_whom, text, outcome, minutes, version "
    "FROM note WHERE patient_id = ?"
)


def _contact(r: Sequence[Any]) -> ContactRow:
    return ContactRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8])


def _problem(r: Sequence[Any]) -> ProblemRow:
    return ProblemRow(r[0], r[1], r[2], to_date(r[3]), r[4], r[5])


def _allergy(r: Sequence[Any]) -> AllergyRow:
    return AllergyRow(r[0], r[1], r[2], r[3], r[4], r[5])


def _medication(r: Sequence[Any]) -> MedicationRow:
    return MedicationRow(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        r[6],
        to_date(r[7]),
        to_date(r[8]),
        r[9],
        r[10],
        to_date(r[11]),
        to_date(r[12]),
        r[13],
    )


def _appointment(r: Sequence[Any]) -> AppointmentRow:
    return AppointmentRow(
        r[0],
        to_datetime(r[1]),
        to_datetime(r[2]),
        r[3],
        r[4],
        r[5],
        r[6],
        r[7],
        r[8],
        r[9],
        r[10],
        r[11],
    )


def _task(r: Sequence[Any]) -> TaskRow:
    return TaskRow(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        to_date(r[6]),
        to_date(r[7]),
        r[8],
        r[9],
        to_datetime(r[10]),
        r[11],
    )


def _note(r: Sequence[Any]) -> NoteRow:
    minutes = r[6] if isinstance(r[6], int) and not isinstance(r[6], bool) else None
    return NoteRow(r[0], to_datetime(r[1]), r[2], r[3], r[4], r[5], minutes, r[7])


def _count(con: sqlite3.Connection, sql: str, params: Sequence[object]) -> int:
    return int(con.execute(f"SELECT count(*) FROM ({sql}) AS counted", params).fetchone()[0])


def contacts(con: sqlite3.Connection, patient_id: int) -> tuple[ContactRow, ...]:
    """Emergency contacts first, then by role and name."""
    rows = con.execute(
        f"{_CONTACT} ORDER BY emergency DESC, role, name, id LIMIT 200", (patient_id,)
    ).fetchall()
    return tuple(_contact(r) for r in rows)


def problems(con: sqlite3.Connection, patient_id: int) -> tuple[ProblemRow, ...]:
    """Current problems first (active, recurrence, relapse), then the rest, by name."""
    rows = con.execute(
        f"{_PROBLEM} ORDER BY CASE WHEN clinical_status IN ('active', 'recurrence', 'relapse') "
        "THEN 0 ELSE 1 END, name, id LIMIT 200",
        (patient_id,),
    ).fetchall()
    return tuple(_problem(r) for r in rows)


def allergies(con: sqlite3.Connection, patient_id: int) -> tuple[AllergyRow, ...]:
    """Active allergies first, high criticality first among them."""
    rows = con.execute(
        f"{_ALLERGY} ORDER BY CASE WHEN clinical_status = 'active' THEN 0 ELSE 1 END, "
        "CASE criticality WHEN 'high' THEN 0 WHEN 'unable-to-assess' THEN 1 ELSE 2 END, "
        "substance, id LIMIT 200",
        (patient_id,),
    ).fetchall()
    return tuple(_allergy(r) for r in rows)


def medications(
    con: sqlite3.Connection, patient_id: int, *, past_limit: int = PAST_MEDICATIONS
) -> Medications:
    """What the patient takes now (by name), and what they took, latest end first."""
    active_in = _placeholders(MEDICATION_ACTIVE)
    active = con.execute(
        f"{_MEDICATION} AND status IN ({active_in}) ORDER BY name, id LIMIT 500",
        (patient_id, *MEDICATION_ACTIVE),
    ).fetchall()
    past_sql = f"{_MEDICATION} AND status NOT IN ({active_in})"
    params = (patient_id, *MEDICATION_ACTIVE)
    past = con.execute(
        f"{past_sql} ORDER BY end_date IS NULL, end_date DESC, id DESC LIMIT ?",
        (*params, past_limit),
    ).fetchall()
    total = _count(con, past_sql, params) if len(past) >= past_limit else len(past)
    return Medications(
        tuple(_medication(r) for r in active), tuple(_medication(r) for r in past), total
    )


def care_plans(con: sqlite3.Connection, patient_id: int) -> CarePlans:
    """Every plan (open ones first), with their goals and interventions."""
    plans = con.execute(
        "SELECT id, title, description, status, period_start, period_end, next_review, version "
        "FROM care_plan WHERE patient_id = ? ORDER BY CASE WHEN status IN ('completed', "
        "'revoked') THEN 1 ELSE 0 END, period_start DESC, id DESC LIMIT 200",
        (patient_id,),
    ).fetchall()
    goals = con.execute(
        "SELECT id, care_plan_id, description, lifecycle_status, achievement_status, "
        "target_date, measure, version FROM goal WHERE patient_id = ? ORDER BY id LIMIT 1000",
        (patient_id,),
    ).fetchall()
    interventions = con.execute(
        "SELECT id, care_plan_id, goal_id, description, performer, status, scheduled_on, "
        "version FROM intervention WHERE patient_id = ? ORDER BY id LIMIT 2000",
        (patient_id,),
    ).fetchall()
    return CarePlans(
        tuple(
            CarePlanRow(r[0], r[1], r[2], r[3], to_date(r[4]), to_date(r[5]), to_date(r[6]), r[7])
            for r in plans
        ),
        tuple(GoalRow(r[0], r[1], r[2], r[3], r[4], to_date(r[5]), r[6], r[7]) for r in goals),
        tuple(
            InterventionRow(r[0], r[1], r[2], r[3], r[4], r[5], to_date(r[6]), r[7])
            for r in interventions
        ),
    )


#: How long an appointment without an end is taken to last (as Today counts it).
APPOINTMENT_LENGTH = timedelta(minutes=30)
#: Statuses of an appointment still to come or under way: no outcome recorded.
APPOINTMENT_OPEN = ("proposed", "booked", "arrived")
#: Still to come (or under way): no outcome and not yet over. An appointment is over
#: when its end has passed, or, with no end, its start plus ``APPOINTMENT_LENGTH``.
_UPCOMING = (
    f"status IN ({', '.join('?' * len(APPOINTMENT_OPEN))}) "
    'AND ("end" >= ? OR ("end" IS NULL AND start >= ?))'
)


def appointments(
    con: sqlite3.Connection,
    patient_id: int,
    today: date,
    *,
    now: datetime | None = None,
    past_limit: int = PAST_APPOINTMENTS,
) -> Appointments:
    """Upcoming: not over at ``now`` (midnight of ``today`` if not given) and with no
    outcome, soonest first. Past: the others, whatever their date (over, or fulfilled,
    no-show or cancelled), latest first and limited."""
    moment = now or datetime.combine(today, time())
    upcoming_params = (*APPOINTMENT_OPEN, _instant(moment), _instant(moment - APPOINTMENT_LENGTH))
    upcoming = con.execute(
        f"{_APPOINTMENT} AND {_UPCOMING} ORDER BY start, id LIMIT 200",
        (patient_id, *upcoming_params),
    ).fetchall()
    past_sql = f"{_APPOINTMENT} AND NOT COALESCE({_UPCOMING}, 0)"
    past_params = (patient_id, *upcoming_params)
    past = con.execute(
        f"{past_sql} ORDER BY start DESC, id DESC LIMIT ?", (*past_params, past_limit)
    ).fetchall()
    total = _count(con, past_sql, past_params) if len(past) >= past_limit else len(past)
    return Appointments(
        tuple(_appointment(r) for r in upcoming), tuple(_appointment(r) for r in past), total
    )


_TASK_ORDER = (
    "due IS NULL, due, CASE priority WHEN 'stat' THEN 0 WHEN 'asap' THEN 1 "
    "WHEN 'urgent' THEN 2 ELSE 3 END, id"
)


def tasks(con: sqlite3.Connection, patient_id: int, *, done_limit: int = DONE_TASKS) -> Tasks:
    """Open tasks by due date, then the closed ones, latest first and limited."""
    closed_in = _placeholders(TASK_CLOSED)
    open_rows = con.execute(
        f"{_TASK} AND status NOT IN ({closed_in}) ORDER BY {_TASK_ORDER} LIMIT 500",
        (patient_id, *TASK_CLOSED),
    ).fetchall()
    done_sql = f"{_TASK} AND status IN ({closed_in})"
    params = (patient_id, *TASK_CLOSED)
    done = con.execute(
        f"{done_sql} ORDER BY COALESCE(completed_at, updated_at) DESC, id DESC LIMIT ?",
        (*params, done_limit),
    ).fetchall()
    total = _count(con, done_sql, params) if len(done) >= done_limit else len(done)
    return Tasks(tuple(_task(r) for r in open_rows), tuple(_task(r) for r in done), total)


def notes(
    con: sqlite3.Connection, patient_id: int, *, limit: int = NOTES_PAGE, offset: int = 0
) -> Notes:
    """The contact log, newest first, one page of it, with the log's full length."""
    rows = con.execute(
        f"{_NOTE} ORDER BY occurred_at DESC, id DESC LIMIT ? OFFSET ?",
        (patient_id, limit, offset),
    ).fetchall()
    total = (
        _count(con, _NOTE, (patient_id,)) if len(rows) >= limit or offset else len(rows) + offset
    )
    return Notes(tuple(_note(r) for r in rows), total)


def overview(con: sqlite3.Connection, patient_id: int, today: date) -> Overview | None:
    """Everything the overview tab shows, or None if the patient does not exist."""
    patient = patient_detail(con, patient_id)
    if patient is None:
        return None
    midnight = _instant(datetime.combine(today, time()))
    booked = ("proposed", "booked", "arrived")
    next_appt = con.execute(
        f"{_APPOINTMENT} AND start >= ? AND status IN ({_placeholders(booked)}) "
        "ORDER BY start, id LIMIT 1",
        (patient_id, midnight, *booked),
    ).fetchone()
    closed_in = _placeholders(TASK_CLOSED)
    open_sql = f"{_TASK} AND status NOT IN ({closed_in})"
    open_rows = con.execute(
        f"{open_sql} ORDER BY {_TASK_ORDER} LIMIT ?",
        (patient_id, *TASK_CLOSED, OVERVIEW_TASKS),
    ).fetchall()
    open_count = (
        _count(con, open_sql, (patient_id, *TASK_CLOSED))
        if len(open_rows) >= OVERVIEW_TASKS
        else len(open_rows)
    )
    last = con.execute(
        f"{_NOTE} AND kind IN ({_placeholders(CONTACT_KINDS)}) "
        "ORDER BY occurred_at DESC, id DESC LIMIT 1",
        (patient_id, *CONTACT_KINDS),
    ).fetchone()
    active_in = _placeholders(MEDICATION_ACTIVE)
    meds = con.execute(
        f"{_MEDICATION} AND status IN ({active_in}) ORDER BY name, id LIMIT 50",
        (patient_id, *MEDICATION_ACTIVE),
    ).fetchall()
    return Overview(
        patient=patient,
        contacts=contacts(con, patient_id),
        problems=problems(con, patient_id),
        allergies=allergies(con, patient_id),
        medications=tuple(_medication(r) for r in meds),
        next_appointment=_appointment(next_appt) if next_appt else None,
        open_tasks=tuple(_task(r) for r in open_rows),
        open_task_count=open_count,
        last_contact=_note(last) if last else None,
        month_minutes=month_minutes(con, [patient_id], today).get(patient_id),
    )
