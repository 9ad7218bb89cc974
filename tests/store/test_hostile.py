"""Hostile input, table-driven: each gives a clear error or is stored exactly as typed,
and nothing else changes. (Forms, the CLI and imports have their own cases beside them.)"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from caretui import config
from caretui.errors import CaretuiError, DomainError
from caretui.models.all import Appointment, Medication, Note, Task
from caretui.services import patients, records
from caretui.services.unit import action
from caretui.store import plain
from caretui.store.database import Database

TODAY = date(2026, 3, 11)
TABLES = ("patient", "task", "note", "medication", "appointment", "audit_event")


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}
    finally:
        con.close()


@dataclass(frozen=True)
class Case:
    name: str
    model: str  # "patient", "task", "note", "medication", "appointment"
    fields: dict[str, Any]
    error: str | None = None  # the message expected, or None: stored exactly as given
    check: str | None = None  # field whose stored value must equal the input


BIG_NOTE = "x" * 1_000_000
CASES = [
    Case(
        "impossible date",
        "patient",
        {"birth_date": "1950-02-30"},
        "Date of birth 1950-02-30 is not a real date",
    ),
    Case(
        "future birth date",
        "patient",
        {"birth_date": "2031-01-01"},
        "Date of birth 2031-01-01 is in the future",
    ),
    Case(
        "date not a date",
        "patient",
        {"birth_date": "yesterday-ish"},
        "Date of birth 'yesterday-ish' is not a date (use YYYY-MM-DD)",
    ),
    Case(
        "implausible year", "task", {"due": "0001-01-01"}, "Due 0001-01-01 is not a plausible date"
    ),
    Case(
        "end before start",
        "medication",
        {"start_date": "2026-03-01", "end_date": "2026-02-01"},
        "End 2026-02-01 is before start 2026-03-01",
    ),
    Case(
        "appointment ends before it starts",
        "appointment",
        {"start": "2026-03-12T10:00", "end": "2026-03-12T09:30"},
        "End 2026-03-12 09:30 is before start 2026-03-12 10:00",
    ),
    Case("empty name", "patient", {"family_name": "   "}, "Family name is required"),
    Case(
        "10,000-character name",
        "patient",
        {"family_name": "N" * 10_000},
        "Family name is longer than 100 characters",
    ),
    Case(
        "NUL byte",
        "patient",
        {"family_name": "Nul\x00l"},
        "Family name contains a control character",
    ),
    Case(
        "ANSI escape", "task", {"title": "\x1b[2J\x1b[31mred"}, "Title contains a control character"
    ),
    Case(
        "OSC 52 clipboard write",
        "note",
        {"text": "\x1b]52;c;aGk=\x07"},
        "Note contains a control character",
    ),
    Case("C1 control", "task", {"title": "a\x9bb"}, "Title contains a control character"),
    Case("DEL", "patient", {"given_name": "De\x7fl"}, "Given name contains a control character"),
    Case("1 MB note", "note", {"text": BIG_NOTE}, "Note is longer than 20,000 characters"),
    Case("negative minutes", "note", {"minutes": -5}, "Minutes cannot be less than 0"),
    Case("minutes past a day", "note", {"minutes": 2000}, "Minutes cannot be more than 1440"),
    Case(
        "invalid RRULE",
        "task",
        {"rrule": "FREQ=SOMETIMES"},
        "Repeats: 'FREQ=SOMETIMES' is not a valid recurrence rule",
    ),
    Case(
        "not a recurrence", "task", {"rrule": "whenever"}, "Repeats: 'whenever' is not a recurrence"
    ),
    Case(
        "unknown code",
        "patient",
        {"risk": "extreme"},
        "Risk level 'extreme' is not one of: high, medium, low",
    ),
    Case("unknown task status", "task", {"status": "done"}, "Status 'done' is not one of"),
    Case("unknown queue", "task", {"queue": "gossip"}, "Queue 'gossip' is not one of"),
    Case(
        "bad phone",
        "patient",
        {"phone": "call me maybe"},
        "Phone has characters a phone number does not",
    ),
    Case(
        "Rich markup name", "patient", {"family_name": "[bold red]Robert[/]"}, check="family_name"
    ),
    Case("click markup", "patient", {"given_name": "[@click=app.quit]Mary[/]"}, check="given_name"),
    Case("broken markup", "task", {"title": "note: [/"}, check="title"),
    Case(
        "SQL-looking text",
        "patient",
        {"family_name": "Robert'); DROP TABLE patient;--"},
        check="family_name",
    ),
    Case("right-to-left text", "patient", {"family_name": "محمد \u202eevil"}, check="family_name"),
    Case(
        "combining characters",
        "patient",
        {"given_name": "Zoe\u0308 Z\u0336a\u0336"},
        check="given_name",
    ),
    Case("emoji", "task", {"title": "Call re 💊 refill 👩‍⚕️"}, check="title"),
    Case("non-Latin scripts", "patient", {"family_name": "李华 Σοφία Иван"}, check="family_name"),
    Case("multi-line note kept", "note", {"text": "line one\nline\ttwo"}, check="text"),
]

BASE: dict[str, dict[str, Any]] = {
    "patient": {"given_name": "Test", "family_name": "Case"},
    "task": {"title": "A task", "queue": "calls"},
    "note": {"occurred_at": "2026-03-10T10:00", "kind": "call"},
    "medication": {"name": "Metformin"},
    "appointment": {"start": "2026-03-12T10:00"},
}
MODELS = {"task": Task, "note": Note, "medication": Medication, "appointment": Appointment}


def write(db: Database, patient_id: int, case: Case) -> Any:
    fields = {**BASE[case.model], **case.fields}
    with action(db, "Hostile input") as s:
        if case.model == "patient":
            obj = patients.create_patient(s, fields, today=TODAY)
        else:
            fields["patient_id"] = patient_id
            obj = records.create(
                s, MODELS[case.model], fields, today=TODAY, queues=config.DEFAULT_QUEUES
            )
        return getattr(obj, case.check) if case.check else None


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input(db: Database, case: Case) -> None:
    with action(db, "Add patient") as s:
        pid = patients.create_patient(s, BASE["patient"], today=TODAY).id
    before = snapshot(db.path)
    if case.error is not None:
        with pytest.raises(DomainError) as info:
            write(db, pid, case)
        assert info.value.message.startswith(case.error)
        assert "\x1b" not in info.value.message and "\x00" not in info.value.message
        assert snapshot(db.path) == before
    else:
        write(db, pid, case)
        assert case.check is not None
        table = {"patient": "patient"}.get(case.model, case.model)
        con = sqlite3.connect(db.path)
        try:
            stored = con.execute(
                f"SELECT {case.check} FROM {table} ORDER BY id DESC LIMIT 1"
            ).fetchone()[0]
        finally:
            con.close()
        assert stored == case.fields[case.check]


def _with_pragma(monkeypatch: pytest.MonkeyPatch, pragma: str) -> None:
    original: Callable[[sqlite3.Connection], None] = plain.configure

    def configure(con: sqlite3.Connection) -> None:
        original(con)
        con.execute(pragma)

    monkeypatch.setattr(plain, "configure", configure)


def test_full_disk_is_one_clear_message_and_nothing_half_written(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database.open(db_path)
    with action(db, "Add patient") as s:
        pid = patients.create_patient(s, BASE["patient"], today=TODAY).id
    db.dispose()
    before = snapshot(db_path)
    pages = sqlite3.connect(db_path).execute("PRAGMA page_count").fetchone()[0]
    _with_pragma(monkeypatch, f"PRAGMA max_page_count = {pages + 2}")  # a disk with no room
    full = Database(db_path)
    with (
        pytest.raises(CaretuiError, match="is full: nothing was saved"),
        action(full, "Log note") as s,
    ):
        for _ in range(20):
            records.create(
                s, Note, {**BASE["note"], "patient_id": pid, "text": "y" * 19_000}, today=TODAY
            )
    full.dispose()
    monkeypatch.undo()
    assert snapshot(db_path) == before


def test_read_only_database_is_one_clear_message(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Database.open(db_path).dispose()
    # Tests may run as root, which file modes do not stop; SQLite's own read-only
    # switch gives the same error a read-only file does.
    _with_pragma(monkeypatch, "PRAGMA query_only = ON")
    ro = Database(db_path)
    with (
        pytest.raises(CaretuiError, match="is read-only: caretui cannot save changes"),
        action(ro, "Add patient") as s,
    ):
        patients.create_patient(s, BASE["patient"], today=TODAY)
    ro.dispose()
