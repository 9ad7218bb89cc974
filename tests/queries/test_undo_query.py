"""The undo hint, read plainly: the same answer as the service, without the ORM."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from caretui.queries.undo import last_undoable
from caretui.services import patients, undo
from caretui.services.unit import action
from caretui.store.database import Database

TODAY = date(2026, 3, 11)


def test_the_plain_hint_follows_undo(db: Database) -> None:
    con = db.read()
    try:
        assert last_undoable(con) is None
        for name in ("First", "Second"):
            with action(db, f"Add {name}") as s:
                patients.create_patient(
                    s, {"given_name": name, "family_name": "Testwood"}, today=TODAY
                )
        assert last_undoable(con) == undo.last_undoable(db) == "Add Second"
        assert undo.undo_last(db) == "Add Second"
        assert last_undoable(con) == undo.last_undoable(db) == "Add First"
        assert undo.undo_last(db) == "Add First"
        assert last_undoable(con) is None
    finally:
        con.close()


def test_the_plain_hint_imports_no_orm(db: Database) -> None:
    code = (
        "import sys\n"
        "from caretui.store.database import Database\n"
        "from caretui.queries.undo import last_undoable\n"
        "from pathlib import Path\ncon = Database(Path(sys.argv[1])).read()\n"
        "print(last_undoable(con))\n"
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'textual') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db.path)], check=True, capture_output=True, text=True
    ).stdout
    assert out == "None\n[]\n"
