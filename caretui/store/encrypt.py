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
    """What ``encrypt_database`` did, for the summary it prints."""

    path: Path
    already: bool = False
    kept: Path | None = None
    reencrypted: list[Path] = field(default_factory=list)
    left: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.already:
            out.append(f"{self.path} is already encrypted; the key opens it.")
        else:
            out.append(f"Encrypted {self.path}.")
            out.append(f"A backup, encrypted with the same key: {self.kept}")
            out.append(
                "Keep the key safe: without it nobody, caretui included, can open the "
                "caseload or its backups."
            )
        if self.reencrypted:
            out.append(f"Re-encrypted {len(self.reencrypted)} older backups in {self.folder}.")
        for path in self.left:
            out.append(f"Not encrypted (cannot be read as a caretui database): {path}")
        if not self.already:
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
        result = Encrypted(path, kept=_encrypt_in_place(path, key))
    result.reencrypted, result.left = reencrypt_backups(path, key)
    return result


def _encrypt_in_place(path: Path, key: str) -> Path:
    """Steps 2 to 5. Returns the encrypted backup kept in step 4."""
    d = cipher.dbapi()
    # sqlcipher3 opens the plain file too (with no key it is plain SQLite): every
    # connection to it in this process then uses one library, so locks hold.
    guard = d.connect(str(path), isolation_level=None, check_same_thread=False, timeout=1.0)
    tmp = path.with_name(f".{path.name}.encrypting-{os.getpid()}")
    try:
        try:
            mode = guard.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except d.OperationalError:
            mode = None
        if mode != "delete":
            raise StoreError(
                f"{path} is open in another caretui (or another program): close it and run "
                "caretui encrypt again; nothing was changed"
            )
        try:
            guard.execute("BEGIN IMMEDIATE")  # nobody writes until the copy has replaced it
            tmp.unlink(missing_ok=True)
            counts = cipher.export_encrypted(path, tmp, key)
            cipher.verify_copy(tmp, key, counts, journal_mode="wal")
            name = f"{path.stem}-before-encrypt-{backup.timestamp()}.db"
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


def replace_and_zero(new: Path, old: Path) -> None:
    """Rename ``new`` over ``old`` atomically, then overwrite the replaced file's bytes
    with zeros, through a handle opened before the rename."""
    with open(new, "rb") as fh:
        os.fsync(fh.fileno())
    fd = os.open(old, os.O_RDWR)
    try:
        os.replace(new, old)
        backup.sync_dir(old.parent)
        size = os.fstat(fd).st_size
        os.lseek(fd, 0, os.SEEK_SET)
        done = 0
        while done < size:
            done += os.write(fd, ZEROS[: min(len(ZEROS), size - done)])
        os.fsync(fd)
    finally:
        os.close(fd)  # also drops this process's SQLite locks on the old file


def reencrypt_backups(path: Path, key: str) -> tuple[list[Path], list[Path]]:
    """Encrypt every plain backup of ``path`` in its backups folder, each copied,
    verified, then swapped in. Returns (re-encrypted, left as they were)."""
    folder = backup.backup_dir_for(path)
    done: list[Path] = []
    left: list[Path] = []
    if not folder.is_dir():
        return done, left
    for old in sorted(folder.glob(f"{path.stem}-*.db")):
        try:
            if files.inspect_file(old) != "sqlite":
                continue
        except StoreError:
            left.append(old)
            continue
        tmp = old.with_name(f".{old.name}.encrypting-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        try:
            counts = cipher.export_encrypted(old, tmp, key)
            cipher.verify_copy(tmp, key, counts, journal_mode="delete")
        except plain.database_errors(StoreError):
            tmp.unlink(missing_ok=True)
            left.append(old)
            continue
        st = old.stat()
        os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))  # "newest backup" goes by mtime
        replace_and_zero(tmp, old)
        done.append(old)
    return done, left
