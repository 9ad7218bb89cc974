"""``caretui export fhir``: the caseload, or one patient, as an R4 Bundle (type collection).

Read through the plain read connection in one read transaction (a consistent
snapshot while the TUI writes), a table at a time, in id order. A record that
came from an import leaves with the id it came with; one made in caretui with
``ct-<kind>-<id>-<hash>`` (see ``context.NATIVE``). Every entry's fullUrl is a
``urn:uuid:`` and references use it. User text is written as it is stored.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Boolean, Date, DateTime, Table

from caretui.errors import DomainError, NotFound
from caretui.models.all import Patient, Record
from caretui.services.fhir import registry
from caretui.services.fhir.context import full_url, native_id
from caretui.services.fhir.values import prune
from caretui.store.database import Database

SOURCE = "fhir"


def _converters(model: type[Record]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in cast(Table, model.__table__).c:
        if isinstance(column.type, DateTime):
            out[column.key] = datetime.fromisoformat
        elif isinstance(column.type, Date):
            out[column.key] = date.fromisoformat
        elif isinstance(column.type, Boolean):
            out[column.key] = bool
    return out


def _both_ends_of(model: type[Record], patient_id: int) -> tuple[str, tuple[Any, ...]]:
    """For a link between two records (a task waiting on another), the rows whose every
    end is the patient's: one patient's bundle refers to nothing outside it."""
    clauses = []
    for column in cast(Table, model.__table__).c:
        for fk in column.foreign_keys:
            clauses.append(
                f"{column.key} IN (SELECT id FROM {fk.column.table.name} WHERE patient_id = ?)"
            )
    return "WHERE " + " AND ".join(clauses), (patient_id,) * len(clauses)


class _Export:
    """The exporter's view of the database, and the ``ExportContext`` the modules use."""

    def __init__(self, con: sqlite3.Connection, patient_id: int | None) -> None:
        self.con = con
        self.patient_id = patient_id
        self.ids: dict[tuple[str, int], str] = {}
        for entity, record_id, external_id in con.execute(
            "SELECT entity, record_id, external_id FROM external_ref "
            "WHERE source = ? ORDER BY id DESC",
            (SOURCE,),
        ):
            self.ids[(entity, int(record_id))] = str(external_id)
        self._created: dict[str, dict[int, str]] = {}
        self._children: dict[tuple[str, str], dict[int, list[dict[str, Any]]]] = {}

    def rows(
        self, model: type[Record], where: str = "", params: tuple[Any, ...] = ()
    ) -> Iterator[dict[str, Any]]:
        table = model.__tablename__
        convert = _converters(model)
        cursor = self.con.execute(f"SELECT * FROM {table} {where} ORDER BY id", params)
        names = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            for key, fn in convert.items():
                if row[key] is not None:
                    try:
                        row[key] = fn(row[key])
                    except (TypeError, ValueError):
                        raise DomainError(
                            f"The {model.__label__} with id {row['id']} holds {key} "
                            f"{str(row[key])[:30]!r}, which is not a valid value; "
                            "correct it before exporting"
                        ) from None
            yield row

    # -- ExportContext

    def resource_id(self, entity: str, record_id: int) -> str:
        found = self.ids.get((entity, record_id))
        if found is not None:
            return found.rsplit("#", 1)[-1] if "#" in found else found
        created = self._created.get(entity)
        if created is None:
            created = {
                int(i): str(c) for i, c in self.con.execute(f"SELECT id, created_at FROM {entity}")
            }
            self._created[entity] = created
        return native_id(entity, record_id, created.get(record_id, ""))

    def reference(self, entity: str, record_id: int | None) -> dict[str, Any] | None:
        if record_id is None:
            return None
        rtype = registry.TYPE_OF[entity]
        return {"reference": full_url(rtype, self.resource_id(entity, record_id))}

    def children(self, entity: str, column: str, parent_id: int) -> list[dict[str, Any]]:
        key = (entity, column)
        grouped = self._children.get(key)
        if grouped is None:
            grouped = {}
            from caretui.models.all import BY_TABLE

            model = BY_TABLE[entity]
            where, params = (
                ("WHERE patient_id = ?", (self.patient_id,))
                if self.patient_id
                else (
                    "",
                    (),
                )
            )
            if self.patient_id and "patient_id" not in model.__table__.c:
                where, params = _both_ends_of(model, self.patient_id)
            for row in self.rows(model, where, params):
                if row[column] is not None:
                    grouped.setdefault(int(row[column]), []).append(row)
            self._children[key] = grouped
        return grouped.get(parent_id, [])

    def local_id(self, entity: str, record_id: int) -> str:
        return self.resource_id(entity, record_id)

    # -- the bundle

    def entries(self) -> Iterator[dict[str, Any]]:
        for module in registry.MAPS:
            model = module.MODEL
            entity = model.__tablename__
            params: tuple[Any, ...] = ()
            if self.patient_id is None:
                where = ""
            elif model is Patient:
                where, params = "WHERE id = ?", (self.patient_id,)
            elif "patient_id" in model.__table__.c:
                where, params = "WHERE patient_id = ?", (self.patient_id,)
            elif entity == "resource":
                where = "WHERE id IN (SELECT resource_id FROM referral WHERE patient_id = ?)"
                params = (self.patient_id,)
            else:
                continue
            for row in self.rows(model, where, params):
                rid = self.resource_id(entity, int(row["id"]))
                body = prune(module.write(row, self))
                resource = {"resourceType": body.pop("resourceType"), "id": rid, **body}
                yield {"fullUrl": full_url(module.TYPE, rid), "resource": resource}


def export_bundle(db: Database, *, patient_id: int | None = None) -> bytes:
    """The caseload (or the patient ``patient_id``'s records) as FHIR R4 JSON, UTF-8."""
    con = db.read()
    try:
        con.execute("BEGIN")  # one snapshot for every table
        if patient_id is not None and (
            con.execute("SELECT 1 FROM patient WHERE id = ?", (patient_id,)).fetchone() is None
        ):
            raise NotFound(f"No patient with id {patient_id}")
        export = _Export(con, patient_id)
        stamp = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
        parts = [
            '{"resourceType":"Bundle","type":"collection",'
            f'"timestamp":{json.dumps(stamp)},"entry":[\n'
        ]
        first = True
        for entry in export.entries():
            parts.append(("" if first else ",\n") + json.dumps(entry, ensure_ascii=False))
            first = False
        parts.append("\n]}\n")
        con.execute("COMMIT")
    finally:
        con.close()
    return "".join(parts).encode("utf-8")
