"""The audit trail: one row per created, changed or deleted record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from caretui import codes
from caretui.models.base import TABLE_OPTIONS, Base, code, utcnow


class AuditEvent(Base):
    """Appended in the same transaction as the change it describes.

    Events of one user action share ``action_id``; undo reverts them together.
    ``changes`` is JSON: ``{field: [old, new]}``; a create has every field's
    new value, a delete every field's old value, so either can be reverted.
    Deliberately no foreign keys: the trail outlives a purged record.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    action_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    action_label: Mapped[str] = mapped_column(String(100), nullable=False)
    action: Mapped[codes.AuditAction] = mapped_column(
        code(codes.AuditAction, name="audit_action"), nullable=False
    )
    entity: Mapped[str] = mapped_column(String(40), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    changes: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    #: For the events of an undo: the ``action_id`` it reverted.
    reverts: Mapped[str | None] = mapped_column(String(36), index=True)

    __table_args__ = (Index("ix_audit_event_entity_record", "entity", "record_id"), TABLE_OPTIONS)
