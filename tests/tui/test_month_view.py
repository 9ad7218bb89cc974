"""Appointments' month calendar (`m`): counts for a known month, moving, opening a day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from caretui.app import CaretuiApp
from caretui.config import DEFAULT_QUEUES
from caretui.models.all import Appointment, Task
from caretui.screens.appointments import AppointmentsScreen
from caretui.screens.month_view import MonthScreen, add_months, compact_number, month_grid
from caretui.services import appointments, patients, tasks
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.keys_footer import KeysFooter
from tests.tui.helpers import SIZE, make_app, settle, table_text


def seed(db: Database, today: date) -> None:
    """March 2026: appointments on the 2nd (2), 11th (1 + 1 cancelled), 31st (1);
    open tasks due the 11th (2 + 1 done), the 14th (a Saturday), the 31st."""
    with action(db, "Add patient") as s:
        ana = patients.create_patient(
            s, {"given_name": "Ana", "family_name": "Núñez"}, today=today
        ).id
    with action(db, "Add work") as s:

        def book(start: datetime, purpose: str) -> Appointment:
            fields = {"start": start, "purpose": purpose}
            return appointments.add_appointment(s, ana, fields, today=today)

        def task(due: str) -> Task:
            fields = {"title": f"Task {due}", "queue": "calls", "due": due}
            return tasks.add_task(s, fields, today=today, queues=DEFAULT_QUEUES)

        book(datetime(2026, 3, 2, 9), "Bloods")
        book(datetime(2026, 3, 2, 14), "Cardiology")
        book(datetime(2026, 3, 11, 10), "Review")
        gone = book(datetime(2026, 3, 11, 16), "Cancelled one")
        book(datetime(2026, 3, 31, 11), "Month end")
        book(datetime(2026, 4, 1, 9), "April")
        task("2026-03-11")
        task("2026-03-11")
        done = task("2026-03-11")
        task("2026-03-14")
        task("2026-03-31")
        task("2026-02-28")
        s.flush()
        appointments.cancel(s, gone, "ill", today=today)
        tasks.complete_task(s, done, today=today)


def grid(app: CaretuiApp) -> str:
    return str(app.screen.query_one("#month-grid", Static).content)


def title(app: CaretuiApp) -> str:
    return str(app.screen.query_one("#month-title", Static).content)


async def open_month(app: CaretuiApp, pilot: Pilot[Any]) -> MonthScreen:
    await pilot.press("3")
    await settle(pilot)
    assert isinstance(app.screen, AppointmentsScreen)
    await pilot.press("m")
    await settle(pilot)
    assert isinstance(app.screen, MonthScreen)
    return app.screen


def cell(text: str, week: int, weekday: int) -> list[str]:
    """The three lines of one day's cell (week 0 is the first of the month)."""
    lines = text.splitlines()[1 + 3 * week : 4 + 3 * week]
    return [line[1 + 11 * weekday : 12 + 11 * weekday].strip() for line in lines]


async def test_month_counts_for_a_known_month(db: Database, today: date) -> None:
    seed(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_month(app, pilot)
        assert screen.day == today
        assert title(app) == "March 2026 · 4 appointments (not cancelled) · 4 open tasks due"
        text = grid(app)
        # March 2026 starts on a Sunday: week 0 is 1 March alone.
        assert cell(text, 0, 6) == ["1", "", ""]
        assert cell(text, 1, 0) == ["2", "2 appt", ""]
        assert cell(text, 2, 2) == ["11 today", "1 appt", "2 due"]
        assert cell(text, 2, 5) == ["14", "", "1 due"]
        assert cell(text, 5, 1) == ["31", "1 appt", "1 due"]


def test_grid_marks_today_dims_weekends_reverses_the_selection() -> None:
    text = month_grid(date(2026, 3, 12), date(2026, 3, 11), {}, {})
    styles = {text.plain[span.start : span.end].strip(): str(span.style) for span in text.spans}
    assert styles["11 today"] == "bold underline"
    assert styles["12"] == "bold reverse"
    assert styles["14"] == "dim bold"
    assert styles["13"] == "bold"  # every day's number, so that weeks stand apart


def test_add_months_keeps_inside_the_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 1, 15), -1) == date(2025, 12, 15)


async def test_keys_move_by_day_week_and_month(db: Database, today: date) -> None:
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_month(app, pilot)
        await pilot.press("right")
        assert screen.day == date(2026, 3, 12)
        await pilot.press("left", "left")
        assert screen.day == date(2026, 3, 10)
        await pilot.press("down")
        assert screen.day == date(2026, 3, 17)
        await pilot.press("up", "up")
        assert screen.day == date(2026, 3, 3)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.day == date(2026, 4, 3)
        assert title(app).startswith("April 2026 · 0 appointments")
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert screen.day == date(2026, 2, 3)
        assert title(app).startswith("February 2026")
        await pilot.press("t")
        assert screen.day == today
        await pilot.press("question_mark")
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentsScreen)
        await pilot.press("m", "escape")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentsScreen)
        assert app.screen.view.day == today


async def test_enter_opens_that_days_agenda(db: Database, today: date) -> None:
    seed(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_month(app, pilot)
        await pilot.press("up", "left", "left")  # Wed 11 → Wed 4 → Mon 2 March
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentsScreen)
        assert app.screen.view.day == date(2026, 3, 2)
        assert not app.screen.view.week
        shown = table_text(app, "#agenda-table")
        assert [line.split(" | ")[4] for line in shown] == ["Bloods", "Cardiology"]


async def test_fits_80_by_24(db: Database, today: date) -> None:
    """March 2026 takes six weeks (Sunday the 1st to Tuesday the 31st): the most a month can."""
    seed(db, today)
    app = make_app(db, today)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_month(app, pilot)
        grid_region = screen.query_one("#month-grid", Static).region
        footer_region = screen.query_one(KeysFooter).region
        assert grid_region.height == 1 + 6 * 3
        assert grid_region.right <= 80 and grid_region.bottom <= footer_region.y
        lines = [strip.text for strip in screen._compositor.render_strips()]
        assert len(lines) == 24
        header = lines[grid_region.y]
        assert header.split() == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        tuesday = header.index("Tue") - 1  # where a Tuesday's cell starts on screen
        last_week = grid_region.y + 1 + 5 * 3
        shown = [line[tuesday : tuesday + 11].strip() for line in lines[last_week : last_week + 3]]
        assert shown == ["31", "1 appt", "1 due"]


def test_big_counts_fit_their_cell_uncut() -> None:
    """At 5,000 patients a day can have tens of thousands of tasks due: the count
    takes less indent, or is written compactly (18.4k), and is never cut."""
    day = date(2026, 3, 11)
    appointments = {day: 18406, date(2026, 3, 12): 1234, date(2026, 3, 13): 123456}
    tasks = {day: 18406, date(2026, 3, 12): 12345, date(2026, 3, 13): 7}
    text = month_grid(day, day, appointments, tasks).plain
    assert all(len(line) == 7 * 11 for line in text.splitlines())
    assert cell(text, 2, 2) == ["11 today", "18406 appt", "18406 due"]
    assert cell(text, 2, 3) == ["12", "1234 appt", "12345 due"]
    assert cell(text, 2, 4) == ["13", "123k appt", "7 due"]
    lines = text.splitlines()[1 + 3 * 2 : 4 + 3 * 2]
    # The two counts of a day stand at one indent: three spaces when they fit.
    assert [line[4 * 11 : 5 * 11] for line in lines[1:]] == ["  123k appt", "  7 due    "]
    assert [line[2 * 11 : 3 * 11] for line in lines[1:]] == [" 18406 appt", " 18406 due "]
    assert compact_number(999) == "999"
    assert compact_number(1000) == "1k"
    assert compact_number(18406) == "18.4k"
    assert compact_number(99999) == "99.9k"  # rounded down: never more than it is
    assert compact_number(1_234_567) == "1.2M"
