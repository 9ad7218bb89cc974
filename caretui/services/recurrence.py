"""Recurrence: "every 2 weeks", "monthly" or an RRULE, stored as an RRULE (RFC 5545)."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from caretui.errors import DomainError

_UNITS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
_ADVERBS = {
    "daily": "FREQ=DAILY",
    "weekly": "FREQ=WEEKLY",
    "fortnightly": "FREQ=WEEKLY;INTERVAL=2",
    "biweekly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY",
    "quarterly": "FREQ=MONTHLY;INTERVAL=3",
    "yearly": "FREQ=YEARLY",
    "annually": "FREQ=YEARLY",
    "weekdays": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "every weekday": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "every fortnight": "FREQ=WEEKLY;INTERVAL=2",
    "every other week": "FREQ=WEEKLY;INTERVAL=2",
    "every other day": "FREQ=DAILY;INTERVAL=2",
    "every other month": "FREQ=MONTHLY;INTERVAL=2",
}
_EVERY = re.compile(r"^every\s+(?:(\d{1,3})\s+)?(day|week|month|year)s?$")
_DAYS = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
_EVERY_DAY = re.compile(r"^every\s+(mon|tue|wed|thu|fri|sat|sun)[a-z]*$")

EXAMPLES = "daily, weekly, every 2 weeks, monthly, every mon, or an RRULE like FREQ=WEEKLY"


def phrase_to_rrule(text: str) -> str | None:
    """The RRULE a plain phrase names, or None if it is not a phrase we know."""
    t = " ".join(text.strip().lower().split())
    if t in _ADVERBS:
        return _ADVERBS[t]
    m = _EVERY.match(t)
    if m:
        n = int(m.group(1) or 1)
        if n < 1:
            return None
        rule = f"FREQ={_UNITS[m.group(2)]}"
        return rule if n == 1 else f"{rule};INTERVAL={n}"
    m = _EVERY_DAY.match(t)
    if m:
        return f"FREQ=WEEKLY;BYDAY={_DAYS[m.group(1)]}"
    return None


def normalize_rrule(text: str, what: str = "Repeats") -> str:
    """A stored RRULE from a phrase or an RRULE; ``DomainError`` if it is neither."""
    rule = phrase_to_rrule(text)
    if rule is None:
        candidate = text.strip()
        if candidate.upper().startswith("RRULE:"):
            candidate = candidate[6:]
        candidate = candidate.upper()
        if not candidate.startswith("FREQ=") and ";FREQ=" not in candidate:
            raise DomainError(
                f"{what}: {text.strip()[:40]!r} is not a recurrence (try: {EXAMPLES})"
            )
        rule = candidate
    try:
        from dateutil.rrule import rrulestr

        rrulestr(rule, dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError):
        raise DomainError(f"{what}: {text.strip()[:40]!r} is not a valid recurrence rule") from None
    return rule


def next_occurrence(rule: str, start: date, after: date) -> date | None:
    """The first date of ``rule`` (anchored at ``start``) strictly after ``after``."""
    from dateutil.rrule import rrulestr

    recurrence = rrulestr(rule, dtstart=datetime.combine(start, time()))
    found = recurrence.after(datetime.combine(after, time()), inc=False)
    return found.date() if found is not None else None


_DAY_NAMES = {
    "MO": "Mondays",
    "TU": "Tuesdays",
    "WE": "Wednesdays",
    "TH": "Thursdays",
    "FR": "Fridays",
    "SA": "Saturdays",
    "SU": "Sundays",
}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _days(byday: str) -> str:
    codes = [code.strip().upper() for code in byday.split(",") if code.strip()]
    if codes == ["MO", "TU", "WE", "TH", "FR"]:
        return "weekdays"
    names = [_DAY_NAMES.get(code, code.lower()) for code in codes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def describe(rule: str, start: date | None = None) -> str:
    """An RRULE in words: "every 2 weeks", "every week on Mondays and Thursdays";
    with the first date (``start``) it repeats from, the day it keeps: "every 2 weeks
    on Tuesdays", "every month on the 11th"."""
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    unit = {v: k for k, v in _UNITS.items()}.get(parts.get("FREQ", ""), "?")
    try:
        n = int(parts.get("INTERVAL", "1"))
    except ValueError:
        n = 1
    text = f"every {unit}" if n == 1 else f"every {n} {unit}s"
    if "BYDAY" in parts and n == 1 and _days(parts["BYDAY"]) == "weekdays":
        text = "every weekday"
    elif "BYDAY" in parts:
        text += f" on {_days(parts['BYDAY'])}"
    elif "BYMONTHDAY" in parts:
        days = parts["BYMONTHDAY"].split(",")
        text += " on the " + ", ".join(_ordinal(int(d)) if d.isdigit() else d for d in days)
    elif start is not None and unit == "week":
        text += f" on {start:%A}s"
    elif start is not None and unit == "month":
        text += f" on the {_ordinal(start.day)}"
    elif start is not None and unit == "year":
        text += f" on {start:%b} {start.day}"
    if "COUNT" in parts:
        text += f", {parts['COUNT']} times"
    if "UNTIL" in parts:
        until = parts["UNTIL"][:8]
        text += f", until {until[:4]}-{until[4:6]}-{until[6:8]}" if until.isdigit() else ""
    return text
