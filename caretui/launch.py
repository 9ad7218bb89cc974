"""Opening the TUI on a caseload, without click (``caretui.entry`` and ``caretui.cli``)."""

from __future__ import annotations

from pathlib import Path


def open_tui(db_path: str | Path | None) -> None:
    """Check and migrate the database (asking for its key if it is encrypted), then
    run the app on it."""
    from datetime import date

    from caretui import config
    from caretui.services.today_first import FIRST_PAGE, Prefetch
    from caretui.store.database import Database

    db = Database.open(db_path)
    settings = config.load()
    # Today's first read overlaps the ~120 ms of importing Textual and the screens.
    first_read = Prefetch(db, settings, date.today(), FIRST_PAGE)
    from caretui.app import CaretuiApp

    CaretuiApp(db, settings=settings, first_read=first_read).run()
