"""``caretui audit``: every create, update and delete, with old and new values."""

from __future__ import annotations

from datetime import UTC, date

import click

from caretui.cli import db_option


@click.command()
@db_option
@click.option("--patient", "patient_id", type=int, help="Only this patient's records (by id).")
@click.option("--since", help="Only events on or after this date (e.g. 2026-03-01, -7d, mon).")
@click.option(
    "--limit",
    type=click.IntRange(1, 100_000),
    default=200,
    show_default=True,
    help="At most this many of the newest events.",
)
def audit(db_path: str | None, patient_id: int | None, since: str | None, limit: int) -> None:
    """Print the audit trail: when, what the user did, which record, which fields."""
    from caretui.queries.audit import audit_events
    from caretui.services.dates import parse_date
    from caretui.services.text import one_line
    from caretui.store.database import Database

    since_day: date | None = None
    if since:
        text = since.strip()
        if text.startswith("-") and text[1:-1].isdigit():
            from datetime import timedelta

            units = {"d": 1, "w": 7}
            if text[-1] not in units:
                raise click.UsageError("--since: use a date, or -7d / -2w")
            since_day = date.today() - timedelta(days=int(text[1:-1]) * units[text[-1]])
        else:
            since_day = parse_date(text, date.today())
    db = Database.open(db_path, create=False)
    con = db.read()
    try:
        events = audit_events(con, patient_id=patient_id, since=since_day, limit=limit)
    finally:
        con.close()
    if not events:
        click.echo("No audit events.")
        return
    for event in events:
        when = (
            event.at.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")
            if (event.at)
            else "?"
        )
        undo = " (undo)" if event.reverts else ""
        click.echo(
            f"{when}  {one_line(event.action_label)}{undo}: {event.action} "
            f"{event.entity} #{event.record_id}"
        )
        for field, pair in sorted(event.changes.items()):
            old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, None)
            if event.action == "create" and new is None:
                continue
            if event.action == "delete" and old is None:
                continue
            click.echo(f"    {field}: {_show(old)} -> {_show(new)}")


def _show(value: object) -> str:
    from caretui.services.text import one_line

    if value is None:
        return "∅"
    text = one_line(str(value))
    return text if len(text) <= 80 else text[:77] + "..."
