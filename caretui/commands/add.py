"""``caretui add "Call pharmacy @nunez fri !! #calls"``: quick add from the shell.

Prints what the line was read as, a part a line, then saves it (``--dry-run``
only prints). An ambiguous or unknown patient is an error that names the
candidates (the user's own data, on their own terminal) and saves nothing. The
grammar is ``caretui.services.quick_add``'s. Reading the line costs click, stdlib
``sqlite3`` and rapidfuzz; SQLAlchemy only when something is saved.
"""

from __future__ import annotations

import sys
from datetime import date

import click

from caretui.cli import db_option


@click.command()
@db_option
@click.option(
    "--date",
    "date_text",
    metavar="D",
    help="The day relative dates count from (default today): fri, +3d, 2026-12-01 …",
)
@click.option("--dry-run", is_flag=True, help="Only print what the line was read as.")
@click.argument("line", nargs=-1, required=True)
def add(db_path: str | None, date_text: str | None, dry_run: bool, line: tuple[str, ...]) -> None:
    """Add a task (or, with a time, an appointment) from one line.

    \b
      @nunez @"Ana Núñez" @MRN123   the patient (fuzzy name or MRN)
      ! !! !!! or pri:urgent        priority: urgent, asap, stat
      #calls                        the queue
      due:fri  or a trailing date   tomorrow, fri, +3d, next week, 12/01
      14:30 30m                     a time (and length) makes an appointment
      every 2 weeks                 repeats

    What is not understood stays in the title. Quote the line with single quotes
    (in a shell, "!!" is the last command and # starts a comment):

    \b
      caretui add 'Call pharmacy re warfarin refill @nunez fri !! #calls'
    """
    from caretui import config
    from caretui.errors import StoreError
    from caretui.queries.patient_match import match_patients
    from caretui.services.dates import parse_date
    from caretui.services.quick_add import LABEL_WIDTH, parse, parts
    from caretui.services.text import one_line
    from caretui.store.database import Database
    from caretui.store.plain import database_errors, describe_sqlite_error

    real_today = date.today()
    day = parse_date(date_text, real_today) if date_text is not None else real_today
    queues = config.load().queues
    db = Database.open(db_path, create=False)
    con = db.read()
    try:
        draft = parse(
            " ".join(line),
            today=day,
            queues=queues,
            resolve=lambda term: match_patients(con, term),
        )
    except database_errors() as exc:
        raise StoreError(describe_sqlite_error(db.path, exc)) from None
    finally:
        con.close()

    for label, value in parts(draft):
        click.echo(f"{label:<{LABEL_WIDTH}}  {value}")
    for note in draft.notes:
        click.echo(f"note: {one_line(note)}")
    if draft.problems:
        for problem in draft.problems:
            click.echo(f"caretui: {one_line(problem)}", err=True)
        if draft.patient is not None and draft.patient.candidates and not draft.patient.chosen:
            click.echo("caretui: the patients it could be:", err=True)
            for candidate in draft.patient.candidates:
                mrn = f"  {one_line(candidate.mrn)}" if candidate.mrn else ""
                click.echo(f"  {candidate.name()}{mrn}", err=True)
            click.echo('caretui: name one with @"Full Name" or @MRN; nothing was saved', err=True)
        else:
            click.echo("caretui: nothing was saved", err=True)
        sys.exit(1)
    if dry_run:
        click.echo("(dry run: nothing was saved)")
        return
    from caretui.services.quick_add_save import save_quick_add

    try:
        added = save_quick_add(db, draft, today=day, queues=queues)
    finally:
        db.dispose()
    click.echo(f"{added.message} (id {added.record_id})")
