"""A patient's outreach: the last attempts with their outcomes, and the days since
the patient was last reached (an answered call or message, or a visit).

Standard library only; both read on ``ix_note_patient_when``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from caretui import codes
from caretui.queries.sql import to_date, to_datetime

#: Outcomes that mean the patient was reached (the services' rule says the same).
REACHED = (codes.OutreachOutcome.REACHED.value, codes.OutreachOutcome.DECLINED.value)
_OUTREACH_KINDS = (codes.NoteKind.CALL.value, codes.NoteKind.MESSAGE.value)


@dataclass(frozen=True, slots=True)
class Attempt:
    note_id: int
    at: datetime | None
    kind: str
    outcome: str | None
    with_whom: str | None


@dataclass(frozen=True, slots=True)
class Outreach:
    """What the patient overview shows about reaching the patient."""

    attempts: tuple[Attempt, ...]
    last_reached: date | None
    unable_to_reach_since: date | None

    def days_since_reached(self, today: date) -> int | None:
        return (today - self.last_reached).days if self.last_reached is not None else None


def outreach(con: sqlite3.Connection, patient_id: int, *, limit: int = 5) -> Outreach:
    """The patient's last ``limit`` calls and messages, newest first, and when they
    were last reached."""
    rows = con.execute(
        "SELECT id, occurred_at, kind, outcome, with_whom FROM note "
        "WHERE patient_id = ? AND kind IN (?, ?) ORDER BY occurred_at DESC, id DESC LIMIT ?",
        (patient_id, *_OUTREACH_KINDS, max(limit, 0)),
    ).fetchall()
    attempts = tuple(Attempt(r[0], to_datetime(r[1]), r[2], r[3], r[4]) for r in rows)
    last = con.execute(
        "SELECT MAX(occurred_at) FROM note WHERE patient_id = ? "
        "AND (kind = ? OR outcome IN (?, ?))",
        (patient_id, codes.NoteKind.VISIT.value, *REACHED),
    ).fetchone()
    mark = con.execute(
        "SELECT unable_to_reach_since FROM patient WHERE id = ?", (patient_id,)
    ).fetchone()
    reached = to_datetime(last[0]) if last and last[0] is not None else None
    return Outreach(
        attempts,
        reached.date() if reached is not None else None,
        to_date(mark[0]) if mark else None,
    )
