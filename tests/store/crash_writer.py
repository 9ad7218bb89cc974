"""Run by the crash test: adds patients one action at a time, printing each id after commit."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database


def main() -> None:
    db = Database.open(Path(sys.argv[1]))
    n = 0
    while True:
        n += 1
        with action(db, "Add patient") as s:
            pid = patients.create_patient(
                s,
                {"given_name": f"Crash{n}", "family_name": "Test", "address": "x" * 300},
                today=date(2026, 3, 11),
            ).id
        print(pid, flush=True)


if __name__ == "__main__":
    main()
