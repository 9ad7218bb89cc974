"""CSV tables for spreadsheets: ``export csv TABLE`` and ``import csv patients``.

Files are UTF-8; an export starts with a byte-order mark so spreadsheet programs
read accents right, and an import accepts a file with or without one. The
header row names the columns (listed in ``EXPORTS`` and in the README).

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula; an export writes such a cell with a leading apostrophe (``'=1+1``),
which a spreadsheet shows as text, and an import takes the apostrophe off again.

An import is all or nothing: every row is checked first, each bad row is
reported by its row number in the spreadsheet (the header is row 1) and its
column, and nothing is written unless every row is good.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table as SqlTable

from caretui.errors import DomainError
from caretui.services.fhir.draft import ImportRejected
from caretui.services.text import visible
from caretui.store.database import Database

#: First characters a spreadsheet reads as the start of a formula (or a cell break).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def escape_cell(value: str) -> str:
    """``value`` made safe to open in a spreadsheet (never run as a formula)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def unescape_cell(value: str) -> str:
    """The value ``escape_cell`` was given."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    return escape_cell(visible(str(value)))


@dataclass(frozen=True)
class Table:
    """A table an export writes: its SQL (bound to nothing, columns in order) and headers."""

    sql: str
    columns: tuple[str, ...]
    booleans: frozenset[str] = frozenset()


_PATIENT_NAME = (
    "(SELECT p.family_name || ', ' || p.given_name FROM patient p WHERE p.id = t.patient_id)"
)

PATIENT_COLUMNS = (
    "id",
    "family_name",
    "given_name",
    "preferred_name",
    "birth_date",
    "gender",
    "phone",
    "email",
    "address",
    "language",
    "interpreter_needed",
    "status",
    "risk",
    "mrn",
    "insurance_member_id",
    "enrolled_on",
    "discharged_on",
    "care_management",
)


def _select(table: str, columns: tuple[str, ...], renames: Mapping[str, str]) -> str:
    parts = []
    for name in columns:
        if name == "patient":
            parts.append(f"{_PATIENT_NAME} AS patient")
        else:
            parts.append(f"t.{renames.get(name, name)} AS {name}")
    return f"SELECT {', '.join(parts)} FROM {table} t ORDER BY t.id"


_TASK = (
    "id",
    "patient_id",
    "patient",
    "title",
    "details",
    "queue",
    "status",
    "priority",
    "due",
    "wait_until",
    "repeats",
    "origin",
    "completed_at",
)
_APPOINTMENT = (
    "id",
    "patient_id",
    "patient",
    "start",
    "end",
    "with_whom",
    "location",
    "purpose",
    "status",
    "transport",
    "transport_details",
    "repeats",
    "outcome",
)
_MEDICATION = (
    "id",
    "patient_id",
    "patient",
    "name",
    "dose",
    "route",
    "frequency",
    "instructions",
    "prescriber",
    "start_date",
    "end_date",
    "status",
    "stop_reason",
    "refill_due",
    "last_reconciled",
)

#: The resource directory's columns (``import csv resources`` reads the same).
RESOURCE_COLUMNS = (
    "id",
    "name",
    "category",
    "phone",
    "address",
    "hours",
    "eligibility",
    "languages",
    "notes",
    "last_verified",
)

#: Every table ``export csv`` writes, by the name on the command line.
EXPORTS: dict[str, Table] = {
    "patients": Table(
        _select("patient", PATIENT_COLUMNS, {}),
        PATIENT_COLUMNS,
        frozenset({"interpreter_needed", "care_management"}),
    ),
    "tasks": Table(_select("task", _TASK, {"details": "description", "repeats": "rrule"}), _TASK),
    "appointments": Table(
        _select(
            "appointment",
            _APPOINTMENT,
            {"end": '"end"', "repeats": "rrule", "outcome": "outcome_note"},
        ).replace('t."end" AS end', 't."end" AS "end"'),
        _APPOINTMENT,
    ),
    "medications": Table(_select("medication", _MEDICATION, {}), _MEDICATION),
    "resources": Table(_select("resource", RESOURCE_COLUMNS, {}), RESOURCE_COLUMNS),
}


def _tidy(value: Any) -> Any:
    """Stored date-times as ``YYYY-MM-DD HH:MM`` (seconds only when there are some)."""
    if isinstance(value, str) and len(value) >= 16 and value[10:11] == " " and value[4] == "-":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.strftime("%Y-%m-%d %H:%M" + (":%S" if moment.second else ""))
    return value


def export_table(db: Database, name: str) -> bytes:
    """The table ``name`` (a key of ``EXPORTS``) as CSV bytes."""
    table = EXPORTS.get(name)
    if table is None:
        raise DomainError(f"No table {name!r} to export (try: {', '.join(sorted(EXPORTS))})")
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    con = db.read()
    try:
        for row in con.execute(table.sql):
            writer.writerow(
                _cell(bool(v) if c in table.booleans and v is not None else _tidy(v))
                for c, v in zip(table.columns, row, strict=True)
            )
    finally:
        con.close()
    return out.getvalue().encode("utf-8")


# -- import ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One bad cell (or row): the spreadsheet's row number, the column, the value, why."""

    row: int
    column: str
    value: str
    message: str

    def line(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        value = f" = {self.value!r}" if self.value else ""
        return f"{where}{value}: {self.message}"


_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}


def _boolean(value: str) -> bool:
    word = value.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise DomainError("must be yes or no")


#: Column -> how a cell becomes the field's value (text by default).
PATIENT_IMPORT: dict[str, Callable[[str], Any]] = {
    "interpreter_needed": _boolean,
    "care_management": _boolean,
}
#: Columns an import reads but does not store.
IGNORED = frozenset({"id"})


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of a CSV file (UTF-8, with or without a byte-order mark)."""
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise DomainError(f"{path} is empty: a CSV import needs a header row")
            names = [h.strip() for h in header]
            rows: list[dict[str, str]] = []
            for cells in reader:
                if not any(c.strip() for c in cells):
                    rows.append({})
                    continue
                if len(cells) > len(names):
                    raise DomainError(
                        f"{path}: row {reader.line_num} has {len(cells)} cells but the header "
                        f"names {len(names)} columns; nothing was imported"
                    )
                rows.append(dict(zip(names, cells, strict=False)))
    except UnicodeDecodeError:
        raise DomainError(f"{path} is not UTF-8 text; save it as CSV UTF-8") from None
    except csv.Error as exc:
        raise DomainError(f"{path} is not a CSV file the import can read: {exc}") from None
    except OSError as exc:
        raise DomainError(f"Cannot read {path}: {exc.strerror or exc}") from None
    return names, rows


def import_patients(db: Database, path: Path, *, today: date | None = None) -> int:
    """Add every patient in the CSV file at ``path``; returns how many. All or nothing:
    ``ImportRejected`` names each bad row and column, and then nothing is written."""
    from caretui.models.all import Patient
    from caretui.services.bulk import BulkWriter
    from caretui.services.fhir.maps.patient import complete
    from caretui.services.patients import search_key
    from caretui.services.unit import action
    from caretui.services.validation import validate

    today = today or date.today()
    header, rows = read_rows(path)
    known = set(PATIENT_COLUMNS)
    problems: list[RowProblem] = []
    for name in header:
        if name not in known:
            problems.append(
                RowProblem(
                    1, name, "", f"not a column caretui knows ({', '.join(PATIENT_COLUMNS)})"
                )
            )
    for needed in ("family_name", "given_name"):
        if needed not in header:
            problems.append(RowProblem(1, needed, "", "this column is required"))
    if problems:
        raise ImportRejected(str(path), problems)
    checked_rows: list[dict[str, Any]] = []
    mrns: dict[str, int] = {}
    with action(db, "Import CSV patients") as session:
        writer = BulkWriter(session)
        for number, row in enumerate(rows, start=2):
            if not row:
                continue
            fields: dict[str, Any] = {}
            try:
                for name, raw in row.items():
                    if name in IGNORED:
                        continue
                    cell = unescape_cell(raw)
                    try:
                        fields[name] = PATIENT_IMPORT.get(name, _text)(cell)
                    except DomainError as exc:
                        raise DomainError(exc.message, field=name) from None
                checked = validate(Patient, fields, today=today)
                complete(checked, today)
            except DomainError as exc:
                column = exc.field or _culprit(fields, today) or ""
                problems.append(
                    RowProblem(number, column, visible(row.get(column, ""))[:60], exc.message)
                )
                continue
            mrn = checked.get("mrn")
            if mrn:
                if mrn in mrns:
                    problems.append(
                        RowProblem(number, "mrn", mrn, f"row {mrns[mrn]} has the same MRN")
                    )
                    continue
                mrns[mrn] = number
            checked_rows.append(checked)
        if mrns:
            taken = {
                str(r[0])
                for part in _chunks(sorted(mrns), 500)
                for r in writer.conn.execute(
                    Patient.__table__.select()
                    .with_only_columns(Patient.__table__.c.mrn)
                    .where(Patient.__table__.c.mrn.in_(part))
                )
            }
            for mrn in sorted(taken, key=lambda m: mrns[m]):
                problems.append(
                    RowProblem(
                        mrns[mrn], "mrn", mrn, "a patient with this MRN is already in the caseload"
                    )
                )
        if problems:
            problems.sort(key=lambda p: p.row)
            raise ImportRejected(str(path), problems)
        for values in checked_rows:
            values["search_key"] = search_key(
                Patient(
                    **{
                        k: values.get(k)
                        for k in (
                            "given_name",
                            "family_name",
                            "preferred_name",
                            "mrn",
                            "insurance_member_id",
                            "phone",
                        )
                    }
                )
            )
        writer.insert(Patient, checked_rows)
    return len(checked_rows)


def _culprit(fields: Mapping[str, Any], today: date) -> str | None:
    """The column whose value a validation error (that named no field) is about."""
    from caretui.models.all import Patient
    from caretui.services.validation import coerce

    columns = cast(SqlTable, Patient.__table__).c
    for name, value in fields.items():
        try:
            coerce(columns[name], value, today=today)
        except DomainError:
            return name
    return None


def _text(value: str) -> str | None:
    return value if value.strip() else None


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
