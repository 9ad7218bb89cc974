"""Encryption at rest with SQLCipher, through the optional ``sqlcipher3`` package.

Imported only when a file is encrypted or being encrypted: a plain caseload
never loads sqlcipher3. The key is a passphrase from ``CARETUI_DB_KEY`` or a
hidden prompt, never from the command line.

SQLCipher stretches a passphrase with PBKDF2-HMAC-SHA512 (256,000 rounds, about
0.2 s) each time a connection opens. caretui stretches it once per file and
process, with the same function and the salt stored in the file's first 16
bytes, and opens every connection with the resulting raw key: a TUI that opens a
connection per worker stays quick, and the files still open with the passphrase
in any SQLCipher 4 (the ``sqlcipher`` shell, DB Browser for SQLite).

sqlcipher3 links its own copy of SQLite, so one file is only ever opened through
one of the two libraries in a process: an encrypted file always through this
module (``plain.connect`` and the engine check the file's first bytes).
"""

from __future__ import annotations

import getpass
import hashlib
import importlib
import os
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

from caretui.errors import StoreError
from caretui.store import files

#: Where the key is read from when it is not typed at a prompt.
ENV_KEY = "CARETUI_DB_KEY"
#: Where ``caretui encrypt --rekey`` reads the new key from when it is not typed.
NEW_ENV_KEY = "CARETUI_DB_NEW_KEY"
#: Where ``caretui restore`` reads a backup's key from when it is not the database's
#: (a backup made before ``caretui encrypt --rekey``) and is not typed.
BACKUP_ENV_KEY = "CARETUI_BACKUP_KEY"
#: SQLCipher 4's key derivation: PBKDF2-HMAC-SHA512, 256,000 rounds, 32-byte key, 16-byte salt.
KDF_ROUNDS = 256_000
SALT_BYTES = files.SALT_BYTES
#: The shortest key ``caretui encrypt`` accepts for a new database.
MIN_KEY_LENGTH = 8
INSTALL_HINT = "pip install 'caretui[encrypt]'"
PROMPT_ATTEMPTS = 3

_lock = threading.Lock()
_typed: str | None = None  # a key typed at the prompt: kept in this process only
#: The key known to open each file (by resolved path): a backup made before a rekey
#: needs another key than the database it is restored into, in the same process.
_file_keys: dict[Path, str] = {}
_raw_keys: dict[tuple[str, bytes], str] = {}


def dbapi() -> ModuleType:
    """The ``sqlcipher3.dbapi2`` module, or a clear error saying how to install it."""
    try:
        return importlib.import_module("sqlcipher3.dbapi2")
    except ImportError:
        raise StoreError(
            "Encrypted databases need the sqlcipher3 package, which is not installed: "
            + INSTALL_HINT
        ) from None


def remember(key: str, path: Path | None = None) -> None:
    """Keep ``key`` for the rest of this process (it is never written anywhere); with
    ``path``, as the key of that file, which it is known to open."""
    global _typed
    with _lock:
        _typed = key
        if path is not None:
            _file_keys[_file(path)] = key


def remember_for(path: Path, key: str) -> None:
    """Keep ``key`` as the key of the file ``path`` only (not as the process's key)."""
    with _lock:
        _file_keys[_file(path)] = key


def forget() -> None:
    """Drop every key this process holds (tests; a locked screen could use it too)."""
    global _typed
    with _lock:
        _typed = None
        _file_keys.clear()
        _raw_keys.clear()


def _file(path: Path) -> Path:
    return Path(os.path.realpath(path))


def known_key(path: Path) -> str | None:
    """The key this process found to open ``path``, if any."""
    with _lock:
        return _file_keys.get(_file(path))


def current_key(path: Path) -> str:
    """The key to open ``path`` with: the one known to open that file (typed for it,
    or a backup's own), else ``CARETUI_DB_KEY``, else one typed earlier."""
    known = known_key(path)
    if known is not None:
        return known
    env = os.environ.get(ENV_KEY)
    if env:
        return env
    if _typed is not None:
        return _typed
    raise StoreError(
        f"{path} is encrypted: put its key in {ENV_KEY}, or run caretui in a terminal "
        "to be asked for it"
    )


def raw_key(key: str, salt: bytes) -> str:
    """SQLCipher's raw-key literal for ``key`` on a file with ``salt``: ``x'<key><salt>'``."""
    with _lock:
        cached = _raw_keys.get((key, salt))
        if cached is None:
            derived = hashlib.pbkdf2_hmac("sha512", key.encode("utf-8"), salt, KDF_ROUNDS, 32)
            cached = _raw_keys[(key, salt)] = f"x'{derived.hex()}{salt.hex()}'"
        return cached


def salt_of(path: Path) -> bytes:
    """The salt in the file's first bytes, read with its header once per process: the
    file is never reopened while connections to it are open (see ``files.read_head``)."""
    salt = files.salt(path)
    if salt is None:
        files.inspect_file(path)  # the clear error: missing, empty, foreign
        raise StoreError(f"{path} is not an encrypted caretui database")
    return salt


def open_keyed(target: str, raw: str, *, uri: bool = False) -> Any:
    """A sqlcipher3 connection whose first statement sets the key (SQLCipher requires it)."""
    con = dbapi().connect(target, uri=uri, isolation_level=None, check_same_thread=False)
    try:
        con.execute(f'PRAGMA key = "{raw}"')  # hex digits only: nothing to escape
        # On a wrong key SQLCipher logs to stderr, which would land over the TUI.
        con.execute("PRAGMA cipher_log_level = NONE")
    except BaseException:
        con.close()
        raise
    return con


def connect(path: Path, *, read_only_file: bool = False, key: str | None = None) -> Any:
    """A connection to the encrypted file ``path``, with this process's key (or ``key``).

    ``read_only_file`` opens the file itself read-only (``mode=ro``), for checks.
    """
    raw = raw_key(key if key is not None else current_key(path), salt_of(path))
    if read_only_file:
        return open_keyed(f"file:{path}?mode=ro", raw, uri=True)
    return open_keyed(str(path), raw)


def create(path: Path, key: str) -> Any:
    """A connection to a new encrypted database at ``path`` (0600), with a fresh salt."""
    raw = raw_key(key, os.urandom(SALT_BYTES))
    create_private(path)
    return open_keyed(str(path), raw)


def create_private(path: Path) -> None:
    """An empty file, mode 0600, that SQLCipher then fills: never readable by others."""
    files.forget(path)  # a new file: its header is read afresh
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise StoreError(f"Cannot create {path}: {exc.strerror}") from None
    os.close(fd)


def key_opens(path: Path, key: str) -> bool:
    """Whether ``key`` opens ``path``. Reads one page; writes nothing, whatever the key
    (a wrong one fails on the first page, before SQLite looks for a WAL file)."""
    d = dbapi()
    try:
        con = connect(path, key=key)
    except d.DatabaseError as exc:
        raise StoreError(_describe(path, exc)) from None
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except d.DatabaseError as exc:
        if "not a database" in str(exc).lower():
            return False
        raise StoreError(_describe(path, exc)) from None
    finally:
        con.close()
    return True


def _describe(path: Path, exc: BaseException) -> str:
    from caretui.store.plain import describe_sqlite_error

    return describe_sqlite_error(path, exc)


def interactive() -> bool:
    """Whether a key may be asked for: a person at a terminal, not a script or a shell
    prompt's ``$(caretui count)`` (whose output is captured)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def ask(prompt: str) -> str:
    """A hidden prompt on the terminal."""
    try:
        return getpass.getpass(prompt)
    except EOFError:
        print(file=sys.stderr)  # end the prompt's line
        raise StoreError("No key was given; nothing was opened") from None


def unlock(path: Path, *, prompt: bool | None = None) -> None:
    """Make sure this process holds the key of the encrypted file ``path``.

    The key comes from ``CARETUI_DB_KEY``, a key typed earlier in this process, or
    a hidden prompt (when ``prompt``, or by default when a person is at a terminal;
    three tries). A key that does not open the file is one clear error; the file is
    never touched.
    """
    dbapi()
    env = os.environ.get(ENV_KEY)
    if env and key_opens(path, env):
        return
    known = known_key(path)  # a backup's own key, found by ``unlock_backup``
    if known is not None and known != env and key_opens(path, known):
        return
    if env:
        raise StoreError(
            f"The key in {ENV_KEY} does not open {path} (a wrong key, or not a caretui "
            "database); the file was not changed"
        )
    typed = _typed
    if typed is not None and key_opens(path, typed):
        return
    if prompt is None:
        prompt = interactive()
    if not prompt:
        current_key(path)  # raises: no key and no one to ask
    key = _asked_key(
        path,
        f"Key for {path}: ",
        "That key does not open it; try again.",
        f"That key does not open {path} (a wrong key, or not a caretui database); "
        "the file was not changed",
    )
    remember(key, path)


def _asked_key(path: Path, question: str, retry: str, refusal: str) -> str:
    """A key typed (hidden) that opens ``path``: ``PROMPT_ATTEMPTS`` tries, ``retry``
    said between them, then ``refusal`` raised."""
    for attempt in range(PROMPT_ATTEMPTS):
        key = ask(question)
        if key and key_opens(path, key):
            return key
        if attempt + 1 < PROMPT_ATTEMPTS:
            print(retry, file=sys.stderr)
    raise StoreError(refusal)


def unlock_backup(path: Path, *, prompt: bool | None = None) -> None:
    """Make sure this process holds the key of the encrypted backup ``path``, which
    may not be the database's (one made before ``caretui encrypt --rekey``, or with
    ``caretui backup -o``, keeps the old key).

    Tries the key known for the file, ``CARETUI_BACKUP_KEY``, ``CARETUI_DB_KEY`` and
    every key this process holds (the database's among them); then asks, hidden, for
    the key the backup was made with (three tries, at a terminal). Without one, or
    with a wrong one, one clear line; nothing is touched.
    """
    dbapi()
    backup_env = os.environ.get(BACKUP_ENV_KEY)
    with _lock:
        held = [_typed, *_file_keys.values()]
    tried: list[str] = []
    for key in (known_key(path), backup_env, os.environ.get(ENV_KEY), *held):
        if key and key not in tried:
            tried.append(key)
            if key_opens(path, key):
                remember_for(path, key)
                return
    if backup_env:
        raise StoreError(
            f"The key in {BACKUP_ENV_KEY} does not open the backup {path} (a wrong key, or "
            "not a caretui backup); nothing was changed"
        )
    if prompt is None:
        prompt = interactive()
    if not prompt:
        raise StoreError(
            f"The backup {path} does not open with the database's key (it was made with "
            f"another, perhaps before caretui encrypt --rekey): put its key in {BACKUP_ENV_KEY}, "
            "or run caretui restore in a terminal to be asked for it; nothing was changed"
        )
    key = _asked_key(
        path,
        f"Key the backup {path} was made with: ",
        "That key does not open the backup; try again.",
        f"That key does not open the backup {path} (a wrong key, or not a caretui backup); "
        "nothing was changed",
    )
    remember_for(path, key)


def new_key(*, prompt: bool | None = None, variable: str = ENV_KEY) -> str:
    """The key for a database about to be encrypted (or re-keyed): from the environment
    ``variable``, or asked twice."""
    env = os.environ.get(variable)
    if env:
        key = env
    else:
        if prompt is None:
            prompt = interactive()
        if not prompt:
            raise StoreError(
                f"No key: put the new key in {variable}, or run caretui encrypt in a terminal "
                "to type it (it is never an option on the command line)"
            )
        key = ask("New key for the database: ")
        _long_enough(key)
        if key != ask("The same key again: "):
            raise StoreError("The two keys differ; nothing was changed")
    _long_enough(key)
    return key


def _long_enough(key: str) -> None:
    if len(key) < MIN_KEY_LENGTH:
        raise StoreError(
            f"That key is too short: use at least {MIN_KEY_LENGTH} characters (a passphrase "
            "of a few words is best); nothing was changed"
        )


def table_counts(con: Any, schema: str = "main") -> dict[str, int]:
    """Rows in every table of ``schema``: how a copy is checked against its source."""
    names = [
        str(row[0])
        for row in con.execute(
            f"SELECT name FROM {schema}.sqlite_master "
            "WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {
        name: int(con.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0])
        for name in names
    }


def export_encrypted(
    source: Path, target: Path, key: str, *, source_key: str | None = None
) -> dict[str, int]:
    """Write a copy of the database ``source`` (plain, or encrypted with ``source_key``)
    to the new file ``target``, encrypted with ``key``.

    Uses SQLCipher's ``sqlcipher_export`` (schema, rows, indexes, triggers) and copies
    ``user_version`` too. Returns the row count of every table in ``source``.
    """
    d = dbapi()
    raw = raw_key(key, os.urandom(SALT_BYTES))
    create_private(target)
    if source_key is None:
        con = d.connect(str(source), isolation_level=None, check_same_thread=False)
    else:
        con = connect(source, key=source_key)
    try:
        con.execute("ATTACH DATABASE ? AS enc KEY ?", (str(target), raw))
        con.execute("SELECT sqlcipher_export('enc')")
        user_version = int(con.execute("PRAGMA main.user_version").fetchone()[0])
        con.execute(f"PRAGMA enc.user_version = {user_version}")
        counts = table_counts(con)
        con.execute("DETACH DATABASE enc")
    finally:
        con.close()
    return counts


def verify_copy(path: Path, key: str, counts: dict[str, int], *, journal_mode: str) -> None:
    """Check an encrypted copy before it replaces anything: it opens with ``key``, passes
    ``integrity_check`` and holds the same tables and rows. Then sets its journal mode."""
    con = connect(path, key=key)
    try:
        if [row[0] for row in con.execute("PRAGMA integrity_check")] != ["ok"]:
            raise StoreError(f"The encrypted copy {path} failed its integrity check")
        if table_counts(con) != counts:
            raise StoreError(f"The encrypted copy {path} does not hold the same records")
        con.execute(f"PRAGMA journal_mode = {journal_mode}")
    finally:
        con.close()
