"""``caretui count``: how many items need attention, as one number.

For a shell prompt or a status bar, so it must be quick. ``caretui.entry``
parses a plain ``caretui count [--db P] [--date D] [--what W]`` by hand and
calls ``counting.count_number`` without importing click; this click command serves
``--help`` and any line the fast path does not take. Either way: stdlib
``sqlite3`` and one SQL statement (``queries.today.count_items``); no click on
the fast path, no Rich, SQLAlchemy or Textual on either.
"""

from __future__ import annotations

import click

from caretui.cli import db_option
from caretui.commands.counting import WHATS, count_number


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
    type=click.Choice(WHATS),
    default="all",
    show_default=True,
    help="overdue: due before the day; today: due that day; all: the whole Today list.",
)
def count(db_path: str | None, date_text: str | None, what: str) -> None:
    """Print how many items of the Today list need attention: one number, nothing else.

    The exit status is 0 whatever the number; only an error (no database, a bad
    date) exits non-zero, with one line on stderr.
    """
    click.echo(str(count_number(db_path, date_text, what)))
