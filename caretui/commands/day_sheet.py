"""``caretui export day-sheet``: the day's sheet to print and carry to visits.

Reads through the plain read side (no SQLAlchemy); the file is written
atomically and readable by you only. ``-o -`` writes a text format to
standard output instead.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click

from caretui.cli import db_option
from caretui.config import Config
from caretui.services.day_sheet import DaySheet
from caretui.store.database import Database


@click.command("day-sheet")
@db_option
@click.option(
    "--date",
    "date_text",
    metavar="D",
    help="The sheet of this day: today (default), tomorrow, fri, +3d, 2026-12-01 …",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md", "txt", "pdf"]),
    default="html",
    show_default=True,
    help="html prints well from a browser; pdf needs the optional extra caretui[pdf].",
)
@click.option(
    "--redact",
    is_flag=True,
    help="Initials instead of names; no date of birth, phone or address.",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE|-",
    help="Where to write it (a file, a folder, or - for standard output); "
    "default: the day-sheets folder of your documents.",
)
@click.option(
    "--paper",
    type=click.Choice(["a4", "letter"]),
    default="a4",
    show_default=True,
    help="Paper size of a PDF (the HTML fits both).",
)
def day_sheet(
    db_path: str | None,
    date_text: str | None,
    fmt: str,
    redact: bool,
    output: str | None,
    paper: str,
) -> None:
    """Write the day sheet: the schedule, calls, tasks, refills and reviews due,
    and a brief of each patient seen that day."""
    from caretui import config
    from caretui.services.dates import parse_date
    from caretui.services.day_sheet import save

    real_today = date.today()
    day = parse_date(date_text, real_today) if date_text is not None else real_today
    if output == "-" and fmt == "pdf":
        raise click.UsageError("a PDF cannot go to standard output; give a file with -o")
    settings = config.load()
    db = Database.open(db_path, create=False)
    sheet = read_sheet(db, day, settings, redact=redact)
    if output == "-":
        from caretui.services.day_sheet_render import render

        data = render(sheet, fmt, paper=paper)
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = target_path(output, day, fmt, redact=redact)
    save(sheet, fmt, path, paper=paper)
    click.echo(str(path))


def read_sheet(db: Database, day: date, settings: Config, *, redact: bool) -> DaySheet:
    """The sheet for ``day``, read through a plain read-only connection."""

    from caretui.errors import StoreError
    from caretui.services.day_sheet import build_day_sheet
    from caretui.store.plain import database_errors, describe_sqlite_error

    con = db.read()
    try:
        return build_day_sheet(
            con,
            day,
            coordinator=settings.coordinator_name,
            redact=redact,
            queues=settings.queues,
            refill_window_days=settings.refill_window_days,
            printed_at=datetime.now().replace(microsecond=0),
        )
    except database_errors() as exc:
        raise StoreError(describe_sqlite_error(db.path, exc)) from None
    finally:
        con.close()


def target_path(output: str | None, day: date, fmt: str, *, redact: bool) -> Path:
    """Where to write: ``output`` as given, inside it if it is a folder, or the
    default file in the day-sheets folder of the user's documents."""
    from caretui.services.day_sheet import default_filename, default_path

    if not output:
        return default_path(day, fmt, redacted=redact)
    path = Path(output).expanduser()
    if path.is_dir():
        return path / default_filename(day, fmt, redacted=redact)
    return path
