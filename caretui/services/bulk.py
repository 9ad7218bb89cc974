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

from sqlalchemy import Connection, Table, bindparam, delete, func, insert, select, text, update
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
        self.reverts: str | None = session.info.get("reverts")
        #: Audit events waiting to be written: (action, entity, record id, patient id, JSON).
        self._audit: list[tuple[codes.AuditAction, str, int, int | None, str]] = []

    def insert(
        self,
        model: type[Record],
        rows: Sequence[Mapping[str, Any]],
        *,
        ids: Sequence[int | None] | None = None,
    ) -> list[int]:
        """Insert ``rows`` (every column but id and the managed ones); returns the new ids,
        in the order of ``rows``. ``ids`` gives them instead (ids the caller took from
        the table's next free ones while holding the write lock)."""
        if not rows:
            return []
        table = table_of(model)
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
        if ids is not None:
            given = [int(i) for i in ids if i is not None]
            assert len(given) == len(rows), "an id for every row"
        elif self.conn.dialect.name == "sqlite":
            # We hold the write lock (BEGIN IMMEDIATE): ids past the highest ever given
            # are ours, and a plain executemany is many times faster than RETURNING.
            first = self._next_id(table)
            given = list(range(first, first + len(rows)))
        else:
            return self._insert_returning(model, rows, defaults)
        for start in range(0, len(rows), BATCH):
            self._insert_batch(
                model, rows[start : start + BATCH], given[start : start + BATCH], defaults
            )
        self.flush_audit()
        return given

    def _insert_batch(
        self,
        model: type[Record],
        rows: Sequence[Mapping[str, Any]],
        ids: Sequence[int],
        defaults: dict[str, Any],
    ) -> None:
        """One executemany of plain tuples, and each row's audit event, built in one pass:
        for a large import, Core's per-row work cost more than SQLite's own."""
        table = table_of(model)
        names = list(defaults)
        if any(not row.keys() <= defaults.keys() for row in rows):
            raise ValueError(f"A {model.__label__} has no such field")
        dialect = self.conn.dialect
        fills = [(i, d) for i, d in enumerate(defaults.values()) if d is not None]
        binds = [(i, b) for i, k in enumerate(names) if (b := _processor(table, k, dialect))]
        managed = (("created_at", self.now), ("updated_at", self.now), ("version", 1))
        tail = tuple(_bind(table, k, v, dialect) for k, v in managed)
        sql = _insert_sql(table, ("id", *names, *(k for k, _ in managed)), dialect)
        # The audit event's fields in JSON key order, so json.dumps needs no sort_keys.
        order = [(k, names.index(k) if k != "id" else -1) for k in sorted(audited(model))]
        patient_at = names.index("patient_id") if "patient_id" in names else -1
        own_patient = model is Patient
        entity = model.__tablename__
        create = codes.AuditAction.CREATE
        params = []
        for record_id, row in zip(ids, rows, strict=True):
            values = [row.get(k) for k in names]
            for i, d in fills:
                if values[i] is None:
                    values[i] = d
            bound = values.copy()
            for i, b in binds:
                if bound[i] is not None:
                    bound[i] = b(bound[i])
            params.append((record_id, *bound, *tail))
            changes = {k: [None, record_id if i < 0 else plain(values[i])] for k, i in order}
            patient = record_id if own_patient else values[patient_at] if patient_at >= 0 else None
            self._audit.append(
                (
                    create,
                    entity,
                    record_id,
                    int(patient) if patient is not None else None,
                    json.dumps(changes, ensure_ascii=False),
                )
            )
        self.conn.exec_driver_sql(sql, params)

    def _insert_returning(
        self, model: type[Record], rows: Sequence[Mapping[str, Any]], defaults: dict[str, Any]
    ) -> list[int]:
        """Other databases: the database gives the ids (not run by the tests, which use
        SQLite)."""
        table = table_of(model)
        keys = audited(model)
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        managed = {"created_at": self.now, "updated_at": self.now, "version": 1}
        out: list[int] = []
        for part in chunks(rows):
            filled = [
                {k: (row[k] if row.get(k) is not None else d) for k, d in defaults.items()}
                | {k: row[k] for k in row.keys() - defaults.keys()}
                for row in part
            ]
            new_ids = [int(r[0]) for r in self.conn.execute(stmt, [f | managed for f in filled])]
            out.extend(new_ids)
            for record_id, row in zip(new_ids, filled, strict=True):
                changes = {k: [None, plain_value(row.get(k))] for k in keys if k != "id"}
                changes["id"] = [None, record_id]
                self._event(model, codes.AuditAction.CREATE, record_id, row, changes)
        self.flush_audit()
        return out

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

    def delete(self, model: type[Record], rows: Sequence[Mapping[str, Any]]) -> None:
        """Delete the records ``rows`` (as ``current`` gives them), each with an audit event
        holding every field's old value, as the session listener writes it."""
        if not rows:
            return
        table = table_of(model)
        keys = audited(model)
        for row in rows:
            snapshot = {k: [plain(row.get(k)), None] for k in keys}
            self._event(model, codes.AuditAction.DELETE, int(row["id"]), row, snapshot)
        for part in chunks([int(row["id"]) for row in rows], 500):
            self.conn.execute(delete(table).where(table.c.id.in_(part)))
        self.flush_audit()

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
            (
                kind,
                model.__tablename__,
                record_id,
                int(patient) if patient is not None else None,
                json.dumps(changes, ensure_ascii=False, sort_keys=True),
            )
        )

    def flush_audit(self) -> None:
        """Write the audit events waiting, in the same transaction."""
        if not self._audit:
            return
        table = cast(Table, AuditEvent.__table__)
        dialect = self.conn.dialect
        names = ("action", "entity", "record_id", "patient_id", "changes")
        same = (
            ("at", self.now),
            ("action_id", self.action_id),
            ("action_label", self.action_label),
            ("reverts", self.reverts),
        )
        if dialect.name != "sqlite":
            for part in chunks(self._audit):
                self.conn.execute(
                    insert(table), [dict(zip(names, e, strict=True)) | dict(same) for e in part]
                )
            self._audit.clear()
            return
        kinds = {kind: _bind(table, "action", kind, dialect) for kind in codes.AuditAction}
        tail = tuple(_bind(table, k, v, dialect) for k, v in same)
        sql = _insert_sql(table, (*names, *(k for k, _ in same)), dialect)
        for part in chunks(self._audit):
            self.conn.exec_driver_sql(sql, [(kinds[kind], *rest, *tail) for kind, *rest in part])
        self._audit.clear()


#: Types whose values the audit trail's JSON holds as they are.
_AS_IS = frozenset({str, int, float, bool})


def plain(value: Any) -> Any:
    """``plain_value``, quicker for the values most fields hold (text, numbers, None)."""
    return value if value is None or type(value) in _AS_IS else plain_value(value)


def _processor(table: Table, key: str, dialect: Any) -> Any:
    """The function Core binds a value of column ``key`` with (None when none)."""
    return table.c[key].type.dialect_impl(dialect).bind_processor(dialect)


def _bind(table: Table, key: str, value: Any, dialect: Any) -> Any:
    """``value`` as Core would bind it for column ``key``."""
    processor = _processor(table, key, dialect)
    return processor(value) if processor is not None and value is not None else value


def _insert_sql(table: Table, keys: Sequence[str], dialect: Any) -> str:
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(table.c[k].name) for k in keys)
    return f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({', '.join('?' * len(keys))})"
