"""FHIR import: each mapping, the Synthea fixtures, re-import, undo, and every bad input."""

from __future__ import annotations

import copy
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from caretui.errors import DomainError
from caretui.services.fhir.draft import ImportRejected
from caretui.services.fhir.importer import import_bundle
from caretui.services.undo import undo_last
from caretui.store.database import Database
from tests.interchange.helpers import (
    FRANKIE,
    KALLIE,
    MARGIE,
    P1,
    P2,
    QUEUES,
    bundle,
    counts,
    every_type,
    load_generator,
    patient,
    ref,
    rows,
    write,
)

TODAY = date(2026, 3, 11)


def run(db: Database, source: Path | dict[str, Any], tmp: Path | None = None, **kw: Any) -> Any:
    if isinstance(source, dict):
        assert tmp is not None
        source = write(tmp / "bundle.json", source)
    return import_bundle(db, source, today=TODAY, queues=QUEUES, **kw)


# -- each mapping --------------------------------------------------------------------------


def test_every_type_maps_to_its_fields(db: Database, tmp_path: Path) -> None:
    summary = run(db, every_type(), tmp_path)
    assert summary.added["patient"] == 1 and summary.added["task"] == 2
    p = db.path
    assert rows(
        p,
        "SELECT given_name, family_name, preferred_name, birth_date, gender, phone, email, "
        "address, language, interpreter_needed, status, mrn, insurance_member_id FROM patient",
    ) == [
        (
            "Avery Q",
            "Testwood",
            "Ave",
            "1950-02-28",
            "female",
            "555-0100",
            "avery@example.invalid",
            "1 Sample St\nTestville, TS 00000",
            "Spanish",
            1,
            "active",
            "MRN-001",
            "MB-77",
        )
    ]
    assert rows(p, "SELECT name, relationship, emergency, phone, role FROM contact") == [
        ("Jordan Testwood", "Daughter", 1, "555-0101", "caregiver")
    ]
    assert rows(p, "SELECT name, clinical_status, onset_date, notes FROM problem") == [
        ("Heart failure", "active", "2019-05-04", "Watch weight")
    ]
    assert rows(p, "SELECT substance, criticality, reaction, clinical_status FROM allergy") == [
        ("Penicillin", "high", "Hives; Wheeze", "active")
    ]
    assert rows(
        p,
        "SELECT name, instructions, route, status, start_date, prescriber FROM medication ORDER BY id",
    ) == [
        ("Furosemide 40 MG", "One tablet each morning", "oral", "active", "2024-01-02", None),
        ("Lisinopril 10 MG", "Daily", None, "stopped", "2023-06-01", "Dr. Sample"),
    ]
    plan_id = rows(p, "SELECT id FROM care_plan")[0][0]
    assert rows(p, "SELECT title, status, period_start FROM care_plan") == [
        ("Heart failure plan", "active", "2025-01-01")
    ]
    assert rows(
        p,
        "SELECT description, lifecycle_status, achievement_status, target_date, measure, "
        "care_plan_id FROM goal",
    ) == [("Weight under 80 kg", "active", "improving", "2026-09-01", "Body weight", plan_id)]
    goal_id = rows(p, "SELECT id FROM goal")[0][0]
    assert rows(
        p,
        "SELECT description, performer, status, scheduled_on, care_plan_id, goal_id FROM intervention",
    ) == [("Daily weights", "Home health nurse", "scheduled", "2026-04-01", plan_id, goal_id)]
    assert rows(
        p, 'SELECT start, "end", with_whom, location, purpose, status FROM appointment'
    ) == [
        (
            "2026-04-02 09:30:00.000000",
            "2026-04-02 10:00:00.000000",
            "Dr. Example",
            "Testville Clinic, room 4",
            "Cardiology follow-up",
            "booked",
        )
    ]
    assert rows(
        p,
        "SELECT title, patient_id IS NULL, status, priority, due, queue, origin FROM task ORDER BY id",
    ) == [
        (
            "Call pharmacy about refill",
            0,
            "in-progress",
            "urgent",
            "2026-03-20",
            "follow-up",
            "import",
        ),
        ("Send records", 1, "requested", "routine", "2026-03-25", "follow-up", "import"),
    ]
    assert rows(p, "SELECT occurred_at, with_whom, text, kind FROM note") == [
        ("2026-03-01 15:00:00.000000", "Daughter", "Discussed the plan.\nAll good.", "note")
    ]
    resource_id = rows(p, "SELECT id FROM resource")[0][0]
    assert rows(p, "SELECT name, phone, category FROM resource") == [
        ("Sample Food Bank", "555-0199", "other")
    ]
    assert rows(p, "SELECT reason, urgency, status, sent_on, resource_id FROM referral") == [
        ("Food insecurity", "asap", "sent", "2026-03-02", resource_id)
    ]


def test_inactive_patient_is_discharged(db: Database, tmp_path: Path) -> None:
    run(db, bundle(patient(active=False)), tmp_path)
    assert rows(db.path, "SELECT status, discharged_on, enrolled_on FROM patient") == [
        ("discharged", TODAY.isoformat(), TODAY.isoformat())
    ]


def test_references_by_type_and_id_and_absolute_url(db: Database, tmp_path: Path) -> None:
    data = bundle(
        patient(),
        {
            "resourceType": "Condition",
            "id": "c1",
            "subject": {"reference": f"Patient/{P1}"},
            "code": {"text": "Asthma"},
        },
        {
            "resourceType": "Condition",
            "id": "c2",
            "subject": {"reference": f"https://ehr.example/fhir/Patient/{P1}/_history/3"},
            "code": {"text": "Gout"},
        },
    )
    assert run(db, data, tmp_path).added["problem"] == 2


# -- the Synthea fixtures, as they are ------------------------------------------------------


def test_synthea_fixtures_import_with_skip_unknown(db: Database) -> None:
    margie = run(db, MARGIE, skip_unknown=True)
    assert margie.resources == 455
    assert dict(margie.added) == {
        "patient": 1,
        "problem": 10,
        "allergy": 8,
        "medication": 8,
        "care_plan": 5,
        "intervention": 14,
    }
    assert margie.skipped["Encounter"] == 58 and margie.skipped["Observation"] == 88
    frankie = run(db, FRANKIE, skip_unknown=True)
    assert frankie.added["problem"] == 3 and frankie.added["medication"] == 29
    assert frankie.added["care_plan"] == 2 and frankie.added["goal"] == 2
    kallie = run(db, KALLIE, skip_unknown=True)
    assert kallie.added["problem"] == 9 and kallie.added["medication"] == 24
    assert kallie.added["care_plan"] == 3
    p = db.path
    assert rows(p, "SELECT given_name, status, discharged_on FROM patient ORDER BY id") == [
        ("Margie619", "active", None),
        ("Frankie174", "active", None),
        ("Kallie862", "discharged", "2011-09-07"),
    ]
    by_status = dict(rows(p, "SELECT clinical_status, count(*) FROM allergy GROUP BY 1"))
    assert by_status == {"active": 7, "inactive": 1}
    margie_meds = dict(
        rows(p, "SELECT status, count(*) FROM medication WHERE patient_id = 1 GROUP BY 1")
    )
    assert margie_meds == {"active": 3, "stopped": 5}
    assert rows(p, "SELECT name FROM medication WHERE patient_id = 1 AND status = 'active'") == [
        ("Loratadine 5 MG Chewable Tablet",),
        ("NDA020800 0.3 ML Epinephrine 1 MG/ML Auto-Injector",),
        ("Levora 0.15/30 28 Day Pack",),
    ]
    assert rows(p, "SELECT status, count(*) FROM care_plan GROUP BY 1") == [
        ("active", 3),
        ("completed", 7),
    ]
    goals = rows(p, "SELECT description, lifecycle_status, care_plan_id IS NOT NULL FROM goal")
    assert goals == [
        ("Maintain blood pressure below 140/90 mm[Hg]", "accepted", 1),
        ("Reduce sodium intake to no more than 2,400 mg/day", "accepted", 1),
    ]
    assert counts(p)["external_ref"] == sum(
        counts(p)[t]
        for t in (
            "patient",
            "problem",
            "allergy",
            "medication",
            "care_plan",
            "goal",
            "intervention",
        )
    )


def test_synthea_without_skip_unknown_names_each_refused_entry(db: Database) -> None:
    before = counts(db.path)
    with pytest.raises(ImportRejected) as info:
        run(db, FRANKIE)
    lines = info.value.message.splitlines()
    # Organization and Practitioner entries lend names to references: not refused.
    assert lines[0].endswith("244 problems found; nothing was imported")
    assert len(lines) == 245
    assert any(
        line.startswith("  entry 3 Encounter 0a7d817e-2d3d-4f22-bdc4-141174577560: resourceType")
        for line in lines
    )
    assert counts(db.path) == before


# -- re-import and undo ---------------------------------------------------------------------


def test_reimport_updates_instead_of_duplicating(db: Database, tmp_path: Path) -> None:
    data = every_type()
    run(db, data, tmp_path)
    first = counts(db.path)
    again = run(db, data, tmp_path)
    assert not again.added and not again.updated
    assert counts(db.path) == first  # no new records, and no audit events for no change
    changed = copy.deepcopy(data)
    changed["entry"][3]["resource"]["code"] = {"text": "Heart failure, stage C"}
    changed["entry"][0]["resource"]["telecom"] = []
    result = run(db, changed, tmp_path)
    assert dict(result.updated) == {"patient": 1, "problem": 1}
    after = counts(db.path)
    assert {t: after[t] - first[t] for t in after if after[t] != first[t]} == {"audit_event": 2}
    assert rows(db.path, "SELECT name, version FROM problem") == [("Heart failure, stage C", 2)]
    assert rows(db.path, "SELECT phone, email FROM patient") == [(None, None)]
    event = rows(
        db.path, "SELECT changes FROM audit_event WHERE entity = 'problem' ORDER BY id DESC"
    )[0]
    assert json.loads(event[0]) == {"name": ["Heart failure", "Heart failure, stage C"]}


def test_reimport_of_a_deleted_record_makes_it_again(db: Database, tmp_path: Path) -> None:
    data = bundle(
        patient(),
        {"resourceType": "Condition", "id": "c1", "subject": ref(), "code": {"text": "Gout"}},
    )
    run(db, data, tmp_path)
    con = __import__("sqlite3").connect(db.path)
    con.execute("DELETE FROM problem")
    con.commit()
    con.close()
    assert run(db, data, tmp_path).added["problem"] == 1
    assert counts(db.path)["external_ref"] == 2


def test_undo_takes_back_the_whole_import(db: Database, tmp_path: Path) -> None:
    before = counts(db.path)
    run(db, every_type(), tmp_path)
    assert undo_last(db) == "Import FHIR bundle"
    after = counts(db.path)
    assert {t: n for t, n in after.items() if t != "audit_event"} == {
        t: n for t, n in before.items() if t != "audit_event"
    }


def test_audit_events_match_the_orm_listener(db: Database, tmp_path: Path) -> None:
    """A bulk-written create reads in the trail as one the ORM wrote."""
    from caretui.services import patients
    from caretui.services.unit import action

    with action(db, "Add patient") as s:
        patients.create_patient(s, {"given_name": "Avery", "family_name": "Testwood"}, today=TODAY)
    run(
        db,
        bundle(
            {
                "resourceType": "Patient",
                "id": "x1",
                "name": [{"family": "Testwood", "given": ["Avery"]}],
            }
        ),
        tmp_path,
    )
    orm, bulk = (
        json.loads(c)
        for (c,) in rows(
            db.path, "SELECT changes FROM audit_event WHERE entity = 'patient' ORDER BY id"
        )
    )
    assert orm.keys() == bulk.keys()
    assert {k: v for k, v in orm.items() if k != "id"} == {
        k: v for k, v in bulk.items() if k != "id"
    }


def test_two_thousand_resources(db: Database, tmp_path: Path) -> None:
    gen = load_generator()
    path = tmp_path / "big.json"
    with path.open("w", encoding="utf-8") as fh:
        gen.write_bundle(fh, 2_000, today=TODAY)
    summary = run(db, path)
    assert summary.resources == 2_000
    # every resource is one record, and each care plan's two activities two more
    assert sum(summary.added.values()) == 2_000 + summary.added["intervention"]
    assert summary.added["intervention"] == 2 * summary.added["care_plan"]
    assert counts(db.path)["patient"] == summary.added["patient"]
    again = run(db, path)
    assert not again.added and not again.updated


# -- bad input: a report naming each bad entry, and nothing written -------------------------


def cond(cid: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": cid,
        "subject": ref(),
        "code": {"text": "Gout"},
        **extra,
    }


BAD: list[tuple[str, Any, list[str]]] = [
    (
        "malformed JSON",
        '{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient",',
        ["entry 0: the file is not valid JSON at line 1"],
    ),
    (
        "impossible date",
        bundle(patient(birthDate="1950-02-30")),
        [f"entry 0 Patient {P1}: birthDate = '1950-02-30': is not a real date"],
    ),
    (
        "date not a date",
        bundle(patient(), cond("c1", onsetDateTime="last spring")),
        ["entry 1 Condition c1: onsetDateTime = 'last spring': is not a date"],
    ),
    (
        "unknown code",
        bundle(patient(), cond("c1", clinicalStatus={"coding": [{"code": "sort-of"}]})),
        [
            "entry 1 Condition c1: clinicalStatus = 'sort-of': Status 'sort-of' is not one of: active"
        ],
    ),
    (
        "unknown gender",
        bundle(patient(gender="robot")),
        [f"entry 0 Patient {P1}: gender = 'robot': Gender 'robot' is not one of"],
    ),
    (
        "reference to nothing",
        bundle(patient(), cond("c1", subject={"reference": "Patient/nobody"})),
        ["entry 1 Condition c1: subject = 'Patient/nobody': refers to nothing"],
    ),
    (
        "reference to the wrong type",
        bundle(
            patient(),
            cond("c1"),
            {
                "resourceType": "Task",
                "id": "t1",
                "status": "requested",
                "intent": "order",
                "description": "x",
                "for": {"reference": "Condition/c1"},
            },
        ),
        ["entry 2 Task t1: for = 'Condition/c1': refers to a Condition, not a Patient"],
    ),
    (
        "unknown resource type",
        bundle(patient(), {"resourceType": "Encounter", "id": "e1"}),
        ["entry 1 Encounter e1: resourceType = 'Encounter': caretui does not import this type"],
    ),
    (
        "control character in a name",
        bundle(patient(name=[{"family": "Test\x1b[2Jwood", "given": ["Avery"]}])),
        [
            f"entry 0 Patient {P1}: name.family = 'Test\\x1b[2Jwood': Family name contains a control character"
        ],
    ),
    (
        "required field missing",
        bundle(patient(), {"resourceType": "Condition", "id": "c1", "subject": ref()}),
        ["entry 1 Condition c1: code: Problem is required"],
    ),
    (
        "duplicate id",
        bundle(patient(), cond("c1"), cond("c1")),
        ["entry 2 Condition c1: fullUrl = 'urn:uuid:c1': appears twice in the bundle"],
    ),
    (
        "no id",
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": {"resourceType": "Patient"}}],
        },
        ["entry 0 Patient: id: the resource has neither an id nor a fullUrl"],
    ),
    (
        "not a bundle",
        patient(),
        ["bundle: resourceType = 'Patient': the file is not a FHIR Bundle"],
    ),
    (
        "a document bundle",
        bundle(patient(), kind="document"),
        ["bundle Bundle: type = 'document': caretui imports bundles of type collection"],
    ),
    (
        "another patient's care plan",
        bundle(
            patient(),
            patient(P2),
            {
                "resourceType": "Goal",
                "id": "g1",
                "lifecycleStatus": "active",
                "description": {"text": "x"},
                "subject": ref(P2),
            },
            {
                "resourceType": "CarePlan",
                "id": "cp1",
                "status": "active",
                "intent": "plan",
                "title": "x",
                "subject": ref(),
                "goal": [{"reference": "Goal/g1"}],
            },
        ),
        ["entry 3 CarePlan cp1: goal[0] = 'Goal/g1': belongs to another patient"],
    ),
    (
        "end before start",
        bundle(
            patient(),
            {
                "resourceType": "Appointment",
                "id": "a1",
                "status": "booked",
                "start": "2026-04-02T10:00:00",
                "end": "2026-04-02T09:00:00",
                "participant": [{"actor": ref(), "status": "accepted"}],
            },
        ),
        [
            "entry 1 Appointment a1: end = '2026-04-02T09:00:00': End 2026-04-02 09:00 is before start"
        ],
    ),
]


@pytest.mark.parametrize(("name", "data", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_reported_and_nothing_written(
    db: Database, tmp_path: Path, name: str, data: Any, expected: list[str]
) -> None:
    run(
        db, bundle(patient("99999999-9999-4999-8999-999999999999")), tmp_path
    )  # something there already
    before = counts(db.path)
    with pytest.raises(ImportRejected) as info:
        run(db, data if isinstance(data, dict) else write(tmp_path / "bad.json", data), tmp_path)
    lines = info.value.message.splitlines()
    assert "nothing was imported" in lines[0]
    for want in expected:
        assert any(line.strip().startswith(want) for line in lines[1:]), (want, lines)
    assert counts(db.path) == before


def test_every_bad_entry_is_listed(db: Database, tmp_path: Path) -> None:
    data = bundle(
        patient(birthDate="1950-02-30"),
        cond("c1", clinicalStatus={"coding": [{"code": "maybe"}]}),
        cond("c2", onsetDateTime="2020-13-01"),
        cond("c3", subject={"reference": "urn:uuid:missing"}),
    )
    before = counts(db.path)
    with pytest.raises(ImportRejected) as info:
        run(db, data, tmp_path)
    assert [p.index for p in info.value.problems] == [0, 2]  # a reading problem stops the check
    assert counts(db.path) == before
    data["entry"][0]["resource"]["birthDate"] = "1950-02-28"
    data["entry"][2]["resource"]["onsetDateTime"] = "2020-12-01"
    with pytest.raises(ImportRejected) as info:
        run(db, data, tmp_path)
    assert [(p.index, p.resource_id, p.field) for p in info.value.problems] == [
        (1, "c1", "clinicalStatus"),
        (3, "c3", "subject"),
    ]
    data["entry"][3]["resource"]["subject"] = ref()
    with pytest.raises(ImportRejected) as info:
        run(db, data, tmp_path)
    assert [(p.index, p.field, p.value) for p in info.value.problems] == [
        (1, "clinicalStatus", "maybe")
    ]
    assert counts(db.path) == before


def test_not_utf8_and_missing_file(db: Database, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.json"
    bad.write_bytes(
        json.dumps(bundle(patient())).replace("Testwood", "Test\u00e9wood").encode("latin-1")
    )
    with pytest.raises(ImportRejected, match="not UTF-8"):
        run(db, bad)
    with pytest.raises(DomainError, match="Cannot read"):
        run(db, tmp_path / "nope.json")


def test_a_bundle_with_a_byte_order_mark_imports(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(bundle(patient())).encode())
    assert run(db, path).added["patient"] == 1


def test_references_to_records_imported_before(db: Database, tmp_path: Path) -> None:
    run(db, bundle(patient()), tmp_path)
    later = bundle(cond("c9", subject={"reference": f"Patient/{P1}"}))
    assert run(db, later, tmp_path).added["problem"] == 1
    assert rows(db.path, "SELECT patient_id FROM problem") == [(1,)]


def test_stream_source(db: Database) -> None:
    text = json.dumps(bundle(patient()))
    assert import_bundle(db, io.StringIO(text), today=TODAY, queues=QUEUES).added["patient"] == 1


class _Pipe(io.StringIO):
    """A stream that cannot go back, like a pipe."""

    def seekable(self) -> bool:
        return False


def test_a_stream_that_cannot_go_back_is_read_twice_through_a_copy(db: Database) -> None:
    text = json.dumps(bundle(patient(), patient(P2, identifier=[])))
    summary = import_bundle(db, _Pipe(text), today=TODAY, queues=QUEUES)
    assert summary.added["patient"] == 2


def test_times_are_local_wall_clock(db: Database, tmp_path: Path) -> None:
    start = datetime(2026, 4, 2, 14, 0).astimezone()
    appt = {
        "resourceType": "Appointment",
        "id": "a1",
        "status": "booked",
        "start": start.astimezone(__import__("datetime").UTC).isoformat(),
        "participant": [{"actor": ref(), "status": "accepted"}],
    }
    run(db, bundle(patient(), appt), tmp_path)
    assert rows(db.path, "SELECT start FROM appointment") == [("2026-04-02 14:00:00.000000",)]
