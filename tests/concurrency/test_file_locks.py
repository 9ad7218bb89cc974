"""Closing any descriptor of a database file drops every POSIX lock the process
holds on it, SQLite's included; caretui reads a file's header once, before it
connects, and never again while connections are open."""

from __future__ import annotations

from pathlib import Path

import pytest

from caretui.errors import StoreError
from caretui.store import files, plain
from caretui.store.database import Database


def test_connections_do_not_reopen_the_file_to_read_its_header(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert files.inspect_file(db.path) == "sqlite"  # read once, here
    opened: list[Path] = []
    real = files.read_head

    def spy(path: Path) -> bytes:
        opened.append(path)
        return real(path)

    monkeypatch.setattr(files, "read_head", spy)
    held = plain.connect(db.path)
    try:
        held.execute("BEGIN")
        held.execute("SELECT count(*) FROM patient").fetchone()  # a read lock held
        for _ in range(3):
            plain.connect(db.path).close()
            assert not files.is_encrypted(db.path)
        with db.engine.connect() as con:
            con.exec_driver_sql("SELECT 1")
    finally:
        held.execute("COMMIT")
        held.close()
        db.dispose()
    assert opened == []


def test_a_file_put_in_a_database_s_place_is_read_again_once_forgotten(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    Database.open(path).dispose()
    assert files.inspect_file(path) == "sqlite"
    other = tmp_path / "other.bin"
    other.write_bytes(bytes(range(256)) * 8)  # 2 KiB of every byte value: looks encrypted
    other.replace(path)
    files.forget(path)
    assert files.inspect_file(path) == "encrypted"
    text = tmp_path / "text.csv"
    text.write_text("name,phone\n" * 50)
    text.replace(path)
    files.forget(path)
    with pytest.raises(StoreError, match="not a caretui database"):
        files.inspect_file(path)


def test_a_backup_written_over_another_is_read_again(tmp_path: Path) -> None:
    from caretui.store.backup import backup_to

    path = tmp_path / "x.db"
    Database.open(path).dispose()
    target = tmp_path / "b.db"
    target.write_bytes(bytes(range(256)) * 8)
    assert files.is_encrypted(target)  # remembered as encrypted
    backup_to(path, target)  # a plain backup replaces it
    assert files.inspect_file(target) == "sqlite"
