"""Bundles written by hand, and a look at every table, for the interchange tests."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any

from click.testing import CliRunner, Result

from caretui.cli import main

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "fhir"
MARGIE = FIXTURES / "synthea-r4-margie-allergies.json"
FRANKIE = FIXTURES / "synthea-r4-frankie-hypertension-goals.json"
KALLIE = FIXTURES / "synthea-r4-kallie-copd-deceased.json"
QUEUES = ("calls", "referrals", "paperwork", "insurance", "follow-up")

TABLES = (
    "patient",
    "contact",
    "problem",
    "allergy",
    "medication",
    "care_plan",
    "goal",
    "intervention",
    "appointment",
    "task",
    "note",
    "resource",
    "referral",
    "external_ref",
    "audit_event",
)


def counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def rows(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def bundle(*resources: dict[str, Any], kind: str = "collection") -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


def write(path: Path, data: dict[str, Any] | str) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data), "utf-8")
    return path


P1 = "11111111-1111-4111-8111-111111111111"
P2 = "22222222-2222-4222-8222-222222222222"


def patient(pid: str = P1, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": pid,
        "name": [
            {"use": "official", "family": "Testwood", "given": ["Avery", "Q"]},
            {"use": "nickname", "given": ["Ave"]},
        ],
        "birthDate": "1950-02-28",
        "gender": "female",
        "telecom": [
            {"system": "phone", "value": "555-0100"},
            {"system": "email", "value": "avery@example.invalid"},
        ],
        "identifier": [
            {
                "type": {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}
                    ]
                },
                "value": "MRN-001",
            },
            {
                "type": {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MB"}
                    ]
                },
                "value": "MB-77",
            },
        ],
        "address": [
            {"line": ["1 Sample St"], "city": "Testville", "state": "TS", "postalCode": "00000"}
        ],
        "communication": [{"language": {"coding": [{"code": "es", "display": "Spanish"}]}}],
        "extension": [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired",
                "valueBoolean": True,
            }
        ],
        **extra,
    }


def ref(pid: str = P1) -> dict[str, str]:
    return {"reference": f"urn:uuid:{pid}"}


def every_type() -> dict[str, Any]:
    """One resource of every type caretui imports, for one synthetic patient."""
    return bundle(
        patient(),
        {
            "resourceType": "Location",
            "id": "loc-1",
            "name": "Testville Clinic, room 4",
        },
        {
            "resourceType": "RelatedPerson",
            "id": "rp-1",
            "patient": ref(),
            "name": [{"given": ["Jordan"], "family": "Testwood"}],
            "relationship": [
                {"text": "Daughter"},
                {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "C"}
                    ]
                },
            ],
            "telecom": [{"system": "phone", "value": "555-0101"}],
        },
        {
            "resourceType": "Condition",
            "id": "cond-1",
            "subject": ref(),
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "code": {"coding": [{"display": "Heart failure"}]},
            "onsetDateTime": "2019-05-04",
            "note": [{"text": "Watch weight"}],
        },
        {
            "resourceType": "AllergyIntolerance",
            "id": "alg-1",
            "patient": ref(),
            "code": {"text": "Penicillin"},
            "criticality": "high",
            "reaction": [{"manifestation": [{"text": "Hives"}, {"text": "Wheeze"}]}],
        },
        {
            "resourceType": "MedicationStatement",
            "id": "ms-1",
            "status": "active",
            "subject": ref(),
            "medicationCodeableConcept": {"coding": [{"display": "Furosemide 40 MG"}]},
            "dosage": [{"text": "One tablet each morning", "route": {"text": "oral"}}],
            "effectivePeriod": {"start": "2024-01-02"},
        },
        {
            "resourceType": "MedicationRequest",
            "id": "mr-1",
            "status": "cancelled",
            "intent": "order",
            "subject": ref(),
            "medicationCodeableConcept": {"text": "Lisinopril 10 MG"},
            "authoredOn": "2023-06-01T10:00:00+00:00",
            "requester": {"display": "Dr. Sample"},
            "dosageInstruction": [{"text": "Daily"}],
        },
        {
            "resourceType": "Goal",
            "id": "goal-1",
            "lifecycleStatus": "active",
            "achievementStatus": {"coding": [{"code": "improving"}]},
            "description": {"text": "Weight under 80 kg"},
            "subject": ref(),
            "target": [{"measure": {"text": "Body weight"}, "dueDate": "2026-09-01"}],
        },
        {
            "resourceType": "CarePlan",
            "id": "cp-1",
            "status": "active",
            "intent": "plan",
            "title": "Heart failure plan",
            "subject": ref(),
            "period": {"start": "2025-01-01"},
            "goal": [{"reference": "Goal/goal-1"}],
            "activity": [
                {
                    "id": "a1",
                    "detail": {
                        "status": "scheduled",
                        "code": {"text": "Daily weights"},
                        "performer": [{"display": "Home health nurse"}],
                        "scheduledString": "2026-04-01",
                        "goal": [{"reference": "Goal/goal-1"}],
                    },
                }
            ],
        },
        {
            "resourceType": "Appointment",
            "id": "appt-1",
            "status": "booked",
            "description": "Cardiology follow-up",
            "start": "2026-04-02T09:30:00",
            "end": "2026-04-02T10:00:00",
            "participant": [
                {"actor": ref(), "status": "accepted"},
                {
                    "actor": {"reference": "Practitioner/pr-9", "display": "Dr. Example"},
                    "status": "accepted",
                },
                {"actor": {"reference": "urn:uuid:loc-1"}, "status": "accepted"},
            ],
        },
        {
            "resourceType": "Task",
            "id": "task-1",
            "status": "in-progress",
            "intent": "order",
            "priority": "urgent",
            "description": "Call pharmacy about refill",
            "for": ref(),
            "restriction": {"period": {"end": "2026-03-20"}},
            "executionPeriod": {"end": "2026-03-25"},
        },
        {
            "resourceType": "Task",
            "id": "task-2",
            "status": "requested",
            "intent": "order",
            "description": "Send records",
            "executionPeriod": {"end": "2026-03-25"},
            "basedOn": [{"reference": "Task/task-1"}],  # waits on task-1
        },
        {
            "resourceType": "Communication",
            "id": "comm-1",
            "status": "completed",
            "subject": ref(),
            "sent": "2026-03-01T15:00:00",
            "recipient": [{"display": "Daughter"}],
            "payload": [{"contentString": "Discussed the plan.\nAll good."}],
        },
        {
            "resourceType": "HealthcareService",
            "id": "hs-1",
            "name": "Sample Food Bank",
            "telecom": [{"system": "phone", "value": "555-0199"}],
        },
        {
            "resourceType": "ServiceRequest",
            "id": "sr-1",
            "status": "active",
            "intent": "order",
            "priority": "asap",
            "subject": ref(),
            "performer": [{"reference": "urn:uuid:hs-1"}],
            "reasonCode": [{"text": "Food insecurity"}],
            "authoredOn": "2026-03-02",
        },
    )


def load_generator() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "make_fhir_bundle.py"
    spec = importlib.util.spec_from_file_location("make_fhir_bundle", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)
