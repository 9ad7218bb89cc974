"""The first pass over a bundle: every entry checked on its own, and a small index kept.

Each entry is decoded, checked for shape (an object, a resource, a type, an id or
a fullUrl, no duplicates) and mapped by its type's module, which finds the
problems one entry can have alone (a date like ``1950-02-30``, an unknown code).
The drafts are then dropped: what stays is the index references resolve against
(fullUrl and type/id to the entry's position, the type of each entry, the names
of practitioners and locations) and, for each entry caretui keeps, its key. So
memory grows by a few hundred bytes an entry (its id and fullUrl), not by the
entry; the second pass (``loader``) reads the file again.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TextIO

from caretui.models.all import Record
from caretui.services.fhir import registry
from caretui.services.fhir.context import Entry
from caretui.services.fhir.draft import Draft, EntryProblem, Link, Problem, shown
from caretui.services.fhir.reader import BundleReader, MalformedJSON

BUNDLE_TYPES = ("collection", "transaction", "batch", "searchset")
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
TYPED = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]*)?$")


@dataclass
class BundleIndex:
    """Where each entry is, what it is, and what the first pass found wrong."""

    #: resourceType of each entry by position ("" for an entry without one).
    kinds: list[str] = field(default_factory=list)
    by_url: dict[str, int] = field(default_factory=dict)
    #: resourceType -> id -> position (a dict per type: no tuple per entry).
    by_type_id: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Display names of the entries caretui does not keep (a Practitioner, a Location).
    names: dict[int, str] = field(default_factory=dict)
    #: Entries caretui keeps: position -> the key its id is kept under (id, else fullUrl).
    keys: dict[int, str] = field(default_factory=dict)
    #: ``CarePlan.goal``: which entry's record sets a field on which other entry's.
    assigns: list[tuple[int, Link, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    resources: int = 0

    def find(self, reference: str) -> int | None:
        """The position of the entry ``reference`` names (by fullUrl, or by type and id)."""
        found = self.by_url.get(reference)
        if found is not None:
            return found
        m = TYPED.search(reference)
        if m is not None:
            return self.by_type_id.get(m.group(1), {}).get(m.group(2))
        return None

    def kind_of(self, reference: str) -> str | None:
        index = self.find(reference)
        return self.kinds[index] or None if index is not None else None

    def name_of(self, reference: str) -> str | None:
        index = self.find(reference)
        return self.names.get(index) if index is not None else None

    def model_of(self, index: int) -> type[Record]:
        """The table an entry caretui keeps is written to."""
        return registry.BY_TYPE[self.kinds[index]].MODEL

    def assigned(self) -> dict[int, tuple[int, Link, str]]:
        """For each entry another one assigns to (a Goal its CarePlan lists): who, and how.
        References that name nothing, or the wrong type, are reported by the loader."""
        out: dict[int, tuple[int, Link, str]] = {}
        for source, link, name in self.assigns:
            target = self.find(link.reference)
            if target is None or target not in self.keys:
                continue
            if registry.canonical(self.kinds[target]) in link.types:
                out[target] = (source, link, name)
        return out


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


def index_bundle(stream: TextIO, *, skip_unknown: bool, today: date) -> BundleIndex:
    """The first pass: structural and per-entry problems are collected, not raised."""
    index = BundleIndex()
    reader = BundleReader(stream)
    try:
        for position, entry in reader.entries():
            index.resources += 1
            index.kinds.append("")
            _index_entry(index, position, entry, skip_unknown=skip_unknown, today=today)
    except MalformedJSON as exc:
        index.problems.append(
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
        return index
    except UnicodeDecodeError:
        index.problems.append(Problem(None, "", "", "", "", "the file is not UTF-8 text"))
        return index
    header = reader.header
    if header.get("resourceType") != "Bundle":
        index.problems.append(
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
        index.problems.append(
            Problem(
                None,
                "Bundle",
                "",
                "type",
                shown(header.get("type")),
                f"caretui imports bundles of type {', '.join(BUNDLE_TYPES)}",
            )
        )
    return index


def _index_entry(
    index: BundleIndex, position: int, entry: Any, *, skip_unknown: bool, today: date
) -> None:
    def problem(rtype: str, rid: str, path: str, value: Any, message: str) -> None:
        index.problems.append(Problem(position, rtype, rid, path, shown(value), message))

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
    index.kinds[position] = rtype
    if full is not None:
        if full in index.by_url:
            problem(rtype, key, "fullUrl", full, "appears twice in the bundle")
            return
        index.by_url[full] = position
    if rid is not None:
        of_type = index.by_type_id.setdefault(rtype, {})
        if rid in of_type:
            problem(rtype, key, "id", rid, f"another {rtype} in the bundle has this id")
            return
        of_type[rid] = position
    module = registry.BY_TYPE.get(rtype)
    if module is None:
        if rtype in registry.NAMED:  # not kept, but lends its name to references
            name = _name_of(resource)
            if name:
                index.names[position] = name
            index.skipped[rtype] += 1
        elif skip_unknown:
            index.skipped[rtype] += 1
        else:
            problem(
                rtype,
                key,
                "resourceType",
                rtype,
                "caretui does not import this type (--skip-unknown skips such entries)",
            )
        return
    drafts = read_entry(module, resource, Entry(position, rtype, key, key, today), problem)
    if drafts is None:
        return
    index.keys[position] = key
    for link, name in drafts[0].assign:
        index.assigns.append((position, link, name))
    for d in drafts:
        d.later.clear()  # the steps hold their draft: a cycle the collector would chase


def read_entry(
    module: registry.ResourceMap, resource: dict[str, Any], entry: Entry, problem: Any
) -> list[Draft] | None:
    """The drafts of one resource, or None after reporting why there are none."""
    try:
        drafts = module.read(resource, entry)
    except EntryProblem as exc:
        problem(entry.resource_type, entry.resource_id, exc.path, exc.value, exc.message)
        return None
    assert all(not d.assign for d in drafts[1:]), "only a resource's own record assigns"
    return drafts
