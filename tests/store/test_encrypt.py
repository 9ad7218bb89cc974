"""`caretui encrypt`: a plain caseload becomes an SQLCipher one, in place, safely."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from caretui.cli import main
from caretui.errors import StoreError
from caretui.store import backup, cipher, files
from caretui.store.check import check
from caretui.store.database import Database
from caretui.store.encrypt import encrypt_database
from tests.store.conftest import KEY, SECRET_NAME, add_patient, digest


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def families(db: Database) -> list[str]:
    con = db.read()
    try:
        return [r[0] for r in con.execute("SELECT family_name FROM patient ORDER BY id")]
    finally:
        con.close()


def test_round_trip_keeps_every_record_and_reencrypts_old_backups(
    plain_caseload: Path, key: str
) -> None:
    before = check(plain_caseload)
    old_backup = backup.manual_backup(plain_caseload)
    assert not files.is_encrypted(old_backup)

    result = encrypt_database(plain_caseload)

    assert files.is_encrypted(plain_caseload)
    assert stat.S_IMODE(plain_caseload.stat().st_mode) == 0o600
    after = check(plain_caseload)
    assert after.counts == before.counts and after.revision == before.revision
    assert after.encrypted and "encrypted" in after.summary()
    assert result.kept is not None and files.is_encrypted(result.kept)
    assert check(result.kept).counts == before.counts
    assert result.reencrypted == [old_backup] and files.is_encrypted(old_backup)
    assert check(old_backup).counts == before.counts
    leftovers = [p.name for p in plain_caseload.parent.rglob(".*")]
    assert leftovers == []  # no temporary copies

    db = Database.open(plain_caseload)  # reads and writes through SQLCipher
    try:
        add_patient(db, "Added After")
        assert families(db)[-2:] == [SECRET_NAME, "Added After"]
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()


def test_no_plaintext_in_the_database_its_wal_or_its_backups(encrypted: Path) -> None:
    db = Database.open(encrypted)
    reader = db.read()
    try:
        add_patient(db, SECRET_NAME + "Again")  # lands in the -wal first
        reader.execute("SELECT count(*) FROM patient").fetchone()  # keeps the -wal
        wal, _shm = files.companions(encrypted)
        assert wal.stat().st_size > 0
        everything = [encrypted, wal, *backup.backup_dir_for(encrypted).iterdir()]
        everything.append(backup.manual_backup(encrypted))
        for path in everything:
            raw = path.read_bytes()
            assert SECRET_NAME.encode() not in raw, path
            assert not raw.startswith(files.SQLITE_HEADER), path
    finally:
        reader.close()
        db.dispose()


def test_a_caretui_file_opens_with_the_passphrase_in_plain_sqlcipher(encrypted: Path) -> None:
    """caretui opens with a raw key it derives once; the file is standard SQLCipher 4."""
    d = cipher.dbapi()
    con = d.connect(str(encrypted))
    try:
        con.execute("PRAGMA key = '{}'".format(KEY.replace("'", "''")))
        names = [r[0] for r in con.execute("SELECT family_name FROM patient")]
    finally:
        con.close()
    assert SECRET_NAME in names


def test_wrong_key_is_one_line_and_the_file_is_untouched(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cipher.forget()
    monkeypatch.setenv(cipher.ENV_KEY, "not the right key")
    before = digest(encrypted)
    for command in ("today", "check", "audit", "backup", "encrypt"):
        code, out, err = run(command, "--db", str(encrypted))
        assert code == 2, (command, err)
        assert out == ""
        assert err == (
            f"caretui: The key in CARETUI_DB_KEY does not open {encrypted} (a wrong key, or "
            "not a caretui database); the file was not changed\n"
        )
    assert digest(encrypted) == before
    assert not any(p.exists() for p in files.companions(encrypted))
    assert not backup.backup_dir_for(encrypted).joinpath("x").exists()


def test_no_key_and_no_terminal_is_one_clear_line(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cipher.forget()
    monkeypatch.delenv(cipher.ENV_KEY)
    before = digest(encrypted)
    code, out, err = run("today", "--db", str(encrypted))
    assert code == 2 and out == ""
    assert err == (
        f"caretui: {encrypted} is encrypted: put its key in CARETUI_DB_KEY, or run caretui "
        "in a terminal to be asked for it\n"
    )
    assert digest(encrypted) == before


def test_the_prompt_gives_three_tries_then_keeps_the_key(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cipher.forget()
    monkeypatch.delenv(cipher.ENV_KEY)
    typed = iter(["wrong one", KEY])
    monkeypatch.setattr(cipher, "ask", lambda _prompt: next(typed))
    db = Database.open(encrypted, prompt=True)
    try:
        assert SECRET_NAME in families(db)  # later connections reuse the typed key
    finally:
        db.dispose()
    assert "That key does not open it; try again." in capsys.readouterr().err

    cipher.forget()
    before = digest(encrypted)
    monkeypatch.setattr(cipher, "ask", lambda _prompt: "wrong again")
    with pytest.raises(StoreError, match="That key does not open"):
        Database.open(encrypted, prompt=True)
    assert digest(encrypted) == before


def test_a_new_key_is_asked_twice_and_must_match(
    plain_caseload: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cipher.forget()
    monkeypatch.delenv(cipher.ENV_KEY, raising=False)
    before = digest(plain_caseload)
    typed = iter(["first key here", "second key here"])
    monkeypatch.setattr(cipher, "ask", lambda _prompt: next(typed))
    with pytest.raises(StoreError, match="The two keys differ; nothing was changed"):
        encrypt_database(plain_caseload, prompt=True)
    monkeypatch.setattr(cipher, "ask", lambda _prompt: "short")
    with pytest.raises(StoreError, match="too short"):
        encrypt_database(plain_caseload, prompt=True)
    assert not files.is_encrypted(plain_caseload)
    assert digest(plain_caseload) == before
    typed = iter([KEY, KEY])
    monkeypatch.setattr(cipher, "ask", lambda _prompt: next(typed))
    encrypt_database(plain_caseload, prompt=True)
    assert files.is_encrypted(plain_caseload)


def test_encrypt_without_a_key_or_terminal_changes_nothing(
    plain_caseload: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(cipher.ENV_KEY, raising=False)
    before = digest(plain_caseload)
    code, out, err = run("encrypt", "--db", str(plain_caseload))
    assert code == 2 and out == ""
    assert err.startswith("caretui: No key: put the new key in CARETUI_DB_KEY")
    assert err.count("\n") == 1
    assert digest(plain_caseload) == before


def test_encrypt_is_refused_while_another_process_has_the_database_open(
    plain_caseload: Path, key: str
) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            f"con = sqlite3.connect({str(plain_caseload)!r})\n"
            "con.execute('SELECT count(*) FROM patient').fetchall()\n"
            "con.commit()\n"  # open and idle, as a TUI between keystrokes
            "print('open', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        with pytest.raises(StoreError, match="is open in another caretui"):
            encrypt_database(plain_caseload)
    finally:
        holder.communicate("")
    assert not files.is_encrypted(plain_caseload)
    con = sqlite3.connect(plain_caseload)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert con.execute("SELECT count(*) FROM patient").fetchone() == (6,)
    finally:
        con.close()
    assert list(backup.backup_dir_for(plain_caseload).glob("*before-encrypt*")) == []


def test_encrypting_again_only_encrypts_plain_backups_left_beside_it(
    encrypted: Path, tmp_path: Path
) -> None:
    stray = backup.backup_dir_for(encrypted) / f"{encrypted.stem}-auto-2026-03-01.db"
    plain = sqlite3.connect(stray)
    plain.execute("CREATE TABLE patient (family_name TEXT)")
    plain.execute("INSERT INTO patient VALUES (?)", (SECRET_NAME,))
    plain.commit()
    plain.close()
    broken = backup.backup_dir_for(encrypted) / f"{encrypted.stem}-auto-2026-02-01.db"
    broken.write_text("not a database")
    before = digest(encrypted)
    code, out, err = run("encrypt", "--db", str(encrypted))
    assert code == 0, err
    assert out.splitlines() == [
        f"{encrypted} is already encrypted; the key opens it.",
        f"Re-encrypted 1 older backups in {backup.backup_dir_for(encrypted)}.",
        f"Not encrypted (cannot be read as a caretui database): {broken}",
    ]
    assert digest(encrypted) == before
    assert files.is_encrypted(stray) and SECRET_NAME.encode() not in stray.read_bytes()


def test_without_sqlcipher3_encrypt_says_how_to_install_it(
    plain_caseload: Path, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sqlcipher3.dbapi2", None)
    before = digest(plain_caseload)
    code, _out, err = run("encrypt", "--db", str(plain_caseload))
    assert code == 2
    assert err == (
        "caretui: Encrypted databases need the sqlcipher3 package, which is not installed: "
        "pip install 'caretui[encrypt]'\n"
    )
    assert digest(plain_caseload) == before


def test_random_bytes_look_encrypted_but_no_key_opens_them(tmp_path: Path, key: str) -> None:
    path = tmp_path / "noise.db"
    path.write_bytes(bytes(range(256)) * 16)
    before = digest(path)
    with pytest.raises(StoreError, match=r"does not open .* not a caretui database"):
        Database.open(path)
    assert digest(path) == before


def test_end_of_input_at_the_prompt_opens_nothing(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cipher.forget()
    monkeypatch.delenv(cipher.ENV_KEY)

    def eof(_prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr("getpass.getpass", eof)
    with pytest.raises(StoreError, match="No key was given; nothing was opened"):
        Database.open(encrypted, prompt=True)


def test_rekey_changes_the_key_of_the_database_and_its_backups(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = backup.backup_dir_for(encrypted)
    older = backup.manual_backup(encrypted)
    foreign = folder / f"{encrypted.stem}-other-key.db"
    other = cipher.create(foreign, "some other key")  # a backup no key of ours opens
    other.execute("CREATE TABLE patient (family_name TEXT)")
    other.close()
    assert files.is_encrypted(foreign)
    before = check(encrypted).counts
    new = "a brand new passphrase"
    monkeypatch.setenv(cipher.NEW_ENV_KEY, new)
    code, out, err = run("encrypt", "--rekey", "--db", str(encrypted))
    assert code == 0, err
    assert out.splitlines()[0] == f"Re-keyed {encrypted}: it opens with the new key only."
    assert f"Re-keyed 2 older backups in {folder}." in out  # older + before-encrypt
    assert f"Not re-keyed (another key opens it, or it is damaged): {foreign}" in out
    for path in (encrypted, older):
        assert not cipher.key_opens(path, KEY)
        assert cipher.key_opens(path, new)
    cipher.forget()
    monkeypatch.setenv(cipher.ENV_KEY, new)
    assert check(encrypted).counts == before
    assert [p.name for p in encrypted.parent.rglob(".*")] == []


def test_rekey_with_the_same_key_or_a_plain_database_changes_nothing(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = digest(encrypted)
    monkeypatch.setenv(cipher.NEW_ENV_KEY, KEY)
    code, _out, err = run("encrypt", "--rekey", "--db", str(encrypted))
    assert (code, err) == (2, "caretui: The new key is the current one; nothing was changed\n")
    assert digest(encrypted) == before
    other = tmp_path / "plain.db"
    Database.open(other).dispose()
    code, _out, err = run("encrypt", "--rekey", "--db", str(other))
    assert code == 2 and "is not encrypted: run caretui encrypt (without --rekey)" in err
