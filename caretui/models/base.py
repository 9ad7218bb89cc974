"""Declarative base, column helpers and the mixins every record shares."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Enum, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

#: Constraint names that Alembic's batch mode can find again on SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Length limits, in characters. Services check them before writing.
NAME = 100
SHORT = 200
PHONE = 40
LONG = 2_000
TEXT = 20_000


#: Table options every table shares: ids are never reused after a delete, so the
#: audit trail's record ids always name one record.
TABLE_OPTIONS = {"sqlite_autoincrement": True}


def utcnow() -> datetime:
    """Now in UTC, without tzinfo (SQLite stores no offset; every stored instant is UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def code(enum: type[StrEnum], *, name: str) -> Enum:
    """A column type storing an enum's code values, with a CHECK constraint."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def label(text: str, **extra: Any) -> dict[str, Any]:
    """Column ``info``: the field's name as a coordinator reads it in a message."""
    return {"label": text, **extra}


def name_col(text: str, *, nullable: bool = False) -> Mapped[Any]:
    return mapped_column(String(NAME), nullable=nullable, info=label(text))


def short_col(text: str) -> Mapped[Any]:
    return mapped_column(String(SHORT), nullable=True, info=label(text))


def phone_col(text: str = "Phone") -> Mapped[Any]:
    return mapped_column(String(PHONE), nullable=True, info=label(text, phone=True))


def text_col(text: str, length: int = LONG) -> Mapped[Any]:
    return mapped_column(Text, nullable=True, info=label(text, max_length=length, multiline=True))


class Record(Base):
    """Abstract base of every domain record: id, timestamps, and a version for
    optimistic concurrency (an edit made on a stale copy raises instead of
    silently overwriting)."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-10)
    created_at: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, nullable=False, sort_order=10
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, nullable=False, sort_order=10
    )
    version: Mapped[int] = mapped_column(nullable=False, default=1, sort_order=10)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}

    #: Singular name a coordinator reads ("patient", "medication").
    __label__: str = "record"
