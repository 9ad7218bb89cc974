"""``caretui import fhir``: a Bundle in, all of it or none of it.

1. **Read**: the file is streamed entry by entry (``reader``); each resource is
   mapped to plain drafts by its type's module (``maps``) and dropped. Only the
   drafts and an index of the bundle's ids stay in memory.
2. **Check**, inside one write transaction, before anything is written: each
   draft is matched to the record an earlier import made (``ExternalRef``),
   its references are resolved within the bundle (by id or fullUrl) or to
   records imported before, and its values are validated by the same rules as
   every other write. Every bad entry becomes one line of the report, and a
   report means nothing is written.
3. **Write**: records in batches through ``BulkWriter``, each with its audit
   event, parents before children, then the external ids; one action, so one
   undo takes the whole import back.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO, cast

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from caretui.errors import DomainError
from caretui.models.all import LINKS, RECORDS, ExternalRef, Patient, Record, Task
from caretui.services.bulk import BulkWriter, chunks
from caretui.services.fhir import registry
from caretui.services.fhir.context import NATIVE, Entry, fingerprint
from caretui.services.fhir.draft import (
    Draft,
    EntryProblem,
    ImportRejected,
    Link,
    Problem,
    shown,
)
from caretui.services.fhir.reader import BundleReader, MalformedJSON
from caretui.services.validation import validate
from caretui.store.database import Database

SOURCE = "fhir"
BUNDLE_TYPES = ("collection", "transaction", "batch", "searchset")
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_TYPED = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]*)?$")

#: How a summary names each kind of record.
WORDS: dict[str, tuple[str, str]] = {
    "patient": ("patient", "patients"),
    "contact": ("contact", "contacts"),
    "problem": ("problem", "problems"),
    "allergy": ("allergy", "allergies"),
    "medication": ("medication", "medications"),
    "care_plan": ("care plan", "care plans"),
    "goal": ("goal", "goals"),
    "intervention": ("intervention", "interventions"),
    "appointment": ("appointment", "appointments"),
    "task": ("task", "tasks"),
    "note": ("note", "notes"),
    "resource": ("resource", "resources"),
    "referral": ("referral", "referrals"),
    "task_dependency": ("task dependency", "task dependencies"),
}


def counted(counts: Counter[str], order: Iterable[str] = WORDS) -> str:
    parts = []
    for key in order:
        n = counts.get(key, 0)
        if n:
            singular, plural = WORDS.get(key, (key, key))
            parts.append(f"{n:,} {singular if n == 1 else plural}")
    return ", ".join(parts)


@dataclass(frozen=True)
class ImportSummary:
    """What an import did, by kind of record, and how long it took."""

    added: Counter[str]
    updated: Counter[str]
    unchanged: Counter[str]
    skipped: Counter[str]
    resources: int
    seconds: float

    def describe(self) -> str:
        lines = [
            f"Added: {counted(self.added) or 'nothing'}",
            f"Updated: {counted(self.updated) or 'nothing'}",
        ]
        if counted(self.unchanged):
            lines.append(f"Unchanged: {counted(self.unchanged)}")
        if self.skipped:
            kinds = ", ".join(f"{t} {n:,}" for t, n in sorted(self.skipped.items()))
            lines.append(f"Skipped {sum(self.skipped.values()):,} entries of other types: {kinds}")
        rate = self.resources / self.seconds if self.seconds > 0 else 0
        lines.append(f"{self.resources:,} resources in {self.seconds:.2f} s ({rate:,.0f} a second)")
        return "\n".join(lines)


# -- reading ---------------------------------------------------------------------------------


@dataclass
class Bundle:
    """A bundle read into drafts, and the index its references resolve against."""

    drafts: list[Draft] = field(default_factory=list)
    main: dict[int, Draft] = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    by_url: dict[str, int] = field(default_factory=dict)
    by_type_id: dict[tuple[str, str], int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    resources: int = 0

    def find(self, reference: str) -> int | None:
        """The index of the entry ``reference`` names (by fullUrl, or by type and id)."""
        found = self.by_url.get(reference)
        if found is not None:
            return found
        m = _TYPED.search(reference)
        if m is not None:
            return self.by_type_id.get((m.group(1), m.group(2)))
        return None

    def kind_of(self, reference: str) -> str | None:
        index = self.find(reference)
        return self.kinds.get(index) if index is not None else None

    def name_of(self, reference: str) -> str | None:
        index = self.find(reference)
        return self.names.get(index) if index is not None else None


def _name_of(resource: dict[str, Any]) -> str | None:
    """A display name for a Practitioner, Organization, Location …"""
    name = resource.get("name")
    if isinstance(name, str):
        return name
    if isinstance(name, list) and name and isinstance(name[0], dict):
        n = name[0]
        if isinstance(n.get("text"), str):
            return str(n["text"])
        parts = [*[p for p in n.get("prefix") or () if isinstance(p, str)]]
        parts += [g for g in n.get("given") or () if isinstance(g, str)]
        if isinstance(n.get("family"), str):
            parts.append(n["family"])
        return " ".join(parts) or None
    return None


def read_bundle(stream: TextIO, *, skip_unknown: bool, today: date) -> Bundle:
    """Read and map every entry; structural problems are collected, not raised."""
    bundle = Bundle()
    reader = BundleReader(stream)
    try:
        for index, entry in reader.entries():
            bundle.resources += 1
            _read_entry(bundle, index, entry, skip_unknown=skip_unknown, today=today)
    except MalformedJSON as exc:
        bundle.problems.append(
            Problem(
                exc.entry,
                "",
                "",
                "",
                "",
                f"the file is not valid JSON at line {exc.line}, column {exc.column}: "
                f"{exc.message}",
            )
        )
        return bundle
    except UnicodeDecodeError:
        bundle.problems.append(Problem(None, "", "", "", "", "the file is not UTF-8 text"))
        return bundle
    header = reader.header
    if header.get("resourceType") != "Bundle":
        bundle.problems.append(
            Problem(
                None,
                "",
                "",
                "resourceType",
                shown(header.get("resourceType")),
                "the file is not a FHIR Bundle",
            )
        )
    elif header.get("type") not in BUNDLE_TYPES:
        bundle.problems.append(
            Problem(
                None,
                "Bundle",
                "",
                "type",
                shown(header.get("type")),
                f"caretui imports bundles of type {', '.join(BUNDLE_TYPES)}",
            )
        )
    return bundle


def _read_entry(bundle: Bundle, index: int, entry: Any, *, skip_unknown: bool, today: date) -> None:
    def problem(rtype: str, rid: str, path: str, value: Any, message: str) -> None:
        bundle.problems.append(Problem(index, rtype, rid, path, shown(value), message))

    if not isinstance(entry, dict):
        problem("", "", "", entry, "an entry is a JSON object")
        return
    resource = entry.get("resource")
    if not isinstance(resource, dict):
        problem("", "", "resource", resource, "the entry has no resource")
        return
    rtype = resource.get("resourceType")
    if not isinstance(rtype, str) or not rtype:
        problem("", "", "resourceType", rtype, "the resource has no resourceType")
        return
    rid = resource.get("id")
    full = entry.get("fullUrl")
    if rid is not None and (not isinstance(rid, str) or not _ID.match(rid)):
        problem(rtype, "", "id", rid, "is not a FHIR id (1 to 64 letters, digits, - and .)")
        return
    if full is not None and not isinstance(full, str):
        problem(rtype, rid or "", "fullUrl", full, "is not a URL")
        return
    key = rid or full
    if not key:
        problem(rtype, "", "id", None, "the resource has neither an id nor a fullUrl")
        return
    shown_id = rid or key
    bundle.kinds[index] = rtype
    if full is not None:
        if full in bundle.by_url:
            problem(rtype, shown_id, "fullUrl", full, "appears twice in the bundle")
            return
        bundle.by_url[full] = index
    if rid is not None:
        if (rtype, rid) in bundle.by_type_id:
            problem(rtype, shown_id, "id", rid, f"another {rtype} in the bundle has this id")
            return
        bundle.by_type_id[(rtype, rid)] = index
    module = registry.BY_TYPE.get(rtype)
    if module is None:
        if rtype in registry.NAMED:  # not kept, but lends its name to references
            name = _name_of(resource)
            if name:
                bundle.names[index] = name
            bundle.skipped[rtype] += 1
        elif skip_unknown:
            bundle.skipped[rtype] += 1
        else:
            problem(
                rtype,
                shown_id,
                "resourceType",
                rtype,
                "caretui does not import this type (--skip-unknown skips such entries)",
            )
        return
    try:
        drafts = module.read(resource, Entry(index, rtype, shown_id, key, today))
    except EntryProblem as exc:
        problem(rtype, shown_id, exc.path, exc.value, exc.message)
        return
    bundle.main[index] = drafts[0]
    bundle.drafts.extend(drafts)


# -- checking and writing --------------------------------------------------------------------


class _Importer:
    """The check and write steps, inside one action."""

    def __init__(
        self, session: Session, bundle: Bundle, *, today: date, queues: tuple[str, ...]
    ) -> None:
        self.session = session
        self.bundle = bundle
        self.today = today
        self.queues = queues
        self.writer = BulkWriter(session)
        self.problems: list[Problem] = []
        self.current: dict[type[Record], dict[int, dict[str, Any]]] = {}
        self.refs: dict[tuple[str, str], tuple[int, str, int]] = {}

    # -- matching drafts to records an earlier import made

    def match(self) -> None:
        drafts = self.bundle.drafts
        by_type: dict[str, list[str]] = {}
        for d in drafts:
            by_type.setdefault(d.ref_type, []).append(d.key)
        for ref_type, keys in by_type.items():
            self._load_refs(ref_type, keys)
        wanted: dict[type[Record], list[int]] = {}
        for d in drafts:
            found = self.refs.get((d.ref_type, d.key))
            if found is not None:
                d.ref_id = found[0]
                if found[1] == d.model.__tablename__:
                    d.existing = found[2]
            elif self._native(d):
                d.native = True
            if d.existing is not None:
                wanted.setdefault(d.model, []).append(d.existing)
        for model, ids in wanted.items():
            self.current[model] = self.writer.current(model, ids)
        for d in drafts:
            if d.existing is not None and d.existing not in self.current[d.model]:
                d.existing = None  # made by an earlier import, deleted since: made anew
                d.native = False

    def _load_refs(self, ref_type: str, keys: list[str]) -> None:
        table = cast(Table, ExternalRef.__table__)
        stmt = select(table.c.id, table.c.external_id, table.c.entity, table.c.record_id)
        for part in chunks(keys, 500):
            rows = self.writer.conn.execute(
                stmt.where(
                    table.c.source == SOURCE,
                    table.c.resource_type == ref_type,
                    table.c.external_id.in_(part),
                )
            )
            for ref_id, external_id, entity, record_id in rows:
                self.refs[(ref_type, external_id)] = (ref_id, entity, record_id)

    def _native(self, d: Draft) -> bool:
        """Is ``d`` a record of this database, exported with a caretui id?"""
        m = NATIVE.match(d.key.rsplit("#", 1)[-1])
        if m is None or m.group(1).replace("-", "_") != d.model.__tablename__:
            return False
        record_id = int(m.group(2))
        if self._fingerprint(d.model.__tablename__, record_id) != m.group(3):
            return False
        d.existing = record_id
        return True

    def _fingerprint(self, table: str, record_id: int) -> str | None:
        row = self.writer.conn.execute(
            text(f"SELECT created_at FROM {table} WHERE id = :id"), {"id": record_id}
        ).first()
        return fingerprint(str(row[0])) if row is not None else None

    # -- references

    def resolve(self) -> None:
        for d in self.bundle.drafts:
            for step in d.later:
                try:
                    step(self.bundle)
                except EntryProblem as exc:
                    self.problems.append(d.problem(exc.path, exc.value, exc.message))
        self.bundle.drafts = [d for d in self.bundle.drafts if not d.skip]
        for d in self.bundle.drafts:  # patients first: other checks compare them
            if "patient_id" in d.links:
                self._resolve(d, "patient_id", d.links["patient_id"])
        for d in self.bundle.drafts:
            for name, link in d.links.items():
                if name != "patient_id":
                    self._resolve(d, name, link)
            for link, name in d.assign:
                self._assign(d, link, name)

    def _resolve(self, d: Draft, name: str, link: Link) -> None:
        target = self._target(d, link)
        if target is None:
            return
        if name != "patient_id" and not self._same_patient(d, name, target):
            self.problems.append(d.problem(link.path, link.reference, "belongs to another patient"))
            return
        d.targets[name] = target

    def _target(self, d: Draft, link: Link) -> Draft | int | None:
        index = self.bundle.find(link.reference)
        if index is not None:
            found = self.bundle.main.get(index)
            kind = self.bundle.kinds.get(index, "")
            if found is None:
                message = f"refers to a {kind} entry, which is not imported"
                self.problems.append(d.problem(link.path, link.reference, message))
                return None
            if registry.canonical(found.resource_type) not in map(registry.canonical, link.types):
                message = f"refers to a {kind}, not a {' or '.join(link.types)}"
                self.problems.append(d.problem(link.path, link.reference, message))
                return None
            return found
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
        return record

    def _stored(self, link: Link) -> int | None:
        """A record an earlier import made (or this database exported) that ``link`` names."""
        m = _TYPED.search(link.reference)
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
            table = module.MODEL.__tablename__
            key = (registry.canonical(rtype), rid)
            if key not in self.refs:
                self._load_refs(key[0], [rid])
            found = self.refs.get(key)
            if found is not None and found[1] == table and self._exists(table, found[2]):
                return found[2]
            native = NATIVE.match(rid)
            if (
                native is not None
                and native.group(1).replace("-", "_") == table
                and self._fingerprint(table, int(native.group(2))) == native.group(3)
            ):
                return int(native.group(2))
        return None

    def _exists(self, table: str, record_id: int) -> bool:
        return self._fingerprint(table, record_id) is not None

    def _patient_of(self, target: Draft | int) -> tuple[str, int]:
        """Who a record belongs to, comparable between drafts and stored patients."""
        if isinstance(target, int):
            return ("db", target)
        if target.model is Patient:
            if target.existing is not None:
                return ("db", target.existing)
            return ("new", id(target))
        owner = target.targets.get("patient_id")
        return ("none", id(target)) if owner is None else self._patient_of(owner)

    def _same_patient(self, d: Draft, name: str, target: Draft | int) -> bool:
        """A goal's care plan, a task's appointment, a referral's contact: the same patient's.
        A link between two records of no patient of its own (a task waiting on another)
        may join any two."""
        if "patient_id" not in d.model.__table__.c:
            return True
        mine = self._patient_of(d)
        if isinstance(target, Draft):
            if "patient_id" not in target.model.__table__.c:
                return True
            return self._patient_of(target) == mine
        fk = next(iter(d.model.__table__.c[name].foreign_keys))
        table = fk.column.table
        if "patient_id" not in table.c:
            return True
        row = self.writer.conn.execute(
            select(table.c.patient_id).where(table.c.id == target)
        ).first()
        return row is not None and mine == ("db", row[0])

    def _assign(self, d: Draft, link: Link, name: str) -> None:
        index = self.bundle.find(link.reference)
        target = self.bundle.main.get(index) if index is not None else None
        if target is None:
            if self._stored(link) is None:
                self.problems.append(
                    d.problem(link.path, link.reference, "refers to nothing in the bundle")
                )
            return  # a goal imported before keeps its care plan
        if registry.canonical(target.resource_type) not in link.types:
            message = f"refers to a {target.resource_type}, not a {' or '.join(link.types)}"
            self.problems.append(d.problem(link.path, link.reference, message))
            return
        if self._patient_of(target) != self._patient_of(d):
            self.problems.append(d.problem(link.path, link.reference, "belongs to another patient"))
            return
        target.targets[name] = d
        target.values[name] = 0
        target.paths[name] = (f"{d.resource_type}.{link.path}", link.reference)

    # -- validation

    def check(self) -> None:
        default_queue = "follow-up" if "follow-up" in self.queues else self.queues[0]
        for d in self.bundle.drafts:
            table = cast(Table, d.model.__table__)
            fields = dict(d.values)
            for name, target in d.targets.items():
                fields[name] = target if isinstance(target, int) else (target.existing or 0)
            current = self.current.get(d.model, {}).get(d.existing) if d.existing else None
            if current is None:
                fields = {**d.initial, **fields}
                if d.model is Task and fields.get("queue") is None:
                    fields["queue"] = default_queue
            for name, value in list(fields.items()):
                column = table.c[name]
                if value is None and not column.nullable:
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
                            if k in table.c
                            and k not in checked
                            and view[k] != (current or {}).get(k)
                        }
                    )
            except DomainError as exc:
                path, raw = d.paths.get(exc.field or "", (exc.field or "", None))
                self.problems.append(d.problem(path, raw, exc.message))
                continue
            d.checked = checked

    # -- writing

    def write(self) -> tuple[Counter[str], Counter[str], Counter[str]]:
        added: Counter[str] = Counter()
        updated: Counter[str] = Counter()
        unchanged: Counter[str] = Counter()
        by_model: dict[type[Record], list[Draft]] = {}
        for d in self.bundle.drafts:
            by_model.setdefault(d.model, []).append(d)
        for model in (*RECORDS, *LINKS):
            drafts = by_model.get(model, [])
            if not drafts:
                continue
            entity = model.__tablename__
            new: list[Draft] = []
            changes: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
            for d in drafts:
                for name, target in d.targets.items():
                    if isinstance(target, Draft):
                        assert target.record_id is not None, "parents are written first"
                        d.checked[name] = target.record_id
                    else:
                        d.checked[name] = target
                if model is Patient:
                    d.checked["search_key"] = _search_key(
                        {**self.current.get(model, {}).get(d.existing or 0, {}), **d.checked}
                    )
                if d.existing is None:
                    new.append(d)
                else:
                    d.record_id = d.existing
                    changes.append((d.existing, d.checked, self.current[model][d.existing]))
            ids = self.writer.insert(model, [d.checked for d in new])
            for d, record_id in zip(new, ids, strict=True):
                d.record_id = record_id
            changed = self.writer.update(model, changes)
            added[entity] += len(new)
            updated[entity] += changed
            unchanged[entity] += len(changes) - changed
        self._write_refs()
        return +added, +updated, +unchanged

    def _write_refs(self) -> None:
        new: list[dict[str, Any]] = []
        moved: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        for d in self.bundle.drafts:
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
            else:
                _ref_id, old_entity, old_record = self.refs[(d.ref_type, d.key)]
                if (old_entity, old_record) != (entity, d.record_id):
                    moved.append(
                        (
                            d.ref_id,
                            {"entity": entity, "record_id": d.record_id},
                            {"entity": old_entity, "record_id": old_record},
                        )
                    )
        self.writer.insert(ExternalRef, new)
        self.writer.update(ExternalRef, moved)


def _search_key(values: dict[str, Any]) -> str:
    from caretui.services.patients import search_key

    keys = ("given_name", "family_name", "preferred_name", "mrn", "insurance_member_id", "phone")
    return search_key(Patient(**{k: values.get(k) for k in keys}))


def import_bundle(
    db: Database,
    source: Path | TextIO,
    *,
    skip_unknown: bool = False,
    today: date | None = None,
    queues: tuple[str, ...] | None = None,
) -> ImportSummary:
    """Import a FHIR R4 Bundle from a file (or an open text stream): every entry or none.

    ``ImportRejected`` lists each bad entry; nothing is written then.
    """
    started = time.perf_counter()
    today = today or date.today()
    if queues is None:
        from caretui import config

        queues = config.load().queues
    if isinstance(source, Path):
        try:
            with source.open("r", encoding="utf-8-sig") as stream:
                bundle = read_bundle(stream, skip_unknown=skip_unknown, today=today)
        except OSError as exc:
            raise DomainError(f"Cannot read {source}: {exc.strerror or exc}") from None
    else:
        bundle = read_bundle(source, skip_unknown=skip_unknown, today=today)
    what = str(source) if isinstance(source, Path) else "The bundle"
    if bundle.problems:
        raise ImportRejected(what, bundle.problems)
    from caretui.services.unit import action

    with action(db, "Import FHIR bundle") as session:
        importer = _Importer(session, bundle, today=today, queues=queues)
        importer.match()
        importer.resolve()
        if not importer.problems:
            importer.check()
        if importer.problems:
            importer.problems.sort(key=lambda p: p.index if p.index is not None else -1)
            raise ImportRejected(what, importer.problems)
        added, updated, unchanged = importer.write()
        from caretui.services.dependencies import refuse_circles

        refuse_circles(session, what)
    return ImportSummary(
        added=added,
        updated=updated,
        unchanged=unchanged,
        skipped=bundle.skipped,
        resources=bundle.resources,
        seconds=time.perf_counter() - started,
    )
