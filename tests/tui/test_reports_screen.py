"""The Reports screen (`7`): the month's figures as ``month_report`` counts them, `[` / `]`
/ `t` to move, the biller's table (19 / 20 / 40 minutes), redaction, the charts and
the export."""

from __future__ import annotations

import io
import os
import stat
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, Sparkline, Static

from caretui import config
from caretui.app import CaretuiApp
from caretui.screens.report_charts import ChartPanel, zero_based
from caretui.screens.report_export import ExportDialog
from caretui.screens.reports import ReportsScreen
from caretui.services.report import MonthReport, month_report
from caretui.store.database import Database
from tests.report.builders import MARCH, build_march
from tests.tui.helpers import SIZE, settle, table_text

#: The app's today: March 2026 is over, April is this month.
APRIL_2 = date(2026, 4, 2)


@pytest.fixture(scope="module")
def march_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reports") / "caseload.db"
    db = Database.open(path)
    try:
        build_march(db)
    finally:
        db.dispose()
    return path


def make(path: Path) -> CaretuiApp:
    return CaretuiApp(Database.open(path), today=APRIL_2, settings=config.Config())


def text_of(app: CaretuiApp, selector: str, width: int = 70) -> str:
    """What a Static of the screen shows, as plain text."""
    content = app.screen.query_one(selector, Static).content
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(content)
    return console.export_text()


def expected(path: Path, shown: MonthReport) -> MonthReport:
    """``month_report`` on the same database, month and moment as the screen."""
    con = Database(path).read()
    try:
        return month_report(con, shown.month, now=shown.as_of)
    finally:
        con.close()


def screen_of(app: CaretuiApp) -> ReportsScreen:
    screen = app.screen
    assert isinstance(screen, ReportsScreen)
    return screen


async def test_the_screen_shows_the_figures_month_report_counts(march_path: Path) -> None:
    app = make(march_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        screen = screen_of(app)
        assert screen.report is not None and screen.report.month == date(2026, 4, 1)
        assert "April 2026 · Month in progress" in text_of(app, "#reports-status", 120)

        await pilot.press("left_square_bracket")
        await settle(pilot)
        shown = screen.report
        assert shown is not None and shown.month == MARCH and shown.complete
        want = expected(march_path, shown)
        assert shown == want

        caseload = text_of(app, "#fig-caseload")
        line = next(line for line in caseload.splitlines() if "month start" in line)
        assert (
            line.strip().split()
            == f"On the caseload at month start {want.caseload.at_start}".split()
        )
        assert want.caseload.at_start == 3 and want.caseload.discharged == 1
        contacts = text_of(app, "#fig-contacts")
        assert f"{want.contacts.reached} of {want.contacts.attempts}" in contacts
        appointments = text_of(app, "#fig-appointments")
        assert "No-show rate" in appointments and "33.3%" in appointments
        tasks = text_of(app, "#fig-tasks", 90)
        assert "Tasks by queue" in tasks and "insurance" in tasks
        assert str(want.tasks.overdue) in tasks
        history = text_of(app, "#fig-history", 110)
        assert "2026-03" in history and "2025-04" in history

        # The biller's table: 19 (under CCM 20), 20 (CCM 20 exactly), 40 (CCM 40 exactly).
        assert table_text(app, "#reports-billing") == [
            "Díaz, Roberto (Bob) | MRN-B2 | 20 | CCM 20",
            "Lee, Ann | MRN-A1 | 19 | —",
            "Moss, Cara | MRN-C3 | 40 | CCM 40",
        ]


async def test_brackets_move_a_month_and_t_comes_back(march_path: Path) -> None:
    app = make(march_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        screen = screen_of(app)
        await pilot.press("right_square_bracket")  # April is this month: no further
        await settle(pilot)
        assert screen.report is not None and screen.report.month == date(2026, 4, 1)
        for _ in range(3):
            await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.report.month == date(2026, 1, 1)
        assert "January 2026 · Complete month" in text_of(app, "#reports-status", 120)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.report.month == date(2026, 2, 1)
        await pilot.press("t")
        await settle(pilot)
        assert screen.report.month == date(2026, 4, 1)


async def test_redaction_hides_names_and_identifiers(march_path: Path) -> None:
    app = make(march_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        shown = table_text(app, "#reports-billing")
        assert shown == [
            "R.D. | hidden | 20 | CCM 20",
            "A.L. | hidden | 19 | —",
            "C.M. | hidden | 40 | CCM 40",
        ]
        assert not any(word in " ".join(shown) for word in ("Lee", "Díaz", "Moss", "MRN-"))
        for panel in ("#fig-caseload", "#fig-contacts", "#fig-time"):
            assert "Lee" not in text_of(app, panel)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert table_text(app, "#reports-billing")[1] == "Lee, Ann | MRN-A1 | 19 | —"


async def test_the_charts_draw_the_last_twelve_months(march_path: Path) -> None:
    app = make(march_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        screen = screen_of(app)
        assert screen.report is not None
        noshow = app.screen.query_one("#chart-noshow", ChartPanel)
        bars = noshow.query_one(Sparkline)
        rates = [m.no_show_rate for m in screen.report.series.months]
        assert bars.data == zero_based([0.0 if r is None else r * 100 for r in rates], 2)
        assert bars.size.width == 24
        caption = str(noshow.query_one(".chart-caption", Static).content)
        assert "this month 33.3%" in caption
        overdue = app.screen.query_one("#chart-overdue", ChartPanel)
        at_end = screen.report.series.months[-1].overdue
        assert at_end == screen.report.tasks.overdue
        assert f"at month end {at_end}\n" in str(
            overdue.query_one(".chart-caption", Static).content
        )


def test_zero_based_bars_draw_from_zero() -> None:
    """The trailing 0 sets the scale's bottom and shares the last column: never drawn."""
    from textual.renderables.sparkline import Sparkline as Renderable

    console = Console(width=6, record=True, file=io.StringIO(), color_system=None)
    console.print(Renderable(zero_based([4, 8, 8], 2), width=6, height=1))
    assert console.export_text().rstrip("\n") == "▄▄████"


async def test_export_writes_the_report_owner_only(march_path: Path, tmp_path: Path) -> None:
    app = make(march_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        await pilot.press("ctrl+r")  # the export starts redacted, as the screen is
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        path_field = dialog.query_one("#export-path", Input)
        assert path_field.value.endswith(os.path.join("reports", "report-2026-03-redacted.html"))
        target = tmp_path / "out" / "march.csv"
        from textual.widgets import Select

        dialog.query_one("#export-format", Select).value = "csv"
        await pilot.pause()
        path_field.value = str(target)
        await pilot.press("enter")
        await settle(pilot)
    data = target.read_text("utf-8")
    assert "Patient,Minutes,Highest threshold met" in data
    assert "R.D.,20,CCM 20" in data and "Lee" not in data and "MRN-" not in data
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


async def test_names_and_identifiers_are_shown_literally(db: Database) -> None:
    """Markup in a name or an MRN is text on screen, never run."""
    from datetime import datetime

    from caretui.services import notes, patients
    from caretui.services.unit import action

    with action(db, "hostile") as s:
        pid = patients.create_patient(
            s,
            {
                "given_name": "[@click=app.quit]Mary[/]",
                "family_name": "O'Brien [/",
                "mrn": "[bold]M1[/",
                "care_management": True,
            },
            today=APRIL_2,
        ).id
        notes.log_note(
            s,
            pid,
            kind="call",
            minutes=5,
            occurred_at=datetime(2026, 4, 1, 9),
            now=datetime(2026, 4, 2),
        )
    app = CaretuiApp(db, today=APRIL_2, settings=config.Config())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        assert table_text(app, "#reports-billing") == [
            "O'Brien [/, [@click=app.quit]Mary[/] | [bold]M1[/ | 5 | —"
        ]
