"""``caretui report month``: the month in numbers, as text, Markdown, CSV or HTML.

Reads through stdlib ``sqlite3`` (the read side), computes with the pure
functions of ``caretui.services.report``, renders with
``caretui.services.report_render``; never imports SQLAlchemy or Textual. A file
is written atomically and readable by its owner only; ``-`` (the default)
writes to standard output. Bad input is one line on stderr, and nothing is written.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from caretui.cli import db_option


@click.group()
def report() -> None:
    """Reports on the caseload: the month in numbers."""


@report.command("month")
@db_option
@click.option(
    "--month",
    "month_text",
    metavar="YYYY-MM",
    help="The calendar month to report on (default: this month, so far).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["txt", "md", "csv", "html"]),
    default="txt",
    show_default=True,
    help="txt: plain text; md: Markdown; csv: the biller's table and every figure; "
    "html: one printable page with charts.",
)
@click.option(
    "-o",
    "--output",
    default="-",
    metavar="FILE|-",
    help="Write to FILE (owner-only, replaced atomically); - writes to standard output.",
)
@click.option("--redact", is_flag=True, help="Initials instead of names, and no identifiers.")
def month(db_path: str | None, month_text: str | None, fmt: str, output: str, redact: bool) -> None:
    """The month in numbers: caseload, contacts, appointments, tasks, care plans,
    referrals, and care-management minutes per patient against the thresholds.

    Figures "at month end" are taken at midnight after the month's last day, or
    now for the month still going on.
    """
    from caretui import config
    from caretui.errors import StoreError
    from caretui.services.report import month_report, parse_month
    from caretui.services.report_render.output import render
    from caretui.store.database import Database
    from caretui.store.plain import database_errors, describe_sqlite_error

    now = datetime.now()
    first = parse_month(month_text) if month_text is not None else now.date().replace(day=1)
    target = None if output == "-" else Path(output).expanduser()
    settings = config.load()

    db = Database.open(db_path, create=False)
    con = db.read()
    try:
        result = month_report(con, first, thresholds=settings.care_management_thresholds, now=now)
    except database_errors() as exc:
        raise StoreError(describe_sqlite_error(db.path, exc)) from None
    finally:
        con.close()

    data = render(result, fmt, redact=redact)
    if target is None:
        click.echo(data, nl=False)  # bytes go to the binary stream, as rendered
        return
    from caretui.store.files import write_private

    write_private(target, data)
    click.echo(f"Wrote the report on {first:%Y-%m} to {target}")
