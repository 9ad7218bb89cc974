"""The patient's outreach on the read side: the last attempts, the days since last reached,
the unable-to-reach mark; and the overview panel that shows them."""

from __future__ import annotations

from datetime import date, datetime

from caretui.queries.outreach import outreach
from caretui.screens.patient_outreach import outreach_panel
from caretui.services import notes, patients
from caretui.services.unit import action
from caretui.store.database import Database

TODAY = date(2026, 3, 11)
NOW = datetime(2026, 3, 11, 17, 0)


def test_attempts_last_reached_and_the_mark(db: Database) -> None:
    with action(db, "Build") as s:
        pid = patients.create_patient(s, {"given_name": "A", "family_name": "B"}, today=TODAY).id
        for when, kind, outcome, whom in (
            ("2026-02-10 09:00", "visit", None, None),
            ("2026-02-20 09:00", "call", "no-answer", "[bold]Daughter[/]"),
            ("2026-03-01 09:00", "message", "voicemail", None),
            ("2026-03-06 09:00", "call", "wrong-number", None),
            ("2026-03-07 09:00", "note", None, None),
        ):
            notes.log_note(
                s,
                pid,
                kind=kind,
                outcome=outcome,
                with_whom=whom,
                occurred_at=when,
                text="x",
                now=NOW,
            )
    con = db.read()
    try:
        found = outreach(con, pid, limit=5)
    finally:
        con.close()
    assert [(a.kind, a.outcome) for a in found.attempts] == [
        ("call", "wrong-number"),
        ("message", "voicemail"),
        ("call", "no-answer"),
    ]
    assert found.last_reached == date(2026, 2, 10)
    assert found.days_since_reached(TODAY) == 29
    assert found.unable_to_reach_since == date(2026, 3, 6)
    panel = outreach_panel(found, TODAY).plain.splitlines()
    assert panel == [
        "Unable to reach since 2026-03-06 (a letter task is in calls)",
        "Last reached 29 days ago (2026-02-10)",
        "Fri 2026-03-06  call  wrong number",
        "Sun 2026-03-01  message  left voicemail",
        "Fri 2026-02-20  call  no answer  with [bold]Daughter[/]",
    ]


def test_never_reached(db: Database) -> None:
    with action(db, "Build") as s:
        pid = patients.create_patient(s, {"given_name": "A", "family_name": "B"}, today=TODAY).id
    con = db.read()
    try:
        found = outreach(con, pid)
    finally:
        con.close()
    assert outreach_panel(found, TODAY).plain.splitlines() == [
        "Never reached (no answered call or message, no visit)",
        "No calls or messages logged",
    ]
