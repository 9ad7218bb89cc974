"""Past dates typed as naturally as future ones, and far dates described in words
(today frozen at 2026-03-11, a Wednesday)."""

from __future__ import annotations

from datetime import date

import pytest

from caretui.errors import DomainError
from caretui.services.dates import describe, distance, parse_date

TODAY = date(2026, 3, 11)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-3d", date(2026, 3, 8)),
        ("-2w", date(2026, 2, 25)),
        ("-1m", date(2026, 2, 11)),
        ("-1y", date(2025, 3, 11)),
        ("- 10 days", None),  # refused below: the sign sticks to the number
        ("3 days ago", date(2026, 3, 8)),
        ("2 weeks ago", date(2026, 2, 25)),
        ("1 month ago", date(2026, 2, 11)),
        ("10d ago", date(2026, 3, 1)),
        ("last week", date(2026, 3, 2)),  # the mirror of "next week": its Monday
        ("last month", date(2026, 2, 1)),  # the mirror of "next month": its first day
        ("last mon", date(2026, 3, 9)),
        ("last wed", date(2026, 3, 4)),  # never today, as "wed" is never today
        ("Last Friday", date(2026, 3, 6)),
        # unchanged: ISO is ISO, slashes are month/day, the next such day
        ("2026-02-03", date(2026, 2, 3)),
        ("12/01", date(2026, 12, 1)),
        ("+3d", date(2026, 3, 14)),
        ("next week", date(2026, 3, 16)),
    ],
)
def test_past_forms(text: str, expected: date | None) -> None:
    if expected is None:
        with pytest.raises(DomainError, match="is not a date I know"):
            parse_date(text, TODAY)
    else:
        assert parse_date(text, TODAY) == expected


def test_month_back_clamps_to_month_end() -> None:
    assert parse_date("-1m", date(2026, 3, 31)) == date(2026, 2, 28)


@pytest.mark.parametrize("text", ["last", "last year", "last someday", "-99999d", "ago"])
def test_refused(text: str) -> None:
    with pytest.raises(DomainError, match="is not a date I know"):
        parse_date(text, TODAY)


def test_too_far_back_is_said_so() -> None:
    with pytest.raises(DomainError, match="too far away"):
        parse_date("-9999y", TODAY)


@pytest.mark.parametrize(
    ("day", "said"),
    [
        (TODAY, "today"),
        (date(2026, 3, 12), "tomorrow"),
        (date(2026, 3, 10), "yesterday"),
        (date(2026, 3, 14), "in 3 days"),
        (date(2026, 4, 11), "in 31 days"),
        (date(2026, 4, 20), "in 5 weeks"),
        (date(2026, 2, 1), "5 weeks ago"),
        (date(2026, 6, 11), "in 3 months"),
        (date(2026, 12, 1), "in 8 months"),
        (date(2027, 3, 11), "in 1 year"),
        (date(2027, 5, 11), "in 1 year 2 months"),
        (date(2025, 2, 11), "1 year 1 month ago"),
        (date(2028, 3, 11), "in 2 years"),
        (date(1949, 3, 1), "77 years ago"),  # a birth date: the age
        (date(1949, 3, 12), "76 years ago"),  # not 77 until the birthday
    ],
)
def test_distance_in_words(day: date, said: str) -> None:
    assert distance(day, TODAY) == said


def test_a_birth_date_is_described_in_years() -> None:
    assert describe(date(1949, 3, 1), TODAY) == "Tue 1949-03-01 (77 years ago)"


def test_a_dialog_for_a_future_date_still_refuses_a_past_one() -> None:
    from caretui.widgets.dialogs import DateDialog

    dialog = DateDialog("Snooze until", today=TODAY)
    with pytest.raises(DomainError, match=r"2026-03-08 \(3 days ago\) is in the past"):
        dialog.resolve("-3d")
    assert DateDialog("Started", today=TODAY, allow_past=True).resolve("last week") == date(
        2026, 3, 2
    )
