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
