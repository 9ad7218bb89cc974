"""Helpers for the service tests: a patient to work on, the audit trail as plain
dicts, and proof that a refused write wrote nothing at all."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest

from caretui.errors import DomainError
from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database

#: A string a terminal would obey: "switch to red".
ANSI = "\x1b[31m"
#: One character over the 200 of most name and title fields (and far over the 100 of names).
TOO_LONG = "x" * 201


def row_counts(db: Database) -> dict[str, int]:
    """Rows in every table of the database, the audit trail included."""
    con = db.read()
    try:
        tables = [
            str(name)
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: int(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}
    finally:
        con.close()


@contextmanager
def refused(db: Database, message: str) -> Iterator[None]:
    """The block must raise ``DomainError`` with exactly ``message`` and write nothing."""
    before = row_counts(db)
    with pytest.raises(DomainError) as info:
        yield
    assert str(info.value) == message
    assert row_counts(db) == before


def new_patient(db: Database, today: date, *, family: str = "Testfamily") -> int:
    """A synthetic patient's id."""
    with action(db, "Add patient") as s:
        return patients.create_patient(
            s, {"given_name": "Sam", "family_name": family, "birth_date": "1950-01-02"}, today=today
        ).id


def audit(db: Database, label: str | None = None) -> list[dict[str, Any]]:
    """The audit trail, oldest first (only the events of actions labelled ``label``)."""
    con = db.read()
    con.row_factory = sqlite3.Row
    try:
        rows = con.execute("SELECT * FROM audit_event ORDER BY id").fetchall()
    finally:
        con.close()
    out = []
    for row in rows:
        if label is not None and row["action_label"] != label:
            continue
        event = dict(row)
        event["changes"] = json.loads(row["changes"])
        out.append(event)
    return out


def one_row(db: Database, sql: str, *params: Any) -> dict[str, Any] | None:
    con = db.read()
    con.row_factory = sqlite3.Row
    try:
        row = con.execute(sql, params).fetchone()
    finally:
        con.close()
    return dict(row) if row is not None else None
