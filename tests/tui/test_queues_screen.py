"""Queues: tasks by queue, completed, snoozed, moved, added and paged, checked in the DB."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.widgets import Input, OptionList, Static

from caretui.app import CaretuiApp
from caretui.config import DEFAULT_QUEUES
from caretui.screens.queues import QueuesScreen
from caretui.services import patients, tasks
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.dialogs import ChoiceDialog, DateDialog
from caretui.widgets.form import FormScreen
from caretui.widgets.patient_picker import PatientPicker
from tests.tui.helpers import SIZE, make_app, rows, settle, table_text

TABLE = "#queues-table"


def add(db: Database, today: date, title: str, **fields: Any) -> int:
    with action(db, "Add task") as s:
        return tasks.add_task(
            s, {"title": title, "queue": "calls", **fields}, today=today, queues=DEFAULT_QUEUES
        ).id


def patient(db: Database, today: date, given: str, family: str) -> int:
    with action(db, "Add patient") as s:
        return patients.create_patient(
            s, {"given_name": given, "family_name": family}, today=today
        ).id


def notifications(app: CaretuiApp) -> list[str]:
    return [n.message for n in app._notifications]


def titles(app: CaretuiApp) -> list[str]:
    return [r.split(" | ")[2] for r in table_text(app, TABLE)]


def queue_labels(app: CaretuiApp) -> list[str]:
    listing = app.screen.query_one("#queues-list", OptionList)
    return [" ".join(str(getattr(o.prompt, "plain", o.prompt)).split()) for o in listing.options]


async def open_queues(app: CaretuiApp, pilot: Any) -> None:
    await pilot.press("4")
    await settle(pilot)
    assert isinstance(app.screen, QueuesScreen)


async def test_complete_a_task_and_a_repeating_one(db: Database, today: date) -> None:
    ana = patient(db, today, "Ana", "Núñez")
    once = add(db, today, "Call pharmacy", due="2026-03-10", patient_id=ana, priority="asap")
    weekly = add(db, today, "Weigh-in call", due="2026-03-11", rrule="every week")
    add(db, today, "Fax forms", queue="paperwork")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_queues(app, pilot)
        assert queue_labels(app)[:3] == ["calls 2", "referrals 0", "paperwork 1"]
        shown = table_text(app, TABLE)
        assert shown[0] == "Tue 10 Mar | asap | Call pharmacy | Núñez, Ana | to do | "
        assert shown[1].startswith("Wed 11 Mar | routine | Weigh-in call |  | to do | every week")
        await pilot.press("x")
        await settle(pilot)
        assert rows(db, "SELECT status, completed_at IS NOT NULL FROM task WHERE id = ?", once) == [
            ("completed", 1)
        ]
        assert titles(app) == ["Weigh-in call"]
        assert queue_labels(app)[0] == "calls 1"
        await pilot.press("x")
        await settle(pilot)
        assert rows(db, "SELECT status FROM task WHERE id = ?", weekly) == [("completed",)]
        assert rows(
            db, "SELECT due, rrule FROM task WHERE title = 'Weigh-in call' AND status = 'requested'"
        ) == [("2026-03-18", "FREQ=WEEKLY")]
        assert any("next one is due Wed 2026-03-18" in m for m in notifications(app))
        assert titles(app) == []
        await pilot.press("f", "f")  # done
        await settle(pilot)
        assert sorted(titles(app)) == ["Call pharmacy", "Weigh-in call"]


async def test_snooze_to_friday(db: Database, today: date) -> None:
    task = add(db, today, "Call back", due="2026-03-11")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_queues(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DateDialog)
        field = dialog.query_one(Input)
        field.value = "today"
        await pilot.pause()
        assert "Snooze to a day after today" in str(
            dialog.query_one("#dialog-error", Static).content
        )
        field.value = "fri"
        await pilot.pause()
        assert "Fri 2026-03-13 (in 2 days)" in str(
            dialog.query_one("#dialog-preview", Static).content
        )
        await pilot.press("enter")
        await settle(pilot)
        assert rows(db, "SELECT wait_until FROM task WHERE id = ?", task) == [("2026-03-13",)]
        assert titles(app) == []
        await pilot.press("f")  # snoozed
        await settle(pilot)
        assert table_text(app, TABLE)[0].endswith("| snoozed to Fri 13 Mar")


async def test_move_to_another_queue(db: Database, today: date) -> None:
    task = add(db, today, "Prior authorisation")
    add(db, today, "Stays here")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_queues(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("4")  # insurance
        await settle(pilot)
        assert rows(db, "SELECT queue FROM task WHERE id = ?", task) == [("insurance",)]
        assert titles(app) == ["Stays here"]
        assert queue_labels(app)[3] == "insurance 1"
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert titles(app) == ["Prior authorisation"]


async def test_add_a_task_bad_due_date_then_fixed(db: Database, today: date) -> None:
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_queues(app, pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")  # paperwork
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, PatientPicker)
        await pilot.press("enter")  # "No patient" is first
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press(*"Send [bold]x[/] form")
        form.query_one("#field-due", Input).value = "02/30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert "'02/30' is not a real date" in str(form.query_one("#error-due", Static).content)
        assert rows(db, "SELECT count(*) FROM task") == [(0,)]
        form.query_one("#field-due", Input).value = "fri"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, QueuesScreen)
        assert rows(db, "SELECT title, queue, due, patient_id, priority FROM task") == [
            ("Send [bold]x[/] form", "paperwork", "2026-03-13", None, "routine")
        ]
        assert titles(app) == ["Send [bold]x[/] form"]


async def test_add_a_task_for_a_patient(db: Database, today: date) -> None:
    ana = patient(db, today, "Ana María", "Núñez")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_queues(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"nunez", "enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "Núñez, Ana María" in str(form.query_one(".form-title", Static).content)
        await pilot.press(*"Call about refill", "ctrl+s")
        await settle(pilot)
        assert rows(db, "SELECT title, queue, patient_id FROM task") == [
            ("Call about refill", "calls", ana)
        ]


async def test_paging_loads_more_as_the_cursor_moves_down(db: Database, today: date) -> None:
    with action(db, "Many") as s:
        for n in range(250):
            tasks.add_task(
                s,
                {"title": f"Task {n:03d}", "queue": "calls", "due": "2026-04-01"},
                today=today,
                queues=DEFAULT_QUEUES,
            )
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_queues(app, pilot)
        table = app.screen.query_one(TABLE)
        assert table.row_count == 100  # type: ignore[attr-defined]
        assert "100 of 250 open" in str(app.screen.query_one("#queues-status", Static).content)
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert table.row_count == 200  # type: ignore[attr-defined]
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert table.row_count == 250  # type: ignore[attr-defined]
        assert titles(app) == [f"Task {n:03d}" for n in range(250)]


async def test_priority_filter_and_edit(db: Database, today: date) -> None:
    add(db, today, "Routine one")
    urgent = add(db, today, "Urgent one", priority="urgent")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_queues(app, pilot)
        await pilot.press("p", "p", "p")  # any → stat → asap → urgent
        await settle(pilot)
        assert titles(app) == ["Urgent one"]
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-title", Input).value = "Urgent one, edited"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(db, "SELECT title, version FROM task WHERE id = ?", urgent) == [
            ("Urgent one, edited", 2)
        ]
        assert titles(app) == ["Urgent one, edited"]


async def test_markup_in_titles_is_shown_literally(db: Database, today: date) -> None:
    add(db, today, "[bold]x[/]")
    add(db, today, "note: [/")
    add(db, today, "[@click=app.quit]q")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_queues(app, pilot)
        assert sorted(titles(app)) == ["[@click=app.quit]q", "[bold]x[/]", "note: [/"]
        for row in range(3):
            await pilot.click(TABLE, offset=(30, row + 1))
        await settle(pilot)
        assert app.is_running
        await pilot.press("s")  # the dialog's title carries the task title
        await pilot.pause()
        assert isinstance(app.screen, DateDialog)
        await pilot.press("escape", "m")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running


async def test_enter_opens_the_patient_at_the_tasks_tab(db: Database, today: date) -> None:
    from caretui.screens.patient import PatientScreen

    ana = patient(db, today, "Ana", "Núñez")
    add(db, today, "Call pharmacy", patient_id=ana)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_queues(app, pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
        assert app.screen.patient_id == ana
        assert app.screen.query_one("#patient-tabs").active == "tasks"  # type: ignore[attr-defined]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueuesScreen)
        assert titles(app) == ["Call pharmacy"]


async def test_slash_searches_titles_and_patients(db: Database, today: date) -> None:
    """`/` narrows the queue to the tasks whose title or patient has every word typed
    (a patient's name without its accents, a literal % in a title); escape clears."""
    ana = patient(db, today, "Ana", "Núñez")
    bob = patient(db, today, "Bob", "Lee")
    add(db, today, "Call pharmacy", patient_id=ana)
    add(db, today, "Fax forms", patient_id=ana)
    add(db, today, "Call pharmacy", patient_id=bob)
    add(db, today, "Raise dose 50% [b]now[/b]")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_queues(app, pilot)
        assert len(titles(app)) == 4
        await pilot.press("slash")
        await pilot.press(*"nunez")
        await settle(pilot)
        assert sorted(titles(app)) == ["Call pharmacy", "Fax forms"]
        await pilot.press(*" call")
        await settle(pilot)
        assert titles(app) == ["Call pharmacy"] and "Núñez" in table_text(app, TABLE)[0]
        status = str(app.screen.query_one("#queues-status", Static).render())
        assert "search: nunez call" in status and "1 open" in status
        await pilot.press("enter")  # on to the tasks, the search kept
        assert app.focused is app.screen.query_one(TABLE)
        await pilot.press("escape")
        await settle(pilot)
        assert len(titles(app)) == 4
        await pilot.press("slash", *"50%")
        await settle(pilot)
        assert titles(app) == ["Raise dose 50% [b]now[/b]"]
        field = app.screen.query_one("#queues-search", Input)
        field.value = "nobody-has-this"
        await settle(pilot)
        assert titles(app) == []
