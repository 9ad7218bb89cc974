"""The second pass over a bundle, inside the import's one transaction.

The file is read again, a window of entries at a time. Each window's resources
are mapped to drafts once more; their references resolve through the first
pass's index to record ids ``matching`` gave out, or to records imported before;
their values are validated by the same rules as every other write; and, while
no entry so far has a problem, they are written at once (``BulkWriter``: Core
statements in batches, one audit event each). Then the window is dropped.

A problem anywhere stops the writing but not the checking, so the report names
every bad entry; ``import_bundle`` then raises and the transaction rolls back:
nothing of the bundle stays. Foreign keys are checked at commit
(``PRAGMA defer_foreign_keys``), since a task may come before its patient.

A check that needs an entry not read yet (is the appointment a task names the
same patient's?) waits in ``pending`` until that entry comes.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, TextIO, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from caretui.errors import DomainError
from caretui.models.all import LINKS, RECORDS, ExternalRef, Patient, Record, Task
from caretui.services.bulk import BulkWriter, table_of
from caretui.services.fhir import registry
from caretui.services.fhir.context import Entry
from caretui.services.fhir.draft import Draft, EntryProblem, Link, Problem, shown
from caretui.services.fhir.index import TYPED, BundleIndex, read_entry
from caretui.services.fhir.matching import SOURCE, Ids, Match
from caretui.services.fhir.reader import BundleReader, MalformedJSON
from caretui.services.validation import validate

_CHANGED = "The file changed while it was being imported; nothing was imported"
#: Entries mapped, checked and written at a time.
WINDOW = 1_000
#: A resolved reference: a bundle entry's position, or a stored record's id.
_Target = tuple[str, int]
#: A check waiting for an entry: (the draft that asked, its link, its patient).
_Wait = tuple[Draft, Link, int]


class Loader:
    """Checks and writes a bundle the first pass indexed without problems."""

    def __init__(
        self, session: Session, index: BundleIndex, *, today: date, queues: tuple[str, ...]
    ) -> None:
        self.index = index
        self.today = today
        self.queues = queues
        self.default_queue = "follow-up" if "follow-up" in queues else queues[0]
        self.writer = BulkWriter(session)
        self.conn = self.writer.conn
        self.ids = Ids(self.conn, index.resources)
        self.problems: list[Problem] = []
        self.patient_of = array("q", [-1]) * index.resources
        self.pending: dict[int, list[_Wait]] = {}
        self.assigned = index.assigned()
        self._stored_cache: dict[tuple[str, str], Match] = {}
        self.added: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.unchanged: Counter[str] = Counter()

    def run(self, stream: TextIO) -> None:
        self.ids.match_entries(self.index.keys, self.index.kinds, self.index.model_of)
        if self.conn.dialect.name == "sqlite":
            self.conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        window: list[tuple[int, Any]] = []
        for position, entry in _entries(stream):
            if position in self.index.keys:
                window.append((position, entry))
            if len(window) >= WINDOW:
                self._load(window)
                window = []
        if window:
            self._load(window)
        assert not self.pending, "every entry waited on has been read"

    # -- one window

    def _load(self, window: list[tuple[int, Any]]) -> None:
        drafts: list[Draft] = []
        for position, entry in window:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                raise DomainError(_CHANGED)
            drafts.extend(self._read(position, resource))
        self._match(drafts)
        current = self._current(drafts)
        checked = []
        for d in drafts:
            before = len(self.problems)
            self._resolve(d)
            # A draft whose reference failed is not validated: "Patient is required"
            # would only repeat the reference's own line of the report.
            if len(self.problems) == before and self._check(d, current.get(d.model, {})):
                checked.append(d)
        if not self.problems:
            self._write(checked, current)

    def _read(self, position: int, resource: dict[str, Any]) -> list[Draft]:
        kind = self.index.kinds[position]
        key = self.index.keys[position]

        def problem(rtype: str, rid: str, path: str, value: Any, message: str) -> None:
            self.problems.append(Problem(position, rtype, rid, path, shown(value), message))

        entry = Entry(position, kind, key, key, self.today)
        drafts = read_entry(registry.BY_TYPE[kind], resource, entry, problem)
        if drafts is None:
            raise DomainError(_CHANGED)
        for d in drafts:
            for step in d.later:
                try:
                    step(self.index)
                except EntryProblem as exc:
                    self.problems.append(d.problem(exc.path, exc.value, exc.message))
            d.later.clear()  # the steps hold their draft: a cycle the collector would chase
        main = drafts[0]
        main.record_id = self.ids.record_of[position]
        if self.ids.existing[position]:
            main.existing = main.record_id
        main.native = bool(self.ids.native[position])
        ref = self.ids.refs.get(position)
        if ref is not None:
            main.ref_id, main.old_ref = ref
        assigned = self.assigned.get(position)
        if assigned is not None:
            source, link, name = assigned
            main.targets[name] = self.ids.record_of[source]
            main.values[name] = 0
            main.paths[name] = (f"{self.index.kinds[source]}.{link.path}", link.reference)
        return [d for d in drafts if not d.skip]

    def _match(self, drafts: list[Draft]) -> None:
        """Match the parts of resources (a CarePlan's activities) and give new ones ids."""
        by_type: dict[str, list[Draft]] = {}
        for d in drafts:
            if d.record_id is None:
                by_type.setdefault(d.ref_type, []).append(d)
        for ref_type, items in by_type.items():
            for start in range(0, len(items), 500):
                part = items[start : start + 500]
                found = self.ids.match(ref_type, [(d.model, d.key) for d in part])
                for d, match in zip(part, found, strict=True):
                    d.existing, d.native = match.existing, match.native
                    d.ref_id, d.old_ref = match.ref_id, match.old
                    d.record_id = d.existing or self.ids.new_id(table_of(d.model))

    def _current(self, drafts: list[Draft]) -> dict[type[Record], dict[int, dict[str, Any]]]:
        wanted: dict[type[Record], list[int]] = {}
        for d in drafts:
            if d.existing is not None:
                wanted.setdefault(d.model, []).append(d.existing)
        return {model: self.writer.current(model, ids) for model, ids in wanted.items()}

    # -- references

    def _resolve(self, d: Draft) -> None:
        """Every link of ``d`` to a record id; the patient first, as others compare it."""
        link = d.links.get("patient_id")
        if link is not None:
            target = self._target(d, link)
            if target is not None:
                d.targets["patient_id"] = self._record_of(target)
        mine = self._patient_key(d)
        if d.key == self.index.keys.get(d.index):  # the resource's own record
            self.patient_of[d.index] = mine
            for waiting, wlink, theirs in self.pending.pop(d.index, ()):
                if not (theirs and theirs == mine):
                    self._belongs_elsewhere(waiting, wlink)
        for name, link in d.links.items():
            if name == "patient_id":
                continue
            target = self._target(d, link)
            if target is None:
                continue
            if self._same_patient(d, name, link, target, mine):
                d.targets[name] = self._record_of(target)
        for link, _name in d.assign:
            self._check_assign(d, link, mine)

    def _record_of(self, target: _Target) -> int:
        kind, value = target
        return self.ids.record_of[value] if kind == "entry" else value

    def _patient_key(self, d: Draft) -> int:
        """The id of the patient ``d`` belongs to (its own for a patient); 0 for none."""
        if d.model is Patient:
            return d.record_id or 0
        owner = d.targets.get("patient_id")
        if isinstance(owner, Draft):
            return owner.record_id or 0
        return owner or 0

    def _target(self, d: Draft, link: Link) -> _Target | None:
        index = self.index
        position = index.find(link.reference)
        if position is not None:
            kind = index.kinds[position]
            if position not in index.keys:
                message = f"refers to a {kind} entry, which is not imported"
                self.problems.append(d.problem(link.path, link.reference, message))
                return None
            if registry.canonical(kind) not in map(registry.canonical, link.types):
                message = f"refers to a {kind}, not a {' or '.join(link.types)}"
                self.problems.append(d.problem(link.path, link.reference, message))
                return None
            return ("entry", position)
        record = self._stored(link)
        if record is None:
            self.problems.append(
                d.problem(
                    link.path,
                    link.reference,
                    "refers to nothing: no entry in the bundle has this id or fullUrl, "
                    "and no record imported before had it",
                )
            )
            return None
        return ("stored", record)

    def _stored(self, link: Link) -> int | None:
        """A record an earlier import made (or this database exported) that ``link`` names."""
        m = TYPED.search(link.reference)
        if m is not None and m.group(1) in link.types:
            candidates = [(m.group(1), m.group(2))]
        elif link.reference.startswith("urn:uuid:"):
            candidates = [(t, link.reference[9:]) for t in link.types]
        else:
            return None
        for rtype, rid in candidates:
            module = registry.BY_TYPE.get(rtype)
            if module is None:
                continue
            key = (registry.canonical(rtype), rid)
            match = self._stored_cache.get(key)
            if match is None:
                match = self.ids.match(key[0], [(module.MODEL, rid)])[0]
                if len(self._stored_cache) < 100_000:
                    self._stored_cache[key] = match
            if match.existing is not None:
                return match.existing
        return None

    def _same_patient(self, d: Draft, name: str, link: Link, target: _Target, mine: int) -> bool:
        """A goal's care plan, a task's appointment, a referral's contact: the same patient's.
        A link between two records of no patient of its own (a task waiting on another)
        may join any two. A check on an entry not read yet waits for it."""
        if "patient_id" not in table_of(d.model).c:
            return True
        kind, value = target
        if kind == "entry":
            if "patient_id" not in table_of(self.index.model_of(value)).c:
                return True
            theirs = self.patient_of[value]
            if theirs < 0:
                self.pending.setdefault(value, []).append((d, link, mine))
                return True
        else:
            fk = next(iter(table_of(d.model).c[name].foreign_keys))
            table = fk.column.table
            if "patient_id" not in table.c:
                return True
            row = self.conn.execute(select(table.c.patient_id).where(table.c.id == value)).first()
            theirs = int(row[0]) if row is not None and row[0] is not None else 0
        if mine and theirs == mine:
            return True
        self._belongs_elsewhere(d, link)
        return False

    def _belongs_elsewhere(self, d: Draft, link: Link) -> None:
        self.problems.append(d.problem(link.path, link.reference, "belongs to another patient"))

    def _check_assign(self, d: Draft, link: Link, mine: int) -> None:
        """``CarePlan.goal``: the goal (set up by ``_read`` when it comes) must be in the
        bundle, a Goal, and the same patient's."""
        index = self.index
        position = index.find(link.reference)
        if position is None or position not in index.keys:
            if self._stored(link) is None:
                self.problems.append(
                    d.problem(link.path, link.reference, "refers to nothing in the bundle")
                )
            return  # a goal imported before keeps its care plan
        kind = index.kinds[position]
        if registry.canonical(kind) not in link.types:
            message = f"refers to a {kind}, not a {' or '.join(link.types)}"
            self.problems.append(d.problem(link.path, link.reference, message))
            return
        theirs = self.patient_of[position]
        if theirs < 0:
            self.pending.setdefault(position, []).append((d, link, mine))
        elif not (mine and theirs == mine):
            self._belongs_elsewhere(d, link)

    # -- validation

    def _check(self, d: Draft, current_rows: dict[int, dict[str, Any]]) -> bool:
        table = cast(Table, d.model.__table__)
        fields = dict(d.values)
        for name, target in d.targets.items():
            fields[name] = target.record_id if isinstance(target, Draft) else target
        current = current_rows.get(d.existing) if d.existing is not None else None
        if current is None:
            fields = {**d.initial, **fields}
            if d.model is Task and fields.get("queue") is None:
                fields["queue"] = self.default_queue
        for name, value in list(fields.items()):
            if value is not None:
                continue
            column = table.c[name]
            if not column.nullable:
                default = column.default
                if default is not None and default.is_scalar:
                    fields[name] = getattr(default, "arg", None)
                elif current is not None and name in d.initial:
                    del fields[name]  # keep what the record has
        try:
            checked = validate(
                d.model, fields, current=current, today=self.today, queues=self.queues
            )
            complete = registry.COMPLETE.get(d.model)
            if complete is not None:
                view = {**(current or {}), **checked}
                complete(view, self.today)
                checked.update(
                    {
                        k: view[k]
                        for k in view
                        if k in table.c and k not in checked and view[k] != (current or {}).get(k)
                    }
                )
        except DomainError as exc:
            path, raw = d.paths.get(exc.field or "", (exc.field or "", None))
            self.problems.append(d.problem(path, raw, exc.message))
            return False
        if d.model is Patient:
            checked["search_key"] = _search_key({**(current or {}), **checked})
        d.checked = checked
        return True

    # -- writing

    def _write(
        self, drafts: list[Draft], current: dict[type[Record], dict[int, dict[str, Any]]]
    ) -> None:
        by_model: dict[type[Record], list[Draft]] = {}
        for d in drafts:
            by_model.setdefault(d.model, []).append(d)
        for model in (*RECORDS, *LINKS):
            group = by_model.get(model)
            if not group:
                continue
            entity = model.__tablename__
            new = [d for d in group if d.existing is None]
            changes = [
                (d.existing, d.checked, current[model][d.existing])
                for d in group
                if d.existing is not None
            ]
            self.writer.insert(model, [d.checked for d in new], ids=[d.record_id for d in new])
            changed = self.writer.update(model, changes)
            self.added[entity] += len(new)
            self.updated[entity] += changed
            self.unchanged[entity] += len(changes) - changed
        self._write_refs(drafts)

    def _write_refs(self, drafts: Iterable[Draft]) -> None:
        table = table_of(ExternalRef)
        new: list[dict[str, Any]] = []
        moved: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        for d in drafts:
            if d.native:
                continue
            assert d.record_id is not None
            entity = d.model.__tablename__
            if d.ref_id is None:
                new.append(
                    {
                        "source": SOURCE,
                        "resource_type": d.ref_type,
                        "external_id": d.key,
                        "entity": entity,
                        "record_id": d.record_id,
                    }
                )
            elif d.old_ref != (entity, d.record_id):
                old_entity, old_record = d.old_ref or ("", 0)
                moved.append(
                    (
                        d.ref_id,
                        {"entity": entity, "record_id": d.record_id},
                        {"entity": old_entity, "record_id": old_record},
                    )
                )
        self.writer.insert(ExternalRef, new, ids=[self.ids.new_id(table) for _ in new])
        self.writer.update(ExternalRef, moved)


def _entries(stream: TextIO) -> Iterator[tuple[int, Any]]:
    """The bundle's entries again; the first pass read the same file whole and well."""
    try:
        yield from BundleReader(stream).entries()
    except (MalformedJSON, UnicodeDecodeError):
        raise DomainError(_CHANGED) from None


def _search_key(values: dict[str, Any]) -> str:
    from caretui.services.patients import search_key

    keys = ("given_name", "family_name", "preferred_name", "mrn", "insurance_member_id", "phone")
    return search_key(Patient(**{k: values.get(k) for k in keys}))
