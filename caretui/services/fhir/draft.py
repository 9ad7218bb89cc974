"""What a resource becomes before anything is written: a draft, or a problem."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from caretui.errors import DomainError
from caretui.models.all import Record
from caretui.services.text import one_line


def shown(value: Any) -> str:
    """A value as a report shows it: one line, control characters visible, at most 60 characters."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json_text(value)
    text = one_line(text)
    return text if len(text) <= 60 else text[:57] + "..."


def json_text(value: Any) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


@dataclass(frozen=True)
class Problem:
    """One bad entry: where it is, which field, the value found, and what is wrong."""

    index: int | None
    resource_type: str
    resource_id: str
    field: str
    value: str
    message: str

    def line(self) -> str:
        """ "entry 3 Condition c1: onsetDateTime = '2020-13-01': is not a real date" """
        head = f"entry {self.index}" if self.index is not None else "bundle"
        what = " ".join(p for p in (self.resource_type, self.resource_id) if p)
        parts = [f"{head} {what}:" if what else f"{head}:"]
        if self.field:
            parts.append(
                f"{self.field}{f' = {chr(39)}{self.value}{chr(39)}' if self.value else ''}:"
            )
        parts.append(self.message)
        return " ".join(parts)


class EntryProblem(Exception):
    """Raised while mapping one resource; becomes a ``Problem`` for its entry."""

    def __init__(self, path: str, value: Any, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.value = value
        self.message = message


class Reported(Protocol):
    """Anything a report lists: a bad entry of a bundle, a bad row of a CSV file."""

    def line(self) -> str: ...


class ImportRejected(DomainError):
    """A bundle (or CSV file) refused whole: every bad entry, one line each."""

    def __init__(self, what: str, problems: Sequence[Reported]) -> None:
        count = len(problems)
        head = f"{what}: {count} problem{'s' if count != 1 else ''} found; nothing was imported"
        super().__init__("\n".join([head, *("  " + p.line() for p in problems)]))
        self.problems = tuple(problems)


@dataclass(slots=True)
class Link:
    """A reference from a draft to another record, resolved before writing."""

    reference: str
    path: str
    types: tuple[str, ...]


@dataclass(eq=False, slots=True)
class Draft:
    """One record to create or update, in plain values.

    ``values`` are the record's fields as the resource gives them (absent ones
    None, so a re-import clears what the source cleared); ``initial`` only on
    create; ``links`` are foreign keys still to resolve; ``assign`` sets a field
    on the records other references point to (``CarePlan.goal`` sets each goal's
    care plan). ``paths`` name, for a report, the FHIR field and value behind a field.
    """

    index: int
    resource_type: str
    resource_id: str
    key: str
    ref_type: str
    model: type[Record]
    values: dict[str, Any] = field(default_factory=dict)
    initial: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, tuple[str, Any]] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    assign: list[tuple[Link, str]] = field(default_factory=list)
    #: Steps that need the whole bundle (given its index of names), run before resolving.
    later: list[Callable[[Any], None]] = field(default_factory=list)
    #: Set by a later step that found this is no record after all (a Task's basedOn
    #: that names an order, not a task): dropped before resolving.
    skip: bool = False
    # Filled while resolving and writing:
    targets: dict[str, Draft | int] = field(default_factory=dict)
    existing: int | None = None
    ref_id: int | None = None
    #: What the ``ExternalRef`` pointed to before (entity, record id), if there was one.
    old_ref: tuple[str, int] | None = None
    native: bool = False
    record_id: int | None = None
    checked: dict[str, Any] = field(default_factory=dict)

    def set(self, name: str, path: str, value: Any, raw: Any = None) -> None:
        self.values[name] = value
        self.paths[name] = (path, value if raw is None else raw)

    def link(self, name: str, ref: Any, path: str, types: tuple[str, ...]) -> None:
        """Record ``ref`` (a Reference object) as the target of foreign key ``name``."""
        reference = ref.get("reference") if isinstance(ref, dict) else None
        if reference is None:
            self.values.setdefault(name, None)
            return
        if not isinstance(reference, str) or not reference.strip():
            raise EntryProblem(f"{path}.reference", reference, "is not a reference")
        self.links[name] = Link(reference.strip(), path, types)
        self.paths[name] = (path, reference)

    def problem(self, path: str, value: Any, message: str) -> Problem:
        return Problem(
            self.index, self.resource_type, self.resource_id, path, shown(value), message
        )
