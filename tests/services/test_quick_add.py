"""The quick-add grammar, line by line, with "today" frozen and a fixed caseload of names."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from caretui.config import DEFAULT_QUEUES
from caretui.queries.patient_match import PatientCandidate, patient_candidates
from caretui.queries.patients import PaletteEntry, match_text
from caretui.services.quick_add import QuickAdd, choose, parse, parts

WED = date(2026, 3, 11)  # a Wednesday
NEW_YEARS_EVE = date(2026, 12, 31)  # a Thursday
FEB_27 = date(2026, 2, 27)  # a Friday; 2026 is not a leap year


def _entry(pid: int, given: str, family: str, mrn: str, status: str = "active") -> PaletteEntry:
    preferred = "Ana" if pid == 1 else None
    return PaletteEntry(
        pid, given, family, preferred, mrn, status, match_text(given, family, preferred)
    )


CASELOAD = [
    _entry(1, "Ana María", "Núñez", "MRN123"),
    _entry(2, "Luis", "García", "MRN200"),
    _entry(3, "Rosa", "García", "MRN201"),
    _entry(4, "Zoë", "O'Brien", "MRN300"),
    _entry(5, "Olivia", "Nunez", "MRN400", status="discharged"),
    _entry(6, "华", "李", "MRN500"),
]


def read(line: str, today: date = WED) -> QuickAdd:
    return parse(
        line,
        today=today,
        queues=DEFAULT_QUEUES,
        resolve=lambda term: patient_candidates(CASELOAD, term),
    )


def summary(draft: QuickAdd) -> dict[str, Any]:
    """The draft's parts in a form a table row can spell out."""
    patient: Any = None
    if draft.patient is not None:
        if draft.patient.chosen is not None:
            patient = draft.patient.chosen.id
        elif draft.patient.candidates:
            patient = ("which", tuple(sorted(c.id for c in draft.patient.candidates)))
        else:
            patient = "nobody"
    return {
        "kind": draft.kind,
        "title": draft.title,
        "patient": patient,
        "due": draft.due,
        "at": draft.at,
        "minutes": draft.minutes,
        "priority": draft.priority.value if draft.priority else None,
        "queue": draft.queue,
        "rrule": draft.rrule,
        "notes": len(draft.notes),
    }


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


# (today, line, the parts that differ from an empty task's)
CASES: list[tuple[date, str, dict[str, Any]]] = [
    # the issue's example, exactly
    (
        WED,
        "Call pharmacy re warfarin refill @nunez fri !! #calls",
        {
            "title": "Call pharmacy re warfarin refill",
            "patient": 1,
            "due": d(3, 13),
            "priority": "asap",
            "queue": "calls",
        },
    ),
    # a line that is all title
    (
        WED,
        "just a title with nothing else in it",
        {"title": "just a title with nothing else in it"},
    ),
    (WED, "Order 2 boxes of gloves", {"title": "Order 2 boxes of gloves"}),
    (WED, "Email bob@example.com about forms", {"title": "Email bob@example.com about forms"}),
    # only a trailing date phrase is a date
    (WED, "monday meeting notes", {"title": "monday meeting notes"}),
    (WED, "Prepare for monday", {"title": "Prepare for", "due": d(3, 16)}),
    (WED, "Prepare for monday.", {"title": "Prepare for monday."}),
    (WED, "due:fri Prepare for monday", {"title": "Prepare for monday", "due": d(3, 13)}),
    (WED, "Call Tom", {"title": "Call Tom"}),
    # a past phrase at the end belongs to the title: a new task is not due in the past
    (WED, "Discuss the fall last week", {"title": "Discuss the fall last week"}),
    (WED, "Call back re visit 3 days ago", {"title": "Call back re visit 3 days ago"}),
    (WED, "Check labs from yesterday", {"title": "Check labs from yesterday"}),
    (WED, "Note the -2d drop", {"title": "Note the -2d drop"}),
    (WED, "Send letter due:last fri", {"title": "Send letter", "due": d(3, 6)}),
    (WED, "Call pharmacy now", {"title": "Call pharmacy now"}),
    (WED, "Ask what we", {"title": "Ask what we"}),
    (WED, "Follow up in 3 days", {"title": "Follow up", "due": d(3, 14)}),
    (WED, "Call back +3d", {"title": "Call back", "due": d(3, 14)}),
    (WED, "Call back next week", {"title": "Call back", "due": d(3, 16)}),
    (WED, "Call back dec 1", {"title": "Call back", "due": d(12, 1)}),
    (WED, "Refill order #5 fri", {"title": "Refill order #5", "due": d(3, 13)}),
    # due: forms
    (WED, "Labs due:tom", {"title": "Labs", "due": d(3, 12)}),
    (WED, "Send letter due:12/01", {"title": "Send letter", "due": d(12, 1)}),
    (WED, "Send letter due:next week", {"title": "Send letter", "due": d(3, 16)}),
    (WED, "Send letter due: fri", {"title": "Send letter", "due": d(3, 13)}),
    (WED, 'Send letter due:"dec 1"', {"title": "Send letter", "due": d(12, 1)}),
    (WED, "Send letter due:2026-04-30", {"title": "Send letter", "due": d(4, 30)}),
    (WED, "Send letter due:someday", {"title": "Send letter due:someday", "notes": 1}),
    (
        WED,
        "Send letter due:fri due:mon",
        {"title": "Send letter due:mon", "due": d(3, 13), "notes": 1},
    ),
    # the patient, with accents, quotes, identifiers
    (WED, 'Fax forms @"Ana Núñez"', {"title": "Fax forms", "patient": 1}),
    (WED, "Fax forms @'ana maria nunez'", {"title": "Fax forms", "patient": 1}),
    (WED, "Fax forms @ana_nunez", {"title": "Fax forms", "patient": 1}),
    (WED, "Fax forms @NÚÑEZ", {"title": "Fax forms", "patient": 1}),
    (WED, "Fax forms @MRN123", {"title": "Fax forms", "patient": 1}),
    (WED, "Fax forms @mrn123", {"title": "Fax forms", "patient": 1}),
    (WED, "Fax forms @MRN400", {"title": "Fax forms", "patient": 5}),
    (WED, "Fax forms @garcia", {"title": "Fax forms", "patient": ("which", (2, 3))}),
    (WED, "Fax forms @GARCÍA", {"title": "Fax forms", "patient": ("which", (2, 3))}),
    (WED, "Fax forms @rosa_garcia", {"title": "Fax forms", "patient": 3}),
    (WED, "Fax forms @zzqqxx", {"title": "Fax forms", "patient": "nobody"}),
    (WED, "Call @o'brien", {"title": "Call", "patient": 4}),
    (WED, "Call @zoe", {"title": "Call", "patient": 4}),
    (WED, "Call @李", {"title": "Call", "patient": 6}),
    # family name first, no space, as the name is written
    (WED, "Call @李华", {"title": "Call", "patient": 6}),
    (WED, "Call @华李", {"title": "Call", "patient": ("which", (6,))}),  # reversed: asked
    (WED, "Call @nunez @garcia", {"title": "Call @garcia", "patient": 1, "notes": 1}),
    (WED, "note: [/ @nunez", {"title": "note: [/", "patient": 1}),
    # every priority form
    (WED, "Check BP !", {"title": "Check BP", "priority": "urgent"}),
    (WED, "Check BP !!", {"title": "Check BP", "priority": "asap"}),
    (WED, "Check BP !!!", {"title": "Check BP", "priority": "stat"}),
    (WED, "Check BP pri:urgent", {"title": "Check BP", "priority": "urgent"}),
    (WED, "Check BP pri:STAT", {"title": "Check BP", "priority": "stat"}),
    (WED, "Check BP priority:routine", {"title": "Check BP", "priority": "routine"}),
    (WED, "Check BP pri:whenever", {"title": "Check BP pri:whenever", "notes": 1}),
    (WED, "Check BP ! !!", {"title": "Check BP !!", "priority": "urgent", "notes": 1}),
    (WED, "Call now!", {"title": "Call now!"}),
    # queues: known, by its first letters, unknown (stays in the title, with a note)
    (WED, "Ring insurer #insurance", {"title": "Ring insurer", "queue": "insurance"}),
    (WED, "Ring insurer #INS", {"title": "Ring insurer", "queue": "insurance"}),
    (WED, "Ring insurer #xyz", {"title": "Ring insurer #xyz", "notes": 1}),
    (WED, "Ring insurer #f", {"title": "Ring insurer", "queue": "follow-up"}),
    # repeats
    (WED, "Weigh in every 2 weeks", {"title": "Weigh in", "rrule": "FREQ=WEEKLY;INTERVAL=2"}),
    (WED, "Weigh in weekly", {"title": "Weigh in", "rrule": "FREQ=WEEKLY"}),
    (WED, "Weigh in every mon", {"title": "Weigh in", "rrule": "FREQ=WEEKLY;BYDAY=MO"}),
    (
        WED,
        "Weigh in @nunez every 2 weeks fri",
        {"title": "Weigh in", "patient": 1, "rrule": "FREQ=WEEKLY;INTERVAL=2", "due": d(3, 13)},
    ),
    # a time (and a length) makes an appointment
    (
        WED,
        "Visit @nunez fri 14:30 30m",
        {
            "kind": "appointment",
            "title": "Visit",
            "patient": 1,
            "due": d(3, 13),
            "at": time(14, 30),
            "minutes": 30,
        },
    ),
    (
        WED,
        "Visit @nunez tomorrow 2pm 1h30",
        {
            "kind": "appointment",
            "title": "Visit",
            "patient": 1,
            "due": d(3, 12),
            "at": time(14),
            "minutes": 90,
        },
    ),
    (
        WED,
        "Visit @nunez fri 2:30 pm",
        {
            "kind": "appointment",
            "title": "Visit",
            "patient": 1,
            "due": d(3, 13),
            "at": time(14, 30),
        },
    ),
    (
        WED,
        "Visit @nunez 9am",
        {"kind": "appointment", "title": "Visit", "patient": 1, "at": time(9)},
    ),
    (
        WED,
        "Visit @nunez due:fri 10:00",
        {"kind": "appointment", "title": "Visit", "patient": 1, "due": d(3, 13), "at": time(10)},
    ),
    (WED, "walk 30m", {"title": "walk 30m", "notes": 1}),
    (WED, "Room 14:30 booked", {"title": "Room 14:30 booked"}),
    # the year's end (Thursday 31 December)
    (NEW_YEARS_EVE, "Renew plan tomorrow", {"title": "Renew plan", "due": d(1, 1, 2027)}),
    (NEW_YEARS_EVE, "Renew plan fri", {"title": "Renew plan", "due": d(1, 1, 2027)}),
    (NEW_YEARS_EVE, "Renew plan next week", {"title": "Renew plan", "due": d(1, 4, 2027)}),
    (NEW_YEARS_EVE, "Renew plan 1/2", {"title": "Renew plan", "due": d(1, 2, 2027)}),
    (NEW_YEARS_EVE, "Renew plan 12/31", {"title": "Renew plan", "due": d(12, 31)}),
    (NEW_YEARS_EVE, "Renew plan +1m", {"title": "Renew plan", "due": d(1, 31, 2027)}),
    (NEW_YEARS_EVE, "Renew plan due:eom", {"title": "Renew plan", "due": d(12, 31)}),
    (
        NEW_YEARS_EVE,
        "Visit @nunez +1d 08:00",
        {
            "kind": "appointment",
            "title": "Visit",
            "patient": 1,
            "due": d(1, 1, 2027),
            "at": time(8),
        },
    ),
    # the month's end (Friday 27 February, not a leap year)
    (FEB_27, "Refill check +2d", {"title": "Refill check", "due": d(3, 1)}),
    (FEB_27, "Refill check next month", {"title": "Refill check", "due": d(3, 1)}),
    (FEB_27, "Refill check eom", {"title": "Refill check", "due": d(2, 28)}),
    (FEB_27, "Refill check 2/29", {"title": "Refill check", "due": d(2, 29, 2028)}),
    (FEB_27, "Refill check mon", {"title": "Refill check", "due": d(3, 2)}),
    (FEB_27, "Refill check +1m", {"title": "Refill check", "due": d(3, 27)}),
    (FEB_27, "Refill check fri", {"title": "Refill check", "due": d(3, 6)}),
]

EMPTY_TASK: dict[str, Any] = {
    "kind": "task",
    "patient": None,
    "due": None,
    "at": None,
    "minutes": None,
    "priority": None,
    "queue": None,
    "rrule": None,
    "notes": 0,
}


@pytest.mark.parametrize(("today", "line", "expected"), CASES, ids=[c[1] for c in CASES])
def test_grammar(today: date, line: str, expected: dict[str, Any]) -> None:
    assert summary(read(line, today)) == {**EMPTY_TASK, **expected}


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(("_today", "line", "_expected"), CASES, ids=[c[1] for c in CASES])
def test_nothing_typed_is_dropped(_today: date, line: str, _expected: dict[str, Any]) -> None:
    """Every word of the title is a word of the line, in the line's order."""
    words = read(line).title.split()
    remaining = iter(line.split())
    assert all(any(w == typed for typed in remaining) for w in words)


def test_the_example_reads_as_the_issue_says() -> None:
    draft = read("Call pharmacy re warfarin refill @nunez fri !! #calls")
    assert draft.patient is not None and draft.patient.chosen is not None
    assert draft.patient.chosen.name() == "Núñez, Ana María (Ana)"
    assert draft.problems == ()
    assert parts(draft) == [
        ("add", "task"),
        ("title", "Call pharmacy re warfarin refill"),
        ("patient", "Núñez, Ana María (Ana)  MRN123"),
        ("due", "Fri 2026-03-13 (in 2 days)"),
        ("priority", "asap"),
        ("queue", "calls"),
    ]


def test_what_stops_a_save() -> None:
    assert read("").problems == ("Nothing to add: give the task a title",)
    assert read("Fax @garcia").problems == ("@garcia could be more than one patient: which?",)
    assert read("Fax @zzqqxx").problems == ("No patient matches @zzqqxx",)
    assert read("Dentist fri 14:30").problems == ("An appointment needs a patient: add @name",)
    assert read("Visit @nunez fri 14:30 #calls !").problems == (
        "An appointment has no queue or priority: remove them, or the time to add a task",
    )
    assert read("@nunez fri 14:30").problems == ()  # an appointment's purpose may be empty


def test_a_choice_settles_an_ambiguous_patient() -> None:
    draft = read("Fax forms @garcia !")
    assert draft.patient is not None and draft.patient.state == "ambiguous"
    rosa = next(c for c in draft.patient.candidates if c.id == 3)
    settled = draft.with_patient(rosa)
    assert settled.patient_id == 3 and settled.problems == ()
    assert (settled.title, settled.priority) == ("Fax forms", draft.priority)


def test_an_appointment_is_shown_with_its_time_and_length() -> None:
    draft = read("Visit @nunez fri 14:30 45m every 2 weeks")
    assert draft.start is not None and draft.end is not None
    assert (draft.end - draft.start).seconds == 45 * 60
    assert dict(parts(draft))["when"] == "Fri 2026-03-13 (in 2 days) at 14:30, 45 minutes"
    assert dict(parts(draft))["repeats"] == "every 2 weeks"
    assert dict(parts(read("Visit @nunez fri 14:30")))["when"].endswith("30 minutes")


def test_redacted_parts_show_initials() -> None:
    shown = dict(parts(read("Call @nunez"), redact=True))
    assert shown["patient"] == "A.N."


def _candidate(pid: int, score: float, exact: bool = False) -> PatientCandidate:
    return PatientCandidate(pid, "G", "F", None, None, score, exact)


def test_choose_takes_only_a_clear_winner() -> None:
    assert choose([]) is None
    assert choose([_candidate(1, 0.9)]) == _candidate(1, 0.9)
    assert choose([_candidate(1, 0.7)]) is None  # too faint to take without asking
    assert choose([_candidate(1, 0.9), _candidate(2, 0.85)]) is None  # too close
    assert choose([_candidate(1, 0.95), _candidate(2, 0.8)]) == _candidate(1, 0.95)
    assert choose([_candidate(1, 1.0, True), _candidate(2, 0.95)]) == _candidate(1, 1.0, True)
    two_exact = [_candidate(1, 1.0, True), _candidate(2, 1.0, True)]
    assert choose(two_exact) is None


def test_parsing_reads_no_clock_and_needs_no_lookup() -> None:
    """Without a resolver the patient is simply not found: the parser is pure."""
    draft = parse("Call @nunez fri", today=WED, queues=DEFAULT_QUEUES)
    assert draft.patient is not None and draft.patient.state == "unknown"
    assert draft.due == d(3, 13)
