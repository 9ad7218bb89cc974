"""``caretui encrypt``: turn a plain caseload into an SQLCipher one, in place, safely.

The steps, each checked before the next:

1. The database is brought to the current schema and must pass ``caretui check``.
2. No other program may have it open: its journal mode is switched from WAL to
   DELETE, which SQLite allows only to the one connection holding the file, and
   a write lock is then held so nobody writes while the copy is made.
3. An encrypted copy is written beside it (0600), opened again with the key, and
   must pass ``integrity_check`` with the same rows in every table.
4. A backup of that copy is kept in the backups folder, encrypted with the same
   key. It is taken from the encrypted copy on purpose: a plain backup would be
   the very plaintext this command exists to remove, and the original stays in
   place, untouched, until step 5, so nothing is at risk before then.
5. The copy is renamed over the original (atomic), and the original's old bytes
   are overwritten with zeros: a program that still had it open sees "not a
   database", never a stale plain caseload, and the plaintext is gone from the
   file (a file system may still hold old blocks: see the README).
6. Older plain backups of this database in the backups folder are re-encrypted
   the same way (copy, verify, replace, zero). Any that cannot be read are left
   as they are and named, for the user to delete.

``--rekey`` gives an encrypted database a new key by the same steps (the copy is
made with the new key from one opened with the old one), then its backups.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from caretui.errors import StoreError
from caretui.store import backup, cipher, files, plain

ZEROS = bytes(1 << 20)


@dataclass
class Encrypted:
    """What ``encrypt_database`` or ``rekey_database`` did, for the summary it prints."""

    path: Path
    already: bool = False
    rekeyed: bool = False
    kept: Path | None = None
    reencrypted: list[Path] = field(default_factory=list)
    left: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.rekeyed:
            out.append(f"Re-keyed {self.path}: it opens with the new key only.")
        elif self.already:
            out.append(f"{self.path} is already encrypted; the key opens it.")
        else:
            out.append(f"Encrypted {self.path}.")
            out.append(f"A backup, encrypted with the same key: {self.kept}")
        if not self.already:
            out.append(
                "Keep the key safe: without it nobody, caretui included, can open the "
                "caseload or its backups."
            )
        if self.reencrypted:
            done = "Re-keyed" if self.rekeyed else "Re-encrypted"
            out.append(f"{done} {len(self.reencrypted)} older backups in {self.folder}.")
        for path in self.left:
            if self.rekeyed:
                out.append(f"Not re-keyed (another key opens it, or it is damaged): {path}")
            else:
                out.append(f"Not encrypted (cannot be read as a caretui database): {path}")
        if self.rekeyed:
            out.append(
                "Backups made elsewhere (caretui backup -o) still open with the old key only: "
                "caretui restore asks for it (or reads it from CARETUI_BACKUP_KEY)."
            )
        elif not self.already:
            out.append(
                "Copies you made elsewhere (caretui backup -o, exports, day sheets) are not "
                "encrypted: delete the ones you do not need."
            )
        return out

    @property
    def folder(self) -> Path:
        return backup.backup_dir_for(self.path)


def encrypt_database(path: Path, *, prompt: bool | None = None) -> Encrypted:
    """Encrypt the plain database at ``path`` in place (see the module docstring).

    An already encrypted database is only unlocked, and any plain backups left
    beside it (an earlier run interrupted) are re-encrypted.
    """
    from caretui.store.check import check
    from caretui.store.database import Database

    cipher.dbapi()  # a clear error now if sqlcipher3 is missing
    kind = files.inspect_file(path)
    if kind == "missing":
        raise StoreError(f"No caretui database at {path}")
    if kind == "encrypted":
        cipher.unlock(path, prompt=prompt)
        result = Encrypted(path, already=True)
        key = cipher.current_key(path)
    else:
        Database.open(path, create=False).dispose()  # migrate first, backed up as usual
        check(path)
        key = cipher.new_key(prompt=prompt)
        cipher.remember(key)
        result = Encrypted(path, kept=_replace_with_copy(path, key, keep="before-encrypt"))
    result.reencrypted, result.left = reencrypt_backups(path, key)
    return result


def rekey_database(path: Path, *, prompt: bool | None = None) -> Encrypted:
    """Give the encrypted database at ``path``, and its backups beside it, a new key.

    The current key comes as usual (``CARETUI_DB_KEY`` or typed), the new one from
    ``CARETUI_DB_NEW_KEY`` or typed twice. The same steps as encrypting: a copy with
    the new key, verified, renamed over the old file, whose bytes are zeroed.
    """
    from caretui.store.check import check

    cipher.dbapi()
    if files.inspect_file(path) != "encrypted":
        raise StoreError(f"{path} is not encrypted: run caretui encrypt (without --rekey)")
    cipher.unlock(path, prompt=prompt)
    old = cipher.current_key(path)
    check(path)
    new = cipher.new_key(prompt=prompt, variable=cipher.NEW_ENV_KEY)
    if new == old:
        raise StoreError("The new key is the current one; nothing was changed")
    _replace_with_copy(path, new, source_key=old)
    cipher.remember(new, path)
    result = Encrypted(path, rekeyed=True)
    result.reencrypted, result.left = reencrypt_backups(path, new, old_key=old)
    return result


def _replace_with_copy(
    path: Path, key: str, *, source_key: str | None = None, keep: str | None = None
) -> Path | None:
    """Steps 2 to 5: replace ``path`` (plain, or encrypted with ``source_key``) with a
    verified copy encrypted with ``key``. With ``keep``, a backup of the copy is kept
    first, named after it; returns that backup."""
    d = cipher.dbapi()
    busy = StoreError(
        f"{path} is open in another caretui (or another program): close it and run "
        "caretui encrypt again; nothing was changed"
    )
    if open_elsewhere(path):
        raise busy
    # sqlcipher3 opens a plain file too (with no key it is plain SQLite): every
    # connection to it in this process then uses one library, so locks hold.
    if source_key is None:
        guard = d.connect(str(path), isolation_level=None, check_same_thread=False)
    else:
        guard = cipher.connect(path, key=source_key)
    tmp = path.with_name(f".{path.name}.encrypting-{os.getpid()}")
    kept = None
    try:
        guard.execute("PRAGMA busy_timeout = 1000")
        try:
            mode = guard.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except d.OperationalError:
            mode = None
        if mode != "delete":  # one is reading right now
            raise busy
        try:
            guard.execute("BEGIN IMMEDIATE")  # nobody writes until the copy has replaced it
            tmp.unlink(missing_ok=True)
            counts = cipher.export_encrypted(path, tmp, key, source_key=source_key)
            cipher.verify_copy(tmp, key, counts, journal_mode="wal")
            if keep is not None:
                name = f"{path.stem}-{keep}-{backup.timestamp()}.db"
                kept = backup.backup_to(tmp, backup.backup_dir_for(path) / name)
            if any(p.exists() for p in files.companions(tmp)):
                raise StoreError(f"The encrypted copy {tmp} is still open; nothing was changed")
        except BaseException:
            tmp.unlink(missing_ok=True)
            for companion in files.companions(tmp):
                companion.unlink(missing_ok=True)
            with contextlib.suppress(*plain.database_errors()):
                guard.execute("ROLLBACK")
            with contextlib.suppress(*plain.database_errors()):
                guard.execute("PRAGMA journal_mode = WAL")
            raise
        replace_and_zero(tmp, path)
    finally:
        guard.close()
    return kept


def open_elsewhere(path: Path) -> bool:
    """Whether another process has the WAL-mode database ``path`` open.

    Each SQLite connection holds a shared lock on byte 128 of the ``-shm`` file (the
    "DMS" lock of SQLite's WAL format) for as long as it is open, reading or not;
    a write lock there is refused while any other process holds one. Call this
    while this process has no connection to ``path``: giving up the test lock would
    drop its SQLite locks on the file too.
    """
    try:
        import fcntl
    except ImportError:  # Windows: SQLite's locks there are mandatory; the rename would fail
        return False
    _wal, shm = files.companions(path)
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128, os.SEEK_SET)
        except OSError:
            return True
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, 128, os.SEEK_SET)
        return False
    finally:
        os.close(fd)


def replace_and_zero(new: Path, old: Path) -> None:
    """Rename ``new`` over ``old`` atomically, then overwrite the replaced file's bytes
    with zeros, through a handle opened before the rename."""
    with open(new, "rb") as fh:
        os.fsync(fh.fileno())
    fd = os.open(old, os.O_RDWR)
    try:
        os.replace(new, old)
        files.forget(old)
        backup.sync_dir(old.parent)
        size = os.fstat(fd).st_size
        os.lseek(fd, 0, os.SEEK_SET)
        done = 0
        while done < size:
            done += os.write(fd, ZEROS[: min(len(ZEROS), size - done)])
        os.fsync(fd)
    finally:
        os.close(fd)  # also drops this process's SQLite locks on the old file


def reencrypt_backups(
    path: Path, key: str, *, old_key: str | None = None
) -> tuple[list[Path], list[Path]]:
    """Encrypt with ``key`` every plain backup of ``path`` in its backups folder (and,
    given ``old_key``, every one encrypted with it), each copied, verified, then
    swapped in. Returns (re-encrypted, left as they were)."""
    folder = backup.backup_dir_for(path)
    done: list[Path] = []
    left: list[Path] = []
    if not folder.is_dir():
        return done, left
    for old in sorted(folder.glob(f"{path.stem}-*.db")):
        try:
            kind = files.inspect_file(old)
            source_key = None
            if kind == "encrypted":
                if old_key is None:
                    continue  # encrypted already
                if not cipher.key_opens(old, old_key):
                    raise StoreError("another key")
                source_key = old_key
        except StoreError:
            left.append(old)
            continue
        tmp = old.with_name(f".{old.name}.encrypting-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        try:
            counts = cipher.export_encrypted(old, tmp, key, source_key=source_key)
            cipher.verify_copy(tmp, key, counts, journal_mode="delete")
        except plain.database_errors(StoreError):
            tmp.unlink(missing_ok=True)
            left.append(old)
            continue
        st = old.stat()
        os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))  # "newest backup" goes by mtime
        replace_and_zero(tmp, old)
        cipher.remember_for(old, key)  # not the key it may have been opened with before
        done.append(old)
    return done, left
