"""The hand-built caseload, built once for the report tests that read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from caretui.services.report import MonthReport, month_report
from caretui.store.database import Database
from tests.report.builders import MARCH, NOW, NY, build_march


@pytest.fixture(scope="module")
def march_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The database of ``builders.build_march`` and its ids (read it, never write)."""
    path = tmp_path_factory.mktemp("march") / "caseload.db"
    db = Database.open(path)
    try:
        ids = build_march(db)
    finally:
        db.dispose()
    return path, ids


@pytest.fixture
def march(march_db: tuple[Path, dict[str, int]]) -> MonthReport:
    """The report on March 2026, made on Apr 2 in New York."""
    con = Database(march_db[0]).read()
    try:
        return month_report(con, MARCH, now=NOW, tz=NY)
    finally:
        con.close()
