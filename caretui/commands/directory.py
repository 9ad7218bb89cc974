"""``caretui import csv resources``: the resource directory from a spreadsheet.

(``export csv resources`` is one table of ``services.spreadsheet.EXPORTS``.)
"""

from __future__ import annotations

from pathlib import Path

import click

from caretui.cli import db_option


@click.command("resources")
@db_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_csv_resources(db_path: str | None, file: Path) -> None:
    """Add the directory entries in FILE, a CSV with a header row (columns in the README).

    Every row is checked first: one bad cell and nothing is imported, with a
    report naming each bad row and column.
    """
    from caretui.services.resources import import_resources
    from caretui.store.database import Database

    db = Database.open(db_path)
    try:
        added = import_resources(db, file)
    finally:
        db.dispose()
    click.echo(f"Imported {file}: added {added:,} resource{'s' if added != 1 else ''}")
