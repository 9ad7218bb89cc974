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
        self._audit: list[dict[str, Any]] = []

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
        """One executemany of plain tuples, and each row's audit event, built in one loop."""
        table = table_of(model)
        names = list(defaults)
        fallback = list(defaults.values())
        if any(not row.keys() <= defaults.keys() for row in rows):
            raise ValueError(f"A {model.__label__} has no such field")
        binds = [_processor(table, k, self.conn.dialect) for k in names]
        managed = {"created_at": self.now, "updated_at": self.now, "version": 1}
        self.insert_rows(
            table,
            [
                {
                    "id": record_id,
                    **{
                        k: (d if (v := row.get(k)) is None else v)
                        for k, d in zip(names, fallback, strict=True)
                    },
                }
                for record_id, row in zip(ids, rows, strict=True)
            ],
            managed,
            binds=[_identity, *binds],
        )
        audit_keys = sorted(audited(model))
        entity = model.__tablename__
        own_patient = model is Patient
        for record_id, row in zip(ids, rows, strict=True):
            changes = {}
            for k in audit_keys:
                if k == "id":
                    changes[k] = [None, record_id]
                else:
                    v = row.get(k)
                    changes[k] = [None, plain_value(defaults[k] if v is None else v)]
            patient = record_id if own_patient else row.get("patient_id")
            self._audit.append(
                {
                    "action": codes.AuditAction.CREATE,
                    "entity": entity,
                    "record_id": record_id,
                    "patient_id": int(patient) if patient is not None else None,
                    # Keys already sorted: the same text json.dumps(sort_keys=True) gives.
                    "changes": json.dumps(changes, ensure_ascii=False),
                }
            )

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
            snapshot = {k: [plain_value(row.get(k)), None] for k in keys}
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
            {
                "action": kind,
                "entity": model.__tablename__,
                "record_id": record_id,
                "patient_id": int(patient) if patient is not None else None,
                "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True),
            }
        )

    def flush_audit(self) -> None:
        table = cast(Table, AuditEvent.__table__)
        same = {
            "at": self.now,
            "action_id": self.action_id,
            "action_label": self.action_label,
            "reverts": self.reverts,
        }
        for part in chunks(self._audit):
            self.insert_rows(table, part, same)
        self._audit.clear()

    def insert_rows(
        self,
        table: Table,
        rows: Sequence[Mapping[str, Any]],
        same: Mapping[str, Any],
        *,
        binds: Sequence[Any] | None = None,
    ) -> None:
        """INSERT ``rows`` (each with the same keys) plus the values ``same`` for every row.

        On SQLite, one executemany of plain tuples, each value converted by its
        column's own type (what Core would bind), without Core's per-row work: for
        a large import that machinery cost more than SQLite itself.
        """
        if not rows:
            return
        if self.conn.dialect.name != "sqlite":
            self.conn.execute(insert(table), [{**row, **same} for row in rows])
            return
        dialect = self.conn.dialect
        keys = list(rows[0])
        if any(len(row) != len(keys) for row in rows):
            raise ValueError("insert_rows needs rows of one shape")
        fixed = [
            (k, _processor(table, k, dialect)(v) if v is not None else None)
            for k, v in same.items()
        ]
        names = [*keys, *(k for k, _ in fixed)]
        quote = dialect.identifier_preparer.quote
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(table.c[k].name) for k in names)}) "
            f"VALUES ({', '.join('?' * len(names))})"
        )
        tail = tuple(v for _, v in fixed)
        procs = list(binds) if binds is not None else [_processor(table, k, dialect) for k in keys]
        if all(p is _identity for p in procs):
            params = [(*(row[k] for k in keys), *tail) for row in rows]
        else:
            pairs = list(zip(keys, procs, strict=True))
            params = [(*(_bound(p, row[k]) for k, p in pairs), *tail) for row in rows]
        self.conn.exec_driver_sql(sql, params)


def _identity(value: Any) -> Any:
    return value


def _bound(processor: Any, value: Any) -> Any:
    return value if value is None or processor is _identity else processor(value)


def _processor(table: Table, key: str, dialect: Any) -> Any:
    """The function Core binds a value of column ``key`` with (identity when none)."""
    column = table.c[key]
    found = column.type.dialect_impl(dialect).bind_processor(dialect)
    return found or _identity
