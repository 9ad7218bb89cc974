"""The resource directory (FHIR HealthcareService): the coordinator's own list of
services and community resources, each with the date it was last verified.

An entry not verified for ``resource_stale_days`` (config, default 180) is stale:
its phone number or hours may have changed (``queries.resources.is_stale``).
The columns' rules (a name, a category code, a phone number that looks like one,
a verification date not in the future) are checked by ``records``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from caretui.errors import DomainError
from caretui.models.all import Resource
from caretui.services import records
from caretui.store.database import Database


def add_resource(
    session: Session, fields: Mapping[str, Any], *, today: date | None = None
) -> Resource:
    """A new directory entry; its category defaults to other."""
    return records.create(session, Resource, fields, today=today or date.today())


def update_resource(
    session: Session,
    resource: Resource,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> Resource:
    """Edit a directory entry (one changed elsewhere since the form opened is refused)."""
    return records.update(
        session, resource, fields, expected_version=expected_version, today=today or date.today()
    )


def verify(
    session: Session, resource: Resource, *, on: date | None = None, today: date | None = None
) -> Resource:
    """Record that the entry was checked (called, website read) on ``on`` (default today)."""
    today = today or date.today()
    return records.update(session, resource, {"last_verified": on or today}, today=today)


# -- a directory from a spreadsheet ------------------------------------------------------


def import_resources(db: Database, path: Path, *, today: date | None = None) -> int:
    """Add every entry of the CSV file at ``path`` to the directory; returns how many.

    The columns are ``spreadsheet.RESOURCE_COLUMNS`` (any subset and order; ``name`` is
    required; ``id`` is ignored: every row is a new entry). A name already in the
    directory, or on another row, is refused (so importing a file twice does not
    double it). All or nothing: ``ImportRejected`` names each bad row and column, and
    then nothing is written.
    """
    from caretui.services.bulk import BulkWriter
    from caretui.services.fhir.draft import ImportRejected
    from caretui.services.spreadsheet import (
        IGNORED,
        RESOURCE_COLUMNS,
        RowProblem,
        read_rows,
        unescape_cell,
    )
    from caretui.services.text import fold, visible
    from caretui.services.unit import action
    from caretui.services.validation import coerce, validate

    today = today or date.today()
    header, rows = read_rows(path)
    problems: list[RowProblem] = []
    for name in header:
        if name not in RESOURCE_COLUMNS:
            message = f"not a column caretui knows ({', '.join(RESOURCE_COLUMNS)})"
            problems.append(RowProblem(1, name, "", message))
    if "name" not in header:
        problems.append(RowProblem(1, "name", "", "this column is required"))
    if problems:
        raise ImportRejected(str(path), problems)
    columns = cast(Table, Resource.__table__).c
    checked_rows: list[dict[str, Any]] = []
    names: dict[str, int] = {}
    with action(db, "Import CSV resources") as session:
        for number, row in enumerate(rows, start=2):
            if not row:
                continue
            fields = {
                key: (unescape_cell(raw) if raw.strip() else None)
                for key, raw in row.items()
                if key not in IGNORED
            }
            try:
                for key, value in fields.items():  # the first bad cell names its column
                    try:
                        coerce(columns[key], value, today=today)
                    except DomainError as exc:
                        raise DomainError(exc.message, field=key) from None
                checked = validate(Resource, fields, today=today)
            except DomainError as exc:
                column = exc.field or ""
                value = visible(row.get(column) or "")[:60]
                problems.append(RowProblem(number, column, value, exc.message))
                continue
            key = fold(checked["name"]).strip()
            if key in names:
                problems.append(
                    RowProblem(
                        number, "name", checked["name"], f"row {names[key]} has the same name"
                    )
                )
                continue
            names[key] = number
            checked_rows.append(checked)
        if names:
            # Names compare folded ("Núñez" = "nunez"), which SQL cannot do: a directory
            # is a few hundred entries, read once here, name only.
            for (stored,) in session.execute(select(Resource.name)):
                clash = names.get(fold(stored).strip())
                if clash is not None:
                    problems.append(
                        RowProblem(clash, "name", stored, "this name is already in the directory")
                    )
        if problems:
            problems.sort(key=lambda p: p.row)
            raise ImportRejected(str(path), problems)
        BulkWriter(session).insert(Resource, checked_rows)
    return len(checked_rows)
