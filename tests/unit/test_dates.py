"""Natural dates, counted from a frozen today (2026-03-11, a Wednesday)."""

from __future__ import annotations

from datetime import date

import pytest

from caretui.errors import DomainError
from caretui.services.dates import add_months, describe, parse_date

TODAY = date(2026, 3, 11)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2026, 3, 11)),
        ("Tomorrow", date(2026, 3, 12)),
        ("yesterday", date(2026, 3, 10)),
        ("fri", date(2026, 3, 13)),
        ("friday", date(2026, 3, 13)),
        ("wed", date(2026, 3, 18)),  # a weekday name is the next one, never today
        ("mon", date(2026, 3, 16)),
        ("next mon", date(2026, 3, 16)),
        ("+3d", date(2026, 3, 14)),
        ("+2w", date(2026, 3, 25)),
        ("in 10 days", date(2026, 3, 21)),
        ("+1m", date(2026, 4, 11)),
        ("+1y", date(2027, 3, 11)),
        ("next week", date(2026, 3, 16)),
        ("next month", date(2026, 4, 1)),
        ("eom", date(2026, 3, 31)),
        ("2026-12-01", date(2026, 12, 1)),
        ("2026-02-03", date(2026, 2, 3)),  # ISO is ISO, even in the past
        ("12/01", date(2026, 12, 1)),
        ("03/11", date(2026, 3, 11)),
        ("01/05", date(2027, 1, 5)),  # a day without a year is the next one
        ("12/01/2027", date(2027, 12, 1)),
        ("1/2/27", date(2027, 1, 2)),
        ("dec 1", date(2026, 12, 1)),
        ("1 December", date(2026, 12, 1)),
        ("feb 29", date(2028, 2, 29)),
        ("  FRI  ", date(2026, 3, 13)),
    ],
)
def test_parse(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-02-30", "'2023-02-30' is not a real date"),
        ("02/30", "'02/30' is not a real date"),
        ("13/01", "'13/01' is not a real date"),
        ("someday", "'someday' is not a date I know"),
        ("", "No date given"),
        ("+99999d", "is not a date I know"),
    ],
)
def test_refuse(text: str, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        parse_date(text, TODAY)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 1, 15), -1) == date(2025, 12, 15)


def test_describe_shows_the_resolved_date() -> None:
    assert describe(date(2026, 3, 13), TODAY) == "Fri 2026-03-13 (in 2 days)"
    assert describe(TODAY, TODAY) == "Wed 2026-03-11 (today)"
    assert describe(date(2026, 3, 8), TODAY) == "Sun 2026-03-08 (3 days ago)"
