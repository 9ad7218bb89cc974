"""Restoring a backup made before ``caretui encrypt --rekey``.

Re-keying re-encrypts the backups in the backups folder with the new key, but a
backup made elsewhere (``caretui backup -o``) keeps the old one. Keys used to be
held per process, not per file: restoring such a backup asked for the backup's
key, then for the database's (which replaced it), then opened the backup with the
database's key and failed. Now each file's key is its own: the restore asks for
(or reads from ``CARETUI_BACKUP_KEY``) the key the backup needs, refuses a wrong
one in one line, and leaves the live caseload byte for byte as it was until the
backup is verified.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from caretui.errors import StoreError
from caretui.store import backup, cipher, files
from caretui.store.database import Database
from caretui.store.encrypt import rekey_database
from tests.store.conftest import KEY, SECRET_NAME, add_patient, digest

NEW_KEY = "a brand new passphrase"
CARETUI = str(Path(sys.executable).parent / "caretui")


def families(path: Path) -> list[str]:
    con = Database(path).read()
    try:
        return [r[0] for r in con.execute("SELECT family_name FROM patient ORDER BY id")]
    finally:
        con.close()


@pytest.fixture
def rekeyed(encrypted: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """A caseload encrypted with ``KEY``, backed up outside its backups folder (as
    ``caretui backup -o`` does), changed, then re-keyed to ``NEW_KEY``; every key
    forgotten, as in a new process. Yields (database, old backup)."""
    old = backup.manual_backup(encrypted, encrypted.parent / "elsewhere" / "before-rekey.db")
    db = Database.open(encrypted)
    try:
        add_patient(db, "Added After Backup")
    finally:
        db.dispose()
    monkeypatch.setenv(cipher.NEW_ENV_KEY, NEW_KEY)
    rekey_database(encrypted)
    monkeypatch.delenv(cipher.NEW_ENV_KEY)
    monkeypatch.delenv(cipher.ENV_KEY)
    cipher.forget()
    assert cipher.key_opens(old, KEY) and not cipher.key_opens(old, NEW_KEY)
    assert cipher.key_opens(encrypted, NEW_KEY)
    yield encrypted, old
    cipher.forget()


def typed(monkeypatch: pytest.MonkeyPatch, answers: dict[str, str]) -> list[str]:
    """Answer the hidden prompt by what it names; returns the prompts asked."""
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(key for word, key in answers.items() if word in prompt)

    monkeypatch.setattr(cipher, "interactive", lambda: True)
    monkeypatch.setattr(cipher, "ask", ask)
    return asked


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and its digest: what a failed restore must not change."""
    return {str(p.relative_to(folder)): digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_typed_keys_restore_a_backup_made_before_the_rekey(
    rekeyed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path, old = rekeyed
    asked = typed(monkeypatch, {"before-rekey": KEY, "caseload": NEW_KEY})
    kept = backup.restore(old, db_path)
    assert len(asked) == 2  # once for the database, once for the backup
    assert "caseload.db" in asked[0] and "made with" in asked[1] and "before-rekey" in asked[1]
    # The database keeps its new key; the old backup's records are in it.
    assert cipher.key_opens(db_path, NEW_KEY) and not cipher.key_opens(db_path, KEY)
    assert files.is_encrypted(db_path)
    names = families(db_path)
    assert SECRET_NAME in names and "Added After Backup" not in names
    assert "Added After Backup" in families(kept)
    assert cipher.key_opens(kept, NEW_KEY)
    assert [p.name for p in db_path.parent.glob(".*")] == []  # no copy left behind
    assert SECRET_NAME.encode() not in db_path.read_bytes()


def test_keys_from_the_environment_restore_it_without_asking(
    rekeyed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path, old = rekeyed
    monkeypatch.setenv(cipher.ENV_KEY, NEW_KEY)
    monkeypatch.setenv(cipher.BACKUP_ENV_KEY, KEY)
    asked = typed(monkeypatch, {})
    backup.restore(old, db_path)
    assert asked == []
    assert cipher.key_opens(db_path, NEW_KEY)
    assert "Added After Backup" not in families(db_path)


def test_a_backup_in_the_backups_folder_was_rekeyed_and_needs_only_the_new_key(
    rekeyed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path, _old = rekeyed
    folder = backup.backup_dir_for(db_path)
    inside = sorted(folder.glob("caseload-*.db"), key=lambda p: p.stat().st_mtime)[0]
    assert cipher.key_opens(inside, NEW_KEY)
    monkeypatch.setenv(cipher.ENV_KEY, NEW_KEY)
    asked = typed(monkeypatch, {})
    backup.restore(inside, db_path)
    assert asked == []
    assert cipher.key_opens(db_path, NEW_KEY)


@pytest.mark.parametrize("how", ["no key", "wrong typed", "wrong variable", "new key only"])
def test_a_wrong_or_missing_backup_key_is_one_line_and_nothing_changes(
    rekeyed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    db_path, old = rekeyed
    monkeypatch.setenv(cipher.ENV_KEY, NEW_KEY)
    before = snapshot(db_path.parent)
    if how == "no key":
        expected = rf"put its key in {cipher.BACKUP_ENV_KEY}, or run caretui restore"
    elif how == "wrong typed":
        typed(monkeypatch, {"before-rekey": "not the key it was made with"})
        expected = "That key does not open the backup"
    elif how == "wrong variable":
        monkeypatch.setenv(cipher.BACKUP_ENV_KEY, "not the key it was made with")
        expected = f"The key in {cipher.BACKUP_ENV_KEY} does not open the backup"
    else:  # the key variable holds the new key, typed once more for the backup
        typed(monkeypatch, {"before-rekey": NEW_KEY})
        expected = "That key does not open the backup"
    with pytest.raises(StoreError, match=expected) as raised:
        backup.restore(old, db_path)
    message = str(raised.value)
    assert "\n" not in message and "nothing was changed" in message
    assert SECRET_NAME not in message
    assert snapshot(db_path.parent) == before  # the caseload, its backups, the old backup
    assert cipher.key_opens(db_path, NEW_KEY)
    assert "Added After Backup" in families(db_path)


def test_caretui_restore_in_a_fresh_process_says_which_key_is_missing(
    rekeyed: tuple[Path, Path],
) -> None:
    db_path, old = rekeyed
    before = snapshot(db_path.parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARETUI_")}

    def run(**keys: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CARETUI, "restore", "--db", str(db_path), str(old)],
            capture_output=True,
            text=True,
            env={**env, **keys},
            stdin=subprocess.DEVNULL,
        )

    refused = run(CARETUI_DB_KEY=NEW_KEY)
    assert refused.returncode != 0
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert cipher.BACKUP_ENV_KEY in refused.stderr and "Traceback" not in refused.stderr
    assert snapshot(db_path.parent) == before
    done = run(CARETUI_DB_KEY=NEW_KEY, CARETUI_BACKUP_KEY=KEY)
    assert done.returncode == 0, done.stderr
    assert "Restored" in done.stdout
    cipher.forget()
    os.environ[cipher.ENV_KEY] = NEW_KEY
    try:
        assert "Added After Backup" not in families(db_path)
    finally:
        del os.environ[cipher.ENV_KEY]
