"""The TUI on an encrypted caseload: Today fills from thread workers, the daily backup
is encrypted, and a write goes through the SQLCipher engine."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from caretui.store import backup, files
from caretui.store.database import Database
from tests.store.conftest import SECRET_NAME
from tests.tui.helpers import SIZE, make_app, settle


async def test_the_tui_opens_an_encrypted_caseload(encrypted: Path) -> None:
    db = Database.open(encrypted)
    app = make_app(db, date(2026, 3, 11))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            table = app.screen.query_one("DataTable")
            assert table.row_count > 0
    finally:
        db.dispose()
    autos = list(backup.backup_dir_for(encrypted).glob(f"{encrypted.stem}-auto-*.db"))
    assert len(autos) == 1 and files.is_encrypted(autos[0])
    assert SECRET_NAME.encode() not in autos[0].read_bytes()
