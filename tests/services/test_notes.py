"""The contact log: calls, visits, messages and notes, with minutes never guessed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from caretui.models.all import Note
from caretui.services import notes
from caretui.services.unit import action
from caretui.store.database import Database

from .helpers import ANSI, audit, new_patient, one_row, refused

NOW = datetime(2026, 3, 11, 16, 30)


def test_log_note_is_audited(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Log call") as s:
        note_id = notes.log_note(
            s,
            pid,
            kind="call",
            text="Confirmed Friday's visit",
            with_whom="Daughter",
            outcome="reached",
            minutes="12",
            now=NOW,
        ).id
    [created] = audit(db, "Log call")
    assert (created["entity"], created["record_id"], created["patient_id"]) == (
        "note",
        note_id,
        pid,
    )
    changes = created["changes"]
    assert changes["occurred_at"] == [None, "2026-03-11T16:30:00"]  # now, by default
    assert changes["kind"] == [None, "call"]
    assert changes["outcome"] == [None, "reached"]
    assert changes["minutes"] == [None, 12]


def test_empty_minutes_stay_empty(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Log visit") as s:
        note_id = notes.log_note(
            s, pid, kind="visit", minutes="", occurred_at="2026-03-10 09:15", now=NOW
        ).id
    row = one_row(db, "SELECT minutes, occurred_at, outcome FROM note WHERE id = ?", note_id)
    assert row == {"minutes": None, "occurred_at": "2026-03-10 09:15:00.000000", "outcome": None}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "call", "minutes": -5}, "Minutes cannot be less than 0"),
        ({"kind": "call", "minutes": "-1"}, "Minutes cannot be less than 0"),
        ({"kind": "call", "minutes": 1441}, "Minutes cannot be more than 1440"),
        ({"kind": "call", "minutes": "ten"}, "Minutes must be a whole number"),
        ({"kind": "call", "minutes": 2.5}, "Minutes must be a whole number"),
        (
            {"kind": "visit", "outcome": "reached"},
            "An outcome is recorded only for a call or a message, not a visit",
        ),
        (
            {"kind": "note", "text": "x", "outcome": "voicemail"},
            "An outcome is recorded only for a call or a message, not a note",
        ),
        (
            {"kind": "call", "outcome": "busy"},
            "Outcome 'busy' is not one of: reached, voicemail, no-answer, wrong-number, declined",
        ),
        ({"kind": "fax"}, "Kind 'fax' is not one of: call, visit, message, note"),
        ({"kind": "note"}, "A note needs its text"),
        ({"kind": "note", "text": "   "}, "A note needs its text"),
        ({"kind": "call", "with_whom": f"{ANSI}Red"}, "With contains a control character"),
        ({"kind": "call", "text": "ok \x1b]52;c;aGk=\x07"}, "Note contains a control character"),
        ({"kind": "call", "text": "x" * 20_001}, "Note is longer than 20,000 characters"),
        (
            {"kind": "call", "occurred_at": "2026-02-30 10:00"},
            "When 2026-02-30 10:00 is not a real date and time",
        ),
        (
            {"kind": "call", "occurred_at": "2026-03-12 09:00"},
            "When 2026-03-12 09:00 is in the future",
        ),
        (
            {"kind": "call", "occurred_at": "2026-03-11 17:00"},
            "When 2026-03-11 17:00 is in the future",
        ),
    ],
)
def test_bad_note_is_refused(
    db: Database, today: date, fields: dict[str, Any], message: str
) -> None:
    pid = new_patient(db, today)
    with refused(db, message), action(db, "Log note") as s:
        notes.log_note(s, pid, now=NOW, **fields)


def test_multiline_note_text_is_kept(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Log note") as s:
        note = notes.log_note(s, pid, kind="note", text="Line one\n\tLine two", now=NOW)
        assert note.text == "Line one\n\tLine two"


def test_update_note_keeps_the_rules(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Log call") as s:
        note_id = notes.log_note(s, pid, kind="call", outcome="voicemail", now=NOW).id
    with action(db, "Edit note") as s:
        notes.update_note(s, s.get_one(Note, note_id), {"minutes": 5}, now=NOW)
    assert audit(db, "Edit note")[0]["changes"] == {"minutes": [None, 5]}
    message = "An outcome is recorded only for a call or a message, not a visit"
    with refused(db, message), action(db, "Edit note") as s:
        notes.update_note(s, s.get_one(Note, note_id), {"kind": "visit"}, now=NOW)
    other = new_patient(db, today, family="Otherfamily")
    with refused(db, "A note cannot be moved to another patient"), action(db, "Edit note") as s:
        notes.update_note(s, s.get_one(Note, note_id), {"patient_id": other}, now=NOW)
