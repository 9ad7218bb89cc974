"""The ``caretui`` command.

Subcommands live in ``caretui/commands/`` and are imported only when run, so
``caretui today`` pays for click and the read side, not for SQLAlchemy or
Textual. Every user error is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from caretui import __version__

#: name -> "module:attribute" of each subcommand, loaded on use.
COMMANDS: dict[str, str] = {
    "demo": "caretui.commands.basics:demo",
    "seed": "caretui.commands.basics:seed",
    "check": "caretui.commands.basics:check",
    "backup": "caretui.commands.backup:backup",
    "restore": "caretui.commands.backup:restore",
    "encrypt": "caretui.commands.encrypt:encrypt",
    "audit": "caretui.commands.audit:audit",
    "today": "caretui.commands.today:today",
    "count": "caretui.commands.count:count",
    "add": "caretui.commands.add:add",
    "report": "caretui.commands.report:report",
    "import": "caretui.commands.interchange:import_group",
    "export": "caretui.commands.interchange:export_group",
}

#: One-line help for each subcommand, so ``caretui --help`` imports none of them.
SHORT_HELP: dict[str, str] = {
    "demo": "Open the TUI on a demo caseload, creating it the first time.",
    "seed": "Fill a new database with a synthetic caseload.",
    "check": "Check a database: integrity, links, schema version.",
    "backup": "Back up the database (safe while the TUI is open).",
    "restore": "Replace the database with a checked backup, keeping the current one.",
    "encrypt": "Encrypt the database and its backups; the key from CARETUI_DB_KEY or a prompt.",
    "audit": "Print the audit trail of every change.",
    "today": "Print the ranked list of what needs attention today.",
    "count": "Print how many items need attention: one number, for a prompt or status bar.",
    "add": "Quick add: one line becomes a task (or, with a time, an appointment).",
    "report": "The month in numbers: caseload, contacts, time per patient.",
    "import": "Import records: a FHIR bundle, a CSV table (all of a file or none).",
    "export": "Export records: a FHIR bundle, iCalendar, CSV.",
}


class CaretuiGroup(click.Group):
    """Lazy subcommands, and errors turned into one clear line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SHORT_HELP.get(name, "")) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        return run_guarded(lambda: super(CaretuiGroup, self).invoke(ctx))


def run_guarded(fn: Any) -> Any:
    """Run ``fn``; a caretui error becomes one line on stderr, an unexpected one a
    report naming no patient data (see ``caretui.crash``)."""
    from caretui.errors import CaretuiError

    try:
        return fn()
    except CaretuiError as exc:
        click.echo(f"caretui: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit):
        raise
    except KeyboardInterrupt:
        click.echo("caretui: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # Downstream closed (``caretui today | head``): quietly stop.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:
        from caretui.crash import write_report

        path = write_report(exc)
        click.echo(
            f"caretui: unexpected error ({type(exc).__name__}); a report without patient "
            f"data was saved to {path}",
            err=True,
        )
        sys.exit(70)


db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    envvar="CARETUI_DB",
    help="Database file (default: caretui.db in the user data folder; or CARETUI_DB).",
)


@click.group(cls=CaretuiGroup, invoke_without_command=True)
@click.version_option(__version__, prog_name="caretui")
@db_option
@click.pass_context
def main(ctx: click.Context, db_path: str | None) -> None:
    """A terminal caseload organizer for a care coordinator.

    With no command, opens the TUI on your caseload.
    """
    os.umask(0o077)  # every file caretui makes is the owner's alone
    if ctx.invoked_subcommand is None:
        from caretui.launch import open_tui

        open_tui(db_path)
