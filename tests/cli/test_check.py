"""`caretui check` on a healthy, a corrupt, a foreign and a newer database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from caretui.cli import main
from caretui.services import patients
from caretui.services.unit import action
from caretui.store import schema
from caretui.store.database import Database


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_healthy_database(db: Database, today) -> None:
    with action(db, "Add patient") as s:
        patients.create_patient(s, {"given_name": "A", "family_name": "B"}, today=today)
    db.dispose()
    code, out, err = run("check", "--db", str(db.path))
    assert code == 0, err
    assert out.strip().endswith(
        "1 patients, 0 tasks, 0 appointments, 0 medications, "
        "0 care plans, 0 notes, 0 referrals, 0 resources"
    )
    assert f"{db.path}: ok (schema {schema.HEAD})" in out


def test_corrupt_database(db: Database) -> None:
    db.dispose()
    with sqlite3.connect(db.path) as con:
        con.execute("PRAGMA journal_mode = DELETE")
    raw = bytearray(db.path.read_bytes())
    page = 4096
    for offset in range(page, len(raw), 97):  # garble every page after the header page
        raw[offset] = 0xA5
    db.path.write_bytes(bytes(raw))
    code, out, err = run("check", "--db", str(db.path))
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1
    assert "corrupt" in err
    assert "Traceback" not in err


def test_foreign_file(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_text("hello")
    code, _out, err = run("check", "--db", str(path))
    assert code != 0
    assert err == f"caretui: {path} is not a caretui database (not an SQLite file)\n"


def test_newer_schema(db: Database) -> None:
    db.dispose()
    with sqlite3.connect(db.path) as con:
        con.execute("UPDATE alembic_version SET version_num = 'ffff'")
    code, _out, err = run("check", "--db", str(db.path))
    assert code != 0
    assert "newer caretui" in err


def test_missing(tmp_path: Path) -> None:
    code, _out, err = run("check", "--db", str(tmp_path / "none.db"))
    assert code != 0
    assert "No caretui database" in err
    assert not (tmp_path / "none.db").exists()


def test_version_and_help() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("caretui, version ")
    for sub in ("check", "seed", "demo"):
        code, out, _ = run(sub, "--help")
        assert code == 0 and "Usage:" in out, sub
