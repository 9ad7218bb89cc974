"""What the entity modules share: adding and editing a patient's record with a rule
checked before anything is written, resolving "today" and "now", code arguments,
business days, and how a repeating series moves on to its next occurrence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from caretui.errors import DomainError
from caretui.models.all import Record
from caretui.services import records
from caretui.services.recurrence import next_occurrence
from caretui.services.validation import validate

R = TypeVar("R", bound=Record)
E = TypeVar("E", bound=StrEnum)

#: A rule over a record's values (as they would be after the write); raises ``DomainError``.
Check = Callable[[Mapping[str, Any]], None]


def resolve(today: date | None, now: datetime | None) -> tuple[date, datetime]:
    """The caller's day and instant (local wall-clock time).

    ``now`` wins when given. With only ``today``, the instant is the clock's time of
    day on that day, so a caller that fixes the day gets an instant on that day.
    """
    if now is not None:
        return (today or now.date()), now
    clock = datetime.now()
    if today is None:
        return clock.date(), clock
    return today, datetime.combine(today, clock.time())


def add(
    session: Session,
    model: type[R],
    fields: Mapping[str, Any],
    *,
    today: date,
    queues: tuple[str, ...] | None = None,
    check: Check | None = None,
) -> R:
    """A new record; ``check`` sees the validated values before anything is written."""
    if check is not None:
        check(validate(model, fields, today=today, queues=queues))
    return records.create(session, model, fields, today=today, queues=queues)


def add_for_patient(
    session: Session,
    model: type[R],
    patient_id: int,
    fields: Mapping[str, Any],
    *,
    today: date,
    queues: tuple[str, ...] | None = None,
    check: Check | None = None,
) -> R:
    """A new record of ``patient_id``'s; a different ``patient_id`` in ``fields`` is refused."""
    if not _same_id(fields.get("patient_id", patient_id), patient_id):
        raise DomainError(f"This {model.__label__} was given two different patients")
    return add(
        session,
        model,
        {**fields, "patient_id": patient_id},
        today=today,
        queues=queues,
        check=check,
    )


def edit(
    session: Session,
    obj: R,
    fields: Mapping[str, Any],
    *,
    today: date,
    expected_version: int | None = None,
    queues: tuple[str, ...] | None = None,
    check: Check | None = None,
    movable: bool = False,
) -> R:
    """``obj`` changed by ``fields``; ``check`` sees the merged values before the write.

    A clinical record stays with its patient (``movable=False``): one entered on the
    wrong patient is corrected by undo or by entering it again, never by moving it.
    A stale ``expected_version`` is left to ``records.update``, which refuses it first.
    """
    current = records.current_values(obj)
    owner = current["patient_id"]
    if not movable and not _same_id(fields.get("patient_id", owner), owner):
        raise DomainError(f"A {obj.__label__} cannot be moved to another patient")
    if check is not None and expected_version in (None, obj.version):
        values = validate(type(obj), fields, current=current, today=today, queues=queues)
        check({**current, **values})
    return records.update(
        session, obj, fields, expected_version=expected_version, today=today, queues=queues
    )


def _same_id(given: Any, record_id: Any) -> bool:
    """Whether a link given in a form (an int, or its digits as text) names ``record_id``."""
    return str(given).strip() == str(record_id)


def as_code(enum: type[E], value: E | str, what: str, allowed: tuple[E, ...] | None = None) -> E:
    """``value`` as a member of ``enum`` (limited to ``allowed``); a message lists the codes."""
    choices = allowed or tuple(enum)
    raw = value.value if isinstance(value, StrEnum) else str(value).strip()
    for member in choices:
        if member.value == raw:
            return member
    shown = raw if len(raw) <= 40 else raw[:37] + "..."
    raise DomainError(f"{what} {shown!r} is not one of: {', '.join(m.value for m in choices)}")


def next_business_day(day: date) -> date:
    """The first Monday-to-Friday after ``day`` (holidays are not known)."""
    nxt = day + timedelta(days=1)
    while nxt.weekday() >= 5:
        nxt += timedelta(days=1)
    return nxt


# --- repeating series ---------------------------------------------------------------

_POSITIONAL = ("BYMONTHDAY", "BYDAY", "BYSETPOS", "BYYEARDAY", "BYWEEKNO")


def _parts(rule: str) -> dict[str, str]:
    return dict(p.split("=", 1) for p in rule.split(";") if "=" in p)


def _join(parts: Mapping[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in parts.items())


def _keep_month_end(rule: str, anchor: date) -> str:
    """A plain monthly rule anchored on the 29th-31st, rewritten to fall on the month's
    last day when the month is shorter. RFC 5545 would skip such months (Jan 31 ->
    Mar 31), and a skipped month is a missed check; the rewrite is stored with the next
    occurrence so the series does not drift to the 28th. Likewise a yearly rule on Feb 29.
    """
    parts = _parts(rule)
    if any(key in parts for key in _POSITIONAL):
        return rule
    if parts.get("FREQ") == "MONTHLY" and anchor.day >= 29:
        parts["BYMONTHDAY"] = ",".join(str(d) for d in range(28, anchor.day + 1))
        parts["BYSETPOS"] = "-1"
        return _join(parts)
    leap_day = (anchor.month, anchor.day) == (2, 29)
    if parts.get("FREQ") == "YEARLY" and "BYMONTH" not in parts and leap_day:
        parts.update(BYMONTH="2", BYMONTHDAY="28,29", BYSETPOS="-1")
        return _join(parts)
    return rule


def continue_series(rule: str, anchor: date) -> tuple[date, str] | None:
    """The series' first date strictly after ``anchor`` (the current occurrence's date),
    and the rule the next occurrence carries; None when the series has ended.

    Each occurrence carries the rule anchored at itself, so a ``COUNT`` is counted down
    as the series moves on (otherwise "4 times" would never end).
    """
    rule = _keep_month_end(rule, anchor)
    following = next_occurrence(rule, anchor, anchor)
    if following is None:
        return None
    parts = _parts(rule)
    if "COUNT" in parts:
        from dateutil.rrule import rrulestr

        start = datetime.combine(anchor, time())
        series = rrulestr(rule, dtstart=start)
        before = len(series.between(start, datetime.combine(following, time()), inc=True)) - 1
        remaining = int(parts["COUNT"]) - before
        if remaining < 1:
            return None
        parts["COUNT"] = str(remaining)
        rule = _join(parts)
    return following, rule
