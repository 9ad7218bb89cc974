"""The Repeats field of the task and appointment forms: read as it is typed (the rule
in words, on the day of the date it repeats from), and refused beside the field."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input, Static

from caretui.screens.work_forms import appointment_form, task_form
from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.form import FormScreen
from tests.tui.helpers import SIZE, make_app, rows, settle


def shown(form: FormScreen, selector: str) -> str:
    return str(form.query_one(selector, Static).render())


async def type_into(pilot: object, form: FormScreen, name: str, text: str) -> None:
    field = form.query_one(f"#field-{name}", Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_appointment_repeats_previewed_and_refused_beside_the_field(
    db: Database, today: date
) -> None:
    with action(db, "Add patient") as s:
        pid = patients.create_patient(
            s, {"given_name": "Ann", "family_name": "Lee"}, today=today
        ).id
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = appointment_form(db, today, patient_id=pid)
        await app.push_screen(form)
        await pilot.pause()
        await type_into(pilot, form, "start", "2026-03-17 10:00")  # a Tuesday
        await type_into(pilot, form, "rrule", "every 2 weeks")
        assert shown(form, "#preview-rrule") == "→ every 2 weeks on Tuesdays"

        # The day it keeps follows the start.
        await type_into(pilot, form, "start", "2026-03-19 10:00")
        assert shown(form, "#preview-rrule") == "→ every 2 weeks on Thursdays"

        await type_into(pilot, form, "rrule", "every so often")
        assert "is not a recurrence" in shown(form, "#preview-rrule")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "'every so often' is not a recurrence" in shown(form, "#error-rrule")
        assert shown(form, "#form-error") == ""
        assert app.focused is form.query_one("#field-rrule", Input)

        await type_into(pilot, form, "rrule", "every fortnight")
        assert shown(form, "#error-rrule") == ""
        assert shown(form, "#preview-rrule") == "→ every 2 weeks on Thursdays"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    assert rows(db, "SELECT rrule FROM appointment") == [("FREQ=WEEKLY;INTERVAL=2",)]


async def test_task_repeats_preview_on_the_due_day(db: Database, today: date) -> None:
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = task_form(db, today, queues=("calls",))
        await app.push_screen(form)
        await pilot.pause()
        await type_into(pilot, form, "title", "Weigh-in call")
        await type_into(pilot, form, "rrule", "monthly")
        assert shown(form, "#preview-rrule") == "→ every month"
        await type_into(pilot, form, "due", "2026-03-20")
        assert shown(form, "#preview-rrule") == "→ every month on the 20th"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    assert rows(db, "SELECT rrule, due FROM task") == [("FREQ=MONTHLY", "2026-03-20")]
