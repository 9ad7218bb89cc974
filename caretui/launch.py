"""Opening the TUI on a caseload, without click (``caretui.entry`` and ``caretui.cli``)."""

from __future__ import annotations

from pathlib import Path

#: Milliseconds Textual waits after an escape for the rest of a key's sequence.
ESCAPE_DELAY_MS = 25


def open_tui(db_path: str | Path | None) -> None:
    """Check and migrate the database (asking for its key if it is encrypted), then
    run the app on it."""
    import os
    from datetime import date

    from caretui import config
    from caretui.services.today_first import FIRST_PAGE, Prefetch
    from caretui.store.database import Database

    db = Database.open(db_path)
    settings = config.load()
    # Today's first read overlaps the ~120 ms of importing Textual and the screens.
    first_read = Prefetch(db, settings, date.today(), FIRST_PAGE)
    # A lone escape is told from the start of a key's escape sequence by waiting for
    # what follows: Textual waits 100 ms (ESCDELAY), so every escape (back, close a
    # dialog) took 104-131 ms to show. A local terminal sends a sequence's bytes
    # together; 25 ms is what tmux users are told to set escape-time to. Read when
    # Textual is imported, so set before; a value the user set is kept.
    os.environ.setdefault("ESCDELAY", str(ESCAPE_DELAY_MS))
    from caretui.app import CaretuiApp

    CaretuiApp(db, settings=settings, first_read=first_read).run()
