"""A bundle is checked and written a window at a time: the result does not depend on the
window, references reach forward across windows, a problem found late still leaves
nothing, and undo takes a many-window import back in batches."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from caretui.services import patients, undo
from caretui.services.fhir import loader
from caretui.services.fhir.draft import ImportRejected, Problem
from caretui.services.fhir.importer import import_bundle
from caretui.services.undo import last_undoable, undo_last
from caretui.services.unit import action
from caretui.store.database import Database
from tests.interchange.helpers import (
    P1,
    P2,
    QUEUES,
    TABLES,
    bundle,
    counts,
    load_generator,
    patient,
    ref,
    rows,
    write,
)

TODAY = date(2026, 3, 11)
#: Columns that differ between two imports of the same bundle whatever they do.
_STAMPS = ("created_at", "updated_at")


def _generated(tmp_path: Path, resources: int) -> Path:
    path = tmp_path / "generated.json"
    with path.open("w", encoding="utf-8") as fh:
        load_generator().write_bundle(fh, resources, today=TODAY)
    return path


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = sqlite3.connect(path)
    try:
        out = {}
        for table in (*(t for t in TABLES if t != "audit_event"), "external_ref"):
            names = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            keep = ", ".join(n for n in names if n not in _STAMPS)
            out[table] = con.execute(f"SELECT {keep} FROM {table} ORDER BY id").fetchall()
        # The same events, in whatever order the windows wrote them.
        out["audit_event"] = sorted(
            con.execute("SELECT action, entity, record_id, patient_id, changes FROM audit_event")
        )
        return out
    finally:
        con.close()


def _import(db: Database, source: Path) -> Any:
    return import_bundle(db, source, today=TODAY, queues=QUEUES)


def test_the_window_does_not_change_what_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _generated(tmp_path, 400)
    one = Database.open(tmp_path / "one.db")
    _import(one, source)
    monkeypatch.setattr(loader, "WINDOW", 7)
    many = Database.open(tmp_path / "many.db")
    summary = _import(many, source)
    assert summary.resources == 400
    assert _dump(one.path) == _dump(many.path)
    again = _import(many, source)  # and a re-import in windows changes nothing
    assert not again.added and not again.updated
    assert sum(again.unchanged.values()) == sum(summary.added.values())
    one.dispose()
    many.dispose()


def test_references_reach_forward_across_windows(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "WINDOW", 1)
    data = bundle(
        {
            "resourceType": "Task",
            "id": "t1",
            "status": "requested",
            "intent": "order",
            "description": "Confirm the visit",
            "for": ref(),
            "focus": {"reference": "urn:uuid:a1"},
        },
        {
            "resourceType": "Goal",
            "id": "g1",
            "lifecycleStatus": "active",
            "description": {"text": "Walk daily"},
            "subject": ref(),
        },
        {
            "resourceType": "CarePlan",
            "id": "cp1",
            "status": "active",
            "intent": "plan",
            "title": "Plan",
            "subject": ref(),
            "goal": [{"reference": "urn:uuid:g1"}],
        },
        {
            "resourceType": "Appointment",
            "id": "a1",
            "status": "booked",
            "start": "2026-03-12T10:00:00",
            "participant": [{"actor": ref(), "status": "accepted"}],
        },
        patient(),
    )
    summary = _import(db, write(tmp_path / "b.json", data))
    assert summary.added["task"] == 1 and summary.added["patient"] == 1
    [(pid,)] = rows(db.path, "SELECT id FROM patient")
    assert rows(db.path, "SELECT patient_id, appointment_id IS NOT NULL FROM task") == [(pid, 1)]
    assert rows(
        db.path, "SELECT g.care_plan_id = c.id FROM goal g, care_plan c WHERE g.patient_id = ?", pid
    ) == [(1,)]


def test_a_problem_found_in_a_later_window_leaves_nothing(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The task is written in the first window; only when its appointment comes is it
    clear that the appointment is another patient's."""
    monkeypatch.setattr(loader, "WINDOW", 1)
    data = bundle(
        patient(),
        patient(P2, name=[{"family": "Other", "given": ["Sam"]}], identifier=[]),
        {
            "resourceType": "Task",
            "id": "t1",
            "status": "requested",
            "intent": "order",
            "description": "Confirm the visit",
            "for": ref(P1),
            "focus": {"reference": "urn:uuid:a1"},
        },
        {
            "resourceType": "Appointment",
            "id": "a1",
            "status": "booked",
            "start": "2026-03-12T10:00:00",
            "participant": [{"actor": ref(P2), "status": "accepted"}],
        },
    )
    before = counts(db.path)
    with pytest.raises(ImportRejected) as info:
        _import(db, write(tmp_path / "b.json", data))
    problems = [p for p in info.value.problems if isinstance(p, Problem)]
    assert [(p.index, p.resource_id, p.field, p.message) for p in problems] == [
        (2, "t1", "focus", "belongs to another patient")
    ]
    assert counts(db.path) == before
    assert rows(db.path, "SELECT count(*) FROM external_ref") == [(0,)]
    assert rows(db.path, "SELECT count(*) FROM audit_event") == [(0,)]


def test_undo_takes_back_a_many_window_import_in_batches(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Goals come before their care plans in the generated bundle: in windows of 5 many
    a goal is written before its plan, and undo must still delete them in a safe order."""
    monkeypatch.setattr(loader, "WINDOW", 5)
    monkeypatch.setattr(undo, "BULK_FROM", 100)
    with action(db, "Add patient") as s:
        patients.create_patient(s, {"given_name": "Kept", "family_name": "Before"}, today=TODAY)
    before = counts(db.path)
    summary = _import(db, _generated(tmp_path, 600))
    made = sum(summary.added.values())
    assert undo_last(db) == "Import FHIR bundle"
    assert last_undoable(db) == "Add patient"  # past the undo and the import it undid
    after = counts(db.path)
    assert {t: n for t, n in after.items() if t != "audit_event"} == {
        t: n for t, n in before.items() if t != "audit_event"
    }
    assert rows(db.path, "SELECT count(*) FROM external_ref") == [(0,)]
    [(deleted, reverts)] = rows(
        db.path,
        "SELECT count(*), count(DISTINCT reverts) FROM audit_event WHERE action = 'delete'",
    )
    assert (deleted, reverts) == (2 * made, 1)  # each record and its external id
    for entity in ("patient", "task", "goal", "external_ref"):
        [(created, removed)] = rows(
            db.path,
            "SELECT c.changes, d.changes FROM audit_event c JOIN audit_event d "
            "ON d.entity = c.entity AND d.record_id = c.record_id "
            "WHERE c.action = 'create' AND d.action = 'delete' AND c.entity = ? "
            "ORDER BY c.record_id LIMIT 1",
            entity,
        )
        # The delete keeps every field's last value, as the ORM's delete event does.
        assert json.loads(removed) == {
            k: [new, None] for k, (_, new) in json.loads(created).items()
        }
    con = sqlite3.connect(db.path)
    try:
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        con.close()


def test_a_batch_undo_of_a_reimport_restores_the_old_values(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(undo, "BULK_FROM", 2)
    first = bundle(patient(), patient(P2, name=[{"family": "Other", "given": ["Sam"]}]))
    _import(db, write(tmp_path / "one.json", first))
    second = bundle(
        patient(birthDate="1950-03-01"),
        patient(P2, name=[{"family": "Renamed", "given": ["Sam"]}]),
    )
    assert _import(db, write(tmp_path / "two.json", second)).updated["patient"] == 2
    assert undo_last(db) == "Import FHIR bundle"
    assert sorted(rows(db.path, "SELECT family_name, birth_date FROM patient")) == [
        ("Other", "1950-02-28"),
        ("Testwood", "1950-02-28"),
    ]
    assert all("renamed" not in key for (key,) in rows(db.path, "SELECT search_key FROM patient"))


def test_a_batch_undo_is_refused_whole_when_a_record_changed_since(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(undo, "BULK_FROM", 2)
    _import(db, _generated(tmp_path, 60))
    con = sqlite3.connect(db.path)
    con.execute("UPDATE task SET title = 'Edited since' WHERE id = (SELECT max(id) FROM task)")
    con.commit()
    con.close()
    before = counts(db.path)
    with pytest.raises(Exception, match="has been changed since; nothing was undone"):
        undo_last(db)
    assert counts(db.path) == before


def test_a_file_changed_between_the_two_readings_leaves_nothing(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caretui.errors import DomainError
    from caretui.services.fhir import importer
    from caretui.services.fhir.index import index_bundle as first_pass

    path = _generated(tmp_path, 50)

    def then_truncate(stream: Any, **kw: Any) -> Any:
        index = first_pass(stream, **kw)
        path.write_text('{"resourceType": "Bundle", "type": "collection", "entry": [{"x": ')
        return index

    monkeypatch.setattr(importer, "index_bundle", then_truncate)
    before = counts(db.path)
    with pytest.raises(DomainError, match="The file changed while it was being imported"):
        _import(db, path)
    assert counts(db.path) == before


def test_undo_of_an_import_whose_task_came_before_its_patient(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two windows of one entry each: the task is written (and audited) before its
    patient. Taken back newest first, the patient would go while the task still pointed
    at it; an import is undone table by table instead, however small."""
    monkeypatch.setattr(loader, "WINDOW", 1)
    before = counts(db.path)
    data = bundle(
        {
            "resourceType": "Task",
            "id": "t1",
            "status": "requested",
            "intent": "order",
            "description": "Call",
            "for": ref(P2),
        },
        patient(P2, name=[{"family": "Other", "given": ["Sam"]}], identifier=[]),
    )
    _import(db, write(tmp_path / "b.json", data))
    assert undo_last(db) == "Import FHIR bundle"
    assert counts(db.path) | {"audit_event": 0} == before | {"audit_event": 0}
