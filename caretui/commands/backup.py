"""``caretui backup`` and ``caretui restore``."""

from __future__ import annotations

from pathlib import Path

import click

from caretui.cli import db_option


@click.command()
@db_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the backup (default: the backups folder beside the database).",
)
def backup(db_path: str | None, output: Path | None) -> None:
    """Back up the database, consistently, even while the TUI is open.

    The copy is made with SQLite's online backup API and is readable by you only.
    """
    from caretui.store.backup import manual_backup
    from caretui.store.files import resolve_db_path

    click.echo(manual_backup(resolve_db_path(db_path), output))


@click.command()
@db_option
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(db_path: str | None, backup_file: Path) -> None:
    """Replace the database with BACKUP_FILE, after checking it.

    The current database is kept as a backup first; a TUI that has it open sees
    the restored records. An encrypted backup made with another key (before
    caretui encrypt --rekey) needs that key: from CARETUI_BACKUP_KEY, or asked for.
    """
    from caretui.store.backup import restore as run_restore
    from caretui.store.database import Database
    from caretui.store.files import resolve_db_path

    path = resolve_db_path(db_path)
    kept = run_restore(backup_file, path)
    Database.open(path).dispose()  # migrate a backup from an older caretui
    if kept != path:
        click.echo(f"Restored {backup_file} into {path}; the previous database is kept as {kept}")
    else:
        click.echo(f"Restored {backup_file} into {path}")
