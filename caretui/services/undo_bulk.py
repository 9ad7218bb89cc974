"""Undo of an action that created or changed each of its records once (an import).

The same contract as ``services.undo`` (refused whole, changing nothing, if a
record is no longer as the action left it; audited as one new action whose
events carry ``reverts``), done in batches through ``BulkWriter`` instead of one
ORM object at a time, and reading the trail a few hundred events at a time, so
taking back a 50,000-resource import needs neither minutes nor the whole trail
in memory.

Order keeps foreign keys whole: first every changed record gets its old values
back (one may point away from a record about to go), then created records are
deleted, the tables that point at others first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from caretui.errors import DomainError
from caretui.models.all import BY_TABLE, LINKS, RECORDS, ExternalRef, Patient, Record
from caretui.services.bulk import BulkWriter, audited, plain, table_of

#: Events read at a time.
CHUNK = 500
#: Tables in the order their created records are deleted: links and identifiers first,
#: then each table before the ones it points at.
_DELETE_ORDER: tuple[type[Record], ...] = (ExternalRef, *reversed((*RECORDS, *LINKS)))

_Event = tuple[str, int, dict[str, list[Any]]]


def undo_in_bulk(session: Session, action_id: str, label: str) -> None:
    writer = BulkWriter(session)
    conn = writer.conn
    refusal = (
        f"Cannot undo “{label}”: a record it changed has been changed since; nothing was undone"
    )
    entities = [
        str(e)
        for (e,) in conn.execute(
            text("SELECT DISTINCT entity FROM audit_event WHERE action_id = :action"),
            {"action": action_id},
        )
    ]
    models: dict[str, type[Record]] = {}
    for entity in entities:
        model = BY_TABLE.get(entity)
        if model is None:
            raise DomainError(refusal)
        models[entity] = model
    for entity, model in models.items():
        _check(writer, model, _events(conn, action_id, entity, None), refusal)
    for entity, model in models.items():
        for batch in _events(conn, action_id, entity, "update"):
            _restore(writer, model, batch)
    for model in _DELETE_ORDER:
        entity = model.__tablename__
        if entity not in models:
            continue
        every = set(audited(model))
        for batch in _events(conn, action_id, entity, "create"):
            if all(changes.keys() == every for _, _, changes in batch):
                # Checked above: each record still holds what its create event says,
                # every audited field of it, so the event is the snapshot to keep.
                rows = [{k: pair[1] for k, pair in changes.items()} for _, _, changes in batch]
            else:  # a field added since the import: read the records themselves
                current = writer.current(model, [record_id for _, record_id, _ in batch])
                rows = [current[record_id] for _, record_id, _ in batch]
            writer.delete(model, rows)


def _events(
    conn: Connection, action_id: str, entity: str, kind: str | None
) -> Iterator[list[_Event]]:
    """The action's events on ``entity`` (of one kind, or all), by record id, in batches."""
    where = "action_id = :action AND entity = :entity AND record_id > :after"
    if kind is not None:
        where += " AND action = :kind"
    after = -1
    while True:
        rows = conn.execute(
            text(
                f"SELECT action, record_id, changes FROM audit_event WHERE {where} "
                f"ORDER BY record_id LIMIT {CHUNK}"
            ),
            {"action": action_id, "entity": entity, "after": after, "kind": kind},
        ).all()
        if not rows:
            return
        yield [(str(a), int(r), json.loads(c)) for a, r, c in rows]
        after = int(rows[-1][1])


def _check(
    writer: BulkWriter, model: type[Record], batches: Iterator[list[_Event]], refusal: str
) -> None:
    """Refuse unless every record is as the action left it."""
    columns = table_of(model).c
    for batch in batches:
        current = writer.current(model, [record_id for _, record_id, _ in batch])
        for _kind, record_id, changes in batch:
            row = current.get(record_id)
            if row is None:
                raise DomainError(refusal)
            for field, (_old, new) in changes.items():
                if field not in columns or plain(row[field]) != new:
                    raise DomainError(refusal)


def _restore(writer: BulkWriter, model: type[Record], batch: list[_Event]) -> None:
    """Give changed records their old values back."""
    from caretui.services.undo import _from_json

    columns = table_of(model).c
    current = writer.current(model, [record_id for _, record_id, _ in batch])
    rows = []
    for _kind, record_id, changes in batch:
        old = {field: _from_json(columns[field], pair[0]) for field, pair in changes.items()}
        if model is Patient:
            old["search_key"] = _search_key({**current[record_id], **old})
        rows.append((record_id, old, current[record_id]))
    writer.update(model, rows)


def _search_key(values: dict[str, Any]) -> str:
    from caretui.services.patients import search_key

    keys = ("given_name", "family_name", "preferred_name", "mrn", "insurance_member_id", "phone")
    return search_key(Patient(**{k: values.get(k) for k in keys}))
