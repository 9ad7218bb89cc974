"""``caretui encrypt``: encryption at rest with SQLCipher."""

from __future__ import annotations

import click

from caretui.cli import db_option


@click.command()
@db_option
@click.option(
    "--rekey",
    is_flag=True,
    help="Change the key of an encrypted database and its backups (new key from "
    "CARETUI_DB_NEW_KEY, or asked twice).",
)
def encrypt(db_path: str | None, rekey: bool) -> None:
    """Encrypt the database in place with SQLCipher, and its backups.

    The key is read from CARETUI_DB_KEY, or asked for twice, hidden; it is never
    an option. Afterwards every caretui command needs it: from CARETUI_DB_KEY or,
    at a terminal, typed when asked. Keep it safe: without it nobody can open the
    caseload. Needs the sqlcipher3 package (pip install 'caretui[encrypt]').
    """
    from caretui.store.encrypt import encrypt_database, rekey_database
    from caretui.store.files import resolve_db_path

    path = resolve_db_path(db_path)
    result = rekey_database(path) if rekey else encrypt_database(path)
    for line in result.lines():
        click.echo(line)
