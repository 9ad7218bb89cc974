"""Backups: consistent copies, owner-only, checked before a restore, rotated daily."""

from __future__ import annotations

import sqlite3
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from caretui.cli import main
from caretui.errors import StoreError
from caretui.services import patients
from caretui.services.unit import action
from caretui.store import backup
from caretui.store.database import Database


def add(db: Database, family: str) -> None:
    with action(db, "Add patient") as s:
        patients.create_patient(
            s, {"given_name": "Test", "family_name": family}, today=date(2026, 3, 11)
        )


def families(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT family_name FROM patient ORDER BY id")]
    finally:
        con.close()


def test_backup_while_a_writer_holds_the_database_open(db: Database) -> None:
    add(db, "Before")
    writer = db.read()  # another connection open, as the TUI would be
    try:
        out = backup.manual_backup(db.path)
    finally:
        writer.close()
    assert families(out) == ["Before"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700


def test_restore_keeps_the_current_database_and_reaches_open_connections(db: Database) -> None:
    add(db, "Old")
    saved = backup.manual_backup(db.path, db.path.parent / "saved.db")
    add(db, "New")
    reader = db.read()
    try:
        kept = backup.restore(saved, db.path)
        assert [r[0] for r in reader.execute("SELECT family_name FROM patient")] == ["Old"]
    finally:
        reader.close()
    assert families(db.path) == ["Old"]
    assert families(kept) == ["Old", "New"]


def test_a_bad_backup_is_refused_and_nothing_changes(db: Database, tmp_path: Path) -> None:
    add(db, "Keep")
    bad = tmp_path / "bad.db"
    bad.write_text("not a database at all")
    with pytest.raises(StoreError, match="not a caretui database"):
        backup.restore(bad, db.path)
    assert families(db.path) == ["Keep"]
    assert not backup.backup_dir_for(db.path).exists()


def test_rotation_keeps_seven_days_and_four_weeks(db: Database) -> None:
    folder = backup.backup_dir_for(db.path)
    start = date(2026, 1, 1)
    for offset in range(60):
        backup.rotate(db.path, today=start + timedelta(days=offset))
    kept = sorted(p.name for p in folder.glob("*-auto-*.db"))
    days = [date.fromisoformat(n.removesuffix(".db").split("-auto-")[1]) for n in kept]
    last = start + timedelta(days=59)
    assert days[-7:] == [last - timedelta(days=i) for i in range(6, -1, -1)]
    assert len({d.isocalendar()[:2] for d in days}) <= 4 + 1
    assert len(days) <= 7 + 4
    assert backup.rotate(db.path, today=last) is None  # one a day


def test_cli_backup_and_restore(db: Database) -> None:
    add(db, "Cli")
    runner = CliRunner()
    result = runner.invoke(
        main, ["backup", "--db", str(db.path), "-o", str(db.path.parent / "b.db")]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(db.path.parent / "b.db")
    add(db, "Later")
    result = runner.invoke(main, ["restore", "--db", str(db.path), str(db.path.parent / "b.db")])
    assert result.exit_code == 0, result.stderr
    assert "previous database is kept as" in result.stdout
    assert families(db.path) == ["Cli"]


def test_corrupt_database_names_the_newest_backup(db: Database) -> None:
    add(db, "X")
    saved = backup.manual_backup(db.path)
    db.dispose()
    with sqlite3.connect(db.path) as con:
        con.execute("PRAGMA journal_mode = DELETE")
    raw = bytearray(db.path.read_bytes())
    for offset in range(4096, len(raw), 89):
        raw[offset] = 0x5A
    db.path.write_bytes(bytes(raw))
    result = CliRunner().invoke(main, ["check", "--db", str(db.path)])
    assert result.exit_code != 0
    assert f"the newest backup is {saved}" in result.stderr
