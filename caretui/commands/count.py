"""``caretui count``: how many items need attention, as one number.

For a shell prompt or a status bar, so it must be quick: click, stdlib
``sqlite3`` and one SQL statement (``queries.today.count_items``); no Rich,
SQLAlchemy or Textual.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import click

from caretui.cli import db_option


@click.command()
@db_option
@click.option(
    "--date",
    "date_text",
    metavar="D",
    help="Count as of this day: today, tomorrow, fri, +3d, 2026-12-01 …",
)
@click.option(
    "--what",
    type=click.Choice(["overdue", "today", "all"]),
    default="all",
    show_default=True,
    help="overdue: due before the day; today: due that day; all: the whole Today list.",
)
def count(db_path: str | None, date_text: str | None, what: str) -> None:
    """Print how many items of the Today list need attention: one number, nothing else.

    The exit status is 0 whatever the number; only an error (no database, a bad
    date) exits non-zero, with one line on stderr.
    """
    from caretui import config
    from caretui.queries.today import count_items
    from caretui.services.dates import parse_date
    from caretui.store.database import Database
    from caretui.store.plain import describe_sqlite_error

    real_today = date.today()
    day = parse_date(date_text, real_today) if date_text is not None else real_today
    settings = config.load()
    db = Database.open(db_path, create=False)
    con = db.read()
    try:
        number = count_items(
            con,
            day,
            what,  # type: ignore[arg-type]
            refill_window_days=settings.refill_window_days,
            care_threshold=settings.care_management_thresholds[0].minutes,
        )
    except sqlite3.DatabaseError as exc:
        from caretui.errors import StoreError

        raise StoreError(describe_sqlite_error(db.path, exc)) from None
    finally:
        con.close()
    click.echo(str(number))
