"""``caretui check``: is this file a healthy caretui database? Never changes it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from caretui.errors import StoreError
from caretui.store import files, plain, schema

#: Tables counted in the summary, with the word a coordinator reads.
COUNTED = (
    ("patient", "patients"),
    ("task", "tasks"),
    ("appointment", "appointments"),
    ("medication", "medications"),
    ("care_plan", "care plans"),
    ("note", "notes"),
    ("referral", "referrals"),
    ("resource", "resources"),
)


@dataclass(frozen=True)
class CheckResult:
    path: Path
    revision: str | None
    counts: tuple[tuple[str, int], ...]
    needs_migration: bool
    encrypted: bool = False

    def summary(self) -> str:
        counts = ", ".join(f"{n:,} {word}" for word, n in self.counts)
        state = (
            f"schema {self.revision}, will be migrated to {schema.HEAD} when opened"
            if self.needs_migration
            else f"schema {self.revision}"
        )
        if self.encrypted:
            state += ", encrypted"
        return f"{self.path}: ok ({state}); {counts}"


def restore_hint(path: Path) -> str:
    from caretui.store.backup import newest_backup

    newest = newest_backup(path)
    if newest is None:
        return "no backup of it was found"
    return f"the newest backup is {newest} (caretui restore {newest})"


def check(path: Path, *, prompt: bool | None = None) -> CheckResult:
    """Run SQLite's integrity and foreign-key checks and read the schema version.

    A healthy database returns a result; anything else raises ``StoreError``
    with one line naming the file and what is wrong. An encrypted file needs its
    key (see ``cipher.unlock``).
    """
    kind = files.inspect_file(path)
    if kind == "missing":
        raise StoreError(f"No caretui database at {path}")
    try:
        if kind == "encrypted":
            from caretui.store import cipher

            cipher.unlock(path, prompt=prompt)
            con = cast(sqlite3.Connection, cipher.connect(path, read_only_file=True))
        else:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except plain.database_errors() as exc:
        raise StoreError(plain.describe_sqlite_error(path, exc)) from None
    con.text_factory = plain.lenient_text
    try:
        con.execute(f"PRAGMA busy_timeout = {plain.BUSY_TIMEOUT_MS}")
        revision = schema.stored_revision(con)
        state = schema.schema_state(revision)
        if state is schema.SchemaState.NEWER:
            raise StoreError(
                f"{path} was made by a newer caretui (schema {revision}; this one knows up to "
                f"{schema.HEAD}); upgrade caretui"
            )
        problems = [r[0] for r in con.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise StoreError(
                f"{path} is corrupt ({len(problems)} problems found by SQLite); "
                "restore the newest backup"
            )
        if revision is None:
            raise StoreError(f"{path} is an SQLite file but not a caretui database")
        broken = con.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise StoreError(f"{path} has {len(broken)} records linked to missing records")
        counts = tuple(
            (word, int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]))
            for table, word in COUNTED
        )
    except plain.database_errors(UnicodeDecodeError) as exc:
        message = plain.describe_sqlite_error(path, exc)
        if "corrupt" in message:
            message += "; " + restore_hint(path)
        raise StoreError(message) from None
    finally:
        con.close()
    return CheckResult(
        path, revision, counts, state is schema.SchemaState.BEHIND, kind == "encrypted"
    )
