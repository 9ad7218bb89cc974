"""The resource directory as CSV: export, import, a bad row refused whole."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from caretui.services import resources
from caretui.services.fhir.draft import ImportRejected
from caretui.services.resources import import_resources
from caretui.services.spreadsheet import EXPORTS, RESOURCE_COLUMNS, export_table
from caretui.services.unit import action
from caretui.store.database import Database
from tests.interchange.helpers import cli, counts, rows
from tests.services.helpers import row_counts

TODAY = date(2026, 3, 11)
HEADER = "name,category,phone,languages,last_verified,eligibility\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def table(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_import_a_directory(db: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path / "directory.csv",
        "\ufeff"
        + HEADER
        + 'Eastside Food Bank,food,555-0100,"English, Spanish",2026-01-05,Over 60\n'
        "\n"
        "'=Dial-a-Ride,transport,,English,,\n"
        "[bold]Clinic[/],,,,,\n",
    )
    assert import_resources(db, path, today=TODAY) == 3
    assert rows(
        db.path, "SELECT name, category, phone, languages, last_verified FROM resource ORDER BY id"
    ) == [
        ("Eastside Food Bank", "food", "555-0100", "English, Spanish", "2026-01-05"),
        ("=Dial-a-Ride", "transport", None, "English", None),
        ("[bold]Clinic[/]", "other", None, None, None),
    ]
    # One action in the audit trail: one undo takes the import back.
    assert rows(db.path, "SELECT DISTINCT action_label FROM audit_event") == [
        ("Import CSV resources",)
    ]


@pytest.mark.parametrize(
    ("line", "report"),
    [
        (
            "Food,groceries,,,,",
            "row 3, column category = 'groceries': Category 'groceries' is not one of: food, housing, transport, home-health, mental-health, financial, specialist, pharmacy, other",
        ),
        (
            "Food,food,call me,,,",
            "row 3, column phone = 'call me': Phone has characters a phone number does not",
        ),
        (
            "Food,food,,,2026-02-30,",
            "row 3, column last_verified = '2026-02-30': Last verified 2026-02-30 is not a real date",
        ),
        (
            "Food,food,,,2026-12-01,",
            "row 3, column last_verified = '2026-12-01': Last verified 2026-12-01 is in the future",
        ),
        (",food,,,,", "row 3, column name: Name is required"),
        (
            "Clinic \x1b[31m,food,,,,",
            # visible, then repr(): the escape shows as text, never reaches the terminal
            "row 3, column name = 'Clinic \\\\x1b[31m': Name contains a control character",
        ),
        (
            "eastside food bank,food,,,,",
            "row 3, column name = 'eastside food bank': row 2 has the same name",
        ),
    ],
)
def test_a_bad_row_refuses_the_whole_file(
    db: Database, tmp_path: Path, line: str, report: str
) -> None:
    path = write(tmp_path / "d.csv", HEADER + "Eastside Food Bank,food,,,,\n" + line + "\n")
    before = row_counts(db)
    with pytest.raises(ImportRejected) as info:
        import_resources(db, path, today=TODAY)
    assert str(info.value).splitlines() == [
        f"{path}: 1 problem found; nothing was imported",
        f"  {report}",
    ]
    assert row_counts(db) == before


def test_every_bad_row_is_listed_and_names_already_there_refused(
    db: Database, tmp_path: Path
) -> None:
    with action(db, "Add") as s:
        resources.add_resource(s, {"name": "Núñez Pharmacy"}, today=TODAY)
    path = write(
        tmp_path / "d.csv",
        "name,category,colour\nNunez pharmacy,pharmacy,red\n",
    )
    with pytest.raises(ImportRejected) as info:
        import_resources(db, path, today=TODAY)
    assert "row 1, column colour: not a column caretui knows" in str(info.value)
    path = write(tmp_path / "d.csv", "name,category\nNunez pharmacy,pharmacy\nOK,food\nBad,x\n")
    with pytest.raises(ImportRejected) as info:
        import_resources(db, path, today=TODAY)
    assert str(info.value).splitlines()[1:] == [
        "  row 2, column name = 'Núñez Pharmacy': this name is already in the directory",
        "  row 4, column category = 'x': Category 'x' is not one of: food, housing, transport, "
        "home-health, mental-health, financial, specialist, pharmacy, other",
    ]
    assert counts(db.path)["resource"] == 1
    with pytest.raises(ImportRejected) as info:
        import_resources(db, write(tmp_path / "e.csv", "category\nfood\n"), today=TODAY)
    assert "row 1, column name: this column is required" in str(info.value)


def test_export_then_import_keeps_the_directory(db: Database, tmp_path: Path) -> None:
    with action(db, "Add") as s:
        resources.add_resource(
            s,
            {
                "name": "+Housing Help",
                "category": "housing",
                "phone": "555-0101",
                "address": "1 Main St\nSpringfield",
                "hours": "Mon-Fri",
                "eligibility": "Renters",
                "languages": "English, Arabic",
                "notes": "Ask for Sam",
                "last_verified": "2025-09-01",
            },
            today=TODAY,
        )
    exported = table(export_table(db, "resources"))
    assert list(exported[0]) == list(EXPORTS["resources"].columns) == list(RESOURCE_COLUMNS)
    assert exported[0]["name"] == "'+Housing Help"
    other = Database.open(tmp_path / "other.db")
    try:
        path = tmp_path / "out.csv"
        path.write_bytes(export_table(db, "resources"))
        assert import_resources(other, path, today=TODAY) == 1
        assert table(export_table(other, "resources")) == exported
    finally:
        other.dispose()


def test_cli(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path / "d.csv", HEADER + "Eastside Food Bank,food,,,,\n")
    result = cli("import", "csv", "resources", "--db", str(db.path), str(path))
    assert result.exit_code == 0, result.output
    assert f"Imported {path}: added 1 resource" in result.output
    out = cli("export", "csv", "resources", "--db", str(db.path), "-o", "-")
    assert out.exit_code == 0
    assert "Eastside Food Bank" in out.output
    bad = write(tmp_path / "bad.csv", HEADER + "X,nope,,,,\n")
    result = cli("import", "csv", "resources", "--db", str(db.path), str(bad))
    assert result.exit_code != 0
    assert "row 2, column category = 'nope'" in result.output
    assert "Traceback" not in result.output
