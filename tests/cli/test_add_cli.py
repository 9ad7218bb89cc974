"""`caretui add`: prints what the line was read as, saves it (or, --dry-run, not), and
refuses an ambiguous or unknown patient naming the candidates, saving nothing."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner

from caretui.cli import main
from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database
from tests.services.helpers import row_counts

DAY = "2026-03-11"  # a Wednesday


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def caseload(db: Database, today: date) -> dict[str, int]:
    people = {
        "ana": ("Ana María", "Núñez", "MRN123"),
        "luis": ("Luis", "García", "MRN200"),
        "rosa": ("Rosa", "García", "MRN201"),
    }
    ids = {}
    with action(db, "Add patients") as s:
        for key, (given, family, mrn) in people.items():
            ids[key] = patients.create_patient(
                s, {"given_name": given, "family_name": family, "mrn": mrn}, today=today
            ).id
    return ids


def rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(db.path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


EXAMPLE = "Call pharmacy re warfarin refill @nunez fri !! #calls"
PRINTED = [
    "add       task",
    "title     Call pharmacy re warfarin refill",
    "patient   Núñez, Ana María  MRN123",
    "due       Fri 2026-03-13 (in 2 days)",
    "priority  asap",
    "queue     calls",
]


def test_dry_run_prints_each_part_and_writes_nothing(
    db: Database, caseload: dict[str, int]
) -> None:
    before = row_counts(db)
    code, out, err = run("add", "--db", str(db.path), "--date", DAY, "--dry-run", EXAMPLE)
    assert (code, err) == (0, "")
    assert out.splitlines() == [*PRINTED, "(dry run: nothing was saved)"]
    assert row_counts(db) == before


def test_save_writes_the_task(db: Database, caseload: dict[str, int]) -> None:
    code, out, err = run("add", "--db", str(db.path), "--date", DAY, EXAMPLE)
    assert (code, err) == (0, "")
    assert out.splitlines()[:-1] == PRINTED
    assert out.splitlines()[-1].startswith(
        "Task added to calls, due Fri 2026-03-13 (in 2 days) (id "
    )
    assert rows(db, "SELECT patient_id, title, queue, priority, due, status, origin FROM task") == [
        (
            caseload["ana"],
            "Call pharmacy re warfarin refill",
            "calls",
            "asap",
            "2026-03-13",
            "requested",
            "manual",
        )
    ]
    assert rows(db, "SELECT DISTINCT action_label FROM audit_event WHERE entity = 'task'") == [
        ("Quick add task",)
    ]


def test_the_line_may_come_unquoted_in_words(db: Database, caseload: dict[str, int]) -> None:
    code, _out, _ = run(
        "add", "--db", str(db.path), "--date", DAY, "Fax", "forms", "@MRN201", "+3d"
    )
    assert code == 0
    assert rows(db, "SELECT patient_id, title, due FROM task") == [
        (caseload["rosa"], "Fax forms", "2026-03-14")
    ]


def test_a_time_books_an_appointment(db: Database, caseload: dict[str, int]) -> None:
    code, out, err = run(
        "add", "--db", str(db.path), "--date", DAY, "Cardiology @ana_nunez fri 14:30 45m"
    )
    assert (code, err) == (0, "")
    assert "when      Fri 2026-03-13 (in 2 days) at 14:30, 45 minutes" in out.splitlines()
    assert rows(db, 'SELECT patient_id, "start", "end", purpose FROM appointment') == [
        (caseload["ana"], "2026-03-13 14:30:00.000000", "2026-03-13 15:15:00.000000", "Cardiology")
    ]


def test_an_ambiguous_patient_is_an_error_naming_the_candidates(
    db: Database, caseload: dict[str, int]
) -> None:
    before = row_counts(db)
    code, out, err = run("add", "--db", str(db.path), "--date", DAY, "Fax forms @garcia")
    assert code == 1
    assert "patient   which? García, Luis; García, Rosa" in out
    assert err.splitlines() == [
        "caretui: @garcia could be more than one patient: which?",
        "caretui: the patients it could be:",
        "  García, Luis  MRN200",
        "  García, Rosa  MRN201",
        'caretui: name one with @"Full Name" or @MRN; nothing was saved',
    ]
    assert "Traceback" not in out + err
    assert row_counts(db) == before


def test_an_unknown_patient_is_an_error(db: Database, caseload: dict[str, int]) -> None:
    before = row_counts(db)
    code, _out, err = run("add", "--db", str(db.path), "--date", DAY, "Fax forms @zzqqxx")
    assert code == 1
    assert err.splitlines() == [
        "caretui: No patient matches @zzqqxx",
        "caretui: nothing was saved",
    ]
    assert row_counts(db) == before


def test_what_is_not_understood_is_noted_and_kept(db: Database, caseload: dict[str, int]) -> None:
    code, out, _ = run("add", "--db", str(db.path), "--date", DAY, "--dry-run", "Ring #xyz fri")
    assert code == 0
    assert "title     Ring #xyz" in out.splitlines()
    assert any(line.startswith("note: #xyz is not one of your queues") for line in out.splitlines())


def test_bad_input_is_one_line(db: Database, tmp_path: Any) -> None:
    code, _out, err = run("add", "--db", str(db.path), "--date", "someday", "Call")
    assert code != 0 and err.startswith("caretui: ") and len(err.splitlines()) == 1
    code, _out, err = run("add", "--db", str(tmp_path / "missing.db"), "Call")
    assert code != 0 and "No caretui database" in err
    code, _out, err = run("add", "--db", str(db.path), "Refill", "@\x1b]0;x\x07")
    assert code == 1 and "\x1b" not in err
