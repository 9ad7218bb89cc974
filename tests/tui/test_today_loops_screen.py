"""Today's loops on screen: enter opens the patient at Referrals (the tab, its steps) or
the overview (the outreach panel); x moves a referral a step; x on a patient unable to
reach logs a call, and a reached call clears the mark."""

from __future__ import annotations

from datetime import date

from textual.widgets import Static, TabbedContent

from caretui.screens.patient import PatientScreen
from caretui.store.database import Database
from tests.queries.test_today_loops import build
from tests.tui.helpers import SIZE, make_app, rows, settle, table_text


def row_of(app, what: str) -> int:  # type: ignore[no-untyped-def]
    for i, line in enumerate(table_text(app, "#today-table")):
        if what in line:
            return i
    raise AssertionError(what)


async def test_referral_rows_open_and_move(db: Database, today: date) -> None:
    ids = build(db)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = table_text(app, "#today-table")
        assert any(
            line.startswith("referral late") and "Reason in_overdue_stat" in line for line in lines
        )
        assert any(line.startswith("unreachable | Ray, Bob") for line in lines)
        # enter on a referral row: the patient at their Referrals tab.
        app.screen.query_one("#today-table").move_cursor(
            row=row_of(app, "Reason in_overdue_urgent")
        )
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
        assert app.screen.query_one(TabbedContent).active == "referrals"
        assert any("Reason in_overdue_urgent" in x for x in table_text(app, "#referrals-tab-table"))
        await pilot.press("escape")
        await settle(pilot)
        # x on it: the step form (accepted is the usual next), on its first field; up
        # to the note (the last), type it, enter saves; the row goes.
        app.screen.query_one("#today-table").move_cursor(
            row=row_of(app, "Reason in_overdue_urgent")
        )
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("shift+tab", "shift+tab", "shift+tab")  # step → save → cancel → note
        assert app.focused is not None and app.focused.id == "field-note"
        await pilot.press(*"Called intake", "enter")
        await settle(pilot)
        assert rows(db, "SELECT status FROM referral WHERE id = ?", ids["in_overdue_urgent"]) == [
            ("accepted",)
        ]
        assert not any(
            "Reason in_overdue_urgent" in line for line in table_text(app, "#today-table")
        )


async def test_unable_to_reach_row(db: Database, today: date) -> None:
    ids = build(db)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#today-table").move_cursor(row=row_of(app, "unreachable | Ray, Bob"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
        header = str(app.screen.query_one("#patient-header", Static).render())
        assert "unable to reach since 2026-03-09" in header
        panel = str(app.screen.query_one("#ov-outreach", Static).render())
        assert panel.startswith("Unable to reach since 2026-03-09")
        assert "no answer" in panel
        await pilot.press("escape")
        await settle(pilot)
        # x: log a call; reached clears the mark, and the row goes.
        app.screen.query_one("#today-table").move_cursor(row=row_of(app, "unreachable | Ray, Bob"))
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter", "down", "enter", "ctrl+s")  # outcome: reached
        await settle(pilot)
        assert rows(db, "SELECT unable_to_reach_since FROM patient WHERE id = ?", ids["bob"]) == [
            (None,)
        ]
        assert not any("unreachable | Ray, Bob" in line for line in table_text(app, "#today-table"))


async def test_moving_an_appointment_brings_its_referrals_row_up_to_date(
    db: Database, today: date
) -> None:
    """A referral's "outcome to record" row is read with its appointment's day: moving
    the appointment to a later day takes the row away in place, and undo brings it back."""
    from datetime import datetime

    from caretui.screens.today import TodayScreen
    from caretui.screens.work_forms import appointment_reschedule

    ids = build(db)
    [(appt, version)] = rows(
        db,
        "SELECT a.id, a.version FROM referral AS r JOIN appointment AS a "
        "ON a.id = r.appointment_id WHERE r.id = ?",
        ids["in_scheduled_no_outcome"],
    )
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen)

        def shown() -> bool:
            return any("in_scheduled_no_outcome" in x for x in table_text(app, "#today-table"))

        assert shown()
        later = datetime(2026, 3, 20, 9, 0)
        screen._write(
            lambda: appointment_reschedule(db, today, appt, version, later).message,
            f"appointment:{appt}",
        )
        await settle(pilot)
        assert not shown()
        await pilot.press("u")
        await settle(pilot)
        assert shown()
        assert screen.full_loads == 1  # both in place: no reading of the whole list
