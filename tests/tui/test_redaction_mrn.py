"""Redaction (ctrl+r) hides the MRN, an identifier, on every screen that shows one:
the Patients list, each tab of the patient's chart, the Reports billing table and the
other mode screens. Synthetic patients (tests.report.builders), MRNs MRN-A1 … MRN-F6."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, TabbedContent

from caretui import config
from caretui.app import CaretuiApp
from caretui.screens.patient import TAB_IDS, PatientScreen
from caretui.store.database import Database
from tests.report.builders import build_march
from tests.tui.helpers import SIZE, settle, table_text

APRIL_2 = date(2026, 4, 2)
MRNS = ("MRN-A1", "MRN-B2", "MRN-C3", "MRN-D4", "MRN-E5", "MRN-F6")


@pytest.fixture(scope="module")
def march(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("redaction") / "caseload.db"
    db = Database.open(path)
    try:
        ids = build_march(db)
    finally:
        db.dispose()
    return path, ids


def make(path: Path) -> CaretuiApp:
    return CaretuiApp(Database.open(path), today=APRIL_2, settings=config.Config())


def shown(app: CaretuiApp) -> str:
    """Everything the screen draws, and every row of its tables (off screen too)."""
    lines = [strip.text for strip in app.screen._compositor.render_strips()]
    for table in app.screen.query(DataTable):
        if table.id:
            lines += table_text(app, f"#{table.id}")
    return "\n".join(lines)


def leaked(app: CaretuiApp) -> list[str]:
    text = shown(app)
    return [mrn for mrn in MRNS if mrn in text]


async def test_the_patients_list_hides_mrns(march: tuple[Path, dict[str, int]]) -> None:
    app = make(march[0])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        assert leaked(app)  # shown unredacted: the check below means something
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.redact
        assert leaked(app) == []
        assert any(
            line.startswith("A.L. | — | — | high") for line in table_text(app, "#patients-table")
        )


async def test_the_patient_chart_hides_the_mrn_on_every_tab(
    march: tuple[Path, dict[str, int]],
) -> None:
    path, ids = march
    app = make(path)
    async with app.run_test(size=SIZE) as pilot:
        app.open_patient(ids["ann"])
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
        assert "MRN-A1" in shown(app)
        await pilot.press("ctrl+r")
        await settle(pilot)
        for _tab in TAB_IDS:
            assert leaked(app) == [], app.screen.query_one(TabbedContent).active
            await pilot.press("right_square_bracket")
            await settle(pilot)


async def test_the_mode_screens_and_the_billing_table_hide_mrns(
    march: tuple[Path, dict[str, int]],
) -> None:
    app = make(march[0])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        for key in "1234567":
            await pilot.press(key)
            await settle(pilot)
            assert leaked(app) == [], key
        await pilot.press("left_square_bracket")  # Reports: March, with its billing table
        await settle(pilot)
        billing = table_text(app, "#reports-billing")
        assert billing and all(" | hidden | " in line for line in billing)
        assert leaked(app) == []
