"""What a resource module gets to read an entry or to write a record."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from caretui.models.all import Record
from caretui.services.fhir.draft import Draft

#: Ids caretui gives records that came from no other system: ``ct-<kind>-<id>-<hash>``,
#: the hash of the record's creation time, so a bundle exported from this database
#: updates the same records when imported back, and one from another database does not.
NATIVE = re.compile(r"^ct-([a-z-]+)-(\d+)-([0-9a-f]{8})$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_NAMESPACE = uuid.UUID("6f1d3c52-3e0b-4b43-9a57-2f0bb5a1c0de")


def fingerprint(created_at: str) -> str:
    return hashlib.blake2s(created_at.encode(), digest_size=4).hexdigest()


def native_id(entity: str, record_id: int, created_at: str) -> str:
    return f"ct-{entity.replace('_', '-')}-{record_id}-{fingerprint(created_at)}"


def full_url(resource_type: str, resource_id: str) -> str:
    """The entry's fullUrl: ``urn:uuid:`` and the id if it is a UUID, else a UUID made from it."""
    if _UUID.match(resource_id):
        return f"urn:uuid:{resource_id.lower()}"
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{resource_type}/{resource_id}')}"


@dataclass(frozen=True)
class Entry:
    """One entry being read: where it is and what it is called."""

    index: int
    resource_type: str
    resource_id: str
    key: str
    today: date

    def draft(self, model: type[Record], ref_type: str) -> Draft:
        return Draft(
            index=self.index,
            resource_type=self.resource_type,
            resource_id=self.resource_id,
            key=self.key,
            ref_type=ref_type,
            model=model,
        )

    def child(self, model: type[Record], ref_type: str, local_id: str) -> Draft:
        """A draft for a part of this resource (a CarePlan's activity) with its own key."""
        return Draft(
            index=self.index,
            resource_type=self.resource_type,
            resource_id=self.resource_id,
            key=f"{self.key}#{local_id}",
            ref_type=ref_type,
            model=model,
        )


class Names(Protocol):
    """The bundle's index, for references a module reads itself."""

    def kind_of(self, reference: str) -> str | None:
        """The resourceType of the entry ``reference`` points to, if it is in the bundle."""
        ...

    def name_of(self, reference: str) -> str | None:
        """A display name of that entry (a Practitioner's name, a Location's) if known."""
        ...


class ExportContext(Protocol):
    """What a resource module asks of the exporter while writing one record."""

    def resource_id(self, entity: str, record_id: int) -> str:
        """The id a record leaves with (its imported id, or a caretui id)."""
        ...

    def reference(self, entity: str, record_id: int | None) -> dict[str, Any] | None:
        """A Reference to the record (None for None)."""
        ...

    def children(self, entity: str, column: str, parent_id: int) -> list[dict[str, Any]]:
        """The rows of ``entity`` whose ``column`` is ``parent_id``, in id order."""
        ...

    def local_id(self, entity: str, record_id: int) -> str:
        """The id of a part of a resource (a CarePlan activity) as it was imported."""
        ...


Reader = Callable[[dict[str, Any], Entry], list[Draft]]
Writer = Callable[[dict[str, Any], ExportContext], dict[str, Any]]


def reference_type(actor: dict[str, Any], names: Names) -> str | None:
    """The resource type a Reference points to: from ``type``, the reference, or the bundle."""
    kind = actor.get("type")
    if isinstance(kind, str):
        return kind.rsplit("/", 1)[-1]
    reference = actor.get("reference")
    if isinstance(reference, str):
        found = names.kind_of(reference)
        if found is not None:
            return found
        parts = reference.split("/")
        if len(parts) >= 2 and parts[-2][:1].isupper():
            return parts[-2]
    return None


def reference_display(actor: dict[str, Any], names: Names) -> str | None:
    """The display of a Reference, else the name of the bundle entry it points to."""
    said = actor.get("display")
    if isinstance(said, str):
        return said
    reference = actor.get("reference")
    return names.name_of(reference) if isinstance(reference, str) else None
