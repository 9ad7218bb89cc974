from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from caretui.cli import main
from caretui.models.all import Patient
from caretui.services import patients, records
from caretui.services.unit import action
from caretui.store.database import Database


def test_audit_lists_changes_per_patient(db: Database, today: date) -> None:
    with action(db, "Add patient") as s:
        first = patients.create_patient(
            s, {"given_name": "Ana", "family_name": "Núñez"}, today=today
        ).id
    with action(db, "Add patient") as s:
        patients.create_patient(s, {"given_name": "Bo", "family_name": "Other"}, today=today)
    with action(db, "Change risk") as s:
        patients.update_patient(s, records.get(s, Patient, first), {"risk": "high"}, today=today)
    result = CliRunner().invoke(main, ["audit", "--db", str(db.path), "--patient", str(first)])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [ln.split("  ", 1)[1] for ln in lines if not ln.startswith(" ")] == [
        f"Add patient: create patient #{first}",
        f"Change risk: update patient #{first}",
    ]
    assert "    risk: medium -> high" in lines
    assert "    family_name: ∅ -> Núñez" in lines
    assert "Other" not in result.stdout


def test_audit_bad_since_is_one_line(db: Database) -> None:
    result = CliRunner().invoke(main, ["audit", "--db", str(db.path), "--since", "2026-02-30"])
    assert result.exit_code != 0
    assert result.stderr == "caretui: '2026-02-30' is not a real date\n"
