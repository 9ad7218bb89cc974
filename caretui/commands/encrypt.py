"""``caretui encrypt``: encryption at rest with SQLCipher."""

from __future__ import annotations

import click

from caretui.cli import db_option


@click.command()
@db_option
def encrypt(db_path: str | None) -> None:
    """Encrypt the database in place with SQLCipher, and its backups.

    The key is read from CARETUI_DB_KEY, or asked for twice, hidden; it is never
    an option. Afterwards every caretui command needs it: from CARETUI_DB_KEY or,
    at a terminal, typed when asked. Keep it safe: without it nobody can open the
    caseload. Needs the sqlcipher3 package (pip install 'caretui[encrypt]').
    """
    from caretui.store.encrypt import encrypt_database
    from caretui.store.files import resolve_db_path

    for line in encrypt_database(resolve_db_path(db_path)).lines():
        click.echo(line)
