"""The time-spent timer: one at a time, for one patient, measured and judged here.

Pure and standard library only: the app keeps a ``RunningTimer`` and asks this
module how long it has run and whether its time may be logged without asking.
Elapsed time comes from a monotonic clock (a change of the wall clock does not
stretch it); the wall-clock start is kept too, for the note's time and for the
midnight rule. A timer that ran past midnight or for more than ``LONG`` is
confirmed before it is logged: a coordinator who forgot it overnight should
not bill the night. The clock is a parameter, so tests can move it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

#: Longer than this, the time is confirmed before it is logged.
LONG = timedelta(hours=4)
#: The most minutes one note can hold (``services.notes``: a day).
MAX_MINUTES = 1440


class Clock(Protocol):
    """What the timer reads: seconds that only go forward, and the local wall clock."""

    def monotonic(self) -> float: ...

    def now(self) -> datetime: ...


class SystemClock:
    """The computer's clocks."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now()


@dataclass(frozen=True, slots=True)
class RunningTimer:
    """A timer started for one patient."""

    patient_id: int
    #: The patient's initials (shown in the header, redacted or not) and full name.
    initials: str
    name: str
    #: ``Clock.monotonic()`` at the start.
    started: float
    #: The local wall-clock time at the start.
    started_at: datetime

    def seconds(self, clock: Clock) -> float:
        return max(clock.monotonic() - self.started, 0.0)


def minutes_of(seconds: float) -> int:
    """Seconds as whole minutes, to the nearest (half a minute rounds up)."""
    return int(seconds / 60 + 0.5)


def describe_minutes(minutes: int) -> str:
    """ "12 min", "1 h", "5 h 12 min"."""
    hours, rest = divmod(max(minutes, 0), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"


@dataclass(frozen=True, slots=True)
class StoppedTimer:
    """A timer stopped, with what it measured."""

    timer: RunningTimer
    seconds: float
    #: The local wall-clock time at the stop.
    stopped_at: datetime

    @property
    def minutes(self) -> int:
        return minutes_of(self.seconds)

    @property
    def past_midnight(self) -> bool:
        """The stop falls on a later day than the start (by the wall clock)."""
        return self.stopped_at.date() > self.timer.started_at.date()

    @property
    def long(self) -> bool:
        """It ran for more than ``LONG``."""
        return self.seconds > LONG.total_seconds()

    @property
    def needs_confirmation(self) -> bool:
        """Its time is confirmed (and may be edited) before the note is offered."""
        return self.past_midnight or self.long

    def why(self) -> str:
        """Why it is confirmed: "it ran past midnight", "it ran for more than 4 hours"."""
        reasons = []
        if self.past_midnight:
            reasons.append("ran past midnight")
        if self.long:
            reasons.append(f"ran for more than {describe_minutes(int(LONG.total_seconds() // 60))}")
        return "it " + " and ".join(reasons) if reasons else ""


def start(patient_id: int, initials: str, name: str, clock: Clock) -> RunningTimer:
    return RunningTimer(patient_id, initials, name, clock.monotonic(), clock.now())


def stop(timer: RunningTimer, clock: Clock) -> StoppedTimer:
    return StoppedTimer(timer, timer.seconds(clock), clock.now())


def label(timer: RunningTimer, clock: Clock) -> str:
    """What the header shows: "⏱ A.N. 12 min"."""
    return f"⏱ {timer.initials} {describe_minutes(minutes_of(timer.seconds(clock)))}"


def check_minutes(text: str) -> int:
    """Minutes typed to log, 1 to ``MAX_MINUTES``; ``ValueError`` says what is wrong."""
    raw = text.strip()
    if not raw.isdigit():
        raise ValueError("Give the minutes as a whole number")
    minutes = int(raw)
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValueError(f"Give from 1 to {MAX_MINUTES:,} minutes (a note holds a day at most)")
    return minutes
