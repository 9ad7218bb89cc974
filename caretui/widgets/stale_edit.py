"""An edit to a record that changed elsewhere since its form opened: say so, show both.

Every save of an edit is refused (``StaleRecord``) when the record's version is no
longer the one the form was opened on, so nothing is silently overwritten. The
form (``FormScreen``, given the ``Edited`` record) then reads the record as stored
now and shows ``stale_dialog.StaleDialog``: each field that differs, yours beside the stored
one, and who changed it. The user keeps theirs (the same save, now accepting the
stored version: ``accepting`` / ``expected_version``; it is audited like any edit)
or takes the stored one (the form is filled with it, and a save accepts it).

The save functions read the version they may overwrite through
``expected_version``, so a version accepted here reaches every check (``fresh``,
the services' ``expected_version``) without passing it through each form.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from caretui.services.text import one_line

if TYPE_CHECKING:
    from caretui.store.database import Database
    from caretui.widgets.form import Field

#: (table, record id, version) a save running in this context may overwrite.
_ACCEPTED: ContextVar[tuple[str, int, int] | None] = ContextVar("accepted_version", default=None)


@dataclass(frozen=True, slots=True)
class Edited:
    """The record a form edits, as the form was opened on it."""

    table: str
    record_id: int
    version: int


def edited(table: str, current: Any) -> Edited | None:
    """``Edited`` for a form over ``current`` (a frozen row with id and version), or
    None for a new record."""
    version = getattr(current, "version", None)
    if current is None or version is None:
        return None
    return Edited(table, int(current.id), int(version))


def expected_version(table: str, record_id: int, version: int | None) -> int | None:
    """The version a save may overwrite: ``version`` (the one the form opened on),
    unless the user chose to keep theirs over a newer one (``accepting``)."""
    accepted = _ACCEPTED.get()
    if version is not None and accepted is not None and accepted[:2] == (table, record_id):
        return accepted[2]
    return version


@contextmanager
def accepting(record: Edited, version: int) -> Iterator[None]:
    """Within this block, saves of ``record`` may overwrite its ``version``."""
    token = _ACCEPTED.set((record.table, record.record_id, version))
    try:
        yield
    finally:
        _ACCEPTED.reset(token)


@dataclass(frozen=True, slots=True)
class Stored:
    """The record as stored now: its version and its columns' values."""

    version: int
    values: Mapping[str, Any]


def read_stored(db: Database, record: Edited) -> Stored | None:
    """(In a worker thread.) The record as stored now, or None if it was deleted."""
    from caretui.models.base import Record
    from caretui.services import unit
    from caretui.services.records import current_values

    model = next(
        mapper.class_
        for mapper in Record.registry.mappers
        if getattr(mapper.class_, "__tablename__", None) == record.table
    )
    with unit.reading(db) as session:
        obj = session.get(model, record.record_id)
        if obj is None:
            return None
        return Stored(int(obj.version), current_values(obj))


def shown(spec: Field, value: Any) -> str:
    """A field's value as the form would show it, on one line ("—" when empty)."""
    if value is None or value == "":
        return "—"
    if spec.kind == "choice":
        return next((label for label, choice in spec.choices if choice == value), str(value))
    if spec.kind == "bool":
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return one_line(str(value)) or "—"


@dataclass(frozen=True, slots=True)
class Difference:
    """One field whose value in the form is not the stored one."""

    label: str
    yours: str
    stored: str
    #: Who changed it since the form opened: "you", "elsewhere" or "both".
    who: str


def differences(
    fields: Sequence[Field],
    yours: Mapping[str, Any],
    stored: Mapping[str, Any],
    opened: Mapping[str, Any],
) -> list[Difference]:
    """The form's fields whose value (``yours``) is not the stored one, each with who
    changed it since the form was opened on ``opened``."""
    out: list[Difference] = []
    for spec in fields:
        if spec.name not in stored or spec.name not in yours:
            continue
        mine, now = shown(spec, yours[spec.name]), shown(spec, stored[spec.name])
        if mine == now:
            continue
        before = shown(spec, opened.get(spec.name))
        you, elsewhere = mine != before, now != before
        who = "both" if you and elsewhere else "you" if you else "elsewhere"
        out.append(Difference(spec.label, mine, now, who))
    return out
