"""Today: the ranked list, worked from the keyboard, each key checked in the database,
the rows updated in place (never a full reload, except for undo)."""

from __future__ import annotations

import os
import stat
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.coordinate import Coordinate
from textual.widgets import Input, Select, Static, TabbedContent, TextArea

from caretui.app import CaretuiApp
from caretui.config import DEFAULT_QUEUES
from caretui.errors import DomainError
from caretui.models.all import Appointment, CarePlan, Goal, Medication, Patient, Record, Task
from caretui.screens.patient import PatientScreen
from caretui.screens.today import TodayScreen
from caretui.screens.today_dialogs import DaySheetDialog, ExplainDialog
from caretui.services import patients, records
from caretui.services import tasks as tasks_service
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.dialogs import ChoiceDialog, DateDialog
from caretui.widgets.form import FormScreen
from tests.tui.helpers import SIZE, held, make_app, rows, run_script, settle, table_text

MARKUP_FAMILY = "[bold red]Robert[/]"
MARKUP_GIVEN = "[@click=app.quit]x"


def build(db: Database, today: date) -> dict[str, int]:
    """A small caseload whose every kind of item is on Today (Wed 2026-03-11)."""
    ids: dict[str, int] = {}
    with action(db, "Build caseload") as s:

        def add(label: str, model: type[Record], **fields: Any) -> None:
            ids[label] = records.create(s, model, fields, today=today, queues=DEFAULT_QUEUES).id

        ann = patients.create_patient(
            s, {"given_name": "Ann", "family_name": "Lee", "risk": "high"}, today=today
        ).id
        cara = patients.create_patient(
            s, {"given_name": "Cara", "family_name": "Moss"}, today=today
        ).id
        mark = patients.create_patient(
            s, {"given_name": MARKUP_GIVEN, "family_name": MARKUP_FAMILY}, today=today
        ).id
        ids.update(ann=ann, cara=cara, mark=mark)
        add(
            "task",
            Task,
            patient_id=ann,
            title="Call pharmacy",
            queue="calls",
            due="2026-03-09",
            priority="asap",
        )
        add(
            "weekly",
            Task,
            patient_id=cara,
            title="Weekly check-in",
            queue="calls",
            due="2026-03-09",
            rrule="FREQ=WEEKLY",
        )
        add(
            "daily",
            Task,
            patient_id=cara,
            title="Daily weights",
            queue="follow-up",
            due="2026-03-09",
            rrule="FREQ=DAILY",
        )
        add("fax", Task, patient_id=cara, title="Fax forms", queue="paperwork", due="2026-03-11")
        add("markup", Task, patient_id=mark, title="note: [/", queue="calls", due="2026-03-10")
        add(
            "appt",
            Appointment,
            patient_id=ann,
            start=datetime(2026, 3, 10, 10, 0),
            end=datetime(2026, 3, 10, 10, 30),
            purpose="Eye exam",
        )
        add(
            "refill",
            Medication,
            patient_id=cara,
            name="Metformin",
            dose="500 mg",
            refill_due="2026-03-12",
        )
        add("plan", CarePlan, patient_id=ann, title="Diabetes plan", next_review="2026-03-10")
        add("goal", Goal, patient_id=cara, description="Walk daily", target_date="2026-03-01")
    return ids


def screen(app: CaretuiApp) -> TodayScreen:
    found = app.screen
    assert isinstance(found, TodayScreen), found
    return found


def keys(app: CaretuiApp) -> list[str]:
    table = screen(app).table
    return [
        str(table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value)
        for i in range(table.row_count)
    ]


async def select(pilot: Any, key: str) -> None:
    table = screen(pilot.app).table
    table.move_cursor(row=table.get_row_index(key), animate=False)
    await pilot.pause()


def messages(app: CaretuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def started(db: Database, today: date) -> tuple[CaretuiApp, Any]:
    app = make_app(db, today)
    return app, app.run_test(size=SIZE)


async def test_list_shows_every_kind_ranked_with_literal_markup(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = table_text(app, "#today-table")
        assert len(shown) == 9
        kinds = {line.split(" | ")[0] for line in shown}
        assert kinds == {"task", "no outcome", "refill", "plan review", "goal overdue"}
        # Most urgent first: the asap task of a high-risk patient.
        assert keys(app)[0] == f"task:{ids['task']}"
        markup_line = next(line for line in shown if "note: [/" in line)
        assert f"{MARKUP_FAMILY}, {MARKUP_GIVEN}" in markup_line
        status = str(app.screen.query_one("#today-status", Static).render())
        assert "overdue" in status and "9 items in all" in status
        assert app.is_running


async def test_x_completes_a_task_in_place(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = f"task:{ids['task']}"
        await select(pilot, key)
        await pilot.press("x")
        await settle(pilot)
        assert rows(db, "SELECT status FROM task WHERE id = ?", ids["task"]) == [("completed",)]
        assert key not in keys(app)
        assert len(keys(app)) == 8
        assert screen(app).full_loads == 1
        assert "Task done" in messages(app)
        status = str(app.screen.query_one("#today-status", Static).render())
        assert "8 items in all" in status and "Complete task" in status


def screen_under(app: CaretuiApp) -> TodayScreen:
    """The Today screen, while another mode is shown."""
    found = app.get_screen_stack("today")[0]
    assert isinstance(found, TodayScreen)
    return found


def when_cell(app: CaretuiApp, key: str) -> str:
    table = screen(app).table
    return str(table.get_row(key)[3])


async def test_x_says_saving_at_once_and_the_row_goes_when_written(
    db: Database, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key shows its effect in the next frame, whatever the write waits on."""
    from caretui.screens import work_forms

    ids = build(db, today)
    slow_done, release = held(work_forms.task_done)
    monkeypatch.setattr(work_forms, "task_done", slow_done)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = f"task:{ids['task']}"
        await select(pilot, key)
        await pilot.press("x")
        await pilot.pause()
        assert when_cell(app, key) == "saving…"
        assert rows(db, "SELECT status FROM task WHERE id = ?", ids["task"]) == [("requested",)]
        release.set()
        await settle(pilot)
        assert key not in keys(app)
        assert rows(db, "SELECT status FROM task WHERE id = ?", ids["task"]) == [("completed",)]


async def test_a_refused_write_shows_the_row_as_it_was(
    db: Database, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caretui.screens import work_forms

    ids = build(db, today)

    def refused(*_args: Any) -> Any:
        raise DomainError("This task cannot be completed")

    monkeypatch.setattr(work_forms, "task_done", refused)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = f"task:{ids['task']}"
        await select(pilot, key)
        before = when_cell(app, key)
        await pilot.press("x")
        await settle(pilot)
        assert when_cell(app, key) == before != "saving…"
        assert "This task cannot be completed" in messages(app)
        assert rows(db, "SELECT status FROM task WHERE id = ?", ids["task"]) == [("requested",)]


async def test_x_on_a_repeating_task_creates_the_next_and_says_so(
    db: Database, today: date
) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, f"task:{ids['weekly']}")
        await pilot.press("x")
        await settle(pilot)
        assert rows(
            db,
            "SELECT due, status, rrule IS NOT NULL FROM task WHERE title = 'Weekly check-in' "
            "ORDER BY id",
        ) == [("2026-03-09", "completed", 0), ("2026-03-16", "requested", 1)]
        assert any("it repeats: the next one is due Mon 2026-03-16" in m for m in messages(app))
        assert f"task:{ids['weekly']}" not in keys(app)


async def test_a_next_occurrence_due_already_is_added_in_place(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, f"task:{ids['daily']}")
        await pilot.press("x")
        await settle(pilot)
        (new_id,) = rows(
            db, "SELECT id FROM task WHERE title = 'Daily weights' AND status = 'requested'"
        )[0]
        assert rows(db, "SELECT due FROM task WHERE id = ?", new_id) == [("2026-03-10",)]
        assert f"task:{new_id}" in keys(app)
        assert f"task:{ids['daily']}" not in keys(app)
        assert screen(app).full_loads == 1


async def test_r_updates_a_row_in_place_and_reranks_it(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key, fax = f"task:{ids['markup']}", f"task:{ids['fax']}"
        assert keys(app).index(key) == keys(app).index(fax) - 1  # 1 day overdue: above
        assert table_text(app, "#today-table")[keys(app).index(key)].endswith(" | 12.7")
        await select(pilot, key)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, DateDialog)
        app.screen.query_one(Input).value = "today"
        await pilot.press("enter")
        await settle(pilot)
        assert rows(db, "SELECT due FROM task WHERE id = ?", ids["markup"]) == [("2026-03-11",)]
        line = table_text(app, "#today-table")[keys(app).index(key)]
        assert " | today | " in line and line.endswith(" | 11.8")
        assert keys(app).index(key) == keys(app).index(fax) + 1  # same score now: below
        assert screen(app).table.selected_key == key  # the cursor followed it
        assert screen(app).full_loads == 1


async def test_s_snoozes_a_task_to_friday(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, f"task:{ids['fax']}")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, DateDialog)
        app.screen.query_one(Input).value = ""
        await pilot.press(*"fri", "enter")
        await settle(pilot)
        assert rows(db, "SELECT wait_until, due FROM task WHERE id = ?", ids["fax"]) == [
            ("2026-03-13", "2026-03-11")
        ]
        assert f"task:{ids['fax']}" not in keys(app)
        assert screen(app).full_loads == 1


async def test_s_on_a_refill_explains_and_writes_nothing(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = rows(db, "SELECT count(*) FROM audit_event")
        await select(pilot, f"medication:{ids['refill']}")
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert any("A refill cannot be snoozed" in m for m in messages(app))
        assert rows(db, "SELECT count(*) FROM audit_event") == before


async def test_l_logs_a_call_for_the_rows_patient(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, f"task:{ids['task']}")
        await pilot.press("l")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-outcome", Select).value = "voicemail"
        form.query_one("#field-text", TextArea).text = "Left a message [/]"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(db, "SELECT patient_id, kind, outcome, minutes, text FROM note") == [
            (ids["ann"], "call", "voicemail", None, "Left a message [/]")
        ]
        assert isinstance(app.screen, TodayScreen)
        assert "Call logged" in messages(app)
        assert len(keys(app)) == 9 and screen(app).full_loads == 1


async def test_o_no_show_records_it_and_adds_a_follow_up(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = f"appointment:{ids['appt']}"
        await select(pilot, key)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("2")  # no-show
        await pilot.pause()
        await pilot.press("enter")  # no note: the outcome alone
        await settle(pilot)
        assert rows(
            db, "SELECT status, outcome_note FROM appointment WHERE id = ?", ids["appt"]
        ) == [("noshow", None)]
        assert rows(
            db,
            "SELECT queue, priority, due, patient_id FROM task WHERE appointment_id = ?",
            ids["appt"],
        ) == [("follow-up", "urgent", "2026-03-12", ids["ann"])]
        assert key not in keys(app)
        assert any("follow-up task was added" in m for m in messages(app))


async def test_x_on_a_refill_reconciles_and_sets_the_next_date(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, f"medication:{ids['refill']}")
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one(Input).value = "+30d"
        await pilot.press("enter")
        await settle(pilot)
        assert rows(
            db, "SELECT last_reconciled, refill_due FROM medication WHERE id = ?", ids["refill"]
        ) == [("2026-03-11", "2026-04-10")]
        assert f"medication:{ids['refill']}" not in keys(app)


async def test_x_on_a_review_and_a_goal(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, f"care_plan:{ids['plan']}")
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one(Input).value = "2026-06-10"
        await pilot.press("enter")
        await settle(pilot)
        await select(pilot, f"goal:{ids['goal']}")
        await pilot.press("x")
        await settle(pilot)
        assert rows(db, "SELECT next_review FROM care_plan") == [("2026-06-10",)]
        assert rows(db, "SELECT lifecycle_status, achievement_status FROM goal") == [
            ("completed", "achieved")
        ]
        assert not {f"care_plan:{ids['plan']}", f"goal:{ids['goal']}"} & set(keys(app))
        assert screen(app).full_loads == 1


async def test_u_undoes_this_screens_change_and_reloads(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown_before = keys(app)
        before = rows(db, "SELECT id, status, due, wait_until, version FROM task ORDER BY id")
        await select(pilot, f"task:{ids['weekly']}")
        await pilot.press("x")
        await settle(pilot)
        assert len(rows(db, "SELECT id FROM task")) == len(before) + 1
        await pilot.press("u")
        await settle(pilot)
        after = rows(db, "SELECT id, status, due, wait_until FROM task ORDER BY id")
        assert after == [r[:4] for r in before]
        assert f"task:{ids['weekly']}" in keys(app)
        assert screen(app).table.selected_key == f"task:{ids['weekly']}"  # on it again
        assert "Undone: Complete task" in messages(app)
        # Only rows were touched: they are brought up to date, the list is not read again,
        # and the next occurrence the completion created is gone with it.
        assert screen(app).full_loads == 1
        assert sorted(keys(app)) == sorted(shown_before)
        status = str(app.screen.query_one("#today-status", Static).render())
        assert "last change: Build caseload" in status  # what u would undo next


async def test_undo_of_a_change_to_a_patient_reads_the_whole_list_again(
    db: Database, today: date
) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown_before = keys(app)
        with action(db, "Discharge patient") as s:
            patient = s.get(Patient, ids["cara"])
            assert patient is not None
            patients.discharge(s, patient, today=today)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)  # not done on this screen
        await pilot.press("2")  # "undo it"
        await settle(pilot)
        assert rows(db, "SELECT status FROM patient WHERE id = ?", ids["cara"]) == [("active",)]
        assert screen(app).full_loads == 2  # a patient's change can move any of its rows
        assert sorted(keys(app)) == sorted(shown_before)


async def test_u_twice_undoes_two_changes_of_this_screen_without_asking(
    db: Database, today: date
) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("task", "fax"):
            await select(pilot, f"task:{ids[key]}")
            await pilot.press("x")
            await settle(pilot)
        assert rows(db, "SELECT status FROM task WHERE id IN (?, ?)", ids["task"], ids["fax"]) == [
            ("completed",),
            ("completed",),
        ]
        for _ in range(2):
            await pilot.press("u")
            await settle(pilot)
            assert not isinstance(app.screen, ChoiceDialog)  # both were made here: no question
        assert rows(db, "SELECT status FROM task WHERE id IN (?, ?)", ids["task"], ids["fax"]) == [
            ("requested",),
            ("requested",),
        ]


async def test_u_asks_before_undoing_a_change_made_elsewhere(db: Database, today: date) -> None:
    build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)  # "Build caseload" was not done here
        await pilot.press("escape")
        await settle(pilot)
        assert rows(db, "SELECT count(*) FROM patient") == [(3,)]


async def test_i_explains_the_score_with_names_literal(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, f"task:{ids['markup']}")
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExplainDialog)
        about = str(dialog.query_one("#explain-item", Static).render())
        assert f"{MARKUP_FAMILY}, {MARKUP_GIVEN} · note: [/" in about
        factors = str(dialog.query_one("#explain-factors", Static).render())
        assert "priority routine" in factors and "overdue 1 day" in factors
        assert factors.splitlines()[-1].startswith("score")
        await pilot.click("#explain-item")
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, TodayScreen)


@pytest.mark.parametrize(
    ("label", "tab"),
    [("task", "tasks"), ("refill", "medications"), ("plan", "careplan"), ("appt", "appointments")],
)
async def test_enter_opens_the_patient_at_the_rows_tab(
    db: Database, today: date, label: str, tab: str
) -> None:
    ids = build(db, today)
    entity = {"task": "task", "refill": "medication", "plan": "care_plan", "appt": "appointment"}
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, f"{entity[label]}:{ids[label]}")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
        assert app.screen.query_one("#patient-tabs", TabbedContent).active == tab
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert screen(app).full_loads == 1  # nothing changed meanwhile: no reload


async def test_a_stale_row_is_refused_clearly_and_the_list_kept(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with action(db, "Edit elsewhere") as s:
            task = s.get_one(Task, ids["task"])
            records.update(s, task, {"title": "Call the pharmacy"}, today=today)
        await select(pilot, f"task:{ids['task']}")
        await pilot.press("x")
        await settle(pilot)
        assert rows(db, "SELECT status FROM task WHERE id = ?", ids["task"]) == [("requested",)]
        assert any("changed elsewhere" in m for m in messages(app))
        assert len(keys(app)) == 9
        assert (
            "Call the pharmacy"
            in table_text(app, "#today-table")[keys(app).index(f"task:{ids['task']}")]
        )
        await pilot.press("x")  # the row was read again: the second try works
        await settle(pilot)
        assert rows(db, "SELECT status FROM task WHERE id = ?", ids["task"]) == [("completed",)]


async def test_p_writes_the_day_sheet_owner_only(db: Database, today: date, tmp_path: Path) -> None:
    build(db, today)
    app = make_app(db, today)
    target = tmp_path / "sheets" / "today.md"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DaySheetDialog)
        assert "day-sheets" in dialog.query_one("#sheet-path", Input).value
        dialog.query_one("#sheet-format", Select).value = "md"
        await pilot.pause()
        assert dialog.query_one("#sheet-path", Input).value.endswith("day-sheet-2026-03-11.md")
        dialog.query_one("#sheet-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
        text = target.read_text("utf-8")
        assert text.startswith("# Day sheet — Wednesday 11 March 2026")
        assert "Lee, Ann" in text
        assert any("Day sheet written to" in m for m in messages(app))


async def test_redaction_shows_initials_without_reading_again(db: Database, today: date) -> None:
    build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        patients_shown = {line.split(" | ")[1] for line in table_text(app, "#today-table")}
        assert patients_shown == {"A.L.", "C.M.", "[.[."}
        assert screen(app).full_loads == 1
        table = screen(app).table
        row_objects = list(table.ordered_rows)
        await pilot.press("ctrl+r")
        await settle(pilot)
        patients_shown = {line.split(" | ")[1] for line in table_text(app, "#today-table")}
        assert "Lee, Ann" in patients_shown
        # The cells were updated in place: the rows themselves are the same objects.
        assert all(a is b for a, b in zip(table.ordered_rows, row_objects, strict=True))


FIRST_PAINT = """
import sys
import asyncio
from datetime import date
from caretui import config
from caretui.app import CaretuiApp
from caretui.screens.today import TodayScreen
from caretui.store.database import Database

seen = {}
show = TodayScreen._show_all

def spy(self, loaded):
    seen["orm"] = "sqlalchemy" in sys.modules
    seen["rows"] = len(loaded.ranked)
    show(self, loaded)

TodayScreen._show_all = spy
CaretuiApp._daily_backup = lambda self: None

async def main():
    app = CaretuiApp(Database.open(sys.argv[1]), today=date(2026, 3, 11), settings=config.Config())
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(50):
            await pilot.pause(0.05)
            if "rows" in seen:
                break

asyncio.run(main())
print(seen)
"""


def test_first_paint_imports_no_orm(db: Database, today: date) -> None:
    build(db, today)
    out = run_script(FIRST_PAINT, str(db.path))
    assert "{'orm': False, 'rows': 9}" in out


async def test_x_on_an_appointment_not_ready_arranges_the_ride(db: Database, today: date) -> None:
    ids = build(db, today)
    with action(db, "Add appointment") as s:
        ride = records.create(
            s,
            Appointment,
            {
                "patient_id": ids["cara"],
                "start": datetime(2026, 3, 11, 14, 0),
                "status": "proposed",
                "transport": "needed",
            },
            today=today,
        ).id
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = f"appointment:{ride}"
        line = table_text(app, "#today-table")[keys(app).index(key)]
        assert "not booked yet; transport needed, not arranged" in line
        assert " | today 14:00 | " in line
        await select(pilot, key)
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one(Input).value = "Van 3, pick-up 13:15"
        await pilot.press("enter")
        await settle(pilot)
        assert rows(
            db, "SELECT status, transport, transport_details FROM appointment WHERE id = ?", ride
        ) == [("booked", "arranged", "Van 3, pick-up 13:15")]
        assert key not in keys(app)
        assert "Appointment booked and ride arranged" in messages(app)


async def test_r_moves_an_appointment(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, f"appointment:{ids['appt']}")
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one(Input).value = "fri 9:30"
        await pilot.press("enter")
        await settle(pilot)
        assert rows(db, 'SELECT "start", "end" FROM appointment WHERE id = ?', ids["appt"]) == [
            ("2026-03-13 09:30:00.000000", "2026-03-13 10:00:00.000000")
        ]
        assert f"appointment:{ids['appt']}" not in keys(app)  # no longer past: off Today


async def test_back_from_another_screen_only_the_rows_written_there_are_read(
    db: Database, today: date
) -> None:
    """A task completed elsewhere (Queues, another caretui) leaves Today in place when
    the user comes back; a patient discharged elsewhere reads the whole list again,
    the status line saying so while it is read."""
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with action(db, "Complete task") as s:
            tasks_service.complete_task(s, s.get_one(Task, ids["fax"]), today=today)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert f"task:{ids['fax']}" not in keys(app)
        assert screen(app).full_loads == 1
        status = str(app.screen.query_one("#today-status", Static).render())
        assert "8 items in all" in status
        with action(db, "Discharge patient") as s:
            patients.discharge(s, s.get_one(Patient, ids["cara"]), today=today)
        await pilot.press("2")
        await settle(pilot)
        today_screen = screen_under(app)
        slow_top, release = held(today_screen._top)
        today_screen._top = slow_top  # type: ignore[method-assign]
        await pilot.press("1")
        for _ in range(50):
            await pilot.pause(0.02)
            status = str(app.screen.query_one("#today-status", Static).render())
            if "reading again" in status:  # the rows shown are the old ones meanwhile
                break
        assert "reading again" in status
        release.set()
        await settle(pilot)
        assert screen(app).full_loads == 2
        assert not any(k.endswith(str(ids["cara"])) for k in keys(app) if k.startswith("patient"))
        status = str(app.screen.query_one("#today-status", Static).render())
        assert "reading again" not in status


async def test_e_edits_the_rows_task_and_n_adds_in_one_line(db: Database, today: date) -> None:
    from caretui.screens.quick_add import QuickAddScreen

    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = f"task:{ids['fax']}"
        await select(pilot, key)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        title = form.query_one("#field-title", Input)
        assert title.value == "Fax forms"
        title.value = "Fax signed forms"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert rows(db, "SELECT title FROM task WHERE id = ?", ids["fax"]) == [
            ("Fax signed forms",)
        ]
        assert "Fax signed forms" in screen(app).table.get_row(key)[2].plain
        assert screen(app).full_loads == 1
        await select(pilot, f"medication:{ids['refill']}")
        await pilot.press("e")  # a refill is edited on the patient's Medications tab
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
        assert app.screen.query_one(TabbedContent).active == "medications"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, QuickAddScreen)
