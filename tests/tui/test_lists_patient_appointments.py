"""The patient's Appointments tab: an appointment that is over, or has an outcome
(fulfilled, no-show, cancelled), is listed under Past whatever its date; Upcoming
holds only what is still to come without an outcome."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from caretui.models.all import Appointment
from caretui.screens import common
from caretui.screens.patient import PatientScreen
from caretui.services import appointments, patients
from caretui.services.unit import action
from caretui.store.database import Database
from tests.tui.helpers import SIZE, make_app, settle, table_text


@pytest.fixture(autouse=True)
def half_past_ten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "clock", lambda: time(10, 30))


async def test_a_no_show_this_morning_is_past(db: Database, today: date) -> None:
    with action(db, "Seed") as s:
        pid = patients.create_patient(
            s, {"given_name": "Ana", "family_name": "Núñez"}, today=today
        ).id

        def book(hour: int, minute: int, purpose: str, day: int = 11) -> Appointment:
            start = datetime(2026, 3, day, hour, minute)
            fields = {"start": start, "purpose": purpose}
            return appointments.add_appointment(s, pid, fields, today=today)

        missed = book(8, 30, "Bloods")
        book(9, 0, "Dietitian")  # over at 09:30, still booked: no outcome yet
        book(14, 0, "Cardiology")
        gone = book(9, 0, "Podiatry", day=13)
        s.flush()
        now = datetime(2026, 3, 11, 10, 30)
        appointments.record_outcome(s, missed, "noshow", today=today, now=now)
        appointments.cancel(s, gone, "ill", today=today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        app.open_patient(pid, "appointments")
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
        shown = [
            (line.split(" | ")[0], line.split(" | ")[3], line.split(" | ")[4])
            for line in table_text(app, "#appointments-table")
        ]
        assert shown == [
            ("Upcoming — 1", "", ""),
            ("Wed 2026-03-11 14:00", "Cardiology", "booked"),
            ("Past — 3", "", ""),
            ("Fri 2026-03-13 09:00", "Podiatry", "cancelled"),
            ("Wed 2026-03-11 09:00", "Dietitian", "no outcome"),
            ("Wed 2026-03-11 08:30", "Bloods", "no-show"),
        ]
        status = str(app.screen.query_one("#appointments-status").render())
        assert status == "1 upcoming · 3 past · 1 without an outcome (o records it)"
