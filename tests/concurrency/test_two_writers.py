"""Two coordinators' sessions and the CLI writing one database at once: no
corruption, and no lost update (a save on a stale copy is refused, never
silently overwriting the other's change)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

from caretui.models.all import Note
from caretui.services import patients, records
from caretui.services.unit import action
from caretui.store.database import Database

EDITOR = Path(__file__).with_name("editor.py")
ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 40
TODAY = date(2026, 3, 11)


def test_two_editors_and_the_cli_lose_nothing(db: Database, tmp_path: Path) -> None:
    with action(db, "Set up") as s:
        pid = patients.create_patient(
            s, {"given_name": "Shared", "family_name": "Testwood"}, today=TODAY
        ).id
        note_id = records.create(
            s,
            Note,
            {
                "patient_id": pid,
                "occurred_at": datetime(2026, 3, 10, 9),
                "kind": "call",
                "text": "log:",
            },
            today=TODAY,
        ).id
    db.dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    editors = [
        subprocess.Popen(
            [sys.executable, str(EDITOR), str(db.path), name, str(ROUNDS), str(note_id)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name in ("a", "b")
    ]
    cli = [
        subprocess.run(
            [sys.executable, "-m", "caretui", "add", "--db", str(db.path), f"Call {i} @Testwood"],
            capture_output=True,
            text=True,
            env=env,
        )
        for i in range(8)
    ]
    outputs = [p.communicate(timeout=120) for p in editors]
    for proc, (_out, err) in zip(editors, outputs, strict=True):
        assert proc.returncode == 0, err
    assert [r.returncode for r in cli] == [0] * 8, [r.stderr for r in cli]

    saved = [line for out, _ in outputs for line in out.split() if line.endswith(";")]
    con = sqlite3.connect(db.path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        text, version = con.execute(
            "SELECT text, version FROM note WHERE id = ?", (note_id,)
        ).fetchone()
        titles = [r[0] for r in con.execute("SELECT title FROM task ORDER BY id")]
        edits = con.execute(
            "SELECT count(*) FROM audit_event WHERE entity = 'note' AND record_id = ? AND action = 'update'",
            (note_id,),
        ).fetchone()[0]
    finally:
        con.close()
    markers = [m + ";" for m in text.removeprefix("log:").split(";") if m]
    # Every committed save is in the note, exactly once, and nothing else is.
    assert sorted(markers) == sorted(saved)
    assert len(markers) == 2 * ROUNDS == len(set(markers))
    assert version == 1 + 2 * ROUNDS and edits == 2 * ROUNDS
    assert titles == [f"Call {i}" for i in range(8)]
