"""Care-management minutes this calendar month, for the patients a screen shows.

Standard library only. The same count as the monthly report's ``MINUTES_SQL``
(every note's minutes whose ``occurred_at`` falls in the month, local dates),
read in one query for a page of patients (never one per row): each patient is
found by its key and its notes through ``ix_note_patient_when``. Patients not
in a care-management program get ``None``: their minutes count for no threshold.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date

#: Ids bound per query (SQLite allows many more; this keeps statements small).
CHUNK = 500


def month_bounds(day: date) -> tuple[str, str]:
    """The first day of ``day``'s month and of the next, as bound text."""
    start = day.replace(day=1)
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start.isoformat(), end.isoformat()


def month_minutes_sql(count: int) -> str:
    """The query for ``count`` patient ids (``:id_0`` …)."""
    ids = ", ".join(f":id_{i}" for i in range(count))
    return f"""
SELECT p.id, p.care_management, COALESCE(SUM(n.minutes), 0)
FROM patient AS p
LEFT JOIN note AS n
  ON n.patient_id = p.id AND n.occurred_at >= :start AND n.occurred_at < :end
WHERE p.id IN ({ids})
GROUP BY p.id, p.care_management
"""


def month_minutes(
    con: sqlite3.Connection, patient_ids: Iterable[int], day: date
) -> dict[int, int | None]:
    """Minutes logged in ``day``'s calendar month for each of ``patient_ids`` in a
    care-management program; ``None`` for the others (a missing id is left out)."""
    ids = list(dict.fromkeys(patient_ids))
    start, end = month_bounds(day)
    out: dict[int, int | None] = {}
    for first in range(0, len(ids), CHUNK):
        chunk = ids[first : first + CHUNK]
        params: dict[str, object] = {f"id_{i}": pid for i, pid in enumerate(chunk)}
        params.update(start=start, end=end)
        for pid, enrolled, minutes in con.execute(month_minutes_sql(len(chunk)), params):
            out[int(pid)] = int(minutes or 0) if enrolled else None
    return out
