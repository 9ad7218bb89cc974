"""Backups of an encrypted caseload are encrypted with its key; restore keeps it encrypted."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from caretui.errors import StoreError
from caretui.store import backup, cipher, files
from caretui.store.database import Database
from tests.store.conftest import KEY, SECRET_NAME, add_patient, digest


def families(path: Path) -> list[str]:
    con = Database(path).read()
    try:
        return [r[0] for r in con.execute("SELECT family_name FROM patient ORDER BY id")]
    finally:
        con.close()


def test_a_backup_is_encrypted_with_the_same_key(encrypted: Path) -> None:
    out = backup.manual_backup(encrypted)
    assert files.is_encrypted(out)
    assert cipher.salt_of(out) != cipher.salt_of(encrypted)  # its own salt, same key
    assert cipher.key_opens(out, KEY)
    assert not cipher.key_opens(out, KEY + "!")
    assert SECRET_NAME in families(out)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(out).execute("SELECT 1 FROM patient")


def test_the_automatic_backup_at_start_is_encrypted(encrypted: Path) -> None:
    made = backup.rotate(encrypted, today=date(2026, 3, 11))
    assert made is not None and files.is_encrypted(made)
    assert SECRET_NAME in families(made)


def test_restore_an_encrypted_backup_reaches_open_connections(encrypted: Path) -> None:
    saved = backup.manual_backup(encrypted)
    db = Database.open(encrypted)
    reader = db.read()
    try:
        add_patient(db, "Added Later")
        kept = backup.restore(saved, encrypted)
        rows = [r[0] for r in reader.execute("SELECT family_name FROM patient")]
    finally:
        reader.close()
        db.dispose()
    assert "Added Later" not in rows and SECRET_NAME in rows
    assert files.is_encrypted(encrypted) and files.is_encrypted(kept)
    assert "Added Later" in families(kept)


def test_restore_a_plain_backup_into_an_encrypted_database_keeps_it_encrypted(
    plain_caseload: Path, key: str
) -> None:
    from caretui.store.encrypt import encrypt_database

    plain_copy = backup.manual_backup(plain_caseload, plain_caseload.parent / "old-plain.db")
    encrypt_database(plain_caseload)
    db = Database.open(plain_caseload)
    try:
        add_patient(db, "Added Later")
    finally:
        db.dispose()
    backup.restore(plain_copy, plain_caseload)
    assert files.is_encrypted(plain_caseload)
    assert "Added Later" not in families(plain_caseload)
    assert SECRET_NAME.encode() not in plain_caseload.read_bytes()
    assert [p.name for p in plain_caseload.parent.glob(".*")] == []


def test_an_encrypted_backup_is_not_restored_into_a_plain_database(
    encrypted: Path, tmp_path: Path
) -> None:
    saved = backup.manual_backup(encrypted)
    other = tmp_path / "other.db"
    db = Database.open(other)
    db.dispose()
    before = digest(other)
    with pytest.raises(StoreError, match=r"is encrypted and .* is not: encrypt the database first"):
        backup.restore(saved, other)
    assert digest(other) == before
    assert not any(backup.backup_dir_for(other).glob("other-*"))


def test_restore_an_encrypted_backup_where_no_database_is_makes_an_encrypted_one(
    encrypted: Path, tmp_path: Path
) -> None:
    saved = backup.manual_backup(encrypted)
    fresh = tmp_path / "new-machine" / "caretui.db"
    assert backup.restore(saved, fresh) == fresh
    assert files.is_encrypted(fresh)
    db = Database.open(fresh)
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        db.dispose()
    assert SECRET_NAME in families(fresh)


def test_a_backup_with_another_key_is_refused_and_nothing_changes(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = backup.manual_backup(encrypted)
    cipher.forget()
    monkeypatch.setenv(cipher.ENV_KEY, "a different key")
    fresh = encrypted.parent / "new-machine" / "caretui.db"
    with pytest.raises(StoreError, match="does not open"):
        backup.restore(saved, fresh)
    assert not fresh.exists()
    # Into a plain database: refused as such before any key is asked for.
    monkeypatch.delenv(cipher.ENV_KEY)
    other = encrypted.parent / "other.db"
    db = Database.open(other)
    db.dispose()
    before = digest(other)
    with pytest.raises(StoreError, match="is not: encrypt the database first"):
        backup.restore(saved, other)
    assert digest(other) == before


def test_a_backup_restored_where_there_is_none_takes_the_caseloads_key(
    encrypted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a rekey (a key retired), restoring an older backup onto a new machine with
    the current key set gives a caseload that opens with the current key."""
    saved = backup.manual_backup(encrypted)  # made with KEY
    cipher.forget()
    monkeypatch.setenv(cipher.BACKUP_ENV_KEY, KEY)
    monkeypatch.setenv(cipher.ENV_KEY, "the current passphrase")
    fresh = tmp_path / "new-machine" / "caretui.db"
    assert backup.restore(saved, fresh) == fresh
    assert cipher.key_opens(fresh, "the current passphrase")
    assert not cipher.key_opens(fresh, KEY)
    cipher.forget()
    assert SECRET_NAME in families(fresh)


def test_keyed_connections_never_reopen_the_file_while_it_is_open(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing any descriptor of the file drops this process's SQLite locks on it: the
    salt each keyed connection needs is read with the header, once, before connecting."""
    assert files.inspect_file(encrypted) == "encrypted"
    opened: list[Path] = []
    real_open = Path.open

    def spy(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    db = Database.open(encrypted)
    held = db.read()
    try:
        held.execute("BEGIN")
        held.execute("SELECT count(*) FROM patient").fetchone()  # a read lock held
        for _ in range(3):
            db.read().close()
        add_patient(db, "Written Meanwhile")
        made = backup.rotate(encrypted, today=date(2026, 3, 11))
    finally:
        held.execute("COMMIT")
        held.close()
        db.dispose()
    assert encrypted not in opened
    assert made is not None and "Written Meanwhile" in families(made)
