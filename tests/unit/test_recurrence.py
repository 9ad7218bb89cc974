from __future__ import annotations

from datetime import date

import pytest

from caretui.errors import DomainError
from caretui.services.recurrence import describe, next_occurrence, normalize_rrule


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
        ("Every week", "FREQ=WEEKLY"),
        ("monthly", "FREQ=MONTHLY"),
        ("daily", "FREQ=DAILY"),
        ("every 3 months", "FREQ=MONTHLY;INTERVAL=3"),
        ("every mon", "FREQ=WEEKLY;BYDAY=MO"),
        ("RRULE:FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("freq=monthly;bymonthday=1", "FREQ=MONTHLY;BYMONTHDAY=1"),
    ],
)
def test_phrases_and_rules_are_stored_as_rrules(text: str, rule: str) -> None:
    assert normalize_rrule(text) == rule


@pytest.mark.parametrize(
    "text", ["sometimes", "every 0 weeks", "FREQ=FORTNIGHTLY", "FREQ=WEEKLY;BYDAY=XX"]
)
def test_invalid_recurrence_is_refused(text: str) -> None:
    with pytest.raises(DomainError, match="Repeats"):
        normalize_rrule(text)


def test_next_occurrence() -> None:
    assert next_occurrence("FREQ=WEEKLY;INTERVAL=2", date(2026, 3, 11), date(2026, 3, 11)) == (
        date(2026, 3, 25)
    )
    assert next_occurrence("FREQ=MONTHLY", date(2026, 1, 31), date(2026, 1, 31)) == date(
        2026, 3, 31
    )
    assert next_occurrence("FREQ=DAILY;COUNT=1", date(2026, 1, 1), date(2026, 1, 1)) is None


def test_describe() -> None:
    assert describe("FREQ=WEEKLY;INTERVAL=2") == "every 2 weeks"
    assert describe("FREQ=MONTHLY") == "every month"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("every fortnight", "FREQ=WEEKLY;INTERVAL=2"),
        ("every other week", "FREQ=WEEKLY;INTERVAL=2"),
        ("every other month", "FREQ=MONTHLY;INTERVAL=2"),
    ],
)
def test_more_phrases(text: str, rule: str) -> None:
    assert normalize_rrule(text) == rule


@pytest.mark.parametrize(
    ("rule", "start", "words"),
    [
        ("FREQ=WEEKLY;INTERVAL=2", date(2026, 3, 10), "every 2 weeks on Tuesdays"),
        ("FREQ=MONTHLY", date(2026, 3, 11), "every month on the 11th"),
        ("FREQ=MONTHLY", date(2026, 3, 22), "every month on the 22nd"),
        ("FREQ=YEARLY", date(2026, 3, 1), "every year on Mar 1"),
        ("FREQ=DAILY", date(2026, 3, 1), "every day"),
        ("FREQ=WEEKLY;BYDAY=MO", date(2026, 3, 11), "every week on Mondays"),
        ("FREQ=WEEKLY;BYDAY=TU,TH", None, "every week on Tuesdays and Thursdays"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", None, "every weekday"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", None, "every month on the 1st"),
        ("FREQ=DAILY;COUNT=5", None, "every day, 5 times"),
    ],
)
def test_describe_in_words(rule: str, start: date | None, words: str) -> None:
    assert describe(rule, start) == words
