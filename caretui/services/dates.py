"""Natural dates as a coordinator types them: "tomorrow", "fri", "+3d", "next week", "12/01",
and back in time: "yesterday", "-2w", "3 days ago", "last week", "last fri".

Standard library only, so ``caretui today --date fri`` stays fast. Every parse
takes ``today`` explicitly; nothing here reads the clock.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from caretui.errors import DomainError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_UNIT = r"(d|days?|w|weeks?|m|months?|y|years?)"
_RELATIVE = re.compile(r"^(\+|in\s+|-)(\d{1,4})\s*" + _UNIT + "$")
_AGO = re.compile(r"^(\d{1,4})\s*" + _UNIT + r"\s+ago$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})\s+([a-z]{3,9})(?:\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]{3,9})\s+(\d{1,2})(?:,?\s+(\d{4}))?$")

EXAMPLES = (
    "today, tomorrow, fri, +3d, +2w, next week, next month, -3d, last week, "
    "2026-12-01, 12/01, dec 1"
)


def _weekday(word: str) -> int | None:
    if len(word) < 2:
        return None
    for i, name in enumerate(WEEKDAYS):
        if name.startswith(word) and (
            len(word) >= 3 or word in ("mo", "tu", "we", "th", "fr", "sa", "su")
        ):
            return i
    return None


def _month(word: str) -> int | None:
    if len(word) < 3:
        return None
    for i, name in enumerate(MONTHS, start=1):
        if name.startswith(word):
            return i
    return None


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day (Jan 31 + 1 -> Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _real(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DomainError(f"{text!r} is not a real date") from None


def _relative(text: str) -> tuple[int, str] | None:
    """ "+3d", "in 2 weeks", "-1m", "3 days ago": how many of which unit (d, w, m, y),
    negative back in time; None if ``text`` is not one of these."""
    m = _RELATIVE.match(text)
    if m:
        n = int(m.group(2))
        return (-n if m.group(1) == "-" else n), m.group(3)[0]
    m = _AGO.match(text)
    if m:
        return -int(m.group(1)), m.group(2)[0]
    return None


def parse_date(text: str, today: date) -> date:
    """The date ``text`` names, counted from ``today``. ``DomainError`` if it names none.

    A weekday name is the next such day after today ("last fri": the last one before
    today); "-2w" and "2 weeks ago" count back; a day without a year
    ("12/01", "dec 1") is the next such day on or after today. Slashes read
    month/day, as on US forms; ISO dates (YYYY-MM-DD) are always ISO.
    """
    raw = text
    text = " ".join(text.strip().lower().split())
    if not text:
        raise DomainError("No date given")
    if text in ("today", "tod", "now"):
        return today
    if text in ("tomorrow", "tom", "tmr"):
        return today + timedelta(days=1)
    if text == "yesterday":
        return today - timedelta(days=1)
    if text in ("next week", "nw"):
        return today + timedelta(days=7 - today.weekday())
    if text == "next month":
        return add_months(today.replace(day=1), 1)
    if text in ("eow", "end of week"):
        return (
            today + timedelta(days=4 - today.weekday())
            if today.weekday() < 4
            else (today + timedelta(days=11 - today.weekday()))
        )
    if text in ("eom", "end of month"):
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    relative = _relative(text)
    if relative is not None:
        n, unit = relative
        try:
            if unit == "d":
                return today + timedelta(days=n)
            if unit == "w":
                return today + timedelta(weeks=n)
            if unit == "m":
                return add_months(today, n)
            return add_months(today, 12 * n)
        except (OverflowError, ValueError):
            raise DomainError(f"{raw.strip()!r} is too far away") from None
    if text.startswith("last "):
        # The mirror of "next …": the most recent such day before today, the start of
        # last week or last month.
        word = text[5:]
        if word == "week":
            return today - timedelta(days=today.weekday() + 7)
        if word == "month":
            return add_months(today.replace(day=1), -1)
        wd = _weekday(word)
        if wd is not None:
            return today - timedelta(days=(today.weekday() - wd - 1) % 7 + 1)
        raise DomainError(f"{raw.strip()!r} is not a date I know (try: {EXAMPLES})")
    word = text[5:] if text.startswith("next ") else text
    wd = _weekday(word)
    if wd is not None:
        ahead = (wd - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    m = _ISO.match(text)
    if m:
        return _real(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw.strip())
    m = _SLASH.match(text)
    if m:
        month, day, year = int(m.group(1)), int(m.group(2)), m.group(3)
        return _with_year(month, day, year, today, raw.strip())
    m = _DAY_MONTH.match(text)
    if m and _month(m.group(2)):
        return _with_year(_month(m.group(2)) or 0, int(m.group(1)), m.group(3), today, raw.strip())
    m = _MONTH_DAY.match(text)
    if m and _month(m.group(1)):
        return _with_year(_month(m.group(1)) or 0, int(m.group(2)), m.group(3), today, raw.strip())
    raise DomainError(f"{raw.strip()!r} is not a date I know (try: {EXAMPLES})")


def _with_year(month: int, day: int, year: str | None, today: date, raw: str) -> date:
    if not 1 <= month <= 12:
        raise DomainError(f"{raw!r} is not a real date")
    if year is not None:
        y = int(year)
        return _real(y + 2000 if y < 100 else y, month, day, raw)
    candidate = _real(
        today.year if not (month == 2 and day == 29) else _leap_from(today.year), month, day, raw
    )
    if candidate < today:
        nxt = today.year + 1
        if month == 2 and day == 29:
            nxt = _leap_from(nxt)
        candidate = date(nxt, month, day)
    return candidate


def _leap_from(year: int) -> int:
    while not calendar.isleap(year):
        year += 1
    return year


def _whole_months(early: date, late: date) -> int:
    """Whole calendar months from ``early`` to ``late`` (``early <= late``)."""
    months = (late.year - early.year) * 12 + late.month - early.month
    if months and add_months(early, months) > late:
        months -= 1
    return months


def distance(day: date, today: date) -> str:
    """How far ``day`` is from ``today``, as a person says it: "today", "tomorrow",
    "in 3 days", "5 weeks ago", "in 4 months", "1 year 2 months ago", "77 years ago"
    (whole calendar months and years: a birth date reads as the age)."""
    delta = (day - today).days
    if delta in (0, 1, -1):
        return {0: "today", 1: "tomorrow", -1: "yesterday"}[delta]
    early, late = sorted((day, today))
    months = _whole_months(early, late)
    if abs(delta) <= 31:
        amount = f"{abs(delta)} days"
    elif months < 2:
        amount = f"{abs(delta) // 7} weeks"
    elif months < 12:
        amount = f"{months} months"
    elif months < 24:
        rest = months - 12
        amount = "1 year" + (f" {rest} month{'s' if rest > 1 else ''}" if rest else "")
    else:
        amount = f"{months // 12} years"
    return f"in {amount}" if delta > 0 else f"{amount} ago"


def describe(day: date, today: date) -> str:
    """ "Fri 2026-11-27 (in 3 days)", "Tue 1949-03-01 (77 years ago)": the resolved date,
    shown before saving."""
    return f"{day:%a} {day.isoformat()} ({distance(day, today)})"
