"""The number ``caretui count`` prints, without click (see ``caretui.entry``)."""

from __future__ import annotations

WHATS = ("overdue", "today", "all")


def count_number(db_path: str | None, date_text: str | None, what: str) -> int:
    """The number ``caretui count`` prints. Raises ``CaretuiError`` for a missing
    database, a bad date or a database that cannot be read."""
    from datetime import date

    from caretui import config
    from caretui.queries.today import count_items
    from caretui.store.database import Database
    from caretui.store.plain import database_errors, describe_sqlite_error

    day = date.today()
    if date_text is not None:  # the natural-language parser only when asked (a prompt never is)
        from caretui.services.dates import parse_date

        day = parse_date(date_text, day)
    settings = config.load()
    db = Database.open(db_path, create=False)
    con = db.read()
    try:
        return count_items(
            con,
            day,
            what,  # type: ignore[arg-type]
            refill_window_days=settings.refill_window_days,
            care_threshold=settings.care_management_thresholds[0].minutes,
        )
    except database_errors() as exc:
        from caretui.errors import StoreError

        raise StoreError(describe_sqlite_error(db.path, exc)) from None
    finally:
        con.close()
