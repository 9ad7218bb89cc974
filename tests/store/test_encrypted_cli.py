"""The commands a user waits on, on an encrypted caseload, in fresh processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from caretui.store import cipher
from caretui.store.encrypt import encrypt_database
from tests.store.conftest import KEY

CARETUI = str(Path(sys.executable).parent / "caretui")
DAY = "2026-03-11"
HEAVY = ("sqlalchemy", "alembic", "textual")


def caretui(*args: str, key: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != cipher.ENV_KEY}
    if key is not None:
        env[cipher.ENV_KEY] = key
    return subprocess.run(
        [CARETUI, *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL
    )


def loaded_modules(*args: str, key: str | None = None) -> set[str]:
    """The modules a fresh ``caretui ARGS`` has loaded when it finishes."""
    code = (
        "import sys\n"
        "from caretui.cli import main\n"
        f"sys.argv = ['caretui', *{list(args)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('LOADED', ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != cipher.ENV_KEY}
    if key is not None:
        env[cipher.ENV_KEY] = key
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(x for x in proc.stderr.splitlines() if x.startswith("LOADED "))
    return {name.split(".")[0] for name in line.split()[1:]}


def test_today_and_count_read_an_encrypted_caseload_with_the_key_in_the_environment(
    plain_caseload: Path, key: str
) -> None:
    db = str(plain_caseload)
    plain_today = caretui("today", "--db", db, "--date", DAY)
    plain_count = caretui("count", "--db", db, "--date", DAY)
    assert plain_today.returncode == 0 and plain_count.returncode == 0
    encrypt_database(plain_caseload)

    today = caretui("today", "--db", db, "--date", DAY, key=KEY)
    count = caretui("count", "--db", db, "--date", DAY, key=KEY)
    assert (today.returncode, today.stderr) == (0, "")
    assert today.stdout == plain_today.stdout and today.stdout.count("\n") > 3
    assert (count.returncode, count.stdout, count.stderr) == (0, plain_count.stdout, "")

    without = caretui("count", "--db", db, "--date", DAY)
    assert without.returncode == 2 and without.stdout == ""
    assert without.stderr == (
        f"caretui: {db} is encrypted: put its key in CARETUI_DB_KEY, or run caretui in a "
        "terminal to be asked for it\n"
    )
    wrong = caretui("today", "--db", db, key="wrong key!")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert wrong.stderr.count("\n") == 1 and "does not open" in wrong.stderr


def test_today_on_a_plain_caseload_does_not_import_sqlcipher3(
    plain_caseload: Path, key: str
) -> None:
    loaded = loaded_modules("today", "--db", str(plain_caseload), "--date", DAY, key=KEY)
    assert "sqlcipher3" not in loaded
    assert not loaded & set(HEAVY)


def test_today_on_an_encrypted_caseload_loads_sqlcipher3_and_still_no_orm(
    encrypted: Path,
) -> None:
    loaded = loaded_modules("today", "--db", str(encrypted), "--date", DAY, key=KEY)
    assert "sqlcipher3" in loaded
    assert not loaded & set(HEAVY)


def test_a_damaged_page_of_an_encrypted_caseload_is_one_line_not_a_crash(
    encrypted: Path,
) -> None:
    """A page that fails SQLCipher's check raises sqlcipher3's own DatabaseError in the
    middle of the command's query (opening reads other pages and succeeds): the
    command's handler knows that class too (``plain.database_errors``)."""
    con = cipher.connect(encrypted, key=KEY)
    try:
        roots = [
            r[0] for r in con.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'task'")
        ]
    finally:
        con.close()
    raw = bytearray(encrypted.read_bytes())
    page = 4096
    for root in roots:  # the task table and its indexes
        for offset in range((root - 1) * page + 100, root * page, 97):
            raw[offset] ^= 0x5A
    encrypted.write_bytes(bytes(raw))
    for command in ("today", "count"):
        result = caretui(command, "--db", str(encrypted), "--date", DAY, key=KEY)
        assert result.returncode == 2, (command, result.stderr)
        assert result.stderr == f"caretui: {encrypted} is corrupt or not a caretui database\n"
