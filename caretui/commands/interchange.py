"""``caretui import …`` and ``caretui export …``: records in and out of the caseload.

Both are groups whose subcommands are listed in ``IMPORTS``, ``EXPORTS`` and
``CSV_IMPORTS`` and imported only when run, like the top-level commands: adding
one (``export day-sheet``, ``import csv resources``) is a command in its own
module and one line here. The work is done by ``caretui.services``; these only
parse arguments, open the database and print.
"""

from __future__ import annotations

import importlib
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from caretui.cli import db_option

#: name -> ("module:attribute", one-line help) of each subcommand, loaded on use.
IMPORTS: dict[str, tuple[str, str]] = {
    "fhir": ("caretui.commands.interchange:import_fhir", "Import a FHIR R4 Bundle (JSON)."),
    "csv": ("caretui.commands.interchange:import_csv", "Import a table from a CSV file."),
}
EXPORTS: dict[str, tuple[str, str]] = {
    "fhir": ("caretui.commands.interchange:export_fhir", "The caseload as a FHIR R4 Bundle."),
    "ics": ("caretui.commands.interchange:export_ics", "Appointments as an iCalendar file."),
    "csv": ("caretui.commands.interchange:export_csv", "A table as CSV, for spreadsheets."),
    "day-sheet": (
        "caretui.commands.day_sheet:day_sheet",
        "The day sheet to carry to visits (html, md, txt or pdf).",
    ),
}
CSV_IMPORTS: dict[str, tuple[str, str]] = {
    "patients": (
        "caretui.commands.interchange:import_csv_patients",
        "Add patients from a CSV file (columns in the README).",
    ),
    "resources": (
        "caretui.commands.directory:import_csv_resources",
        "Add entries to the resource directory from a CSV file (columns in the README).",
    ),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when one runs (or asks for help)."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in self.lazy:
            return found
        module_name, attr = self.lazy[cmd_name][0].split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.lazy[name][1]) for name in sorted(self.lazy)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


import_group = LazyGroup(
    "import",
    lazy=IMPORTS,
    help="Bring records in: a FHIR bundle, a CSV table. All of a file or none of it.",
)
export_group = LazyGroup(
    "export",
    lazy=EXPORTS,
    help="Take records out: FHIR, iCalendar, CSV. Files are written whole, readable by you only.",
)
import_csv = LazyGroup(
    "csv",
    lazy=CSV_IMPORTS,
    help="Import a table from a CSV file (UTF-8, a header row; columns in the README).",
)


def emit(data: bytes, output: str) -> None:
    """Write ``data`` to ``output`` (``-`` is standard output) and say where it went."""
    if output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from caretui.store.files import write_private

    path = Path(output).expanduser()
    write_private(path, data)
    click.echo(f"Wrote {path}", err=True)


output_option = click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    metavar="FILE",
    help="Where to write: a file (replaced whole, readable by you only) or - for standard output.",
)


@click.command("fhir")
@db_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--skip-unknown",
    is_flag=True,
    help="Skip entries of types caretui does not keep (Encounter, Observation …) "
    "instead of refusing the bundle.",
)
def import_fhir(db_path: str | None, file: Path, skip_unknown: bool) -> None:
    """Import FILE, a FHIR R4 Bundle (collection, transaction, batch or searchset).

    Patients, related people, conditions, allergies, medication statements and
    requests, care plans, goals, appointments, tasks and communications. The
    whole bundle is checked first: one bad entry and nothing is imported, with
    a report naming each bad entry. Importing the same bundle again updates the
    records it made.
    """
    from caretui.services.fhir.importer import import_bundle
    from caretui.store.database import Database

    if not file.is_file():
        from caretui.errors import DomainError

        raise DomainError(f"No file {file}")
    db = Database.open(db_path)
    try:
        summary = import_bundle(db, file, skip_unknown=skip_unknown)
    finally:
        db.dispose()
    click.echo(summary.headline(str(file)))
    click.echo(summary.describe())


@click.command("fhir")
@db_option
@click.option("--patient", "patient_id", type=int, help="Only this patient's records (by id).")
@output_option
def export_fhir(db_path: str | None, patient_id: int | None, output: str) -> None:
    """The caseload (or one patient) as a FHIR R4 Bundle of type collection.

    Records keep the ids they were imported with; caretui's own fields travel
    as extensions, so the bundle imports back without loss.
    """
    from caretui.services.fhir.exporter import export_bundle
    from caretui.store.database import Database

    db = Database.open(db_path, create=False)
    emit(export_bundle(db, patient_id=patient_id), output)


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    from caretui.errors import DomainError
    from caretui.services.dates import parse_date

    try:
        return parse_date(text, date.today())
    except DomainError as exc:
        raise DomainError(f"{option}: {exc.message}") from None


@click.command("ics")
@db_option
@click.option("--from", "from_text", metavar="D", help="First day (today, mon, 2026-12-01 …).")
@click.option("--to", "to_text", metavar="D", help="Last day.")
@click.option(
    "--names",
    type=click.Choice(["initials", "full", "none"]),
    default="initials",
    show_default=True,
    help="How patients are named in each event. A calendar is often synced to other "
    "services: initials unless you are sure where it goes.",
)
@output_option
def export_ics(
    db_path: str | None, from_text: str | None, to_text: str | None, names: str, output: str
) -> None:
    """Appointments as iCalendar: one event each, recurring ones with their RRULE.

    Events have stable UIDs, so importing the file again updates a calendar
    rather than doubling it; times are in this computer's time zone. Events
    carry the purpose, where and with whom, and the patient's initials (see
    --names); never notes, outcomes, phone numbers or dates of birth.
    """
    from caretui.services.calendar import export_ics as build
    from caretui.store.database import Database

    first, last = _day(from_text, "--from"), _day(to_text, "--to")
    db = Database.open(db_path, create=False)
    emit(build(db, first=first, last=last, names=names), output)


#: The tables ``export csv`` writes. Spelled out, not read from the services, so
#: that ``caretui export ...`` does not import the ORM just to build its help (a
#: test checks the two lists agree).
CSV_TABLES = ("appointments", "medications", "patients", "resources", "tasks")


@click.command("csv")
@db_option
@click.argument("table", type=click.Choice(CSV_TABLES))
@output_option
def export_csv(db_path: str | None, table: str, output: str) -> None:
    """TABLE as CSV (UTF-8, a header row; the columns are in the README).

    Cells that a spreadsheet would run as a formula (starting with = + - @) are
    written with a leading apostrophe.
    """
    from caretui.services.spreadsheet import export_table
    from caretui.store.database import Database

    db = Database.open(db_path, create=False)
    emit(export_table(db, table), output)


@click.command("patients")
@db_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_csv_patients(db_path: str | None, file: Path) -> None:
    """Add the patients in FILE, a CSV with a header row.

    Every row is checked first: one bad cell and nothing is imported, with a
    report naming each bad row and column.
    """
    from caretui.services.spreadsheet import import_patients
    from caretui.store.database import Database

    db = Database.open(db_path)
    try:
        added = import_patients(db, file)
    finally:
        db.dispose()
    click.echo(f"Imported {file}: added {added:,} patient{'s' if added != 1 else ''}")
