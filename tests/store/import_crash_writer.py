"""Run by the import crash test: imports one bundle, saying when its write transaction
has begun ("writing") and when it has committed ("committed")."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

from caretui.services.fhir import loader
from caretui.services.fhir.importer import import_bundle
from caretui.store.database import Database


def main() -> None:
    db = Database.open(Path(sys.argv[1]))
    run = loader.Loader.run

    def announced(self: loader.Loader, stream: Any) -> None:
        print("writing", flush=True)
        run(self, stream)

    loader.Loader.run = announced  # type: ignore[method-assign]
    import_bundle(db, Path(sys.argv[2]), today=date(2026, 3, 11), queues=("calls", "follow-up"))
    print("committed", flush=True)


if __name__ == "__main__":
    main()
