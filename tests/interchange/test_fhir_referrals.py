"""FHIR round trip of referrals (ServiceRequest, with every step and its date) and of the
resource directory (HealthcareService): valid R4, nothing lost, nothing doubled."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from caretui.models.all import Referral
from caretui.services import appointments, chart, patients, referrals, resources
from caretui.services.fhir.exporter import export_bundle
from caretui.services.fhir.importer import import_bundle
from caretui.services.unit import action
from caretui.store.database import Database
from tests.interchange.helpers import QUEUES, write

TODAY = date(2026, 3, 11)
NOW = datetime(2026, 3, 11, 15, 0)


def caseload(db: Database) -> None:
    with action(db, "Build") as s:
        pid = patients.create_patient(
            s, {"given_name": "Ann", "family_name": "Lee"}, today=date(2026, 1, 1)
        ).id
        bank = resources.add_resource(
            s,
            {
                "name": "Food [bold]Bank[/] of Núñez",
                "category": "food",
                "phone": "555-0100 ext. 12",
                "address": "1 Main St\nSpringfield",
                "hours": "Mon-Fri 9-5",
                "eligibility": "Over 60; income limits",
                "languages": "English, Spanish",
                "notes": "Ask for intake",
                "last_verified": "2025-12-01",
            },
            today=TODAY,
        ).id
        resources.add_resource(
            s, {"name": "Unused ride service", "category": "transport"}, today=TODAY
        )
        dr = chart.add_contact(s, pid, {"role": "specialist", "name": "Dr Ruiz"}, today=TODAY).id
        appt = appointments.add_appointment(s, pid, {"start": "2026-03-05 10:00"}, today=TODAY).id

        def made(fields: dict[str, Any], day: date) -> Referral:
            return referrals.add_referral(s, pid, fields, today=day, note="Asked by the PCP")

        done = made({"resource_id": bank, "reason": "Meals", "urgency": "urgent"}, date(2026, 2, 1))
        for status, day, extra in (
            ("sent", date(2026, 2, 2), {"note": "Faxed"}),
            ("accepted", date(2026, 2, 4), {"note": "Jane at intake"}),
            ("scheduled", date(2026, 2, 6), {"appointment_id": appt}),
            ("completed", date(2026, 3, 6), {"outcome": "report-received", "note": "Letter"}),
        ):
            referrals.move(s, done, status, on=day, today=TODAY, now=NOW, **extra)  # type: ignore[arg-type]
        sent = made({"contact_id": dr, "reason": "Cardiology opinion", "urgency": "stat"}, TODAY)
        referrals.move(s, sent, "sent", today=TODAY, now=NOW)
        made({"resource_id": bank, "reason": "Pantry"}, TODAY)


def entries(data: bytes) -> list[dict[str, Any]]:
    parsed: list[dict[str, Any]] = json.loads(data)["entry"]
    return parsed


def table(path: Path, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


REFERRALS = (
    "SELECT r.reason, r.urgency, r.status, r.sent_on, r.response_due, r.outcome, r.outcome_code, "
    'r.closed_on, res.name, c.name, a."start" FROM referral r '
    "LEFT JOIN resource res ON res.id = r.resource_id LEFT JOIN contact c ON c.id = r.contact_id "
    "LEFT JOIN appointment a ON a.id = r.appointment_id ORDER BY r.id"
)
STEPS = (
    "SELECT r.reason, s.status, s.taken_on, s.note FROM referral_step s "
    "JOIN referral r ON r.id = s.referral_id ORDER BY s.id"
)
RESOURCES = (
    "SELECT name, category, phone, address, hours, eligibility, languages, notes, last_verified "
    "FROM resource ORDER BY id"
)


def test_service_request_and_healthcare_service_round_trip(db: Database, tmp_path: Path) -> None:
    caseload(db)
    first = export_bundle(db)
    Bundle.model_validate_json(first)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in entries(first):
        by_type.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    done = by_type["ServiceRequest"][0]
    assert (done["status"], done["intent"], done["priority"]) == ("completed", "order", "urgent")
    assert done["category"][0]["coding"][0]["code"] == "3457005"
    steps = [e for e in done["extension"] if e["url"].endswith("referral-step")]
    assert [
        {x["url"]: next(v for k, v in x.items() if k.startswith("value")) for x in e["extension"]}
        for e in steps
    ] == [
        {"status": "draft", "date": "2026-02-01", "note": "Asked by the PCP"},
        {"status": "sent", "date": "2026-02-02", "note": "Faxed"},
        {"status": "accepted", "date": "2026-02-04", "note": "Jane at intake"},
        {"status": "scheduled", "date": "2026-02-06"},
        {"status": "completed", "date": "2026-03-06", "note": "Letter"},
    ]
    assert all(e["id"].startswith("ct-referral-step-") for e in steps)
    [bank, _ride] = by_type["HealthcareService"]
    assert bank["name"] == "Food [bold]Bank[/] of Núñez"
    sent = by_type["ServiceRequest"][1]
    assert sent["performer"][0]["reference"].startswith("urn:uuid:")
    assert (sent["status"], sent["priority"]) == ("active", "stat")

    other = Database.open(tmp_path / "other.db")
    try:
        import_bundle(
            other, write(tmp_path / "first.json", first.decode()), today=TODAY, queues=QUEUES
        )
        assert entries(export_bundle(other)) == entries(first)
        for sql in (REFERRALS, STEPS, RESOURCES):
            assert table(other.path, sql) == table(db.path, sql), sql
        # Imported again into the database it came from, nothing is added or changed.
        before = {sql: table(db.path, sql) for sql in (REFERRALS, STEPS, RESOURCES)}
        again = import_bundle(db, tmp_path / "first.json", today=TODAY, queues=QUEUES)
        assert not again.added and not again.updated
        assert {sql: table(db.path, sql) for sql in before} == before
        # And into the other one again: its steps are updated, not doubled.
        again = import_bundle(other, tmp_path / "first.json", today=TODAY, queues=QUEUES)
        assert not again.added
        assert table(other.path, STEPS) == table(db.path, STEPS)
    finally:
        other.dispose()


def test_a_service_request_from_elsewhere_has_no_steps(db: Database, tmp_path: Path) -> None:
    from tests.interchange.helpers import bundle, patient

    data = bundle(
        patient(),
        {
            "resourceType": "HealthcareService",
            "id": "hs1",
            "name": "Meals on Wheels",
            "communication": [{"text": "English"}],
        },
        {
            "resourceType": "ServiceRequest",
            "id": "sr1",
            "status": "active",
            "intent": "order",
            "priority": "asap",
            "subject": {"reference": "urn:uuid:11111111-1111-4111-8111-111111111111"},
            "performer": [{"reference": "urn:uuid:hs1"}],
            "authoredOn": "2026-03-02",
            "reasonCode": [{"text": "Meals"}],
        },
    )
    import_bundle(db, write(tmp_path / "in.json", data), today=TODAY, queues=QUEUES)
    assert table(db.path, "SELECT status, sent_on, outcome_code FROM referral") == [
        ("sent", "2026-03-02", None)
    ]
    assert table(db.path, "SELECT count(*) FROM referral_step") == [(0,)]


def test_a_bad_step_is_reported_and_nothing_written(db: Database, tmp_path: Path) -> None:
    import pytest

    from caretui.services.fhir.draft import ImportRejected
    from tests.interchange.helpers import bundle, patient

    data = bundle(
        patient(),
        {
            "resourceType": "ServiceRequest",
            "id": "sr1",
            "status": "active",
            "intent": "order",
            "subject": {"reference": "urn:uuid:11111111-1111-4111-8111-111111111111"},
            "reasonCode": [{"text": "Meals"}],
            "extension": [
                {
                    "url": "urn:caretui:fhir:extension:referral-step",
                    "extension": [
                        {"url": "status", "valueCode": "lost"},
                        {"url": "date", "valueDate": "2026-02-30"},
                    ],
                }
            ],
        },
    )
    with pytest.raises(ImportRejected) as info:
        import_bundle(db, write(tmp_path / "in.json", data), today=TODAY, queues=QUEUES)
    assert "extension[referral-step][0].date = '2026-02-30'" in str(info.value)
    assert table(db.path, "SELECT count(*) FROM referral") == [(0,)]
