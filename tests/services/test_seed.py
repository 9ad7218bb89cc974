"""The synthetic caseload: the same rows for the same seed, every code on show, every row
one the services would have accepted, and nothing written to a database already in use."""

from __future__ import annotations

import json
import random
import sqlite3
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from caretui import codes
from caretui.cli import main
from caretui.config import DEFAULT_QUEUES
from caretui.errors import DomainError
from caretui.models.all import RECORDS, Patient, Record, Resource
from caretui.services import patients as patient_service
from caretui.services import records
from caretui.services.seed import SeedSummary, seed_caseload, share
from caretui.services.unit import action, reading
from caretui.services.validation import validate
from caretui.store.check import check
from caretui.store.database import Database

TODAY = date(2026, 3, 11)
#: Columns the services keep themselves: validate() refuses them from a caller.
MANAGED = frozenset({"id", "created_at", "updated_at", "version", "search_key"})
TABLES = [model.__tablename__ for model in RECORDS]


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, audit trail included, in id order."""
    con = sqlite3.connect(path)
    try:
        names = [
            str(name)
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY 1').fetchall() for n in names}
    finally:
        con.close()


def column(db: Database, sql: str) -> set[Any]:
    con = db.read()
    try:
        return {row[0] for row in con.execute(sql)}
    finally:
        con.close()


def scalar(db: Database, sql: str) -> Any:
    con = db.read()
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def fresh(tmp_path: Path, name: str) -> Database:
    return Database.open(tmp_path / name)


@pytest.fixture
def seeded(db: Database) -> Database:
    """A database holding a 50-patient caseload seeded on ``TODAY``."""
    seed_caseload(db, patients=50, seed=7, today=TODAY)
    return db


# -- determinism -----------------------------------------------------------------------------


def test_same_seed_same_rows(tmp_path: Path) -> None:
    first, second = fresh(tmp_path, "a.db"), fresh(tmp_path, "b.db")
    try:
        random.seed(1)  # the global generator must play no part
        seed_caseload(first, patients=30, seed=42, today=TODAY)
        random.seed(2)
        seed_caseload(second, patients=30, seed=42, today=TODAY)
    finally:
        first.dispose()
        second.dispose()
    a, b = contents(first.path), contents(second.path)
    audit_a, audit_b = a.pop("audit_event"), b.pop("audit_event")
    assert a == b
    assert all(a[t] for t in TABLES)
    # The audit events differ only in when they were written and their action id.
    assert len(audit_a) == len(audit_b) == 1
    columns = [c[1] for c in sqlite3.connect(first.path).execute("PRAGMA table_info(audit_event)")]
    keep = [i for i, c in enumerate(columns) if c not in ("at", "action_id")]
    assert [audit_a[0][i] for i in keep] == [audit_b[0][i] for i in keep]


def test_other_seed_other_rows(tmp_path: Path) -> None:
    first, second = fresh(tmp_path, "a.db"), fresh(tmp_path, "b.db")
    try:
        seed_caseload(first, patients=30, seed=1, today=TODAY)
        seed_caseload(second, patients=30, seed=2, today=TODAY)
    finally:
        first.dispose()
        second.dispose()
    a, b = contents(first.path), contents(second.path)
    for table in ("patient", "task", "appointment", "note"):
        assert a[table] != b[table], table


def test_dates_follow_today(tmp_path: Path) -> None:
    """The demo is always current: a later ``today`` moves the caseload with it."""
    later = TODAY + timedelta(days=400)
    first, second = fresh(tmp_path, "a.db"), fresh(tmp_path, "b.db")
    try:
        seed_caseload(first, patients=30, seed=3, today=TODAY)
        seed_caseload(second, patients=30, seed=3, today=later)
        for db, day in ((first, TODAY), (second, later)):
            assert scalar(db, "SELECT max(created_at) FROM task") < (
                (day + timedelta(days=1)).isoformat()
            )
            assert scalar(db, "SELECT min(start) FROM appointment") >= (
                (day - timedelta(days=5 * 365 + 10)).isoformat()
            )
            assert scalar(db, "SELECT max(start) FROM appointment") < (
                (day + timedelta(days=63)).isoformat()
            )
    finally:
        first.dispose()
        second.dispose()


# -- counts ----------------------------------------------------------------------------------


def test_counts_match_the_arguments(db: Database) -> None:
    summary = seed_caseload(db, patients=20, tasks=333, appointments=77, seed=5, today=TODAY)
    assert summary.count("patients") == 20
    assert summary.count("tasks") == 333
    assert summary.count("appointments") == 77
    assert summary.count("resources") == 60
    stored = {t: scalar(db, f"SELECT count(*) FROM {t}") for t in TABLES}
    words = dict(summary.counts)
    assert stored["patient"] == words["patients"]
    assert stored["care_plan"] == words["care plans"]
    assert stored["allergy"] == words["allergies"]
    assert sum(stored.values()) == sum(words.values())


def test_default_counts(db: Database) -> None:
    summary = seed_caseload(db, patients=25, seed=5, today=TODAY)
    assert summary.count("tasks") == 8 * 25
    assert summary.count("appointments") == 4 * 25


def test_zero_tasks_and_appointments(db: Database) -> None:
    summary = seed_caseload(db, patients=3, tasks=0, appointments=0, today=TODAY)
    assert (summary.count("tasks"), summary.count("appointments")) == (0, 0)
    assert summary.count("patients") == 3


def test_describe() -> None:
    summary = SeedSummary((("patients", 200), ("tasks", 1600), ("care plans", 1)))
    assert summary.describe() == "Seeded 200 patients, 1,600 tasks, 1 care plan"


def test_share_is_exact() -> None:
    parts = share(1000, [1, 7, 3, 3000, 2])
    assert sum(parts) == 1000
    assert parts[3] > 990
    assert share(0, [5, 5]) == [0, 0]


def test_bad_counts_refused(db: Database) -> None:
    with pytest.raises(DomainError):
        seed_caseload(db, patients=0, today=TODAY)
    with pytest.raises(DomainError):
        seed_caseload(db, patients=2, tasks=-1, today=TODAY)
    assert scalar(db, "SELECT count(*) FROM resource") == 0


# -- variety ---------------------------------------------------------------------------------


def test_every_code_on_show(seeded: Database) -> None:
    db = seeded
    assert column(db, "SELECT queue FROM task") == set(DEFAULT_QUEUES)
    assert column(db, "SELECT priority FROM task") == {p.value for p in codes.Priority}
    assert column(db, "SELECT status FROM task") == {
        "requested",
        "in-progress",
        "on-hold",
        "completed",
        "cancelled",
    }
    assert column(db, "SELECT origin FROM task") >= {
        "manual",
        "follow-up",
        "plan-review",
        "refill",
        "referral",
        "outreach",
    }
    assert column(db, "SELECT status FROM appointment") == {
        s.value for s in codes.AppointmentStatus
    }
    assert column(db, "SELECT transport FROM appointment") == {t.value for t in codes.Transport}
    assert column(db, "SELECT status FROM referral") == {s.value for s in codes.ReferralStatus}
    assert column(db, "SELECT category FROM resource") == {c.value for c in codes.ResourceCategory}
    assert column(db, "SELECT status FROM patient") == {s.value for s in codes.PatientStatus}
    assert column(db, "SELECT risk FROM patient") == {r.value for r in codes.RiskLevel}
    assert column(db, "SELECT kind FROM note") == {k.value for k in codes.NoteKind}
    assert column(db, "SELECT outcome FROM note WHERE outcome IS NOT NULL") == {
        o.value for o in codes.OutreachOutcome
    }
    assert column(db, "SELECT status FROM care_plan") >= {"active", "completed", "draft"}
    assert column(db, "SELECT role FROM contact") >= {"caregiver", "pcp", "pharmacy", "specialist"}


def test_names_in_many_scripts(seeded: Database) -> None:
    names = column(seeded, "SELECT given_name || ' ' || family_name FROM patient")
    letters = {ch for name in names for ch in name if ch.isalpha()}
    assert any(ord(ch) > 127 and "LATIN" in unicodedata.name(ch) for ch in letters)
    assert any("LATIN" not in unicodedata.name(ch) for ch in letters)
    assert column(seeded, "SELECT count(*) FROM patient WHERE preferred_name IS NOT NULL") != {0}
    assert len(column(seeded, "SELECT language FROM patient")) >= 4
    assert column(seeded, "SELECT interpreter_needed FROM patient") == {0, 1}


def test_what_today_shows_is_there(seeded: Database) -> None:
    """Every kind of item the Today screen ranks has examples, around ``TODAY``."""
    t = TODAY.isoformat()
    week = (TODAY + timedelta(days=7)).isoformat()
    open_task = "status NOT IN ('completed', 'cancelled')"
    for sql in (
        f"SELECT count(*) FROM task WHERE {open_task} AND due < '{t}'",
        f"SELECT count(*) FROM task WHERE {open_task} AND due = '{t}'",
        f"SELECT count(*) FROM task WHERE {open_task} AND due > '{t}'",
        f"SELECT count(*) FROM task WHERE {open_task} AND due IS NULL",
        f"SELECT count(*) FROM task WHERE {open_task} AND wait_until > '{t}'",
        "SELECT count(*) FROM task WHERE rrule IS NOT NULL",
        "SELECT count(*) FROM task WHERE patient_id IS NULL",
        "SELECT count(*) FROM task WHERE appointment_id IS NOT NULL",
        "SELECT count(*) FROM task WHERE completed_at IS NOT NULL",
        f"SELECT count(*) FROM appointment WHERE date(start) = '{t}'",
        f"SELECT count(*) FROM appointment WHERE start < '{t}' AND status = 'booked'",
        "SELECT count(*) FROM appointment WHERE rrule IS NOT NULL",
        "SELECT count(*) FROM appointment WHERE transport_details IS NOT NULL",
        f"SELECT count(*) FROM medication WHERE status = 'active' AND refill_due < '{t}'",
        f"SELECT count(*) FROM medication WHERE status = 'active' "
        f"AND refill_due BETWEEN '{t}' AND '{week}'",
        "SELECT count(*) FROM medication WHERE status = 'stopped' "
        "AND stop_reason IS NOT NULL AND end_date IS NOT NULL",
        f"SELECT count(*) FROM care_plan WHERE status = 'active' AND next_review <= '{t}'",
        f"SELECT count(*) FROM goal WHERE target_date < '{t}' "
        "AND lifecycle_status NOT IN ('completed', 'cancelled')",
        f"SELECT count(*) FROM referral WHERE status = 'sent' AND response_due < '{t}'",
        "SELECT count(*) FROM referral WHERE closed_on IS NOT NULL",
        f"SELECT count(*) FROM resource WHERE last_verified < '{TODAY - timedelta(days=180)}'",
        "SELECT count(*) FROM patient WHERE status = 'discharged' AND discharged_on IS NOT NULL",
        "SELECT count(*) FROM contact WHERE emergency",
        "SELECT count(*) FROM allergy WHERE criticality = 'high'",
        "SELECT count(*) FROM note WHERE minutes IS NULL",
    ):
        assert scalar(seeded, sql) > 0, sql
    assert column(seeded, "SELECT count(*) FROM patient WHERE care_management") != {0}


def test_shapes(seeded: Database) -> None:
    con = seeded.read()
    try:
        for start, end in con.execute('SELECT start, "end" FROM appointment'):
            begins = datetime.fromisoformat(start)
            assert begins.minute % 15 == 0 and begins.second == 0
            assert 8 <= begins.hour <= 16
            if end is not None:
                assert datetime.fromisoformat(end) > begins
        for kind, outcome, minutes in con.execute("SELECT kind, outcome, minutes FROM note"):
            assert (outcome is not None) == (kind in ("call", "message"))
            assert minutes is None or 5 <= minutes <= 60
        for (mrn,) in con.execute("SELECT mrn FROM patient"):
            assert mrn.startswith("MRN") and mrn[3:].isdigit()
        for (phone,) in con.execute("SELECT phone FROM patient WHERE phone IS NOT NULL"):
            assert "555-01" in phone
        mrns = [m for (m,) in con.execute("SELECT mrn FROM patient")]
        assert len(set(mrns)) == len(mrns)
        # Closed referrals have a closed date; drafts were never sent.
        assert not con.execute(
            "SELECT 1 FROM referral WHERE (status IN ('completed', 'declined', 'cancelled')) "
            "!= (closed_on IS NOT NULL)"
        ).fetchall()
        assert not con.execute(
            "SELECT 1 FROM referral WHERE (status = 'draft') != (sent_on IS NULL)"
        ).fetchall()
        assert not con.execute(
            "SELECT 1 FROM task WHERE (status = 'completed') != (completed_at IS NOT NULL)"
        ).fetchall()
        assert not con.execute(
            "SELECT 1 FROM patient p JOIN task t ON t.patient_id = p.id "
            "WHERE p.status = 'discharged' AND t.status NOT IN ('completed', 'cancelled')"
        ).fetchall()
    finally:
        con.close()


# -- every row passes the services' rules ---------------------------------------------------


def _fields(obj: Record) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in MANAGED}


def test_every_row_passes_validation(seeded: Database) -> None:
    with reading(seeded) as session:
        for model in RECORDS:
            rows = list(session.scalars(select(model).order_by(model.id)))
            assert rows, model.__tablename__
            for obj in rows:
                fields = _fields(obj)
                checked = validate(model, fields, today=TODAY, queues=DEFAULT_QUEUES)
                assert checked == fields, (model.__tablename__, obj.id)
                assert obj.version == 1
                assert obj.created_at <= obj.updated_at
                assert obj.updated_at.date() <= TODAY


def test_patient_rules(seeded: Database) -> None:
    with reading(seeded) as session:
        for patient in session.scalars(select(Patient)):
            assert patient.search_key == patient_service.search_key(patient)
            assert patient.birth_date is not None
            assert date(1930, 1, 1) <= patient.birth_date <= date(2005, 12, 31)
            assert patient.enrolled_on is not None and patient.enrolled_on >= patient.birth_date
            if patient.status is codes.PatientStatus.DISCHARGED:
                assert patient.discharged_on is not None
                assert patient.enrolled_on <= patient.discharged_on <= TODAY
            else:
                assert patient.discharged_on is None


def test_links_stay_within_one_patient(seeded: Database) -> None:
    """What ``records`` enforces on a link: the linked record is the same patient's."""
    for sql in (
        "SELECT count(*) FROM goal g JOIN care_plan c ON c.id = g.care_plan_id "
        "WHERE c.patient_id != g.patient_id",
        "SELECT count(*) FROM intervention i JOIN care_plan c ON c.id = i.care_plan_id "
        "WHERE c.patient_id != i.patient_id",
        "SELECT count(*) FROM intervention i JOIN goal g ON g.id = i.goal_id "
        "WHERE g.care_plan_id != i.care_plan_id",
        "SELECT count(*) FROM task t JOIN appointment a ON a.id = t.appointment_id "
        "WHERE a.patient_id != t.patient_id",
        "SELECT count(*) FROM referral r JOIN contact c ON c.id = r.contact_id "
        "WHERE c.patient_id != r.patient_id",
        "SELECT count(*) FROM referral r JOIN appointment a ON a.id = r.appointment_id "
        "WHERE a.patient_id != r.patient_id",
    ):
        assert scalar(seeded, sql) == 0, sql


# -- audit, refusal, check, CLI --------------------------------------------------------------


def test_one_audit_event_for_the_seed(seeded: Database) -> None:
    con = seeded.read()
    try:
        rows = con.execute(
            "SELECT action_label, action, entity, record_id, patient_id, changes, action_id "
            "FROM audit_event"
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == 1
    label, kind, entity, record_id, patient_id, changes, action_id = rows[0]
    assert (label, kind, entity, record_id, patient_id) == (
        "Seed synthetic caseload",
        "create",
        "caseload",
        0,
        None,
    )
    assert len(action_id) == 36
    counted = json.loads(changes)
    assert counted["patients"] == [None, 50]
    assert counted["tasks"] == [None, 400]


def test_refuses_a_database_with_patients(seeded: Database) -> None:
    seeded.dispose()
    before = contents(seeded.path)
    with pytest.raises(DomainError) as info:
        seed_caseload(seeded, patients=5, today=TODAY)
    assert str(info.value) == "This database already holds patients; seed only fills a new one"
    seeded.dispose()
    assert contents(seeded.path) == before


def test_keeps_records_already_there(db: Database) -> None:
    """A new database may hold a resource or two before any patient: ids go after them."""
    with action(db, "Add resource") as session:
        records.create(session, Resource, {"name": "Own entry", "category": "food"})
    summary = seed_caseload(db, patients=5, today=TODAY)
    assert summary.count("resources") == 60
    assert scalar(db, "SELECT count(*) FROM resource") == 61
    assert column(db, "SELECT name FROM resource WHERE id = 1") == {"Own entry"}


def test_check_passes_on_a_seeded_database(seeded: Database) -> None:
    seeded.dispose()
    result = check(seeded.path)
    counts = dict(result.counts)
    assert counts["patients"] == 50
    assert counts["tasks"] == 400
    assert counts["resources"] == 60
    assert not result.needs_migration


def test_cli_seed(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    result = CliRunner().invoke(main, ["seed", "--db", str(path), "--patients", "20"])
    assert result.exit_code == 0, result.stderr
    line = result.stdout.strip()
    assert line.startswith("Seeded 20 patients, 160 tasks, 80 appointments, ")
    assert line.endswith(" s")
    assert check(path).counts[0] == ("patients", 20)
    again = CliRunner().invoke(main, ["seed", "--db", str(path), "--patients", "20"])
    assert again.exit_code == 1
    assert again.stderr == (
        "caretui: This database already holds patients; seed only fills a new one\n"
    )
