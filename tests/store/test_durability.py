"""Never lose a record: SIGKILL mid-write, concurrent edits, a lock held too long."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from caretui.errors import StaleRecord, StoreError
from caretui.models.all import Patient
from caretui.services import patients, records
from caretui.services.unit import action
from caretui.store import plain
from caretui.store.database import Database

WRITER = Path(__file__).with_name("crash_writer.py")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_committed_change(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    Database.open(path).dispose()
    rng = random.Random(20261124)
    committed: set[int] = set()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _trial in range(20):
        proc = subprocess.Popen(
            [sys.executable, str(WRITER), str(path)], stdout=subprocess.PIPE, text=True, env=env
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()  # wait until it is writing
        assert first.strip().isdigit()
        committed.add(int(first))
        time.sleep(rng.uniform(0.0, 0.3))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        committed.update(int(line) for line in out.split() if line.isdigit())
        con = sqlite3.connect(path)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            stored = {r[0] for r in con.execute("SELECT id FROM patient")}
            audited = {
                r[0]
                for r in con.execute("SELECT record_id FROM audit_event WHERE entity = 'patient'")
            }
        finally:
            con.close()
        assert committed <= stored
        assert stored == audited  # every record has its audit event, and no event is orphaned
    assert len(committed) > 20


def test_an_edit_on_a_stale_copy_is_refused(db: Database, today: date) -> None:
    with action(db, "Add patient") as s:
        patient = patients.create_patient(s, {"given_name": "A", "family_name": "B"}, today=today)
        pid, opened_version = patient.id, patient.version
    with action(db, "Edit elsewhere") as s:
        patients.update_patient(s, records.get(s, Patient, pid), {"phone": "555-0111"}, today=today)
    with (
        pytest.raises(StaleRecord, match="changed elsewhere since you opened it"),
        action(db, "Edit here") as s,
    ):
        patients.update_patient(
            s,
            records.get(s, Patient, pid),
            {"phone": "555-0199"},
            expected_version=opened_version,
            today=today,
        )
    con = db.read()
    try:
        assert con.execute("SELECT phone FROM patient").fetchone() == ("555-0111",)
    finally:
        con.close()


def test_a_lock_held_too_long_gives_one_clear_message(
    db: Database, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plain, "BUSY_TIMEOUT_MS", 200)
    fresh = Database(db.path)
    blocker = sqlite3.connect(db.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with (
            pytest.raises(StoreError, match="is busy: another caretui is writing"),
            action(fresh, "Add patient") as s,
        ):
            patients.create_patient(s, {"given_name": "A", "family_name": "B"}, today=today)
    finally:
        blocker.rollback()
        blocker.close()
        fresh.dispose()
