"""The unable-to-reach rule at its edges, through the contact log as a coordinator logs it."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from caretui.config import ConfigError, parse
from caretui.services import notes, outreach
from caretui.services.unit import action
from caretui.store.database import Database

from .helpers import audit, new_patient, one_row

NOW = datetime(2026, 3, 11, 17, 0)


def log(db: Database, pid: int, day: str, outcome: str | None, kind: str = "call") -> None:
    with action(db, f"Log {kind}") as s:
        notes.log_note(
            s,
            pid,
            kind=kind,
            outcome=outcome,
            text=None if kind != "note" else "A note",
            occurred_at=f"{day} 10:00",
            now=NOW,
        )


def mark(db: Database, pid: int) -> str | None:
    row = one_row(db, "SELECT unable_to_reach_since FROM patient WHERE id = ?", pid)
    assert row is not None
    value = row["unable_to_reach_since"]
    return str(value) if value is not None else None


def letters(db: Database, pid: int) -> list[tuple[str, str, str, str]]:
    con = db.read()
    try:
        return con.execute(
            "SELECT title, queue, origin, due FROM task WHERE patient_id = ? ORDER BY id", (pid,)
        ).fetchall()
    finally:
        con.close()


LETTER = (outreach.LETTER_TITLE, "calls", "outreach", "2026-03-11")


def test_two_attempts_do_not_mark(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    log(db, pid, "2026-02-01", "no-answer")
    log(db, pid, "2026-03-10", "voicemail")
    assert mark(db, pid) is None
    assert letters(db, pid) == []


def test_three_attempts_within_13_days_do_not_mark(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    for day in ("2026-02-26", "2026-03-04", "2026-03-11"):
        log(db, pid, day, "no-answer")
    assert mark(db, pid) is None
    assert letters(db, pid) == []


def test_three_attempts_over_14_days_mark_and_add_a_letter_task(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    log(db, pid, "2026-02-25", "voicemail")
    log(db, pid, "2026-03-03", "wrong-number")
    log(db, pid, "2026-03-11", "no-answer")
    assert mark(db, pid) == "2026-03-11"
    assert letters(db, pid) == [LETTER]
    # The mark, the task and the call are one action in the audit trail.
    last = audit(db, "Log call")[-3:]
    assert [(e["entity"], e["action"]) for e in last] == [
        ("note", "create"),
        ("patient", "update"),
        ("task", "create"),
    ]
    assert last[1]["changes"] == {"unable_to_reach_since": [None, "2026-03-11"]}
    # Another unsuccessful attempt adds no second letter.
    log(db, pid, "2026-03-11", "voicemail")
    assert letters(db, pid) == [LETTER]


def test_a_contact_in_between_starts_the_count_again(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    log(db, pid, "2026-02-20", "no-answer")
    log(db, pid, "2026-02-27", "voicemail")
    log(db, pid, "2026-03-02", "reached")
    log(db, pid, "2026-03-11", "no-answer")
    assert mark(db, pid) is None
    assert letters(db, pid) == []


def test_a_visit_counts_as_a_contact(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    log(db, pid, "2026-02-20", "no-answer")
    log(db, pid, "2026-02-27", None, kind="visit")
    log(db, pid, "2026-03-04", "voicemail")
    log(db, pid, "2026-03-11", "no-answer")
    assert mark(db, pid) is None


def test_a_successful_contact_clears_the_mark(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    for day in ("2026-02-20", "2026-03-01", "2026-03-06"):
        log(db, pid, day, "no-answer")
    assert mark(db, pid) == "2026-03-06"
    # A note or a call with no outcome changes nothing.
    log(db, pid, "2026-03-09", None, kind="note")
    log(db, pid, "2026-03-09", None)
    assert mark(db, pid) == "2026-03-06"
    log(db, pid, "2026-03-10", "reached", kind="message")
    assert mark(db, pid) is None
    [cleared] = [e for e in audit(db, "Log message") if e["entity"] == "patient"]
    assert cleared["changes"] == {"unable_to_reach_since": ["2026-03-06", None]}
    assert letters(db, pid) == [(outreach.LETTER_TITLE, "calls", "outreach", "2026-03-11")]


def test_a_contact_logged_late_for_an_earlier_day_does_not_clear(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    for day in ("2026-02-20", "2026-03-01", "2026-03-06"):
        log(db, pid, day, "voicemail")
    log(db, pid, "2026-02-10", "reached")  # before the attempts: the rule still holds
    assert mark(db, pid) == "2026-03-06"


def test_the_rule_comes_from_the_config(db: Database, today: date) -> None:
    settings = parse({"unable_to_reach_attempts": 2, "unable_to_reach_days": 7})
    assert (settings.unable_to_reach_attempts, settings.unable_to_reach_days) == (2, 7)
    pid = new_patient(db, today)
    rule = outreach.Rule(settings.unable_to_reach_attempts, settings.unable_to_reach_days)
    with action(db, "Log call") as s:
        notes.log_note(
            s, pid, kind="call", outcome="no-answer", occurred_at="2026-03-01 09:00", now=NOW
        )
        note = notes.log_note(
            s, pid, kind="call", outcome="no-answer", occurred_at="2026-03-08 09:00", now=NOW
        )
        # The default rule (3 over 14 days) is not met; the configured one is.
        assert outreach.rule_met(s, pid, outreach.Rule()) is None
        assert outreach.rule_met(s, pid, rule) == date(2026, 3, 8)
        change = outreach.after_contact(s, note, today=today, rule=rule, queues=("letters",))
    assert change is not None and change.marked == date(2026, 3, 8)
    assert letters(db, pid) == [(outreach.LETTER_TITLE, "letters", "outreach", "2026-03-11")]


@pytest.mark.parametrize(
    "key", ["unable_to_reach_attempts", "unable_to_reach_days", "resource_stale_days"]
)
@pytest.mark.parametrize("value", [0, -1, "3", True])
def test_bad_rule_settings(key: str, value: object) -> None:
    with pytest.raises(ConfigError) as info:
        parse({key: value})
    assert str(info.value) == f"config: {key} must be a whole number from 1 to 10000"


def test_the_form_can_say_what_the_rule_did(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    for day in ("2026-02-20", "2026-03-01"):
        log(db, pid, day, "no-answer")
    with action(db, "Log call") as s:
        notes.log_note(s, pid, kind="call", outcome="voicemail", now=NOW)
        change = outreach.change_of(s)
    assert change is not None and change.marked == date(2026, 3, 11)
    assert change.message.startswith("the patient is now marked unable to reach")
    with action(db, "Log call") as s:
        notes.log_note(s, pid, kind="call", outcome="reached", now=NOW)
        change = outreach.change_of(s)
    assert change is not None and change.cleared
    with action(db, "Log call") as s:
        notes.log_note(s, pid, kind="call", outcome="reached", now=NOW)
        assert outreach.change_of(s) is None
