"""Which record each entry becomes: one an earlier import made, or a new one with its id
given now.

Inside the import's write transaction (``BEGIN IMMEDIATE``: no one else can add
rows meanwhile), every entry the bundle keeps is matched to the record its id was
kept for (``ExternalRef``), or to a record of this database it was exported from
(``ct-…`` ids). Every other one is given the next free id of its table at once.
So any entry's record id is known before anything is written, references resolve
in any order, and the second pass can write the bundle in small batches without
keeping it in memory. Ids are held in arrays: eight bytes an entry.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, func, select, text

from caretui.errors import DomainError
from caretui.models.all import ExternalRef, Record
from caretui.services.bulk import chunks, table_of
from caretui.services.fhir.context import NATIVE, fingerprint

SOURCE = "fhir"


@dataclass(slots=True)
class Match:
    """What one key was matched to."""

    #: The record it updates (None: a new record).
    existing: int | None = None
    #: The ``ExternalRef`` that holds the key, and what it pointed to before.
    ref_id: int | None = None
    old: tuple[str, int] | None = None
    #: A record of this database, exported with a caretui id: no ``ExternalRef`` kept.
    native: bool = False


class Ids:
    """Record ids by entry position, and the next free id of each table."""

    def __init__(self, conn: Connection, size: int) -> None:
        self.conn = conn
        self.record_of = array("q", bytes(8 * size))
        self.existing = bytearray(size)
        self.native = bytearray(size)
        #: ``ExternalRef`` rows of the bundle's entries that have one: position -> (id, old).
        self.refs: dict[int, tuple[int, tuple[str, int]]] = {}
        self._next: dict[str, int] = {}

    def new_id(self, table: Table) -> int:
        """The next id of ``table`` never given (AUTOINCREMENT: deleted ids are not reused)."""
        found = self._next.get(table.name)
        if found is None:
            if self.conn.dialect.name != "sqlite":
                # Ids are handed out ahead of the rows, which SQLite's write lock makes
                # safe; another database would need its sequences here.
                raise DomainError("FHIR import needs a SQLite caseload for now")
            highest = self.conn.execute(select(func.max(table.c.id))).scalar() or 0
            seq = self.conn.execute(
                text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table.name}
            ).scalar()
            found = max(int(highest), int(seq or 0)) + 1
        self._next[table.name] = found + 1
        return found

    def match_entries(self, keys: dict[int, str], kinds: Sequence[str], model_of: Any) -> None:
        """Match every kept entry (position -> key) and give the new ones their ids."""
        from caretui.services.fhir import registry

        by_type: dict[str, list[tuple[int, str]]] = {}
        for position, key in keys.items():
            by_type.setdefault(registry.canonical(kinds[position]), []).append((position, key))
        for ref_type, items in by_type.items():
            for part in chunks(items, 500):
                models = [model_of(p) for p, _ in part]
                pairs = [(m, k) for m, (_, k) in zip(models, part, strict=True)]
                matches = self.match(ref_type, pairs)
                for (position, _key), model, match in zip(part, models, matches, strict=True):
                    self._keep(position, model, match)

    def _keep(self, position: int, model: type[Record], match: Match) -> None:
        if match.existing is not None:
            self.record_of[position] = match.existing
            self.existing[position] = 1
        else:
            self.record_of[position] = self.new_id(table_of(model))
        if match.native:
            self.native[position] = 1
        if match.ref_id is not None:
            assert match.old is not None
            self.refs[position] = (match.ref_id, match.old)

    def match(self, ref_type: str, items: Sequence[tuple[type[Record], str]]) -> list[Match]:
        """Match drafts (model, key) of one ref type; at most a few hundred at a time."""
        table = cast(Table, ExternalRef.__table__)
        keys = [key for _, key in items]
        stored: dict[str, tuple[int, str, int]] = {}
        rows = self.conn.execute(
            select(table.c.external_id, table.c.id, table.c.entity, table.c.record_id).where(
                table.c.source == SOURCE,
                table.c.resource_type == ref_type,
                table.c.external_id.in_(keys),
            )
        )
        for external_id, ref_id, entity, record_id in rows:
            stored[external_id] = (int(ref_id), str(entity), int(record_id))
        out: list[Match] = []
        for model, key in items:
            match = Match()
            found = stored.get(key)
            if found is not None:
                match.ref_id, match.old = found[0], (found[1], found[2])
                if found[1] == model.__tablename__:
                    match.existing = found[2]
            else:
                native = NATIVE.match(key.rsplit("#", 1)[-1])
                if native is not None and native.group(1).replace("-", "_") == model.__tablename__:
                    match.existing = int(native.group(2))
                    match.native = True
            out.append(match)
        self._verify(items, out)
        return out

    def _verify(self, items: Sequence[tuple[type[Record], str]], matches: list[Match]) -> None:
        """Drop matches to records deleted since (made anew), and caretui ids whose
        fingerprint is not this database's (another database's record)."""
        wanted: dict[str, set[int]] = {}
        for (model, _key), match in zip(items, matches, strict=True):
            if match.existing is not None:
                wanted.setdefault(model.__tablename__, set()).add(match.existing)
        stamps: dict[tuple[str, int], str] = {}
        for table, ids in wanted.items():
            for table_name, record_id, created_at in self.created(table, ids):
                stamps[(table_name, record_id)] = created_at
        for (model, key), match in zip(items, matches, strict=True):
            if match.existing is None:
                continue
            stamp = stamps.get((model.__tablename__, match.existing))
            if match.native:
                native = NATIVE.match(key.rsplit("#", 1)[-1])
                assert native is not None
                if stamp is None or fingerprint(stamp) != native.group(3):
                    match.existing, match.native = None, False
            elif stamp is None:
                match.existing = None  # made by an earlier import, deleted since: made anew

    def created(self, table: str, ids: Iterable[int]) -> Iterable[tuple[str, int, str]]:
        """(table, id, created_at) of the records ``ids`` of ``table`` that exist."""
        for part in chunks(sorted(ids), 500):
            marks = ", ".join(str(int(i)) for i in part)
            rows = self.conn.execute(
                text(f"SELECT id, created_at FROM {table} WHERE id IN ({marks})")
            )
            for record_id, created_at in rows:
                yield table, int(record_id), str(created_at)
