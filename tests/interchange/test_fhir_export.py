"""FHIR export: valid R4, the round trip without loss, user text exact, files written safely."""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from caretui.errors import NotFound
from caretui.services import patients, records
from caretui.services.fhir.exporter import export_bundle
from caretui.services.fhir.importer import import_bundle
from caretui.services.unit import action
from caretui.store.database import Database
from tests.interchange.helpers import (
    FRANKIE,
    KALLIE,
    MARGIE,
    QUEUES,
    cli,
    counts,
    every_type,
    write,
)

TODAY = date(2026, 3, 11)
HOSTILE = {
    "family_name": "[bold red]Núñez[/] O'Brien",
    "given_name": "[@click=app.quit]Mary",
    "preferred_name": "李华 Σοφία 👩‍⚕️",
}


def entries(data: bytes) -> list[dict[str, Any]]:
    parsed: list[dict[str, Any]] = json.loads(data)["entry"]
    return parsed


def test_round_trip_of_the_synthea_fixtures(db: Database, tmp_path: Path) -> None:
    for fixture in (MARGIE, FRANKIE, KALLIE):
        import_bundle(db, fixture, skip_unknown=True, today=TODAY, queues=QUEUES)
    first = export_bundle(db)
    Bundle.model_validate_json(first)
    second_db = Database.open(tmp_path / "second.db")
    try:
        import_bundle(
            second_db, write(tmp_path / "first.json", first.decode()), today=TODAY, queues=QUEUES
        )
        second = export_bundle(second_db)
        assert entries(second) == entries(first)
        assert {t: n for t, n in counts(second_db.path).items() if t != "audit_event"} == {
            t: n for t, n in counts(db.path).items() if t != "audit_event"
        }
    finally:
        second_db.dispose()
    # and back into the database it came from: the same records, nothing added
    before = counts(db.path)
    again = import_bundle(db, tmp_path / "first.json", today=TODAY, queues=QUEUES)
    assert not again.added and not again.updated
    assert counts(db.path) == before


def test_every_type_round_trips_and_validates(db: Database, tmp_path: Path) -> None:
    import_bundle(db, write(tmp_path / "in.json", every_type()), today=TODAY, queues=QUEUES)
    first = export_bundle(db)
    parsed = Bundle.model_validate_json(first)
    kinds = sorted({e.resource.get_resource_type() for e in parsed.entry or []})
    assert kinds == [
        "AllergyIntolerance",
        "Appointment",
        "CarePlan",
        "Communication",
        "Condition",
        "Goal",
        "HealthcareService",
        "MedicationStatement",
        "Patient",
        "RelatedPerson",
        "ServiceRequest",
        "Task",
    ]
    other = Database.open(tmp_path / "other.db")
    try:
        import_bundle(
            other, write(tmp_path / "out.json", first.decode()), today=TODAY, queues=QUEUES
        )
        assert entries(export_bundle(other)) == entries(first)
    finally:
        other.dispose()


def _native_caseload(db: Database) -> int:
    with action(db, "Add") as s:
        p = patients.create_patient(
            s, {**HOSTILE, "birth_date": "1960-01-02", "risk": "high"}, today=TODAY
        )
        from caretui.models.all import Appointment, Note, Task

        records.create(
            s,
            Task,
            {
                "patient_id": p.id,
                "title": "note: [/ call 💊",
                "queue": "calls",
                "due": "2026-03-12",
                "rrule": "FREQ=WEEKLY",
            },
            today=TODAY,
            queues=QUEUES,
        )
        records.create(
            s,
            Appointment,
            {
                "patient_id": p.id,
                "start": "2026-03-12T10:00",
                "purpose": "Visit — floor 2 [/]",
                "transport": "arranged",
            },
            today=TODAY,
        )
        records.create(
            s,
            Note,
            {
                "patient_id": p.id,
                "occurred_at": "2026-03-10T09:00",
                "kind": "call",
                "text": "  spaced\ttext\n",
                "outcome": "voicemail",
                "minutes": 5,
            },
            today=TODAY,
        )
        return p.id


def test_user_text_leaves_exactly_as_it_came_in(db: Database, tmp_path: Path) -> None:
    pid = _native_caseload(db)
    data = export_bundle(db, patient_id=pid)
    Bundle.model_validate_json(data)
    resources = {e["resource"]["resourceType"]: e["resource"] for e in entries(data)}
    name = resources["Patient"]["name"]
    assert name[0] == {
        "use": "official",
        "family": HOSTILE["family_name"],
        "given": [HOSTILE["given_name"]],
    }
    assert name[1]["given"] == [HOSTILE["preferred_name"]]
    assert resources["Task"]["description"] == "note: [/ call 💊"
    assert resources["Appointment"]["description"] == "Visit — floor 2 [/]"
    assert resources["Communication"]["payload"] == [{"contentString": "spaced\ttext"}]
    assert "end" in resources["Appointment"]  # FHIR wants one; caretui marks it as not given
    raw = data.decode("utf-8")
    assert "李华" in raw and "\\u" not in raw
    # the native records come back to themselves, not as copies
    before = counts(db.path)
    result = import_bundle(db, write(tmp_path / "native.json", raw), today=TODAY, queues=QUEUES)
    assert not result.added and not result.updated
    assert counts(db.path) == before
    # and into another database as new records, exactly
    other = Database.open(tmp_path / "other.db")
    try:
        import_bundle(other, tmp_path / "native.json", today=TODAY, queues=QUEUES)
        assert entries(export_bundle(other)) == entries(data)
    finally:
        other.dispose()


def test_export_one_patient(db: Database, tmp_path: Path) -> None:
    for fixture in (MARGIE, FRANKIE):
        import_bundle(db, fixture, skip_unknown=True, today=TODAY, queues=QUEUES)
    data = export_bundle(db, patient_id=2)
    subjects = {
        e["resource"].get("subject", e["resource"].get("patient", {})).get("reference")
        for e in entries(data)
        if e["resource"]["resourceType"] != "Patient"
    }
    assert subjects == {"urn:uuid:a5b737fb-1f94-4767-802b-1112051f5101"}
    with pytest.raises(NotFound):
        export_bundle(db, patient_id=99)


def test_cli_export_writes_owner_only_file_atomically(db: Database, tmp_path: Path) -> None:
    import_bundle(db, MARGIE, skip_unknown=True, today=TODAY, queues=QUEUES)
    out = tmp_path / "exports" / "caseload.json"
    result = cli("export", "fhir", "--db", str(db.path), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in out.parent.iterdir()] == ["caseload.json"]  # no temp file left
    Bundle.model_validate_json(out.read_bytes())
    out.write_text("old")
    os.chmod(out, 0o644)
    cli("export", "fhir", "--db", str(db.path), "-o", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_text() != "old"
    to_stdout = cli("export", "fhir", "--db", str(db.path), "-o", "-")
    assert entries(to_stdout.stdout_bytes) == entries(out.read_bytes())


def test_cli_import_prints_what_was_added_and_the_time(db: Database) -> None:
    result = cli("import", "fhir", "--db", str(db.path), "--skip-unknown", str(KALLIE))
    assert result.exit_code == 0, result.output
    assert "Added: 1 patient, 9 problems, 24 medications, 3 care plans" in result.output
    assert result.output.startswith(f"Imported 297 resources from {KALLIE} in ")


def test_cli_import_refusal_is_a_report_not_a_traceback(db: Database, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.json", '{"resourceType": "Bundle", "entry": [')
    result = cli("import", "fhir", "--db", str(db.path), str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"caretui: {bad}: 1 problem found; nothing was imported\n")
    assert "Traceback" not in result.output
    missing = cli("import", "fhir", "--db", str(db.path), str(tmp_path / "none.json"))
    assert missing.exit_code == 1 and missing.stderr.startswith("caretui: No file")
