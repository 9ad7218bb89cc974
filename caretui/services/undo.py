"""Undo: take back the last user action, whole, from its audit events.

Every action's events share an ``action_id`` and say ``{field: [old, new]}``. Undo
picks the newest action that is neither an undo itself nor already undone, and
reverts its events newest first, inside one new action whose events carry
``reverts`` = that action's id; so undo is audited like any change, and a second
undo takes back the action before. There is no redo.

Undo refuses, changing nothing, when a record the action touched is no longer as
the action left it (edited, deleted, or its id taken since).

A record brought back after a delete keeps its id and every audited value; its
``created_at`` and ``version`` start afresh (they are not in the audit trail).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Column, Date, DateTime, Enum, Table, select, text
from sqlalchemy.orm import Session

from caretui import codes
from caretui.errors import DomainError
from caretui.models.all import BY_TABLE, AuditEvent, Patient, Record
from caretui.queries.undo import newest_undoable
from caretui.services.patients import search_key
from caretui.services.unit import action, plain_value
from caretui.store.database import Database

#: One audit event: what was done, to which table and record, and the changes as JSON.
_Event = tuple[codes.AuditAction, str, int, str]


def last_undoable(db: Database) -> str | None:
    """The label of the action ``undo_last`` would take back ("Complete task"), if any.
    Reads through the plain connection, so a screen can show it cheaply."""
    found = _newest(db)
    return found[1] if found else None


def undo_last(db: Database) -> str | None:
    """Take back the newest undoable action; returns its label, or None if there is none.
    ``DomainError`` (and nothing changed) if a record it touched was changed since."""
    found = _newest(db)
    if found is None:
        return None
    action_id, label = found
    with action(db, f"Undo: {label}") as session:
        session.info["reverts"] = action_id
        again = newest_undoable(lambda sql, params: session.execute(text(sql), params).first())
        if again is None or again[0] != action_id:
            raise DomainError("Another change was saved meanwhile; nothing was undone. Try again.")
        if _touches_each_record_once(session, action_id):
            from caretui.services.undo_bulk import undo_in_bulk

            undo_in_bulk(session, action_id, label)
            return label
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.entity, AuditEvent.record_id, AuditEvent.changes)
            .where(AuditEvent.action_id == action_id)
            .order_by(AuditEvent.id)
        )
        events = [(kind, entity, record_id, changes) for kind, entity, record_id, changes in rows]
        refusal = (
            f"Cannot undo “{label}”: a record it changed has been changed since; nothing was undone"
        )
        _check_unchanged(session, events, refusal)
        previous: tuple[codes.AuditAction, str] | None = None
        for event in reversed(events):
            # One flush per run of same-kind events on one table: the order between
            # tables is kept (children before parents), and a large action stays quick.
            if previous is not None and previous != event[:2]:
                session.flush()
            _revert(session, event)
            previous = event[:2]
        session.flush()
    return label


#: Events from which an action that touched each record once is undone in batches.
BULK_FROM = 1_000


def _touches_each_record_once(session: Session, action_id: str) -> bool:
    """Did the action create or change each of its records once, deleting none, and is it
    an import (it kept external ids) or a large one? Such an action is undone in batches
    (``undo_bulk``), which deletes table by table, children first: an import is written
    a window at a time, so a task may come before the patient it belongs to, and undoing
    it newest first would try to delete the patient while the task still points at it.
    (The ORM path also took minutes over a 50,000-record import.) Any other action keeps
    the ORM path, which reverts newest first."""
    total, records, deletes, imported = session.execute(
        text(
            "SELECT count(*), count(DISTINCT entity || ' ' || record_id), "
            "coalesce(sum(action = 'delete'), 0), "
            "coalesce(max(entity = 'external_ref'), 0) "
            "FROM audit_event WHERE action_id = :action"
        ),
        {"action": action_id},
    ).one()
    once = int(total) > 0 and int(deletes) == 0 and int(total) == int(records)
    return once and (bool(imported) or int(total) >= BULK_FROM)


def _newest(db: Database) -> tuple[str, str] | None:
    con = db.read()
    try:
        return newest_undoable(lambda sql, params: con.execute(sql, params).fetchone())
    finally:
        con.close()


def _model(entity: str, refusal: str) -> type[Record]:
    model = BY_TABLE.get(entity)
    if model is None:
        raise DomainError(refusal)
    return model


def _columns(model: type[Record]) -> Any:
    return cast(Table, model.__table__).c


def _column(model: type[Record], key: str, refusal: str) -> Column[Any]:
    column: Column[Any] | None = _columns(model).get(key)
    if column is None:  # a field a later version of the schema dropped
        raise DomainError(refusal)
    return column


def _check_unchanged(session: Session, events: Sequence[_Event], refusal: str) -> None:
    """Refuse unless every record touched is as the action left it: the action's
    events folded in order give each record's expected values (None: deleted)."""
    expected: dict[tuple[str, int], dict[str, Any] | None] = {}
    for kind, entity, record_id, changes_json in events:
        key = (entity, record_id)
        changes: dict[str, list[Any]] = json.loads(changes_json)
        if kind is codes.AuditAction.DELETE:
            expected[key] = None
        else:
            state: dict[str, Any] = expected.get(key) or {}
            state.update({field: pair[1] for field, pair in changes.items()})
            expected[key] = state
    for (entity, record_id), final in expected.items():
        model = _model(entity, refusal)
        obj = session.get(model, record_id)
        if final is None:
            if obj is not None:
                raise DomainError(refusal)
            continue
        if obj is None:
            raise DomainError(refusal)
        for field, value in final.items():
            _column(model, field, refusal)
            if plain_value(getattr(obj, field)) != value:
                raise DomainError(refusal)


def _from_json(column: Column[Any], value: Any) -> Any:
    """A value from the audit trail's JSON, as the column holds it."""
    if value is None:
        return None
    ctype = column.type
    if isinstance(ctype, Enum) and ctype.enum_class is not None:
        return ctype.enum_class(value)
    if isinstance(ctype, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(ctype, Date):
        return date.fromisoformat(value)
    return value


def _revert(session: Session, event: _Event) -> None:
    kind, entity, record_id, changes_json = event
    model = BY_TABLE[entity]
    changes: dict[str, list[Any]] = json.loads(changes_json)
    if kind is codes.AuditAction.CREATE:
        session.delete(session.get_one(model, record_id))
    elif kind is codes.AuditAction.UPDATE:
        obj = session.get_one(model, record_id)
        for field, (old, _new) in changes.items():
            setattr(obj, field, _from_json(_columns(model)[field], old))
        _refresh(obj)
    else:
        values = {
            field: _from_json(_columns(model)[field], old) for field, (old, _new) in changes.items()
        }
        obj = model(**values)
        _refresh(obj)
        session.add(obj)


def _refresh(obj: Record) -> None:
    if isinstance(obj, Patient):
        obj.search_key = search_key(obj)
