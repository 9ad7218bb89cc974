"""Backups through SQLite's online backup API: consistent while others write."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from caretui.errors import StoreError
from caretui.store import files, plain


def backup_dir_for(db_path: Path) -> Path:
    return db_path.parent / "backups"


def backup_to(db_path: Path, target: Path) -> Path:
    """Copy ``db_path`` to ``target`` (0600, in a 0700 folder), atomically."""
    files.ensure_private_dir(target.parent)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    with files.private_umask():
        src = plain.connect(db_path)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        except sqlite3.DatabaseError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(plain.describe_sqlite_error(db_path, exc)) from None
        finally:
            src.close()
    os.chmod(tmp, 0o600)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return target


def timestamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def backup_before_migration(db_path: Path, revision: str, folder: Path | None = None) -> Path:
    folder = folder or backup_dir_for(db_path)
    return backup_to(db_path, folder / f"{db_path.stem}-before-schema-{revision}-{timestamp()}.db")
