"""Many records written at once inside one action, each with its own audit event.

The ORM path (``records.create``) flushes one record at a time, which is right
for a form and far too slow for an import of 50,000 resources. ``BulkWriter``
writes through SQLAlchemy Core in batches, inside the connection of an
``action()``, and appends one audit event per record created or changed, in
the same shape the session listener in ``services.unit`` writes, so the audit
trail reads the same and undo takes an import back whole.

Callers validate first (``services.validation.validate``): this module writes
what it is given.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from caretui import codes
from caretui.models.all import AuditEvent, Patient, Record
from caretui.models.base import utcnow
from caretui.services.unit import plain_value

#: Columns the audit trail leaves out (the same as ``services.unit``).
NOT_AUDITED = frozenset({"created_at", "updated_at", "version", "search_key"})
#: Rows per statement.
BATCH = 1_000


def table_of(model: type[Record]) -> Table:
    return cast(Table, model.__table__)


def audited(model: type[Record]) -> list[str]:
    """The columns an audit event of ``model`` records."""
    return [c.key for c in table_of(model).c if c.key not in NOT_AUDITED]


def chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class BulkWriter:
    """Inserts and updates through the connection of an open ``action()`` session."""

    def __init__(self, session: Session) -> None:
        if "action_id" not in session.info:
            raise RuntimeError("BulkWriter needs a session from services.unit.action()")
        self.conn: Connection = session.connection()
        self.action_id: str = session.info["action_id"]
        self.action_label: str = session.info["action_label"]
        self.now = utcnow()
        self._audit: list[dict[str, Any]] = []

    def insert(self, model: type[Record], rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert ``rows`` (every column but id and the managed ones); returns the new ids,
        in the order of ``rows``."""
        if not rows:
            return []
        table = table_of(model)
        keys = audited(model)
        ids: list[int] = []
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        # Every row names every column (one statement shape); a required column left
        # empty takes its default, as the ORM would give it.
        defaults = {
            c.key: (
                getattr(c.default, "arg", None)
                if c.default is not None and c.default.is_scalar and not c.nullable
                else None
            )
            for c in table.c
            if c.key not in NOT_AUDITED and c.key != "id"
        }
        if "search_key" in table.c:
            defaults["search_key"] = ""
        filled = [
            {k: (row[k] if row.get(k) is not None else d) for k, d in defaults.items()}
            | {k: row[k] for k in row.keys() - defaults.keys()}
            for row in rows
        ]
        sqlite = self.conn.dialect.name == "sqlite"
        next_id = self._next_id(table) if sqlite else 0
        for part in chunks(filled):
            full = [
                {**row, "created_at": self.now, "updated_at": self.now, "version": 1}
                for row in part
            ]
            if sqlite:
                # We hold the write lock (BEGIN IMMEDIATE): ids past the highest ever
                # given are ours, and a plain executemany is many times faster than
                # RETURNING row by row.
                new_ids = list(range(next_id, next_id + len(full)))
                next_id += len(full)
                for record_id, row in zip(new_ids, full, strict=True):
                    row["id"] = record_id
                self.conn.execute(insert(table), full)
            else:
                new_ids = [int(r[0]) for r in self.conn.execute(stmt, full)]
            ids.extend(new_ids)
            for record_id, row in zip(new_ids, part, strict=True):
                changes = {k: [None, plain_value(row.get(k))] for k in keys if k != "id"}
                changes["id"] = [None, record_id]
                self._event(model, codes.AuditAction.CREATE, record_id, row, changes)
        self.flush_audit()
        return ids

    def _next_id(self, table: Table) -> int:
        """The first id never given in ``table`` (AUTOINCREMENT: deleted ids are not reused)."""
        highest = self.conn.execute(select(func.max(table.c.id))).scalar() or 0
        seq = self.conn.execute(
            text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table.name}
        ).scalar()
        return max(int(highest), int(seq or 0)) + 1

    def update(
        self,
        model: type[Record],
        rows: Sequence[tuple[int, Mapping[str, Any], Mapping[str, Any]]],
    ) -> int:
        """Apply ``(id, new values, current values)`` where anything changed; returns how
        many records changed. Each changed record gets a new version and an audit event
        naming only the fields that changed."""
        table = table_of(model)
        keys = set(audited(model))
        changed: list[tuple[int, Mapping[str, Any], Mapping[str, Any]]] = []
        for record_id, new, current in rows:
            diff = {
                k: [plain_value(current.get(k)), plain_value(v)]
                for k, v in new.items()
                if k in keys and plain_value(current.get(k)) != plain_value(v)
            }
            if diff:
                changed.append((record_id, new, current))
                merged = {**current, **new}
                self._event(model, codes.AuditAction.UPDATE, record_id, merged, diff)
        if not changed:
            return 0
        # One statement shape per set of columns, so executemany can batch them.
        by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for record_id, new, _current in changed:
            shape = tuple(sorted(new))
            params = {f"p_{k}": v for k, v in new.items()}
            params["p_id"] = record_id
            by_shape.setdefault(shape, []).append(params)
        for shape, params_list in by_shape.items():
            values: dict[str, Any] = {k: bindparam(f"p_{k}") for k in shape}
            values["updated_at"] = self.now
            values["version"] = table.c.version + 1
            stmt = update(table).where(table.c.id == bindparam("p_id")).values(values)
            for part in chunks(params_list):
                self.conn.execute(stmt, list(part))
        self.flush_audit()
        return len(changed)

    def current(self, model: type[Record], ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The stored values of the records ``ids`` that exist, by id."""
        table = table_of(model)
        out: dict[int, dict[str, Any]] = {}
        for part in chunks(sorted(set(ids)), 500):
            for row in self.conn.execute(select(table).where(table.c.id.in_(part))).mappings():
                out[int(row["id"])] = dict(row)
        return out

    def _event(
        self,
        model: type[Record],
        kind: codes.AuditAction,
        record_id: int,
        values: Mapping[str, Any],
        changes: dict[str, Any],
    ) -> None:
        patient = record_id if model is Patient else values.get("patient_id")
        self._audit.append(
            {
                "at": self.now,
                "action_id": self.action_id,
                "action_label": self.action_label,
                "action": kind,
                "entity": model.__tablename__,
                "record_id": record_id,
                "patient_id": int(patient) if patient is not None else None,
                "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True),
                "reverts": None,
            }
        )

    def flush_audit(self) -> None:
        for part in chunks(self._audit):
            self.conn.execute(insert(AuditEvent), list(part))
        self._audit.clear()
