"""Opening the TUI on a caseload, without click (``caretui.entry`` and ``caretui.cli``)."""

from __future__ import annotations

from pathlib import Path


def open_tui(db_path: str | Path | None) -> None:
    """Check and migrate the database (asking for its key if it is encrypted), then
    run the app on it."""
    from caretui.store.database import Database

    db = Database.open(db_path)
    from caretui.app import CaretuiApp

    CaretuiApp(db).run()
