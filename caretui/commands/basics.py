"""``caretui`` (the TUI), ``demo``, ``seed`` and ``check``."""

from __future__ import annotations

import time
from pathlib import Path

import click

from caretui.cli import db_option
from caretui.launch import open_tui

DEMO_DB = "demo.db"


@click.command()
@db_option
@click.option(
    "--patients",
    default=200,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Patients in a new demo caseload.",
)
def demo(db_path: str | None, patients: int) -> None:
    """Open the TUI on a demo caseload, creating it the first time.

    The demo lives beside your caseload (demo.db in the user data folder),
    never in it.
    """
    from caretui.store import files

    path = Path(db_path) if db_path else files.data_dir() / DEMO_DB
    if files.inspect_file(path) == "missing":
        click.echo(
            f"Creating a synthetic demo caseload of {patients} patients in {path} ...", err=True
        )
        _seed(path, patients=patients, tasks=None, appointments=None, seed=1)
    open_tui(path)


def _seed(
    path: Path, *, patients: int, tasks: int | None, appointments: int | None, seed: int
) -> None:
    from caretui.services.seed import seed_caseload
    from caretui.store.database import Database

    db = Database.open(path)
    try:
        started = time.perf_counter()
        summary = seed_caseload(
            db, patients=patients, tasks=tasks, appointments=appointments, seed=seed
        )
        elapsed = time.perf_counter() - started
    finally:
        db.dispose()
    click.echo(f"{summary.describe()} in {elapsed:.1f} s")


@click.command()
@db_option
@click.option(
    "--patients", required=True, type=click.IntRange(1, 100_000), help="How many patients."
)
@click.option(
    "--tasks",
    type=click.IntRange(0, 2_000_000),
    default=None,
    help="How many tasks (default: about 8 per patient).",
)
@click.option(
    "--appointments",
    type=click.IntRange(0, 1_000_000),
    default=None,
    help="How many appointments (default: about 4 per patient).",
)
@click.option(
    "--seed",
    "seed_value",
    type=int,
    default=0,
    show_default=True,
    help="Random seed: the same seed gives the same caseload.",
)
def seed(
    db_path: str | None, patients: int, tasks: int | None, appointments: int | None, seed_value: int
) -> None:
    """Fill a new database with a synthetic caseload (no real person's data).

    Refuses a database that already holds patients.
    """
    if not db_path:
        raise click.UsageError("seed needs --db PATH (it never writes to your caseload)")
    _seed(Path(db_path), patients=patients, tasks=tasks, appointments=appointments, seed=seed_value)


@click.command()
@db_option
def check(db_path: str | None) -> None:
    """Check a database: integrity, links between records, schema version.

    Prints one line; exits 0 when healthy, non-zero otherwise.
    """
    from caretui.store.check import check as run_check
    from caretui.store.files import resolve_db_path

    click.echo(run_check(resolve_db_path(db_path)).summary())
