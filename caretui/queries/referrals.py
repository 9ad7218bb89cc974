"""Referrals as the Referrals screen and the patient's Referrals tab read them.

Standard library only (see "Speed by design" in DESIGN.md): SQL text with bound
parameters, filtered, ordered and paged in SQL, rows out as frozen dataclasses.
A referral is *opened* on its first step's day (for one that has no steps, an
import from elsewhere, the day it was sent or made); lists run oldest first.
A stored date that is not a real date is read as ``None`` and the row flagged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from caretui import codes
from caretui.queries.common import patient_display
from caretui.queries.sql import to_date, to_datetime

OPEN_STATUSES: tuple[str, ...] = tuple(
    s.value for s in codes.ReferralStatus if s not in codes.REFERRAL_CLOSED
)
CLOSED_STATUSES: tuple[str, ...] = tuple(
    s.value for s in codes.ReferralStatus if s in codes.REFERRAL_CLOSED
)
_DISCHARGED = codes.PatientStatus.DISCHARGED.value


@dataclass(frozen=True, slots=True)
class ReferralFilter:
    """Which referrals a list shows. Empty tuples mean any."""

    statuses: tuple[str, ...] = OPEN_STATUSES
    urgencies: tuple[str, ...] = ()
    resource_id: int | None = None
    patient_id: int | None = None
    #: Leave out discharged patients' referrals (the caseload lists do).
    active_patients: bool = True


@dataclass(frozen=True, slots=True)
class ReferralRow:
    """One referral with its patient, its receiver and its latest step."""

    id: int
    version: int
    patient_id: int
    given_name: str
    family_name: str
    preferred_name: str | None
    resource_id: int | None
    contact_id: int | None
    #: The directory resource's or the contact's name ("" if neither).
    receiver: str
    reason: str
    urgency: str
    status: str
    opened_on: date | None
    sent_on: date | None
    response_due: date | None
    appointment_id: int | None
    appointment_start: datetime | None
    outcome_code: str | None
    outcome: str | None
    closed_on: date | None
    last_step_on: date | None
    last_step_note: str | None
    #: A stored date was not a real date (it reads as None).
    bad_date: bool = False

    @property
    def patient(self) -> str:
        return patient_display(self.given_name, self.family_name, self.preferred_name)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, today: date) -> bool:
        """Sent and not answered by the day an answer was expected."""
        return (
            self.status == codes.ReferralStatus.SENT.value
            and self.response_due is not None
            and self.response_due < today
        )

    def age_days(self, today: date) -> int | None:
        """Days since it was opened."""
        return (today - self.opened_on).days if self.opened_on is not None else None


@dataclass(frozen=True, slots=True)
class StepRow:
    id: int
    status: str
    taken_on: date | None
    note: str | None


# A referral's first and latest step: small correlated lookups on ix_referral_step_referral.
_OPENED = (
    "COALESCE((SELECT MIN(s.taken_on) FROM referral_step AS s WHERE s.referral_id = r.id), "
    "r.sent_on, r.created_at)"
)
_LATEST = (
    "(SELECT s.{col} FROM referral_step AS s WHERE s.referral_id = r.id "
    "ORDER BY s.taken_on DESC, s.id DESC LIMIT 1)"
)
_SELECT = f"""
SELECT r.id, r.version, r.patient_id, p.given_name, p.family_name, p.preferred_name,
       r.resource_id, r.contact_id, COALESCE(res.name, c.name, ''), r.reason, r.urgency,
       r.status, {_OPENED} AS opened, r.sent_on, r.response_due, r.appointment_id,
       a."start", r.outcome_code, r.outcome, r.closed_on,
       {_LATEST.format(col="taken_on")}, {_LATEST.format(col="note")}
FROM referral AS r
JOIN patient AS p ON p.id = r.patient_id
LEFT JOIN resource AS res ON res.id = r.resource_id
LEFT JOIN contact AS c ON c.id = r.contact_id
LEFT JOIN appointment AS a ON a.id = r.appointment_id
"""


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def _where(flt: ReferralFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if flt.statuses:
        clauses.append(f"r.status IN ({_placeholders(flt.statuses)})")
        params.extend(flt.statuses)
    if flt.urgencies:
        clauses.append(f"r.urgency IN ({_placeholders(flt.urgencies)})")
        params.extend(flt.urgencies)
    if flt.resource_id is not None:
        clauses.append("r.resource_id = ?")
        params.append(flt.resource_id)
    if flt.patient_id is not None:
        clauses.append("r.patient_id = ?")
        params.append(flt.patient_id)
    if flt.active_patients:
        clauses.append("p.status <> ?")
        params.append(_DISCHARGED)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _row(r: Sequence[Any]) -> ReferralRow:
    dates = [to_date(r[i]) for i in (12, 13, 14, 19, 20)]
    start = to_datetime(r[16]) if r[16] is not None else None
    bad = any(
        d is None and r[i] is not None for d, i in zip(dates, (12, 13, 14, 19, 20), strict=True)
    )
    bad = bad or (start is None and r[16] is not None)
    return ReferralRow(
        id=r[0],
        version=r[1],
        patient_id=r[2],
        given_name=r[3] or "",
        family_name=r[4] or "",
        preferred_name=r[5],
        resource_id=r[6],
        contact_id=r[7],
        receiver=r[8] or "",
        reason=r[9] or "",
        urgency=r[10] or "",
        status=r[11] or "",
        opened_on=dates[0],
        sent_on=dates[1],
        response_due=dates[2],
        appointment_id=r[15],
        appointment_start=start,
        outcome_code=r[17],
        outcome=r[18],
        closed_on=dates[3],
        last_step_on=dates[4],
        last_step_note=r[21],
        bad_date=bad,
    )


def list_referrals(
    con: sqlite3.Connection, flt: ReferralFilter, *, limit: int = 100, offset: int = 0
) -> list[ReferralRow]:
    """Referrals matching ``flt``, oldest first (by the day each was opened)."""
    where, params = _where(flt)
    rows = con.execute(
        f"{_SELECT}{where} ORDER BY opened, r.id LIMIT ? OFFSET ?",
        [*params, max(limit, 0), max(offset, 0)],
    ).fetchall()
    return [_row(r) for r in rows]


def count_referrals(con: sqlite3.Connection, flt: ReferralFilter) -> int:
    where, params = _where(flt)
    sql = f"SELECT count(*) FROM referral AS r JOIN patient AS p ON p.id = r.patient_id{where}"
    return int(con.execute(sql, params).fetchone()[0])


def patient_referrals(
    con: sqlite3.Connection, patient_id: int, *, limit: int = 200
) -> list[ReferralRow]:
    """Every referral of one patient: the open ones oldest first, then the closed ones,
    most recently closed first."""
    closed = _placeholders(CLOSED_STATUSES)
    rows = con.execute(
        f"{_SELECT} WHERE r.patient_id = ? "
        f"ORDER BY CASE WHEN r.status IN ({closed}) THEN 1 ELSE 0 END, "
        f"CASE WHEN r.status IN ({closed}) THEN NULL ELSE opened END, "
        "r.closed_on DESC, r.id DESC LIMIT ?",
        [patient_id, *CLOSED_STATUSES, *CLOSED_STATUSES, max(limit, 0)],
    ).fetchall()
    return [_row(r) for r in rows]


def referral_detail(con: sqlite3.Connection, referral_id: int) -> ReferralRow | None:
    row = con.execute(f"{_SELECT} WHERE r.id = ?", (referral_id,)).fetchone()
    return _row(row) if row is not None else None


def referral_steps(con: sqlite3.Connection, referral_id: int, *, limit: int = 50) -> list[StepRow]:
    """A referral's steps in the order they were taken."""
    rows = con.execute(
        "SELECT id, status, taken_on, note FROM referral_step WHERE referral_id = ? "
        "ORDER BY taken_on, id LIMIT ?",
        (referral_id, max(limit, 0)),
    ).fetchall()
    return [StepRow(r[0], r[1], to_date(r[2]), r[3]) for r in rows]


@dataclass(frozen=True, slots=True)
class AppointmentChoice:
    """One of a patient's appointments, to link a scheduled referral to."""

    id: int
    start: datetime | None
    with_whom: str | None
    purpose: str | None
    status: str


def appointment_choices(
    con: sqlite3.Connection, patient_id: int, *, since: date, limit: int = 50
) -> list[AppointmentChoice]:
    """The patient's appointments from ``since`` on, soonest first."""
    rows = con.execute(
        'SELECT id, "start", with_whom, purpose, status FROM appointment '
        'WHERE patient_id = ? AND "start" >= ? ORDER BY "start", id LIMIT ?',
        (patient_id, since.isoformat(), max(limit, 0)),
    ).fetchall()
    return [AppointmentChoice(r[0], to_datetime(r[1]), r[2], r[3], r[4]) for r in rows]


# -- the referrals to chase (the day sheet) ----------------------------------------------

#: A draft waiting more than this many days is to be chased (as on Today).
DRAFT_WAIT_DAYS = 2


@dataclass(frozen=True, slots=True)
class ChaseRow:
    """A referral to chase: sent and not answered in time, a draft left unsent, or
    scheduled with its appointment past and no outcome recorded."""

    id: int
    patient_id: int
    given_name: str
    family_name: str
    preferred_name: str | None
    reason: str
    urgency: str
    status: str
    #: The receiver: a directory resource (an organisation) or a contact (a person).
    receiver: str
    receiver_is_contact: bool
    receiver_phone: str | None
    response_due: date | None
    appointment_start: datetime | None
    opened_on: date | None

    @property
    def patient(self) -> str:
        return patient_display(self.given_name, self.family_name, self.preferred_name)


_URGENCY_RANK = (
    "CASE r.urgency WHEN 'stat' THEN 0 WHEN 'asap' THEN 1 WHEN 'urgent' THEN 2 ELSE 3 END"
)
_CHASE_FROM = f"""
FROM referral AS r
JOIN patient AS p ON p.id = r.patient_id
LEFT JOIN resource AS res ON res.id = r.resource_id
LEFT JOIN contact AS c ON c.id = r.contact_id
LEFT JOIN appointment AS a ON a.id = r.appointment_id
WHERE r.status IN (:sent, :draft, :scheduled)
  AND p.status <> :discharged
  AND ((r.status = :sent AND r.response_due < :day)
       OR (r.status = :draft AND {_OPENED} < :draft_before)
       OR (r.status = :scheduled AND a."start" < :day_start))
"""


def to_chase(con: sqlite3.Connection, day: date, *, limit: int = 25) -> tuple[list[ChaseRow], int]:
    """The referrals to chase on ``day``, most urgent first, then longest waiting; and
    how many there are in all."""
    from datetime import timedelta

    params = {
        "sent": codes.ReferralStatus.SENT.value,
        "draft": codes.ReferralStatus.DRAFT.value,
        "scheduled": codes.ReferralStatus.SCHEDULED.value,
        "discharged": _DISCHARGED,
        "day": day.isoformat(),
        "day_start": f"{day.isoformat()} 00:00:00.000000",
        "draft_before": (day - timedelta(days=DRAFT_WAIT_DAYS)).isoformat(),
        "limit": max(limit, 0),
    }
    rows = con.execute(
        "SELECT r.id, p.id, p.given_name, p.family_name, p.preferred_name, r.reason, "
        "r.urgency, r.status, COALESCE(res.name, c.name, ''), c.id IS NOT NULL, "
        f'COALESCE(res.phone, c.phone), r.response_due, a."start", {_OPENED} AS opened '
        f"{_CHASE_FROM} ORDER BY {_URGENCY_RANK}, opened, r.id LIMIT :limit",
        params,
    ).fetchall()
    total = con.execute(f"SELECT count(*) {_CHASE_FROM}", params).fetchone()[0]
    out = [
        ChaseRow(
            r[0],
            r[1],
            r[2] or "",
            r[3] or "",
            r[4],
            r[5] or "",
            r[6] or "",
            r[7] or "",
            r[8] or "",
            bool(r[9]),
            r[10],
            to_date(r[11]),
            to_datetime(r[12]) if r[12] is not None else None,
            to_date(r[13]),
        )
        for r in rows
    ]
    return out, int(total)


@dataclass(frozen=True, slots=True)
class ContactChoice:
    id: int
    name: str
    role: str
    organization: str | None


def contact_choices(
    con: sqlite3.Connection, patient_id: int, *, limit: int = 100
) -> list[ContactChoice]:
    """The patient's contacts a referral may go to (a specialist, a PCP …), by name."""
    rows = con.execute(
        "SELECT id, name, role, organization FROM contact WHERE patient_id = ? "
        "ORDER BY lower(name), id LIMIT ?",
        (patient_id, max(limit, 0)),
    ).fetchall()
    return [ContactChoice(r[0], r[1] or "", r[2] or "", r[3]) for r in rows]
