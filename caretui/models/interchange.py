"""Where a record came from outside: the identifier another system gave it.

An import keeps each resource's id here, so importing the same bundle again
updates the records it made instead of adding them twice, and an export gives
the record its original id back.
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caretui.models.base import TABLE_OPTIONS, Record, label


class ExternalRef(Record):
    """One record's identifier in another system.

    ``source`` names the system or format ("fhir"); ``resource_type`` and
    ``external_id`` are the record's type and id there. ``entity`` (a table
    name) and ``record_id`` name the caretui record; there is no foreign key,
    since one table holds the identifiers of every kind of record. A record
    deleted later leaves its reference behind, and the next import of the same
    resource makes the record anew. A ``Record``, so it is audited: undoing an
    import removes the references it made along with the records.
    """

    __tablename__ = "external_ref"
    __label__ = "external identifier"

    source: Mapped[str] = mapped_column(String(40), nullable=False, info=label("Source"))
    resource_type: Mapped[str] = mapped_column(
        String(60), nullable=False, info=label("Resource type")
    )
    external_id: Mapped[str] = mapped_column(String(200), nullable=False, info=label("External id"))
    entity: Mapped[str] = mapped_column(String(40), nullable=False, info=label("Kind of record"))
    record_id: Mapped[int] = mapped_column(Integer, nullable=False, info=label("Record"))

    __table_args__ = (
        UniqueConstraint("source", "resource_type", "external_id"),
        Index("ix_external_ref_entity_record", "entity", "record_id"),
        TABLE_OPTIONS,
    )
