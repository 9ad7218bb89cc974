"""Run by the concurrency test: one coordinator's session editing a shared note.

Each round reads the note as a form would (plain read side: text and version),
then saves it with one more marker appended, passing the version it read; a
save refused as stale is read again and retried, as the TUI asks the user to.
Prints each marker once its save has committed, and how many saves were refused."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from caretui.errors import StaleRecord, StoreError
from caretui.models.all import Note
from caretui.services import records
from caretui.services.unit import action
from caretui.store.database import Database


def main() -> None:
    path, name, rounds, note_id = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    db = Database.open(path)
    refused = 0
    for n in range(rounds):
        marker = f"{name}{n};"
        while True:
            con = db.read()
            try:
                text, version = con.execute(
                    "SELECT text, version FROM note WHERE id = ?", (note_id,)
                ).fetchone()
            finally:
                con.close()
            try:
                with action(db, "Edit note") as s:
                    records.update(
                        s,
                        records.get(s, Note, note_id),
                        {"text": text + marker},
                        expected_version=version,
                        today=date(2026, 3, 11),
                    )
            except (StaleRecord, StoreError):
                refused += 1
                continue
            print(marker, flush=True)
            break
    print(f"refused {refused}", flush=True)
    db.dispose()


if __name__ == "__main__":
    main()
