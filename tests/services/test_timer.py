"""The timer's rules: elapsed minutes, the midnight and four-hour questions, the header."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from caretui.services import timer as timing


class FakeClock:
    """A clock tests move by hand: monotonic seconds and the wall clock move together."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self.mono = 5_000.0

    def monotonic(self) -> float:
        return self.mono

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        step = timedelta(**delta)
        self.at += step
        self.mono += step.total_seconds()


def test_minutes_round_to_the_nearest() -> None:
    assert [timing.minutes_of(s) for s in (0, 29, 30, 89, 90, 1199, 1200)] == [
        0,
        0,
        1,
        1,
        2,
        20,
        20,
    ]


def test_describe_minutes() -> None:
    assert timing.describe_minutes(12) == "12 min"
    assert timing.describe_minutes(60) == "1 h"
    assert timing.describe_minutes(312) == "5 h 12 min"


def test_a_short_timer_on_one_day_logs_without_asking() -> None:
    clock = FakeClock(datetime(2026, 3, 11, 9, 0))
    running = timing.start(7, "A.L.", "Lee, Ann", clock)
    clock.advance(minutes=12, seconds=20)
    assert timing.label(running, clock) == "⏱ A.L. 12 min"
    stopped = timing.stop(running, clock)
    assert (stopped.minutes, stopped.stopped_at) == (12, datetime(2026, 3, 11, 9, 12, 20))
    assert not stopped.needs_confirmation
    assert stopped.why() == ""


def test_past_midnight_asks_even_when_short() -> None:
    clock = FakeClock(datetime(2026, 3, 10, 23, 50))
    running = timing.start(7, "A.L.", "Lee, Ann", clock)
    clock.advance(minutes=25)
    stopped = timing.stop(running, clock)
    assert stopped.past_midnight and not stopped.long
    assert stopped.needs_confirmation
    assert stopped.why() == "it ran past midnight"


@pytest.mark.parametrize(("minutes", "asks"), [(240, False), (241, True), (312, True)])
def test_more_than_four_hours_asks(minutes: int, asks: bool) -> None:
    clock = FakeClock(datetime(2026, 3, 11, 8, 0))
    running = timing.start(7, "A.L.", "Lee, Ann", clock)
    clock.advance(minutes=minutes)
    stopped = timing.stop(running, clock)
    assert stopped.needs_confirmation is asks
    if asks:
        assert stopped.why() == "it ran for more than 4 h"


def test_a_wall_clock_jump_does_not_stretch_the_time() -> None:
    """The monotonic clock measures; a wall clock put back an hour changes nothing."""
    clock = FakeClock(datetime(2026, 3, 11, 9, 0))
    running = timing.start(7, "A.L.", "Lee, Ann", clock)
    clock.mono += 600
    clock.at -= timedelta(hours=1)
    assert timing.stop(running, clock).minutes == 10


def test_check_minutes() -> None:
    assert timing.check_minutes(" 45 ") == 45
    for bad in ("", "0", "-3", "4.5", "1441", "ten"):
        with pytest.raises(ValueError):
            timing.check_minutes(bad)
