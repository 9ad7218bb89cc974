"""The shared pieces: repeating series, business days, "today" and "now", code arguments."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from caretui import codes
from caretui.errors import DomainError
from caretui.services.common import as_code, continue_series, next_business_day, resolve


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 11), date(2026, 3, 12)),  # Wednesday -> Thursday
        (date(2026, 3, 13), date(2026, 3, 16)),  # Friday -> Monday
        (date(2026, 3, 14), date(2026, 3, 16)),  # Saturday -> Monday
        (date(2026, 3, 15), date(2026, 3, 16)),  # Sunday -> Monday
    ],
)
def test_next_business_day(day: date, expected: date) -> None:
    assert next_business_day(day) == expected


@pytest.mark.parametrize(
    ("rule", "anchor", "expected"),
    [
        ("FREQ=WEEKLY", date(2026, 3, 11), (date(2026, 3, 18), "FREQ=WEEKLY")),
        (
            "FREQ=WEEKLY;INTERVAL=2",
            date(2026, 3, 11),
            (date(2026, 3, 25), "FREQ=WEEKLY;INTERVAL=2"),
        ),
        # every other week on Monday and Wednesday, from the Wednesday: the Monday two weeks on
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE",
            date(2026, 3, 11),
            (date(2026, 3, 23), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE"),
        ),
        (
            "FREQ=MONTHLY",
            date(2026, 1, 30),
            (date(2026, 2, 28), "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1"),
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1",
            date(2026, 2, 28),
            (date(2026, 3, 30), "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1"),
        ),
        (
            "FREQ=MONTHLY",
            date(2028, 1, 29),
            (date(2028, 2, 29), "FREQ=MONTHLY;BYMONTHDAY=28,29;BYSETPOS=-1"),
        ),
        (
            "FREQ=YEARLY",
            date(2028, 2, 29),
            (date(2029, 2, 28), "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"),
        ),
        (
            "FREQ=MONTHLY;BYDAY=2TU",
            date(2026, 3, 10),
            (date(2026, 4, 14), "FREQ=MONTHLY;BYDAY=2TU"),
        ),
        ("FREQ=DAILY;COUNT=3", date(2026, 3, 11), (date(2026, 3, 12), "FREQ=DAILY;COUNT=2")),
        # an anchor off the rule's days counts only the rule's own dates
        (
            "FREQ=WEEKLY;BYDAY=MO;COUNT=2",
            date(2026, 3, 11),
            (date(2026, 3, 16), "FREQ=WEEKLY;BYDAY=MO;COUNT=2"),
        ),
        ("FREQ=DAILY;COUNT=1", date(2026, 3, 11), None),
        ("FREQ=DAILY;UNTIL=20260311", date(2026, 3, 11), None),
    ],
)
def test_continue_series(rule: str, anchor: date, expected: tuple[date, str] | None) -> None:
    assert continue_series(rule, anchor) == expected


def test_a_counted_series_ends_after_its_count() -> None:
    rule, day, seen = "FREQ=WEEKLY;COUNT=4", date(2026, 3, 11), [date(2026, 3, 11)]
    while (following := continue_series(rule, day)) is not None:
        day, rule = following
        seen.append(day)
    assert seen == [date(2026, 3, 11), date(2026, 3, 18), date(2026, 3, 25), date(2026, 4, 1)]


def test_a_month_end_series_does_not_drift() -> None:
    rule, day, seen = "FREQ=MONTHLY", date(2026, 1, 31), []
    for _ in range(4):
        following = continue_series(rule, day)
        assert following is not None
        day, rule = following
        seen.append(day)
    assert seen == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]


def test_resolve() -> None:
    now = datetime(2026, 3, 11, 9, 30)
    assert resolve(None, now) == (date(2026, 3, 11), now)
    day, instant = resolve(date(2026, 3, 11), None)
    assert (day, instant.date()) == (date(2026, 3, 11), date(2026, 3, 11))


def test_as_code() -> None:
    assert as_code(codes.TaskStatus, " completed ", "Status") is codes.TaskStatus.COMPLETED
    assert as_code(codes.TaskStatus, codes.TaskStatus.READY, "Status") is codes.TaskStatus.READY
    allowed = (codes.AppointmentStatus.FULFILLED, codes.AppointmentStatus.NOSHOW)
    with pytest.raises(DomainError) as info:
        as_code(codes.AppointmentStatus, "booked", "Outcome", allowed)
    assert str(info.value) == "Outcome 'booked' is not one of: fulfilled, noshow"
