"""The audit trail as ``caretui audit`` and the undo key read it."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from caretui.queries.sql import to_datetime


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: datetime | None  # UTC
    action_id: str
    action_label: str
    action: str
    entity: str
    record_id: int
    patient_id: int | None
    changes: dict[str, list[Any]]
    reverts: str | None


def audit_events(
    con: sqlite3.Connection,
    *,
    patient_id: int | None = None,
    since: date | None = None,
    limit: int = 200,
) -> list[AuditRow]:
    """The newest ``limit`` events (matching the filters), oldest first."""
    clauses: list[str] = []
    params: list[object] = []
    if patient_id is not None:
        clauses.append("patient_id = ?")
        params.append(patient_id)
    if since is not None:
        clauses.append("at >= ?")
        params.append(since.isoformat())
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = con.execute(
        "SELECT id, at, action_id, action_label, action, entity, record_id, patient_id, "
        f"changes, reverts FROM audit_event{where} ORDER BY id DESC LIMIT ?",
        [*params, limit],
    ).fetchall()
    out = []
    for r in reversed(rows):
        try:
            changes = json.loads(r[8])
        except (TypeError, ValueError):
            changes = {}
        out.append(
            AuditRow(
                r[0],
                to_datetime(r[1]),
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                changes if isinstance(changes, dict) else {},
                r[9],
            )
        )
    return out
