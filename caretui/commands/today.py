"""``caretui today``: the ranked Today list, printed.

The fast path of DESIGN.md's "Speed by design": click, stdlib ``sqlite3``, the
read-side query and the pure ranking; Rich only when writing to a terminal;
never SQLAlchemy, Alembic or Textual. Every piece of user text is printed
through ``one_line`` (control characters made visible) and, on a terminal, as
``rich.text.Text``, never as markup.
"""

from __future__ import annotations

import sys
import unicodedata
from datetime import date
from typing import TYPE_CHECKING, Any, TextIO

import click

from caretui.cli import db_option
from caretui.queries.today import KIND_LABELS, TodayItem, default_now
from caretui.services.text import one_line
from caretui.services.triage import Ranked, Weights
from caretui.services.triage_top import top_items

if TYPE_CHECKING:
    from rich.console import Console

DEFAULT_LIMIT = 50


@click.command()
@db_option
@click.option(
    "--date",
    "date_text",
    metavar="D",
    help="Show the list as of this day: today, tomorrow, fri, +3d, 2026-12-01 …",
)
@click.option(
    "--limit",
    default=DEFAULT_LIMIT,
    show_default=True,
    type=click.IntRange(min=0),
    metavar="N",
    help="Show the N most urgent items; 0 shows all.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: a table on a terminal, plain aligned lines when piped; json: a list of objects.",
)
def today(db_path: str | None, date_text: str | None, limit: int, fmt: str) -> None:
    """Print the ranked list of what needs attention today.

    Overdue and due tasks, today's appointments that are not ready, past
    appointments with no outcome, refills coming due, care-plan reviews due
    and goals past their target date, most urgent first: the same list and
    order as the Today screen.
    """
    from caretui import config
    from caretui.services.dates import parse_date
    from caretui.store.database import Database
    from caretui.store.plain import database_errors, describe_sqlite_error

    real_today = date.today()
    day = parse_date(date_text, real_today) if date_text is not None else real_today
    settings = config.load()
    weights = Weights.from_config(settings.urgency)
    now = default_now(day)

    db = Database.open(db_path, create=False)
    con = db.read()
    try:
        shown, total = top_items(
            con,
            day,
            limit=limit or None,
            weights=weights,
            now=now,
            refill_window_days=settings.refill_window_days,
            care_threshold=settings.care_management_thresholds[0].minutes,
        )
    except database_errors() as exc:
        from caretui.errors import StoreError

        raise StoreError(describe_sqlite_error(db.path, exc)) from None
    finally:
        con.close()

    if fmt == "json":
        click.echo(to_json(shown, day))
    elif is_terminal(sys.stdout):
        from rich.console import Console

        render_table(shown, total, day, Console(highlight=False))
    else:
        lines = plain_lines(shown, day)
        if lines:
            click.echo("\n".join(lines))


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# ------------------------------------------------------------------- cell text


def when_text(item: TodayItem, day: date) -> str:
    """ "today 09:30", "3d ago", "in 2d": the item's day relative to the list's day
    ("?" when the stored date was not a real date)."""
    if item.bad_date:
        return "?"
    delta = (item.when - day).days
    text = "today" if delta == 0 else f"{-delta}d ago" if delta < 0 else f"in {delta}d"
    return f"{text} {item.at:%H:%M}" if item.at is not None else text


def what_text(item: TodayItem) -> str:
    what = one_line(item.what) or "-"
    return f"{what} — {one_line(item.detail)}" if item.detail else what


def cells(position: int, ranked: Ranked, day: date) -> tuple[str, ...]:
    """The columns of one row: #, score, kind, when, priority, patient, what."""
    item = ranked.item
    return (
        str(position),
        f"{ranked.score:.1f}",
        KIND_LABELS[item.kind],
        when_text(item, day),
        item.priority.value,
        one_line(item.patient) or "-",
        what_text(item),
    )


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters two, combining marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return width


_RIGHT = frozenset({0, 1})


def plain_lines(shown: list[Ranked], day: date) -> list[str]:
    """One item per line, columns aligned, no colour: for pipes and files."""
    rows = [cells(i, r, day) for i, r in enumerate(shown, start=1)]
    if not rows:
        return []
    widths = [max(_width(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = []
    for row in rows:
        parts = []
        for c, text in enumerate(row):
            if c == len(row) - 1:
                parts.append(text)
                continue
            pad = " " * (widths[c] - _width(text))
            parts.append(pad + text if c in _RIGHT else text + pad)
        lines.append("  ".join(parts))
    return lines


_PRIORITY_STYLE = {"stat": "bold red", "asap": "red", "urgent": "yellow", "routine": ""}


def render_table(shown: list[Ranked], total: int, day: date, console: Console) -> None:
    """A Rich table for a terminal. Every cell is a ``Text``: user text is never markup."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    if not shown:
        console.print(Text(f"Nothing needs attention on {day:%a} {day.isoformat()}."))
        return
    table = Table(
        box=box.SIMPLE_HEAD,
        title=Text(f"Today — {day:%a} {day.isoformat()}", style="bold"),
        title_justify="left",
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Kind", no_wrap=True)
    table.add_column("When", no_wrap=True)
    table.add_column("Priority", no_wrap=True)
    table.add_column("Patient", overflow="ellipsis", no_wrap=True, max_width=28)
    table.add_column("What", overflow="fold", ratio=1, min_width=20)
    for position, ranked in enumerate(shown, start=1):
        item = ranked.item
        number, score, kind, when, priority, patient, _ = cells(position, ranked, day)
        what = Text(one_line(item.what) or "-")
        if item.detail:
            what.append(f" — {one_line(item.detail)}", style="dim")
        late = item.when < day and not item.bad_date
        table.add_row(
            Text(number),
            Text(score, style="bold"),
            Text(kind),
            Text(when, style="red" if late or item.bad_date else ""),
            Text(priority, style=_PRIORITY_STYLE.get(priority, "")),
            Text(patient),
            what,
        )
    console.print(table)
    if len(shown) < total:
        console.print(Text(f"{len(shown)} of {total} shown; --limit 0 shows all.", style="dim"))


def to_json(shown: list[Ranked], day: date) -> str:
    """The shown items as a JSON list, most urgent first, with each score's factors."""
    import json

    out: list[dict[str, Any]] = []
    for position, ranked in enumerate(shown, start=1):
        item = ranked.item
        out.append(
            {
                "rank": position,
                "score": round(ranked.score, 2),
                "kind": item.kind.value,
                "patient": one_line(item.patient) or None,
                "patient_id": item.patient_id,
                "risk": item.risk.value if item.risk is not None else None,
                "what": one_line(item.what),
                "detail": one_line(item.detail),
                "when": item.when.isoformat(),
                "at": item.at.isoformat(timespec="minutes") if item.at is not None else None,
                "priority": item.priority.value,
                "queue": one_line(item.queue) if item.queue is not None else None,
                "entity": item.entity,
                "id": item.record_id,
                "version": item.version,
                "bad_date": item.bad_date,
                "explanation": [
                    {
                        "factor": f.name,
                        "value": f.value,
                        "weight": f.weight,
                        "coefficient": f.coefficient,
                        "contribution": round(f.contribution, 4),
                    }
                    for f in ranked.explanation
                ],
            }
        )
    return json.dumps(out, ensure_ascii=False, indent=2)
