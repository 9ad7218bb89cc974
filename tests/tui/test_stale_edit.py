"""An edit to a record changed elsewhere since its form opened is not silently
overwritten: the form says so and shows both versions, field by field; the user keeps
theirs (saved over it, audited) or takes the stored one into the form. The other
change is made by another caretui: a service call on a second Database."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

from rich.console import Console
from textual.widgets import Input, Static

from caretui.app import CaretuiApp
from caretui.config import DEFAULT_QUEUES
from caretui.models.all import Task
from caretui.services import tasks
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.form import FormScreen
from caretui.widgets.stale_dialog import StaleDialog
from tests.tui.helpers import SIZE, make_app, rows, settle


def add_task(db: Database, today: date) -> int:
    with action(db, "Add task") as s:
        return tasks.add_task(
            s,
            {"title": "Call pharmacy", "queue": "calls", "due": "2026-03-12"},
            today=today,
            queues=DEFAULT_QUEUES,
        ).id


def change_elsewhere(db: Database, task_id: int, today: date, **fields: Any) -> None:
    """Another caretui on the same file changes the task."""
    other = Database.open(db.path)
    try:
        with action(other, "Edit task") as s:
            tasks.update_task(s, s.get_one(Task, task_id), fields, today=today)
    finally:
        other.dispose()


def dialog_text(app: CaretuiApp) -> str:
    console = Console(width=200, file=io.StringIO(), color_system=None)
    for static in app.screen.query(Static):
        console.print(static.content)
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


async def open_edit_form(app: CaretuiApp, pilot: Any) -> FormScreen:
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    form = app.screen
    assert isinstance(form, FormScreen)
    return form


async def save_and_see_both(app: CaretuiApp, pilot: Any, db: Database, task_id: int) -> str:
    """Change the title in the form while another caretui moves the due date; save."""
    form = app.screen
    assert isinstance(form, FormScreen)
    form.query_one("#field-title", Input).value = "Call pharmacy re warfarin"
    change_elsewhere(db, task_id, app.today, due=date(2026, 3, 20), title="Call the pharmacy")
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(app.screen, StaleDialog)
    # nothing of the form was written: the stored record is the other caretui's
    assert rows(db, "SELECT title, due, version FROM task WHERE id = ?", task_id) == [
        ("Call the pharmacy", "2026-03-20", 2)
    ]
    return dialog_text(app)


async def test_keep_mine_saves_over_it_and_audits_it(db: Database, today: date) -> None:
    task_id = add_task(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_edit_form(app, pilot)
        shown = await save_and_see_both(app, pilot, db, task_id)
        assert "changed elsewhere since the form opened" in shown
        lines = [" ".join(line.split()) for line in shown.splitlines()]
        assert "Title Call pharmacy re warfarin Call the pharmacy both" in lines
        assert "Due 2026-03-12 2026-03-20 elsewhere" in lines
        assert not any(line.startswith("Queue") for line in lines)  # same in both
        await pilot.press("k")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen | StaleDialog)  # saved, closed
        assert rows(db, "SELECT title, due, version FROM task WHERE id = ?", task_id) == [
            ("Call pharmacy re warfarin", "2026-03-12", 3)
        ]
        [(label, changes)] = rows(
            db,
            "SELECT action_label, changes FROM audit_event WHERE entity = 'task' "
            "AND record_id = ? ORDER BY id DESC LIMIT 1",
            task_id,
        )
        assert label == "Edit task"
        assert "Call the pharmacy" in json.dumps(json.loads(changes))  # the value replaced


async def test_take_stored_fills_the_form_and_saves_nothing_of_mine(
    db: Database, today: date
) -> None:
    task_id = add_task(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_edit_form(app, pilot)
        await save_and_see_both(app, pilot, db, task_id)
        await pilot.press("t")
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#field-title", Input).value == "Call the pharmacy"
        assert form.query_one("#field-due", Input).value == "2026-03-20"
        assert "now shows what is stored" in str(form.query_one("#form-error", Static).content)
        assert rows(db, "SELECT title, version FROM task WHERE id = ?", task_id) == [
            ("Call the pharmacy", 2)
        ]
        # edited again from the stored version, it saves without a question
        form.query_one("#field-title", Input).value = "Call the pharmacy today"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen | StaleDialog)
        assert rows(db, "SELECT title, due, version FROM task WHERE id = ?", task_id) == [
            ("Call the pharmacy today", "2026-03-20", 3)
        ]


async def test_escape_goes_back_to_the_form_and_saves_nothing(db: Database, today: date) -> None:
    task_id = add_task(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_edit_form(app, pilot)
        await save_and_see_both(app, pilot, db, task_id)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#field-title", Input).value == "Call pharmacy re warfarin"
        assert "not saved" in str(form.query_one("#form-error", Static).content)
        assert rows(db, "SELECT title, version FROM task WHERE id = ?", task_id) == [
            ("Call the pharmacy", 2)
        ]
