"""CSV: exports with formula escaping, the patients import, all or nothing."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from caretui.models.all import Medication, Task
from caretui.services import patients, records
from caretui.services.fhir.draft import ImportRejected
from caretui.services.spreadsheet import (
    EXPORTS,
    escape_cell,
    export_table,
    import_patients,
    unescape_cell,
)
from caretui.services.unit import action
from caretui.store.database import Database
from tests.interchange.helpers import QUEUES, cli, counts, rows

TODAY = date(2026, 3, 11)
HEADER = "family_name,given_name,birth_date,phone,mrn,interpreter_needed,status,risk\n"


def table(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1 555", "'+1 555"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("plain", "plain"),
        ("'quoted", "'quoted"),
    ],
)
def test_formula_escaping_round_trips(value: str, escaped: str) -> None:
    assert escape_cell(value) == escaped
    assert unescape_cell(escaped) == value


def test_exports_every_table_with_documented_headers(db: Database) -> None:
    with action(db, "Add") as s:
        p = patients.create_patient(
            s,
            {"given_name": "Avery", "family_name": "=cmd|' /C calc'!A0", "phone": "+1 555 0100"},
            today=TODAY,
        )
        records.create(
            s,
            Task,
            {"patient_id": p.id, "title": "@SUM(1)", "queue": "calls", "due": "2026-03-12"},
            today=TODAY,
            queues=QUEUES,
        )
        records.create(
            s, Medication, {"patient_id": p.id, "name": "Metformin", "dose": "-500 mg"}, today=TODAY
        )
    exported = table(export_table(db, "patients"))
    assert list(exported[0]) == list(EXPORTS["patients"].columns)
    assert exported[0]["family_name"] == "'=cmd|' /C calc'!A0"
    assert exported[0]["phone"] == "'+1 555 0100"
    assert exported[0]["interpreter_needed"] == "no"
    tasks = table(export_table(db, "tasks"))
    assert tasks[0]["title"] == "'@SUM(1)" and tasks[0]["patient"] == "'=cmd|' /C calc'!A0, Avery"
    assert tasks[0]["due"] == "2026-03-12"
    assert table(export_table(db, "medications"))[0]["dose"] == "'-500 mg"
    assert table(export_table(db, "appointments")) == []


def test_import_patients(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(
        (
            "\ufeff" + HEADER + "Testwood,Avery,1950-02-28,555-0100,M1,yes,active,high\n"
            "'=Mockridge,Quinn,,,,no,,\n\n"
        ).encode("utf-8")
    )
    assert import_patients(db, path, today=TODAY) == 2
    assert rows(
        db.path,
        "SELECT family_name, given_name, birth_date, interpreter_needed, risk, enrolled_on, search_key FROM patient ORDER BY id",
    ) == [
        (
            "Testwood",
            "Avery",
            "1950-02-28",
            1,
            "high",
            TODAY.isoformat(),
            "avery testwood m1 5550100",
        ),
        ("=Mockridge", "Quinn", None, 0, "medium", TODAY.isoformat(), "quinn =mockridge"),
    ]
    assert rows(
        db.path, "SELECT count(*) FROM audit_event WHERE action_label = 'Import CSV patients'"
    ) == [(2,)]


def test_export_then_import_keeps_the_patients(db: Database, tmp_path: Path) -> None:
    with action(db, "Add") as s:
        patients.create_patient(
            s,
            {
                "given_name": "Avery",
                "family_name": "+Testwood",
                "address": "1 Sample St\nTestville",
            },
            today=TODAY,
        )
    path = tmp_path / "out.csv"
    path.write_bytes(export_table(db, "patients"))
    other = Database.open(tmp_path / "other.db")
    try:
        assert import_patients(other, path, today=TODAY) == 1
        assert rows(other.path, "SELECT family_name, address FROM patient") == [
            ("+Testwood", "1 Sample St\nTestville")
        ]
    finally:
        other.dispose()


def test_a_bad_row_refuses_the_whole_file(db: Database, tmp_path: Path) -> None:
    with action(db, "Add") as s:
        patients.create_patient(
            s, {"given_name": "Old", "family_name": "Record", "mrn": "M9"}, today=TODAY
        )
    before = counts(db.path)
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + "Testwood,Avery,1950-02-28,,M1,no,active,high\n"
        + "Samplefield,Riley,1950-02-30,,,no,active,high\n"
        + "Demoford,Kai,,call me,,no,active,high\n"
        + "Fakehill,Sage,,,,perhaps,active,high\n"
        + "Synthby,Noor,,,,no,gone,high\n"
        + "Mockridge,Emery,,,M9,no,active,high\n"
        + "Mockridge,Rowan,,,M1,no,active,high\n"
        + ",Harper,,,,no,active,high\n",
        "utf-8",
    )
    with pytest.raises(ImportRejected) as info:
        import_patients(db, path, today=TODAY)
    assert info.value.message.splitlines()[1:] == [
        "  row 3, column birth_date = '1950-02-30': Date of birth 1950-02-30 is not a real date",
        "  row 4, column phone = 'call me': Phone has characters a phone number does not",
        "  row 5, column interpreter_needed = 'perhaps': must be yes or no",
        "  row 6, column status = 'gone': Status 'gone' is not one of: active, on-hold, discharged",
        "  row 7, column mrn = 'M9': a patient with this MRN is already in the caseload",
        "  row 8, column mrn = 'M1': row 2 has the same MRN",
        "  row 9, column family_name: Family name is required",
    ]
    assert counts(db.path) == before


def test_unknown_and_missing_columns(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("given_name,shoe_size\nAvery,9\n", "utf-8")
    with pytest.raises(ImportRejected) as info:
        import_patients(db, path, today=TODAY)
    lines = info.value.message.splitlines()[1:]
    assert lines[0].startswith("  row 1, column shoe_size: not a column caretui knows")
    assert lines[1] == "  row 1, column family_name: this column is required"
    assert counts(db.path)["patient"] == 0


def test_cli_csv(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "Testwood,Avery,,,,no,active,low\n", "utf-8")
    result = cli("import", "csv", "patients", "--db", str(db.path), str(path))
    assert result.exit_code == 0, result.output
    assert "added 1 patient" in result.stdout
    out = tmp_path / "tasks.csv"
    assert cli("export", "csv", "tasks", "--db", str(db.path), "-o", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,patient_id,patient,title")
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "N\u00fa\u00f1ez,Ana,,,,no,active,low\n").encode("latin-1"))
    bad = cli("import", "csv", "patients", "--db", str(db.path), str(latin))
    assert bad.exit_code == 1 and "is not UTF-8 text" in bad.stderr


def test_export_csv_lists_every_table_the_services_export() -> None:
    from caretui.commands.interchange import CSV_TABLES
    from caretui.services.spreadsheet import EXPORTS

    assert tuple(sorted(EXPORTS)) == CSV_TABLES


def test_export_commands_do_not_import_the_orm() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from caretui.cli import main\n"
        "CliRunner().invoke(main, ['export', 'day-sheet', '--help'])\n"
        "print('sqlalchemy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
