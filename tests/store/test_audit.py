"""Every change writes its audit event in the same transaction."""

from __future__ import annotations

import json
import sqlite3

import pytest

from caretui.errors import DomainError
from caretui.models.all import Patient
from caretui.services import patients, records
from caretui.services.unit import action, session_factory
from caretui.store.database import Database


def audit_rows(db: Database) -> list[sqlite3.Row]:
    con = db.read()
    con.row_factory = sqlite3.Row
    try:
        return con.execute("SELECT * FROM audit_event ORDER BY id").fetchall()
    finally:
        con.close()


def test_create_update_delete_are_audited_with_their_fields(db: Database, today) -> None:
    with action(db, "Add patient") as s:
        pid = patients.create_patient(
            s,
            {"given_name": "Tomasz", "family_name": "Ąbeł", "birth_date": "1951-05-06"},
            today=today,
        ).id
    with action(db, "Change risk") as s:
        patients.update_patient(s, records.get(s, Patient, pid), {"risk": "high"}, today=today)
    with action(db, "Purge") as s:
        patients.purge(s, records.get(s, Patient, pid), confirm_name="abel")

    rows = audit_rows(db)
    assert [(r["action_label"], r["action"], r["entity"], r["record_id"]) for r in rows] == [
        ("Add patient", "create", "patient", pid),
        ("Change risk", "update", "patient", pid),
        ("Purge", "delete", "patient", pid),
    ]
    created = json.loads(rows[0]["changes"])
    assert created["family_name"] == [None, "Ąbeł"]
    assert created["birth_date"] == [None, "1951-05-06"]
    assert json.loads(rows[1]["changes"]) == {"risk": ["medium", "high"]}
    assert json.loads(rows[2]["changes"])["given_name"] == ["Tomasz", None]
    assert all(r["patient_id"] == pid for r in rows)
    assert len({r["action_id"] for r in rows}) == 3


def test_refused_write_leaves_no_record_and_no_event(db: Database, today) -> None:
    with (
        pytest.raises(DomainError, match="Date of birth 2023-02-30 is not a real date"),
        action(db, "Add patient") as s,
    ):
        patients.create_patient(
            s, {"given_name": "A", "family_name": "B", "birth_date": "2023-02-30"}, today=today
        )
    con = db.read()
    try:
        assert con.execute("SELECT count(*) FROM patient").fetchone()[0] == 0
    finally:
        con.close()
    assert audit_rows(db) == []


def test_failure_after_a_flush_rolls_back_record_and_event(db: Database, today) -> None:
    with pytest.raises(RuntimeError), action(db, "Add patient") as s:
        patients.create_patient(s, {"given_name": "A", "family_name": "B"}, today=today)
        raise RuntimeError("power cut")
    assert audit_rows(db) == []


def test_a_write_outside_an_action_is_refused(db: Database) -> None:
    session = session_factory(db)()
    try:
        session.add(Patient(given_name="A", family_name="B", search_key="a b"))
        with pytest.raises(RuntimeError, match=r"inside services\.unit\.action"):
            session.flush()
    finally:
        session.rollback()
        session.close()


def test_purge_needs_the_family_name(db: Database, today) -> None:
    with action(db, "Add patient") as s:
        pid = patients.create_patient(s, {"given_name": "A", "family_name": "Bee"}, today=today).id
    with pytest.raises(DomainError, match="does not match"), action(db, "Purge") as s:
        patients.purge(s, records.get(s, Patient, pid), confirm_name="Bea")
    con = db.read()
    try:
        assert con.execute("SELECT count(*) FROM patient").fetchone()[0] == 1
    finally:
        con.close()


def test_purge_removes_every_record_and_external_id_and_keeps_the_trail(
    db: Database, today
) -> None:
    from caretui.models.all import ExternalRef, Note

    with action(db, "Add patient") as s:
        pid = patients.create_patient(s, {"given_name": "A", "family_name": "Bee"}, today=today).id
        records.create(
            s,
            Note,
            {"patient_id": pid, "occurred_at": "2026-03-10T09:00", "kind": "call"},
            today=today,
        )
        s.add(
            ExternalRef(
                source="fhir",
                resource_type="Patient",
                external_id="p-1",
                entity="patient",
                record_id=pid,
            )
        )
    with action(db, "Purge") as s:
        removed = patients.purge(s, records.get(s, Patient, pid), confirm_name="bee")
    assert removed["note"] == 1 and removed["patient"] == 1
    con = db.read()
    try:
        for table in ("patient", "note", "external_ref"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
        kinds = [
            r[0]
            for r in con.execute(
                "SELECT entity FROM audit_event WHERE action = 'delete' ORDER BY id"
            )
        ]
    finally:
        con.close()
    assert sorted(kinds) == ["external_ref", "note", "patient"]
