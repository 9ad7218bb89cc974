"""Write a large synthetic FHIR R4 Bundle for the import benchmark (no real person's data).

    python benchmarks/make_fhir_bundle.py --resources 50000 -o /tmp/big.json
    /usr/bin/time -v caretui import fhir --db /tmp/bench.db /tmp/big.json

The import prints its own time; ``/usr/bin/time -v`` adds the peak memory
("Maximum resident set size"), which should barely grow from 10,000 to 50,000
resources (the import reads the file twice and keeps only an index of ids).

Each patient comes with conditions, an allergy, medication statements and
requests, a care plan with a goal and activities, appointments, tasks and
communications (about 25 resources a patient), every one of the types caretui
imports. References use ``urn:uuid:`` fullUrls, as an EHR's export does. The
file is written entry by entry, so making a 200 MB bundle needs little memory.
"""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any, TextIO

GIVEN = ("Avery", "Jordan", "Riley", "Quinn", "Rowan", "Sage", "Emery", "Harper", "Kai", "Noor")
FAMILY = ("Testwood", "Samplefield", "Mockridge", "Demoford", "Fakehill", "Synthby")
PROBLEMS = ("Hypertension", "Type 2 diabetes", "COPD", "Heart failure", "Depression")
MEDICINES = ("Metformin 500 MG Oral Tablet", "Lisinopril 10 MG Oral Tablet", "Sertraline 50 MG")


def _ref(full_url: str) -> dict[str, str]:
    return {"reference": full_url}


def patient_resources(rng: Random, n: int, today: date) -> list[dict[str, Any]]:
    """One patient and about 24 resources of theirs."""
    pid = str(uuid.UUID(int=rng.getrandbits(128)))
    p = f"urn:uuid:{pid}"
    out: list[dict[str, Any]] = [
        {
            "resourceType": "Patient",
            "id": pid,
            "active": rng.random() > 0.1,
            "name": [
                {"use": "official", "family": rng.choice(FAMILY), "given": [rng.choice(GIVEN)]}
            ],
            "gender": rng.choice(("male", "female", "other")),
            "birthDate": (date(1930, 1, 1) + timedelta(days=rng.randint(0, 25_000))).isoformat(),
            "telecom": [
                {"system": "phone", "value": f"555-{rng.randint(100, 999)}-{n % 10000:04d}"}
            ],
            "identifier": [
                {
                    "type": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                "code": "MR",
                            }
                        ]
                    },
                    "value": f"MRN{n:07d}",
                }
            ],
        }
    ]

    def add(resource: dict[str, Any]) -> str:
        rid = str(uuid.UUID(int=rng.getrandbits(128)))
        resource["id"] = rid
        out.append(resource)
        return f"urn:uuid:{rid}"

    for name in rng.sample(PROBLEMS, 3):
        add(
            {
                "resourceType": "Condition",
                "clinicalStatus": {"coding": [{"code": "active"}]},
                "code": {"text": name},
                "subject": _ref(p),
                "onsetDateTime": "2015-04-01T10:00:00+00:00",
            }
        )
    add(
        {
            "resourceType": "AllergyIntolerance",
            "criticality": "low",
            "code": {"text": "Peanut"},
            "patient": _ref(p),
            "reaction": [{"manifestation": [{"text": "Hives"}]}],
        }
    )
    for i in range(4):
        kind = "MedicationStatement" if i % 2 else "MedicationRequest"
        med: dict[str, Any] = {
            "resourceType": kind,
            "status": "active",
            "medicationCodeableConcept": {"text": rng.choice(MEDICINES)},
            "subject": _ref(p),
        }
        if kind == "MedicationRequest":
            med["intent"] = "order"
            med["dosageInstruction"] = [{"text": "One tablet daily"}]
        else:
            med["dosage"] = [{"text": "One tablet daily"}]
        add(med)
    goal = add(
        {
            "resourceType": "Goal",
            "lifecycleStatus": "active",
            "description": {"text": "Blood pressure below 140/90"},
            "subject": _ref(p),
        }
    )
    add(
        {
            "resourceType": "CarePlan",
            "status": "active",
            "intent": "plan",
            "title": "Chronic care plan",
            "subject": _ref(p),
            "goal": [_ref(goal)],
            "activity": [
                {"detail": {"status": "in-progress", "description": "Diet education"}},
                {"detail": {"status": "scheduled", "description": "Home visit"}},
            ],
        }
    )
    for i in range(5):
        start = datetime.combine(today + timedelta(days=rng.randint(-60, 60)), datetime.min.time())
        start = start.replace(hour=9 + i)
        add(
            {
                "resourceType": "Appointment",
                "status": "booked",
                "description": "Follow-up visit",
                "start": start.isoformat() + "+00:00",
                "end": (start + timedelta(minutes=30)).isoformat() + "+00:00",
                "participant": [
                    {"actor": _ref(p), "status": "accepted"},
                    {
                        "actor": {"type": "Practitioner", "display": "Dr. Example"},
                        "status": "accepted",
                    },
                ],
            }
        )
    for _ in range(5):
        add(
            {
                "resourceType": "Task",
                "status": "requested",
                "intent": "order",
                "priority": rng.choice(("routine", "urgent")),
                "description": "Call about refill",
                "for": _ref(p),
                "restriction": {
                    "period": {"end": (today + timedelta(days=rng.randint(-5, 30))).isoformat()}
                },
            }
        )
    for _ in range(5):
        add(
            {
                "resourceType": "Communication",
                "status": "completed",
                "subject": _ref(p),
                "sent": "2026-01-05T10:00:00+00:00",
                "payload": [{"contentString": "Called; discussed the care plan."}],
            }
        )
    return out


def bundle_entries(
    resources: int, *, seed: int = 0, today: date | None = None
) -> Iterator[dict[str, Any]]:
    rng = Random(seed)
    today = today or date.today()
    made = n = 0
    while made < resources:
        for resource in patient_resources(rng, n, today):
            if made == resources:
                return
            yield {
                "fullUrl": f"urn:uuid:{resource['id']}",
                "resource": resource,
                "request": {"method": "POST", "url": resource["resourceType"]},
            }
            made += 1
        n += 1


def write_bundle(out: TextIO, resources: int, *, seed: int = 0, today: date | None = None) -> None:
    out.write('{"resourceType": "Bundle", "type": "transaction", "entry": [\n')
    for i, entry in enumerate(bundle_entries(resources, seed=seed, today=today)):
        out.write(("" if i == 0 else ",\n") + json.dumps(entry))
    out.write("\n]}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    with args.output.open("w", encoding="utf-8") as fh:
        write_bundle(fh, args.resources, seed=args.seed)
    print(f"{args.output}: {args.resources:,} resources, {args.output.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
