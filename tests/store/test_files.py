"""Files are the owner's alone; unusable files are refused and never overwritten."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest

from caretui.errors import StoreError
from caretui.store import files
from caretui.store.database import Database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_and_companions_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "caseload.db"
    db = Database.open(path)
    con = db.read()  # keeps -wal and -shm alive while we look
    try:
        con.execute("SELECT count(*) FROM patient").fetchone()
        wal, shm = files.companions(path)
        assert wal.exists() and shm.exists()
        assert mode(path) == 0o600
        assert mode(wal) == 0o600
        assert mode(shm) == 0o600
        assert mode(path.parent) == 0o700
        assert mode(path.parent.parent) == 0o700
    finally:
        con.close()
        db.dispose()


def test_default_location_is_the_user_data_dir(isolated_home: Path) -> None:
    path = files.resolve_db_path(None)
    assert path == isolated_home / "data" / "caretui" / "caretui.db"


def test_env_variable_names_the_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CARETUI_DB", str(tmp_path / "env.db"))
    assert files.resolve_db_path(None) == tmp_path / "env.db"
    assert files.resolve_db_path(tmp_path / "flag.db") == tmp_path / "flag.db"


def test_empty_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "caseload.db"
    path.touch()
    with pytest.raises(StoreError, match="is empty"):
        Database.open(path)
    assert path.stat().st_size == 0


def test_foreign_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("name,phone\nsomeone,555-0100\n")
    before = digest(path)
    with pytest.raises(StoreError, match="not a caretui database"):
        Database.open(path)
    assert digest(path) == before


def test_database_from_a_newer_caretui_is_refused_untouched(db_path: Path) -> None:
    Database.open(db_path).dispose()
    con = sqlite3.connect(db_path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = digest(db_path)
    with pytest.raises(StoreError, match="newer caretui"):
        Database.open(db_path)
    assert digest(db_path) == before


def test_missing_database_is_not_created_when_asked_not_to(tmp_path: Path) -> None:
    path = tmp_path / "nothing.db"
    with pytest.raises(StoreError, match="No caretui database"):
        Database.open(path, create=False)
    assert not path.exists()


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not a file"):
        Database.open(tmp_path)
