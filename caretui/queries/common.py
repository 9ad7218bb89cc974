"""Helpers every read-side query shares: names for display and defensive parsing.

Standard library only. Rows come out of SQLite as plain strings; a value that
came from outside (an import, a hand edit) may not be what the schema says, so
nothing here raises on a bad value: it returns ``None`` and the caller flags it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)

#: The format SQLAlchemy stores ``DateTime`` columns in on SQLite; binding instants
#: in the same format keeps text comparisons in SQL exact.
STORED_INSTANT = "%Y-%m-%d %H:%M:%S.%f"


def patient_display(given: str | None, family: str | None, preferred: str | None) -> str:
    """ "Beatriz (Bea) Núñez": the name a coordinator reads in lists; "" for no patient.

    The preferred name is shown only when it differs from the given name.
    """
    given = (given or "").strip()
    family = (family or "").strip()
    preferred = (preferred or "").strip()
    parts = [given]
    if preferred and preferred.casefold() != given.casefold():
        parts.append(f"({preferred})")
    parts.append(family)
    return " ".join(p for p in parts if p)


def parse_day(value: object) -> date | None:
    """A stored ``Date`` value, or ``None`` if it is not a real ISO date."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def parse_instant(value: object) -> datetime | None:
    """A stored ``DateTime`` value (naive), or ``None`` if it is not a real date and time."""
    if not isinstance(value, str) or len(value) < 16:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None) if parsed.tzinfo is not None else parsed


def stored_instant(value: datetime) -> str:
    """``value`` as SQLAlchemy stores it, for binding against ``DateTime`` columns."""
    return value.strftime(STORED_INSTANT)


def parse_code(enum: type[E], value: object) -> E | None:
    """The member of ``enum`` whose code is ``value``, or ``None`` for an unknown code."""
    if not isinstance(value, str):
        return None
    try:
        return enum(value)
    except ValueError:
        return None
