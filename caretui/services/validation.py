"""Checks every write goes through, driven by the columns' types and ``info``.

Each column says how a coordinator names it (``info["label"]``) and any rule
beyond its type: ``past`` (not in the future), ``after`` (not before another
field), ``minimum``/``maximum``, ``phone``, ``rrule``, ``queue``, ``max_length``,
``multiline``. Messages name the field and, for dates and codes, the value the
user gave; never a name or a note.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from enum import StrEnum
from functools import cache
from typing import Any, cast

from sqlalchemy import Boolean, Column, Date, DateTime, Enum, Integer, String, Table, Text

from caretui.errors import DomainError
from caretui.models.base import Record
from caretui.services.text import first_control

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
_PHONE = re.compile(r"^[0-9+()\-.\s/]*(?:(?:x|ext\.?)\s*[0-9]+)?$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Columns the services keep themselves; a caller may not set them.
_MANAGED = frozenset({"id", "created_at", "updated_at", "version", "search_key"})


def label_of(column: Column[Any]) -> str:
    return str(column.info.get("label", column.key))


def _describe(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_iso_date(value: str, what: str) -> date:
    value = value.strip()
    if not _ISO_DATE.match(value):
        raise DomainError(f"{what} {_describe(value)!r} is not a date (use YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(f"{what} {value} is not a real date") from None


def parse_iso_datetime(value: str, what: str) -> datetime:
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        if re.match(r"^\d{4}-\d{2}-\d{2}", value):
            raise DomainError(f"{what} {_describe(value)} is not a real date and time") from None
        raise DomainError(f"{what} {_describe(value)!r} is not a date and time") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone().replace(tzinfo=None)
    return parsed


def coerce(column: Column[Any], value: Any, *, today: date) -> Any:
    """``value`` checked and converted for ``column``; ``DomainError`` names what is wrong."""
    info = column.info
    ctype = column.type
    if isinstance(value, str) and (isinstance(ctype, Enum) or not isinstance(ctype, String | Text)):
        value = value.strip() or None
    if value is None:
        return None
    what = label_of(column)
    if isinstance(ctype, Enum):
        enum_class = ctype.enum_class
        codes = _codes(enum_class) if enum_class else tuple(ctype.enums)
        raw = value.value if isinstance(value, StrEnum) else value
        if not isinstance(raw, str) or raw not in codes:
            raise DomainError(
                f"{what} {_describe(raw)!r} is not one of: {', '.join(codes)}", field=column.key
            )
        return enum_class(raw) if enum_class else raw
    if isinstance(ctype, DateTime):
        if isinstance(value, str):
            value = parse_iso_datetime(value, what)
        elif isinstance(value, date) and not isinstance(value, datetime):
            value = datetime.combine(value, time())
        if not isinstance(value, datetime):
            raise DomainError(f"{what} must be a date and time", field=column.key)
        _check_range(what, value.date(), column, today)
        if info.get("past") and value.date() > today:
            raise DomainError(f"{what} {value:%Y-%m-%d %H:%M} is in the future", field=column.key)
        return value.replace(second=value.second, tzinfo=None)
    if isinstance(ctype, Date):
        if isinstance(value, str):
            value = parse_iso_date(value, what)
        elif isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            raise DomainError(f"{what} must be a date", field=column.key)
        _check_range(what, value, column, today)
        if info.get("past") and value > today:
            raise DomainError(f"{what} {value.isoformat()} is in the future", field=column.key)
        return value
    if isinstance(ctype, Boolean):
        if not isinstance(value, bool):
            raise DomainError(f"{what} must be yes or no", field=column.key)
        return value
    if isinstance(ctype, Integer):
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise DomainError(f"{what} must be a whole number", field=column.key)
        lo, hi = info.get("minimum"), info.get("maximum")
        if lo is not None and value < lo:
            raise DomainError(f"{what} cannot be less than {lo}", field=column.key)
        if hi is not None and value > hi:
            raise DomainError(f"{what} cannot be more than {hi}", field=column.key)
        return value
    if isinstance(ctype, String | Text):
        if not isinstance(value, str):
            raise DomainError(f"{what} must be text", field=column.key)
        multiline = bool(info.get("multiline"))
        value = value.replace("\r\n", "\n").strip()
        if value == "":
            return None
        if first_control(value, multiline=multiline) is not None:
            raise DomainError(f"{what} contains a control character", field=column.key)
        limit = info.get("max_length") or getattr(ctype, "length", None)
        if limit is not None and len(value) > limit:
            raise DomainError(f"{what} is longer than {limit:,} characters", field=column.key)
        if info.get("phone") and not _PHONE.match(value):
            raise DomainError(f"{what} has characters a phone number does not", field=column.key)
        if info.get("rrule"):
            from caretui.services.recurrence import normalize_rrule

            value = normalize_rrule(value, what)
        return value
    return value


@cache
def _codes(enum_class: type[Any]) -> tuple[str, ...]:
    """The codes an enum column accepts (asked once per value an import checks)."""
    return tuple(str(m.value) for m in enum_class)


def _check_range(what: str, value: date, column: Column[Any], today: date) -> None:
    if not EARLIEST <= value <= LATEST:
        raise DomainError(f"{what} {value.isoformat()} is not a plausible date", field=column.key)


def validate(
    model: type[Record],
    fields: Mapping[str, Any],
    *,
    current: Mapping[str, Any] | None = None,
    today: date | None = None,
    queues: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """The checked values of ``fields`` for ``model``, on top of ``current`` (an update)
    or of nothing (a create, where required fields must all be present)."""
    today = today or date.today()
    table = cast(Table, model.__table__)
    out: dict[str, Any] = {}
    for key, value in fields.items():
        column = _settable(table).get(key)
        if column is None:
            raise DomainError(f"A {model.__label__} has no field {key!r}")
        out[key] = coerce(column, value, today=today)
        if column.info.get("queue") and out[key] is not None:
            allowed = queues if queues is not None else _configured_queues()
            if out[key] not in allowed:
                raise DomainError(
                    f"Queue {_describe(out[key])!r} is not one of: {', '.join(allowed)}",
                    field=key,
                )
    merged = {**(current or {}), **out}
    for column, key, nullable, has_default, after in _rules(table):
        present = merged.get(key)
        # A create may leave a field with a default empty; an update may not clear it.
        required = current is not None or not has_default
        if not nullable and present is None and required:
            raise DomainError(f"{label_of(column)} is required", field=key)
        if after and present is not None and merged.get(after) is not None:
            start = merged[after]
            if _as_datetime(present) < _as_datetime(start):
                other = label_of(table.c[after])
                raise DomainError(
                    f"{label_of(column)} {_show(present)} is before {other.lower()} {_show(start)}",
                    field=column.key,
                )
    return out


@cache
def _settable(table: Table) -> dict[str, Column[Any]]:
    """The columns of ``table`` a caller may set, by key."""
    return {c.key: c for c in table.c if c.key not in _MANAGED}


@cache
def _rules(table: Table) -> tuple[tuple[Column[Any], str, bool, bool, str | None], ...]:
    """Each settable column of ``table`` with what ``validate`` asks of it on every write:
    (column, key, nullable, has a default, the field it may not be before)."""
    return tuple(
        (
            column,
            column.key,
            bool(column.nullable),
            column.default is not None,
            column.info.get("after"),
        )
        for column in table.c
        if column.key not in _MANAGED and not column.primary_key
    )


def _as_datetime(value: date) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time())


def _show(value: date) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, datetime) else value.isoformat()


def _configured_queues() -> tuple[str, ...]:
    from caretui import config

    return config.load().queues
