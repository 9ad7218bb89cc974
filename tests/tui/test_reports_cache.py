"""Reports without a visible wait: `[`, `]` and `t` show a month read already (the
months either side are read in the background once one is shown), `r` shows the
kept report at once and reads it again; nothing shown is older than the database."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from caretui.services import notes
from caretui.services import report as report_module
from caretui.services.report import MonthReport
from caretui.services.unit import action
from caretui.store.database import Database
from tests.report.builders import MARCH
from tests.tui.helpers import SIZE, settle, table_text
from tests.tui.test_reports_screen import (
    expected,
    make,
    march_path,  # noqa: F401  (the module's fixture)
    screen_of,
    text_of,
)

APRIL = date(2026, 4, 1)
FEBRUARY = date(2026, 2, 1)


@pytest.fixture
def caseload(march_path: Path, tmp_path: Path) -> Path:  # noqa: F811
    """A copy of the March caseload, to write to."""
    path = tmp_path / "caseload.db"
    shutil.copyfile(march_path, path)
    return path


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    """The months read from the database, in order (kept reports are not reads)."""
    out: list[date] = []
    real = report_module.month_report

    def counted(con: Any, month: date, **kw: Any) -> MonthReport:
        out.append(month)
        return real(con, month, **kw)

    monkeypatch.setattr(report_module, "month_report", counted)
    return out


def log_call(path: Path, day: datetime) -> None:
    """A reached call for Ann (patient 1), through the services, with its audit event."""
    db = Database(path)
    try:
        with action(db, "call") as s:
            notes.log_note(
                s, 1, kind="call", outcome="reached", minutes=5, occurred_at=day, now=day
            )
    finally:
        db.dispose()


async def test_the_months_either_side_are_ready_for_the_brackets(
    caseload: Path, reads: list[date]
) -> None:
    app = make(caseload)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        screen = screen_of(app)
        assert screen.report is not None and screen.report.month == APRIL
        assert reads == [APRIL, MARCH]  # April shown, then March read ahead (May not begun)

        await pilot.press("left_square_bracket")
        await pilot.pause()
        # Shown from the kept report, without a read; its figures are month_report's.
        assert screen.report.month == MARCH
        assert screen.report == expected(caseload, screen.report)
        assert "March 2026 · Complete month" in text_of(app, "#reports-status", 120)
        assert table_text(app, "#reports-billing")[1] == "Lee, Ann | MRN-A1 | 19 | —"
        await settle(pilot)
        assert reads == [APRIL, MARCH, FEBRUARY]  # April is kept already

        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.report.month == APRIL
        await pilot.press("left_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert screen.report.month == FEBRUARY
        await pilot.press("t")
        await pilot.pause()
        assert screen.report.month == APRIL
        await settle(pilot)
        assert reads[:3] == [APRIL, MARCH, FEBRUARY]
        assert APRIL not in reads[1:] and reads.count(MARCH) == 1


async def test_a_change_since_a_month_was_read_is_shown(caseload: Path, reads: list[date]) -> None:
    """A report kept from before a write is never shown after it."""
    app = make(caseload)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        screen = screen_of(app)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        before = screen.report
        assert before is not None and before.month == MARCH
        await pilot.press("right_square_bracket")
        await settle(pilot)

        log_call(caseload, datetime(2026, 3, 20, 10))  # as another window of caretui would
        reads.clear()
        await pilot.press("left_square_bracket")
        await settle(pilot)
        after = screen.report
        assert after is not None and after.month == MARCH
        assert reads[0] == MARCH
        assert after.contacts.contacts == before.contacts.contacts + 1
        assert after == expected(caseload, after)
        # Ann's minutes: 19 before, 24 now, past CCM 20.
        assert table_text(app, "#reports-billing")[1] == "Lee, Ann | MRN-A1 | 24 | CCM 20"


async def test_r_shows_the_kept_report_at_once_and_reads_it_again(
    caseload: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make(caseload)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        screen = screen_of(app)
        kept = screen.report
        assert kept is not None and kept.month == MARCH

        release = threading.Event()
        real = report_module.month_report

        def held(con: Any, month: date, **kw: Any) -> MonthReport:
            assert release.wait(10)
            return real(con, month, **kw)

        monkeypatch.setattr(report_module, "month_report", held)
        # A change made past the services (no audit event): only a real read sees it.
        con = sqlite3.connect(caseload)
        try:
            with con:
                con.execute("UPDATE patient SET mrn = 'MRN-A9' WHERE id = 1")
        finally:
            con.close()
        await pilot.press("r")
        for _ in range(5):
            await pilot.pause()
        assert screen.report is kept  # shown at once: nothing changed by the audit mark
        assert "Reading again…" in text_of(app, "#reports-status", 160)
        release.set()
        await settle(pilot)
        assert screen.report is not kept and screen.report == expected(caseload, screen.report)
        assert "Reading again" not in text_of(app, "#reports-status", 160)
        assert table_text(app, "#reports-billing")[1] == "Lee, Ann | MRN-A9 | 19 | —"


async def test_r_after_a_write_reads_without_showing_the_old_report(
    caseload: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make(caseload)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        screen = screen_of(app)
        kept = screen.report
        log_call(caseload, datetime(2026, 3, 20, 10))

        shown: list[MonthReport] = []
        show = type(screen)._show

        def spy(self: Any, report: MonthReport, *args: Any, **kw: Any) -> None:
            shown.append(report)
            show(self, report, *args, **kw)

        monkeypatch.setattr(type(screen), "_show", spy)
        await pilot.press("r")
        await settle(pilot)
        assert shown and all(r is not kept for r in shown)
        assert screen.report is not None and kept is not None
        assert screen.report.contacts.contacts == kept.contacts.contacts + 1
