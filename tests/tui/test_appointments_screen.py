"""Appointments: the agenda by day and week, moved with the keys, acted on, checked in the DB."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from caretui.app import CaretuiApp
from caretui.errors import DomainError
from caretui.screens.appointments import AppointmentsScreen
from caretui.screens.work_forms import parse_end
from caretui.services import appointments, patients
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.dialogs import ChoiceDialog, DateTimeDialog
from caretui.widgets.form import FormScreen
from caretui.widgets.patient_picker import PatientPicker
from caretui.widgets.records import RecordTable
from tests.tui.helpers import SIZE, make_app, rows, settle, table_text

TABLE = "#agenda-table"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute)


def patient(db: Database, today: date, given: str, family: str) -> int:
    with action(db, "Add patient") as s:
        return patients.create_patient(
            s, {"given_name": given, "family_name": family}, today=today
        ).id


def book(db: Database, today: date, patient_id: int, start: datetime, **fields: object) -> int:
    with action(db, "Add appointment") as s:
        return appointments.add_appointment(
            s, patient_id, {"start": start, **fields}, today=today
        ).id


def title(app: CaretuiApp) -> str:
    return str(app.screen.query_one("#agenda-title", Static).content)


def notifications(app: CaretuiApp) -> list[str]:
    return [n.message for n in app._notifications]


async def open_agenda(app: CaretuiApp, pilot: Pilot[Any]) -> None:
    await pilot.press("3")
    await settle(pilot)
    assert isinstance(app.screen, AppointmentsScreen)


async def test_day_and_week_move_with_the_keys(db: Database, today: date) -> None:
    ana = patient(db, today, "Ana", "Núñez")
    book(db, today, ana, at(10, 9), purpose="Tuesday visit")
    book(db, today, ana, at(11, 15), purpose="Cardiology", with_whom="Dr Ruiz")
    book(db, today, ana, at(11, 9, 30), purpose="Bloods", location="Clinic B")
    book(db, today, ana, at(13, 14), purpose="Friday visit")
    book(db, today, ana, at(16, 8), purpose="Next week")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_agenda(app, pilot)
        assert title(app).startswith("Wednesday 11 March 2026 · today · 2 appointments")
        shown = table_text(app, TABLE)
        assert [r.split(" | ")[0] for r in shown] == ["09:30–10:00", "15:00–15:30"]
        assert shown[1] == "15:00–15:30 | Núñez, Ana | booked |  | Cardiology | Dr Ruiz | "
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert title(app).startswith("Thursday 12 March 2026 · tomorrow · 0 appointments")
        assert table_text(app, TABLE) == []
        await pilot.press("right")
        await settle(pilot)
        assert "Friday visit" in table_text(app, TABLE)[0]
        await pilot.press("t")
        await settle(pilot)
        assert title(app).startswith("Wednesday 11 March 2026")
        await pilot.press("left")
        await settle(pilot)
        assert "Tuesday visit" in table_text(app, TABLE)[0]
        assert "no outcome" in table_text(app, TABLE)[0]  # it is over and still booked
        await pilot.press("w")
        await settle(pilot)
        assert title(app).startswith("Week of Mon 09 Mar – Sun 15 Mar 2026 · 4 appointments")
        assert [r.split(" | ")[0] for r in table_text(app, TABLE)] == [
            "Tue 10 09:00",
            "Wed 11 09:30",
            "Wed 11 15:00",
            "Fri 13 14:00",
        ]
        week_strip = str(app.screen.query_one("#agenda-week", Static).content)
        assert "Wed 11: 2" in week_strip and "Thu 12: 0" in week_strip
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert title(app).startswith("Week of Mon 16 Mar – Sun 22 Mar 2026 · 1 appointment")
        await pilot.press("w")
        await settle(pilot)
        assert title(app).startswith("Tuesday 17 March 2026")  # the day kept, a week on


async def test_record_a_no_show_from_the_agenda(db: Database, today: date) -> None:
    ana = patient(db, today, "Ana", "Núñez")
    appt = book(db, today, ana, at(10, 9), purpose="Podiatry")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_agenda(app, pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("2")  # no-show
        await settle(pilot)
        await pilot.press(*"Not home", "enter")  # the optional short note
        await settle(pilot)
        assert isinstance(app.screen, AppointmentsScreen)
        assert rows(db, "SELECT status, outcome_note FROM appointment WHERE id = ?", appt) == [
            ("noshow", "Not home")
        ]
        assert rows(
            db, "SELECT queue, priority, due, origin FROM task WHERE appointment_id = ?", appt
        ) == [("follow-up", "urgent", "2026-03-12", "follow-up")]
        assert "| no-show |" in table_text(app, TABLE)[0]
        assert any("follow-up task was added" in m for m in notifications(app))


async def test_outcome_of_an_appointment_still_to_come_is_refused(
    db: Database, today: date
) -> None:
    ana = patient(db, today, "Ana", "Núñez")
    appt = book(db, today, ana, at(13, 9))
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_agenda(app, pilot)
        await pilot.press("w", "o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)  # asked before anything is chosen:
        title = str(dialog.query_one(".dialog-title", Static).render())
        assert "not yet" in title and "only a cancellation" in title
        assert [label for label, _value in dialog._choices] == ["cancelled"]
        await pilot.press("escape")
        await settle(pilot)
        assert rows(db, "SELECT status FROM appointment WHERE id = ?", appt) == [("booked",)]
        assert app.is_running


async def test_new_appointment_through_the_picker_and_the_form(db: Database, today: date) -> None:
    patient(db, today, "John", "Okafor")
    ana = patient(db, today, "Ana María", "Núñez")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_agenda(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, PatientPicker)
        await pilot.press(*"nunez")
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "Núñez, Ana María" in str(form.query_one(".form-title", Static).content)
        await pilot.press(*"fri 14:30")
        assert "Fri 2026-03-13 (in 2 days) at 14:30" in str(
            form.query_one("#preview-start", Static).content
        )
        form.query_one("#field-end", Input).value = "1h"
        form.query_one("#field-purpose", Input).value = "[bold]Eye[/] check"
        form.query_one("#field-with_whom", Input).value = "note: [/"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentsScreen)
        assert rows(
            db, 'SELECT patient_id, "start", "end", purpose, with_whom, status FROM appointment'
        ) == [
            (
                ana,
                "2026-03-13 14:30:00.000000",
                "2026-03-13 15:30:00.000000",
                "[bold]Eye[/] check",
                "note: [/",
                "booked",
            )
        ]
        await pilot.press("right", "right")
        await settle(pilot)
        assert table_text(app, TABLE) == [
            "14:30–15:30 | Núñez, Ana María | booked |  | [bold]Eye[/] check | note: [/ | "
        ]
        await pilot.click(TABLE, offset=(3, 1))
        await settle(pilot)
        assert app.is_running


async def test_a_bad_start_shows_beside_the_field_and_saves_nothing(
    db: Database, today: date
) -> None:
    patient(db, today, "Ana", "Núñez")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_agenda(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("enter")  # the only patient
        await settle(pilot)
        await pilot.press(*"02/30 10:00", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        error = str(app.screen.query_one("#error-start", Static).content)
        assert "'02/30' is not a real date" in error
        assert rows(db, "SELECT count(*) FROM appointment") == [(0,)]


async def test_transport_reschedule_and_cancel(db: Database, today: date) -> None:
    ana = patient(db, today, "Ana", "Núñez")
    appt = book(db, today, ana, at(11, 16), transport="needed")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_agenda(app, pilot)
        assert "| NEEDED, not arranged |" in table_text(app, TABLE)[0]
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("3")  # arranged: asks for details
        await pilot.pause()
        await pilot.press(*"Son drives, 15:30", "enter")
        await settle(pilot)
        assert rows(db, "SELECT transport, transport_details FROM appointment") == [
            ("arranged", "Son drives, 15:30")
        ]
        assert "| arranged: Son drives, 15:30 |" in table_text(app, TABLE)[0]
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, DateTimeDialog)
        await pilot.press(*"fri", "enter")  # keeps the time
        await settle(pilot)
        assert rows(db, 'SELECT "start", "end" FROM appointment') == [
            ("2026-03-13 16:00:00.000000", "2026-03-13 16:30:00.000000")
        ]
        assert table_text(app, TABLE) == []  # it left today
        await pilot.press("right", "right")
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"patient in hospital", "enter")
        await settle(pilot)
        assert rows(db, "SELECT status, outcome_note FROM appointment WHERE id = ?", appt) == [
            ("cancelled", "patient in hospital")
        ]
        assert "| cancelled |" in table_text(app, TABLE)[0]


async def test_redaction_shows_initials(db: Database, today: date) -> None:
    ana = patient(db, today, "Ana", "Núñez")
    book(db, today, ana, at(11, 10))
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_agenda(app, pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert table_text(app, TABLE)[0].startswith("10:00–10:30 | A.N. |")


async def test_enter_opens_the_patient_at_the_appointments_tab(db: Database, today: date) -> None:
    from caretui.screens.patient import PatientScreen

    ana = patient(db, today, "Ana", "Núñez")
    book(db, today, ana, at(11, 10))
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_agenda(app, pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
        assert app.screen.patient_id == ana
        tabs = app.screen.query_one("#patient-tabs")
        assert tabs.active == "appointments"  # type: ignore[attr-defined]


async def test_the_picker_shows_names_literally(db: Database, today: date) -> None:
    patient(db, today, "[@click=app.quit]x", "[bold red]Robert[/]")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_agenda(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"robert")
        await pilot.pause()
        from textual.widgets import OptionList

        listing = app.screen.query_one(OptionList)
        prompt = listing.get_option_at_index(0).prompt
        assert str(getattr(prompt, "plain", prompt)).startswith(
            "[bold red]Robert[/], [@click=app.quit]x"
        )
        await pilot.click(OptionList, offset=(4, 1))
        await settle(pilot)
        assert app.is_running
        assert isinstance(app.screen, FormScreen)


@pytest.mark.parametrize(
    ("typed", "end"),
    [
        ("", None),
        ("45", at(13, 14, 45)),
        ("45m", at(13, 14, 45)),
        ("1h", at(13, 15)),
        ("1h30", at(13, 15, 30)),
        ("2 hours", at(13, 16)),
        ("16:15", at(13, 16, 15)),
        ("4pm", at(13, 16)),
        ("sat 10:00", at(14, 10)),
    ],
)
def test_length_or_end(typed: str, end: datetime | None) -> None:
    assert parse_end(typed, at(13, 14), date(2026, 3, 11)) == end


@pytest.mark.parametrize("typed", ["0", "soon", "1h99", "25:00"])
def test_length_or_end_refused(typed: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_end(typed, at(13, 14), date(2026, 3, 11))
    assert info.value.field == "end"


@pytest.mark.parametrize(
    ("typed", "when"),
    [
        ("fri 14:30", at(13, 14, 30)),
        ("fri", at(13, 16)),  # keeps the time
        ("10:00", at(11, 10)),  # keeps the day
        ("+1w", at(18, 16)),
    ],
)
async def test_date_time_dialog_reads_a_day_a_time_or_both(
    db: Database, today: date, typed: str, when: datetime
) -> None:
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        results: list[datetime | None] = []
        app.push_screen(DateTimeDialog("Move", today=today, initial=at(11, 16)), results.append)
        await pilot.pause()
        await pilot.press(*typed, "enter")
        await pilot.pause()
        assert results == [when]


async def test_a_change_far_down_a_long_day_keeps_the_cursor_on_its_appointment(
    db: Database, today: date
) -> None:
    """After end took the table to a long day's last page, an outcome that books the
    next of a repeating appointment reads that page again, not the day's first: the
    cursor stays on the appointment recorded, not on another patient's."""
    ana = patient(db, today, "Ana", "Núñez")
    with action(db, "Add appointments") as s:
        for n in range(260):
            appointments.add_appointment(
                s, ana, {"start": at(10, 7, 0) + timedelta(minutes=2 * n)}, today=today
            )
    last = book(db, today, ana, at(10, 19, 0), purpose="Monthly", rrule="monthly")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_agenda(app, pilot)
        await pilot.press("left_square_bracket")  # Tue 10 March
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        table = app.screen.query_one(TABLE, RecordTable)
        assert table.selected_key == f"appointment:{last}"
        await pilot.press("o", "1")  # fulfilled
        await settle(pilot)
        await pilot.press("enter")  # no note
        await settle(pilot)
        assert rows(db, "SELECT status FROM appointment WHERE id = ?", last) == [("fulfilled",)]
        assert table.selected_key == f"appointment:{last}"


async def test_a_closed_appointment_is_not_offered_a_cancel_a_move_or_a_ride(
    db: Database, today: date
) -> None:
    """A cancelled (or kept, or missed) appointment says at once that it is closed:
    no question is asked and nothing is written."""
    ana = patient(db, today, "Ana", "Núñez")
    appt = book(db, today, ana, at(11, 15), status="cancelled")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_agenda(app, pilot)
        before = rows(db, "SELECT count(*) FROM audit_event")
        for key in ("c", "r", "T"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, AppointmentsScreen), key
        assert rows(db, "SELECT status FROM appointment WHERE id = ?", appt) == [("cancelled",)]
        assert rows(db, "SELECT count(*) FROM audit_event") == before
        said = notifications(app)
        assert len(said) == 3 and all("cancelled already" in m for m in said)
