"""One user action, one transaction, its audit events inside it.

Every write in caretui goes through ``action(db, "Complete task")``. A session
listener appends an ``AuditEvent`` for every record created, changed or
deleted, in the same transaction, so the trail and the data cannot disagree.
A flush outside an action is a bug and raises.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from caretui import codes
from caretui.errors import DomainError, StaleRecord, StoreError
from caretui.models.all import AuditEvent, Patient, Record
from caretui.models.base import utcnow
from caretui.store.database import Database
from caretui.store.plain import describe_sqlite_error

_NOT_AUDITED = frozenset({"created_at", "updated_at", "version", "search_key"})
_factories: weakref.WeakKeyDictionary[Database, sessionmaker[Session]] = weakref.WeakKeyDictionary()


def session_factory(db: Database) -> sessionmaker[Session]:
    factory = _factories.get(db)
    if factory is None:
        factory = sessionmaker(db.engine, expire_on_commit=False)
        event.listen(factory, "before_flush", _collect_changes)
        event.listen(factory, "after_flush", _write_audit)
        _factories[db] = factory
    return factory


@contextmanager
def reading(db: Database) -> Iterator[Session]:
    """A session for reading through the ORM; it must not write."""
    with session_factory(db)() as session:
        session.info["read_only"] = True
        yield session


@contextmanager
def action(db: Database, label: str) -> Iterator[Session]:
    """A session whose changes commit together, with their audit events, or not at all."""
    session = session_factory(db)()
    session.info["action_id"] = str(uuid.uuid4())
    session.info["action_label"] = label[:100]
    try:
        with session.begin():
            yield session
    except StaleDataError:
        raise StaleRecord(
            "This record was changed elsewhere since you opened it; nothing was saved. "
            "Reload it and make your change again."
        ) from None
    except IntegrityError as exc:
        raise DomainError(_integrity_message(exc)) from None
    except OperationalError as exc:
        orig = exc.orig if isinstance(exc.orig, sqlite3.Error) else exc
        raise StoreError(describe_sqlite_error(db.path, orig)) from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(describe_sqlite_error(db.path, exc)) from None
    finally:
        session.close()


def _integrity_message(exc: IntegrityError) -> str:
    text = str(exc.orig).lower()
    if "foreign key" in text:
        return "That change refers to a record that does not exist, or one still in use"
    if "check constraint" in text:
        return "That change has a value the database does not accept"
    if "unique" in text:
        return "A record like that already exists"
    return "That change breaks a rule of the database"


def plain_value(value: Any) -> Any:
    """A JSON-ready copy of a column value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _columns(obj: Record) -> list[str]:
    return [c.key for c in inspect(obj).mapper.column_attrs if c.key not in _NOT_AUDITED]


def _patient_of(obj: Record) -> int | None:
    if isinstance(obj, Patient):
        return obj.id
    value = getattr(obj, "patient_id", None)
    return int(value) if value is not None else None


def _collect_changes(session: Session, _ctx: UOWTransaction, _instances: object) -> None:
    if not (session.new or session.dirty or session.deleted):
        return
    if "action_id" not in session.info:
        raise RuntimeError("caretui writes must run inside services.unit.action()")
    pending: list[tuple[codes.AuditAction, Record, dict[str, Any]]] = session.info.setdefault(
        "audit_pending", []
    )
    for obj in session.dirty:
        if not isinstance(obj, Record) or not session.is_modified(obj):
            continue
        state = inspect(obj)
        changes: dict[str, Any] = {}
        for key in _columns(obj):
            hist = state.attrs[key].history
            if hist.has_changes():
                old = hist.deleted[0] if hist.deleted else None
                new = hist.added[0] if hist.added else None
                if old != new:
                    changes[key] = [plain_value(old), plain_value(new)]
        if changes:
            pending.append((codes.AuditAction.UPDATE, obj, changes))
    for obj in session.deleted:
        if isinstance(obj, Record):
            snapshot = {k: [plain_value(getattr(obj, k)), None] for k in _columns(obj)}
            pending.append((codes.AuditAction.DELETE, obj, snapshot))
    for obj in session.new:
        if isinstance(obj, Record):
            pending.append((codes.AuditAction.CREATE, obj, {}))


def _write_audit(session: Session, _ctx: UOWTransaction) -> None:
    pending = session.info.pop("audit_pending", None)
    if not pending:
        return
    now = utcnow()
    rows = []
    for action_kind, obj, changes in pending:
        if action_kind is codes.AuditAction.CREATE:
            changes = {k: [None, plain_value(getattr(obj, k))] for k in _columns(obj)}
        rows.append(
            {
                "at": now,
                "action_id": session.info["action_id"],
                "action_label": session.info["action_label"],
                "action": action_kind,
                "entity": obj.__tablename__,
                "record_id": obj.id,
                "patient_id": _patient_of(obj),
                "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True),
                "reverts": session.info.get("reverts"),
            }
        )
    session.connection().execute(insert(AuditEvent), rows)
