"""Create, read, update and list any record, with validation and the audit trail.

The entity modules (patients, tasks, …) build on these and add their own rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from caretui.errors import NotFound, StaleRecord
from caretui.models.all import Patient, Record
from caretui.services.validation import validate

R = TypeVar("R", bound=Record)

#: Largest page a list returns; screens page through the rest.
MAX_PAGE = 500


def get(session: Session, model: type[R], record_id: int) -> R:
    obj = session.get(model, record_id)
    if obj is None:
        raise NotFound(f"No {model.__label__} with id {record_id}")
    return obj


def current_values(obj: Record) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


def create(
    session: Session,
    model: type[R],
    fields: Mapping[str, Any],
    *,
    today: date | None = None,
    queues: tuple[str, ...] | None = None,
) -> R:
    """A new record from ``fields``, validated; flushed so it has its id."""
    values = validate(model, fields, today=today, queues=queues)
    _check_patient_links(session, model, values)
    obj = model(**values)
    _refresh_derived(obj)
    session.add(obj)
    session.flush()
    return obj


def update(
    session: Session,
    obj: R,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    today: date | None = None,
    queues: tuple[str, ...] | None = None,
) -> R:
    """Apply ``fields`` to ``obj``. With ``expected_version`` (the version the form
    was opened on), a record changed elsewhere since then is refused, not overwritten."""
    if expected_version is not None and obj.version != expected_version:
        raise StaleRecord(
            f"This {obj.__label__} was changed elsewhere since you opened it; "
            "nothing was saved. Reload it and make your change again."
        )
    values = validate(type(obj), fields, current=current_values(obj), today=today, queues=queues)
    _check_patient_links(session, type(obj), {**current_values(obj), **values})
    for key, value in values.items():
        setattr(obj, key, value)
    _refresh_derived(obj)
    session.flush()
    return obj


def page(
    session: Session,
    model: type[R],
    *where: ColumnElement[bool],
    order_by: Sequence[Any] = (),
    limit: int = 100,
    offset: int = 0,
) -> list[R]:
    """At most ``limit`` records matching ``where``, ordered, from ``offset``."""
    stmt = select(model).where(*where).order_by(*(order_by or (model.id,)))
    stmt = stmt.limit(min(max(limit, 1), MAX_PAGE)).offset(max(offset, 0))
    return list(session.scalars(stmt))


def _refresh_derived(obj: Record) -> None:
    if isinstance(obj, Patient):
        from caretui.services.patients import search_key

        obj.search_key = search_key(obj)


def _check_patient_links(session: Session, model: type[Record], values: Mapping[str, Any]) -> None:
    """A goal, intervention, task or referral that names other records must name the
    same patient's; a link to a missing record is refused with a clear message."""
    patient_id = values.get("patient_id")
    for key, value in values.items():
        if value is None or not key.endswith("_id") or key == "patient_id":
            continue
        column = model.__table__.c[key]
        fks = list(column.foreign_keys)
        if not fks:
            continue
        target_table = fks[0].column.table.name
        from caretui.models.all import BY_TABLE

        target_model = BY_TABLE[target_table]
        target = session.get(target_model, value)
        label = str(column.info.get("label", key))
        if target is None:
            raise NotFound(f"{label}: no {target_model.__label__} with id {value}")
        other_patient = getattr(target, "patient_id", None)
        if patient_id is not None and other_patient is not None and other_patient != patient_id:
            raise NotFound(f"{label}: that {target_model.__label__} belongs to another patient")
    if (
        patient_id is not None
        and "patient_id" in model.__table__.c
        and session.get(Patient, patient_id) is None
    ):
        raise NotFound(f"No patient with id {patient_id}")
