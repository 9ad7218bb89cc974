"""Where the database lives and how its files are made: owner-only, checked before use.

Standard library only: the CLI's fast paths import this.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

from caretui.errors import StoreError

SQLITE_HEADER = b"SQLite format 3\x00"
DB_FILENAME = "caretui.db"


def xdg_dir(variable: str, fallback: str) -> Path | None:
    """The XDG base folder on Linux without importing platformdirs (the fast paths
    need no more); None elsewhere, where platformdirs knows the conventions."""
    if not sys.platform.startswith("linux"):
        return None
    value = os.environ.get(variable, "").strip()
    return Path(value) if value and os.path.isabs(value) else Path.home() / fallback


def data_dir() -> Path:
    base = xdg_dir("XDG_DATA_HOME", ".local/share")
    if base is not None:
        return base / "caretui"
    import platformdirs

    return Path(platformdirs.user_data_dir("caretui", appauthor=False))


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME


def resolve_db_path(given: str | os.PathLike[str] | None) -> Path:
    """``--db`` if given, else ``CARETUI_DB``, else the platform's user data dir."""
    if given:
        return Path(given).expanduser()
    env = os.environ.get("CARETUI_DB")
    if env:
        return Path(env).expanduser()
    return default_db_path()


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Files and folders created inside are readable by the owner only."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) as 0700 if missing; an existing folder is left as it is."""
    if path.is_dir():
        return
    with private_umask():
        try:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StoreError(f"Cannot create the folder {path}: {exc.strerror}") from None


def looks_encrypted(head: bytes, size: int) -> bool:
    """Whether a file that is not plain SQLite looks like an SQLCipher database.

    SQLCipher leaves no readable header: its file is a whole number of pages
    (512 bytes or more each) of bytes that look random. A text or CSV file, the
    usual foreign file, uses far fewer distinct byte values than random data
    (about 250 of 256 in 1 KiB), so it is still called "not an SQLite file".
    """
    return size >= 512 and size % 512 == 0 and len(set(head)) >= 160


def read_head(path: Path) -> bytes:
    """The first KiB of ``path``: enough to tell SQLite, SQLCipher and foreign files apart.

    Call it through ``_file_kind`` only. Closing any descriptor of a file drops
    every POSIX lock this process holds on it, SQLite's included ("How To Corrupt
    An SQLite Database File", 2.2): another process may then reset the WAL index
    under a live connection (seen here as "disk I/O error"). ``_file_kind``
    reads each file's header once per process, before caretui connects to it."""
    with path.open("rb") as fh:
        return fh.read(1024)


#: absolute path -> "sqlite" or "encrypted": what a file's header said, read once per
#: process. caretui code that puts another file in a database's place (``encrypt``,
#: a backup written over an old one) calls ``forget``. Neither the inode nor the
#: change time can stand in: a freed inode is soon given to a new file, and the
#: change time moves with every write another process makes.
_KINDS: dict[str, str] = {}
#: absolute path -> the first 16 bytes of an encrypted file (SQLCipher's salt), read
#: with its header: every keyed connection needs it, and must not reopen the file.
_SALTS: dict[str, bytes] = {}
SALT_BYTES = 16


def forget(path: Path) -> None:
    """Read ``path``'s header again next time: another file has been put in its place.
    Call it before any connection to the new file is opened."""
    key = os.path.abspath(path)
    _KINDS.pop(key, None)
    _SALTS.pop(key, None)


def salt(path: Path) -> bytes | None:
    """The salt of the encrypted file ``path`` (None if it is not one), from the header
    read once per process (see ``read_head``)."""
    if not is_encrypted(path):
        return None
    return _SALTS.get(os.path.abspath(path))


def _file_kind(path: Path, st: os.stat_result) -> str:
    """``"sqlite"``, ``"encrypted"`` or ``"foreign"`` for an existing, non-empty file,
    from its header, read once per file per process (see ``read_head``)."""
    key = os.path.abspath(path)
    known = _KINDS.get(key)
    if known is not None:
        return known
    head = read_head(path)
    if head.startswith(SQLITE_HEADER):
        kind = "sqlite"
    elif looks_encrypted(head, st.st_size):
        kind = "encrypted"
        _SALTS[key] = head[:SALT_BYTES]
    else:
        return "foreign"  # not remembered: the file may yet be replaced in place
    _KINDS[key] = kind
    return kind


def is_encrypted(path: Path) -> bool:
    """True for an existing file that looks like an SQLCipher database (see ``looks_encrypted``)."""
    try:
        st = path.stat()
        return st.st_size > 0 and _file_kind(path, st) == "encrypted"
    except OSError:
        return False


def inspect_file(path: Path) -> str:
    """``"missing"``, ``"sqlite"`` or ``"encrypted"`` (SQLCipher); anything unusable
    raises a clear ``StoreError``."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        raise StoreError(f"Cannot read {path}: {exc.strerror}") from None
    if not path.is_file():
        raise StoreError(f"{path} is not a file")
    if st.st_size == 0:
        raise StoreError(
            f"{path} is empty (0 bytes), not a caretui database; restore a backup or move it aside"
        )
    try:
        kind = _file_kind(path, st)
    except OSError as exc:
        raise StoreError(f"Cannot read {path}: {exc.strerror}") from None
    if kind == "foreign":
        raise StoreError(f"{path} is not a caretui database (not an SQLite file)")
    return kind


def create_database_file(path: Path) -> None:
    """Make a new, empty SQLite database file, mode 0600, in a 0700 folder."""
    ensure_private_dir(path.parent)
    with private_umask():
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return
        except OSError as exc:
            raise StoreError(f"Cannot create {path}: {exc.strerror}") from None
        os.close(fd)
        # Give the file its header and WAL mode now, so it is never left empty.
        con = sqlite3.connect(path)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA user_version=0")
            con.execute(
                "CREATE TABLE IF NOT EXISTS alembic_version "
                "(version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )
            con.commit()
        finally:
            con.close()


def companions(path: Path) -> tuple[Path, Path]:
    """The ``-wal`` and ``-shm`` files SQLite keeps beside a database in WAL mode."""
    return Path(f"{path}-wal"), Path(f"{path}-shm")


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, readable by the owner only (0600).

    The bytes go to a temporary file in the same folder, are flushed to disk,
    and the file is renamed over ``path``: a reader sees the old file or the
    whole new one, never a torn one, and a crash leaves at most the temporary
    file. The folder is made 0700 if it does not exist.
    """
    folder = path.parent
    ensure_private_dir(folder)
    tmp = folder / f".{path.name}.tmp-{os.getpid()}"
    try:
        with private_umask():
            fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StoreError(f"Cannot write {path}: {exc.strerror or exc}") from None
    with contextlib.suppress(OSError):  # some file systems cannot sync a folder
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
