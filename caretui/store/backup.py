"""Backups through SQLite's online backup API: consistent while others write.

The backup of an encrypted database is encrypted with the same key (its own salt).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

from caretui.errors import StoreError
from caretui.store import files, plain


def backup_dir_for(db_path: Path) -> Path:
    return db_path.parent / "backups"


def backup_to(db_path: Path, target: Path) -> Path:
    """Copy ``db_path`` to ``target`` (0600, in a 0700 folder), atomically; an
    encrypted database to a file encrypted with the same key."""
    files.ensure_private_dir(target.parent)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    with files.private_umask():
        src = plain.connect(db_path)
        try:
            dst = _new_copy(db_path, tmp)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        except plain.database_errors() as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(plain.describe_sqlite_error(db_path, exc)) from None
        finally:
            src.close()
    os.chmod(tmp, 0o600)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    files.forget(target)
    sync_dir(target.parent)
    return target


def _new_copy(source: Path, path: Path) -> Any:
    """A connection to a new file at ``path`` for a copy of ``source``: keyed when
    ``source`` is encrypted (both ends of a backup must use one library)."""
    if files.is_encrypted(source):
        from caretui.store import cipher

        return cipher.create(path, cipher.current_key(source))
    return sqlite3.connect(path)


def sync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    with contextlib.suppress(OSError):  # some file systems cannot sync a folder
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def timestamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def backup_before_migration(db_path: Path, revision: str, folder: Path | None = None) -> Path:
    folder = folder or backup_dir_for(db_path)
    return backup_to(db_path, folder / f"{db_path.stem}-before-schema-{revision}-{timestamp()}.db")


def manual_backup(db_path: Path, target: Path | None = None) -> Path:
    """``caretui backup``: a consistent copy, while the TUI may be writing."""
    kind = files.inspect_file(db_path)
    if kind == "missing":
        raise StoreError(f"No caretui database at {db_path}")
    if kind == "encrypted":
        from caretui.store import cipher

        cipher.unlock(db_path)
    target = target or backup_dir_for(db_path) / f"{db_path.stem}-{timestamp()}.db"
    return backup_to(db_path, target)


def verify_backup(path: Path) -> str:
    """Check a backup before restoring it; returns its schema revision."""
    from caretui.store.check import check

    result = check(path)
    assert result.revision is not None
    return result.revision


def restore(backup: Path, db_path: Path, *, folder: Path | None = None) -> Path:
    """Replace the caseload with ``backup``, keeping the current one as a backup first.

    Nothing is written until the backup is checked: its key found (an encrypted
    backup may need another key than the database's: one made before ``caretui
    encrypt --rekey`` keeps the old one, asked for or read from
    ``CARETUI_BACKUP_KEY``), then its integrity and schema (a corrupt, foreign or
    too-new file is refused). The copy goes through SQLite's backup API into the
    live database, so a TUI that has it open sees the restored data, never a torn
    file. An encrypted database stays encrypted, with its own key, whichever kind
    and key the backup has; an encrypted backup is not restored into a plain
    database (that would decrypt it). Returns the path of the backup of what was
    replaced.
    """
    if files.inspect_file(backup) == "missing":
        raise StoreError(f"No backup at {backup}")
    if backup.resolve() == db_path.resolve():
        raise StoreError("That backup is the database itself")
    kind = files.inspect_file(db_path)
    backup_encrypted = files.is_encrypted(backup)
    if backup_encrypted and kind == "sqlite":  # said before any key is asked for
        raise StoreError(
            f"{backup} is encrypted and {db_path} is not: encrypt the database first "
            "(caretui encrypt), then restore; nothing was changed"
        )
    db_key = backup_key = None
    if kind == "encrypted" or backup_encrypted:
        from caretui.store import cipher

        if kind == "encrypted":
            cipher.unlock(db_path)
            db_key = cipher.current_key(db_path)
        if backup_encrypted:
            cipher.unlock_backup(backup)
            backup_key = cipher.current_key(backup)
    verify_backup(backup)
    if backup_encrypted and kind == "missing":  # the restored one is encrypted too
        assert backup_key is not None
        caseload_key = os.environ.get(cipher.ENV_KEY) or backup_key
        if caseload_key == backup_key:
            backup_to(backup, db_path)
        else:
            # The caseload's key is set (CARETUI_DB_KEY) and the backup was made with
            # another (before a rekey): the restored caseload takes the caseload's key,
            # not the one that may have been retired; checked before it is put in place.
            files.ensure_private_dir(db_path.parent)
            copy = db_path.with_name(f".{db_path.name}.restoring-{os.getpid()}")
            copy.unlink(missing_ok=True)
            try:
                counts = cipher.export_encrypted(backup, copy, caseload_key, source_key=backup_key)
                cipher.verify_copy(copy, caseload_key, counts, journal_mode="delete")
                os.replace(copy, db_path)
            finally:
                copy.unlink(missing_ok=True)
            files.forget(db_path)
        cipher.remember_for(db_path, caseload_key)
        con = plain.connect(db_path, read_only=False)
        try:
            con.execute("PRAGMA journal_mode = WAL")
        finally:
            con.close()
        return db_path
    kept = None
    if kind == "missing":
        files.create_database_file(db_path)
    else:
        folder = folder or backup_dir_for(db_path)
        kept = backup_to(db_path, folder / f"{db_path.stem}-before-restore-{timestamp()}.db")
    source, made = backup, None
    try:
        if db_key is not None and backup_key != db_key:
            # Both ends of SQLite's backup API must have one key: a plain backup, or one
            # with another key, is first copied with the database's key, and checked.
            made = db_path.with_name(f".{db_path.name}.restoring-{os.getpid()}")
            made.unlink(missing_ok=True)
            counts = cipher.export_encrypted(backup, made, db_key, source_key=backup_key)
            cipher.verify_copy(made, db_key, counts, journal_mode="delete")
            cipher.remember_for(made, db_key)
            source = made
        src = _open_read_only(source)
        try:
            dst = plain.connect(db_path, read_only=False)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except plain.database_errors() as exc:
        raise StoreError(plain.describe_sqlite_error(db_path, exc)) from None
    finally:
        if made is not None:
            made.unlink(missing_ok=True)
            for companion in files.companions(made):
                companion.unlink(missing_ok=True)
    return kept or db_path


def _open_read_only(path: Path) -> Any:
    """The file ``path`` opened read-only, through sqlcipher3 when it is encrypted."""
    if files.is_encrypted(path):
        from caretui.store import cipher

        return cipher.connect(path, read_only_file=True)
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def rotate(
    db_path: Path, *, today: date, daily: int = 7, weekly: int = 4, folder: Path | None = None
) -> Path | None:
    """The automatic backup taken when the TUI starts: one a day, keeping the last
    ``daily`` days and one for each of the last ``weekly`` weeks. Returns the new
    backup, or None if today's exists already (or backups are turned off)."""
    if daily <= 0 and weekly <= 0:
        return None
    folder = folder or backup_dir_for(db_path)
    prefix = f"{db_path.stem}-auto-"
    made = None
    todays = folder / f"{prefix}{today.isoformat()}.db"
    if not todays.exists():
        made = backup_to(db_path, todays)
    dated: list[tuple[date, Path]] = []
    for path in folder.glob(f"{prefix}*.db") if folder.is_dir() else ():
        try:
            dated.append((date.fromisoformat(path.stem.removeprefix(prefix)), path))
        except ValueError:
            continue
    dated.sort(reverse=True)
    keep = {path for _day, path in dated[:daily]}
    weeks_seen: set[tuple[int, int]] = set()
    for day, path in dated:
        week = day.isocalendar()[:2]
        if week not in weeks_seen and len(weeks_seen) < weekly:
            weeks_seen.add(week)
            keep.add(path)  # the newest backup of each of the last weeks
    for _day, path in dated:
        if path not in keep:
            path.unlink(missing_ok=True)
    return made


def newest_backup(db_path: Path) -> Path | None:
    """The most recent backup of ``db_path``, to name in an error message."""
    folder = backup_dir_for(db_path)
    if not folder.is_dir():
        return None
    found = sorted(folder.glob(f"{db_path.stem}-*.db"), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None
