"""The time-spent timer through Pilot: start, stop, log (a note with the minutes in the
database), the past-midnight and four-hour questions on an injected clock, one timer
at a time, and closing the Patient screen."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from textual.widgets import Input, Select, Static, TextArea

from caretui import config
from caretui.app import CaretuiApp
from caretui.screens.patient import PatientScreen
from caretui.screens.timer_forms import ConfirmMinutesDialog
from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.dialogs import ChoiceDialog
from caretui.widgets.form import FormScreen
from tests.tui.helpers import SIZE, rows, settle


class FakeClock:
    """Monotonic seconds and the wall clock, moved together by the test."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self.mono = 1_000.0

    def monotonic(self) -> float:
        return self.mono

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        step = timedelta(**delta)
        self.at += step
        self.mono += step.total_seconds()


def two_patients(db: Database, today: date) -> tuple[int, int]:
    with action(db, "patients") as s:
        ann = patients.create_patient(
            s, {"given_name": "Ann", "family_name": "Lee", "care_management": True}, today=today
        ).id
        bob = patients.create_patient(
            s, {"given_name": "Roberto", "family_name": "Díaz"}, today=today
        ).id
    return ann, bob


def make(db: Database, today: date, clock: FakeClock) -> CaretuiApp:
    return CaretuiApp(db, today=today, settings=config.Config(), clock=clock)


def notes_of(db: Database, patient_id: int) -> list[tuple[object, ...]]:
    return rows(
        db,
        "SELECT kind, minutes, occurred_at FROM note WHERE patient_id = ? ORDER BY id",
        patient_id,
    )


async def open_patient(app: CaretuiApp, pilot: object, patient_id: int) -> None:
    app.open_patient(patient_id)
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, PatientScreen)


async def test_start_stop_and_log_a_note_with_the_minutes(db: Database, today: date) -> None:
    ann, _ = two_patients(db, today)
    clock = FakeClock(datetime(2026, 3, 11, 9, 0))
    app = make(db, today, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_patient(app, pilot, ann)
        await pilot.press("ctrl+t")
        await settle(pilot)
        running = app.timer.running
        assert running is not None and running.patient_id == ann
        assert app.sub_title == "⏱ A.L. 0 min"

        clock.advance(minutes=12, seconds=10)
        app.timer.refresh()
        assert app.sub_title == "⏱ A.L. 12 min"

        await pilot.press("ctrl+t")  # again on the same patient: stop, and offer the note
        await settle(pilot)
        assert app.timer.running is None and app.sub_title == ""
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-minutes", Input).value == "12"
        assert form.query_one("#field-occurred_at", Input).value == "2026-03-11 09:00"

        # The kind is the user's to choose: saving without it writes nothing.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert notes_of(db, ann) == []

        form.query_one("#field-kind", Select).value = "call"
        await pilot.press("ctrl+s")  # a call says how it went, as Today's l asks
        await settle(pilot)
        assert app.screen is form and notes_of(db, ann) == []
        assert "Choose the outcome" in str(form.query_one("#error-outcome", Static).render())

        form.query_one("#field-outcome", Select).value = "reached"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
    assert notes_of(db, ann) == [("call", 12, "2026-03-11 09:00:00.000000")]


async def test_nothing_is_logged_without_saving(db: Database, today: date) -> None:
    ann, _ = two_patients(db, today)
    clock = FakeClock(datetime(2026, 3, 11, 9, 0))
    app = make(db, today, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_patient(app, pilot, ann)
        await pilot.press("ctrl+t")
        await settle(pilot)
        clock.advance(minutes=5)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("escape")  # the minutes would be lost: it asks first
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("2")  # log nothing
        await settle(pilot)
        assert app.timer.running is None
        assert not isinstance(app.screen, (FormScreen, ChoiceDialog))
    assert notes_of(db, ann) == []


async def test_past_midnight_asks_and_the_minutes_can_be_edited(db: Database, today: date) -> None:
    ann, _ = two_patients(db, today)
    clock = FakeClock(datetime(2026, 3, 10, 23, 50))
    app = make(db, today, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_patient(app, pilot, ann)
        await pilot.press("ctrl+t")
        await settle(pilot)
        clock.advance(minutes=35)  # 00:25 the next day
        await pilot.press("ctrl+t")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmMinutesDialog)
        field = dialog.query_one(Input)
        assert field.value == "35"
        field.value = "20"
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-minutes", Input).value == "20"
        form.query_one("#field-kind", Select).value = "visit"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert notes_of(db, ann) == [("visit", 20, "2026-03-10 23:50:00.000000")]


async def test_five_hours_asks_and_escape_logs_nothing(db: Database, today: date) -> None:
    ann, _ = two_patients(db, today)
    clock = FakeClock(datetime(2026, 3, 11, 8, 0))
    app = make(db, today, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_patient(app, pilot, ann)
        await pilot.press("ctrl+t")
        await settle(pilot)
        clock.advance(hours=5, minutes=12)
        await pilot.press("ctrl+t")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmMinutesDialog)
        title = dialog.query_one(".dialog-title").render()
        assert "Really 5 h 12 min?" in str(title)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
    assert notes_of(db, ann) == []


async def test_only_one_timer_runs(db: Database, today: date) -> None:
    ann, bob = two_patients(db, today)
    clock = FakeClock(datetime(2026, 3, 11, 9, 0))
    app = make(db, today, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_patient(app, pilot, ann)
        await pilot.press("ctrl+t")
        await settle(pilot)
        clock.advance(minutes=7)
        await open_patient(app, pilot, bob)  # Bob's screen over Ann's

        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("2")  # keep Ann's running
        await settle(pilot)
        running = app.timer.running
        assert running is not None and running.patient_id == ann

        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("1")  # stop Ann's (offered for logging), time Bob
        await settle(pilot)
        running = app.timer.running
        assert running is not None and running.patient_id == bob
        assert app.sub_title == "⏱ R.D. 0 min"
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-minutes", Input).value == "7"
        form.query_one("#field-kind", Select).value = "note"
        form.query_one("#field-text").text = "Forms for Ann"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert notes_of(db, ann) == [("note", 7, "2026-03-11 09:00:00.000000")]
    assert notes_of(db, bob) == []


async def test_closing_the_patient_screen_stops_the_timer(db: Database, today: date) -> None:
    ann, _ = two_patients(db, today)
    clock = FakeClock(datetime(2026, 3, 11, 9, 0))
    app = make(db, today, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_patient(app, pilot, ann)
        await pilot.press("ctrl+t")
        await settle(pilot)
        clock.advance(minutes=3)
        await pilot.press("escape")  # back to Today: the patient screen closes
        await settle(pilot)
        assert app.timer.running is None
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-minutes", Input).value == "3"


async def test_switching_screens_keeps_the_timer(db: Database, today: date) -> None:
    ann, _ = two_patients(db, today)
    clock = FakeClock(datetime(2026, 3, 11, 9, 0))
    app = make(db, today, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_patient(app, pilot, ann)
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press("2")  # another mode: the patient screen stays open under Today
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert app.timer.running is not None
        assert isinstance(app.screen, PatientScreen)


async def test_the_note_form_s_minutes_start_empty(db: Database, today: date) -> None:
    """Without a timer, minutes are typed or left empty: never guessed."""
    ann, _ = two_patients(db, today)
    app = make(db, today, FakeClock(datetime(2026, 3, 11, 9, 0)))
    async with app.run_test(size=SIZE) as pilot:
        await open_patient(app, pilot, ann)
        app.screen.query_one("#patient-tabs").active = "notes"  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-minutes", Input).value == ""


async def test_the_notes_tab_refuses_a_call_without_its_outcome(db: Database, today: date) -> None:
    """As Today's l does: a call logged by hand says how it went; a visit need not."""
    ann, _ = two_patients(db, today)
    app = make(db, today, FakeClock(datetime(2026, 3, 11, 9, 0)))
    async with app.run_test(size=SIZE) as pilot:
        await open_patient(app, pilot, ann)
        app.screen.query_one("#patient-tabs").active = "notes"  # type: ignore[attr-defined]
        await settle(pilot)
        before = rows(db, "SELECT count(*) FROM audit_event")
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-text", TextArea).text = "Rang twice"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "Choose the outcome" in str(form.query_one("#error-outcome", Static).render())
        assert rows(db, "SELECT count(*) FROM note") == [(0,)]
        assert rows(db, "SELECT count(*) FROM audit_event") == before
        form.query_one("#field-kind", Select).value = "visit"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(db, "SELECT kind, outcome, text FROM note") == [("visit", None, "Rang twice")]


def count_exits(app: CaretuiApp) -> list[int]:
    """Record the app's exits instead of exiting (one item per exit)."""
    exits: list[int] = []
    app.exit = lambda *args, **kwargs: exits.append(1)  # type: ignore[method-assign]
    return exits


async def start_timer(app: CaretuiApp, pilot: object, clock: FakeClock, patient_id: int) -> None:
    await open_patient(app, pilot, patient_id)
    await pilot.press("ctrl+t")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert app.timer.running is not None
    clock.advance(minutes=17)


async def quit_question(app: CaretuiApp, pilot: object) -> str:
    await pilot.press("ctrl+q")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    dialog = app.screen
    assert isinstance(dialog, ChoiceDialog)
    return str(dialog.query_one(".dialog-title", Static).content)


async def test_quit_with_a_timer_asks_and_logs_the_time_then_quits(
    db: Database, today: date
) -> None:
    ann, _ = two_patients(db, today)
    clock = FakeClock(datetime(2026, 3, 11, 9, 0))
    app = make(db, today, clock)
    async with app.run_test(size=SIZE) as pilot:
        exits = count_exits(app)
        await start_timer(app, pilot, clock, ann)
        question = await quit_question(app, pilot)
        assert question == "A timer is running for Lee, Ann (17 min). Quitting stops it."
        await pilot.press("ctrl+q")  # again: the question stands, nothing dropped
        await settle(pilot)
        assert exits == [] and isinstance(app.screen, ChoiceDialog)
        await pilot.press("1")  # log the time as a note, then quit
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen) and exits == []
        assert form.query_one("#field-minutes", Input).value == "17"
        form.query_one("#field-kind", Select).value = "call"
        form.query_one("#field-outcome", Select).value = "voicemail"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert exits == [1]
    assert notes_of(db, ann) == [("call", 17, "2026-03-11 09:00:00.000000")]


async def test_quit_with_a_timer_can_drop_its_time_or_stay(db: Database, today: date) -> None:
    ann, _ = two_patients(db, today)
    clock = FakeClock(datetime(2026, 3, 11, 9, 0))
    app = make(db, today, clock)
    async with app.run_test(size=SIZE) as pilot:
        exits = count_exits(app)
        await start_timer(app, pilot, clock, ann)
        await quit_question(app, pilot)
        await pilot.press("3")  # don't quit
        await settle(pilot)
        assert exits == [] and isinstance(app.screen, PatientScreen)
        assert app.timer.running is not None and app.sub_title.startswith("⏱ A.L.")
        await quit_question(app, pilot)
        await pilot.press("escape")  # the same: stay
        await settle(pilot)
        assert exits == [] and app.timer.running is not None
        await quit_question(app, pilot)
        await pilot.press("2")  # quit without logging it
        await settle(pilot)
        assert exits == [1] and app.timer.running is None
    assert notes_of(db, ann) == []


async def test_quit_without_a_timer_quits_at_once(db: Database, today: date) -> None:
    two_patients(db, today)
    app = make(db, today, FakeClock(datetime(2026, 3, 11, 9, 0)))
    async with app.run_test(size=SIZE) as pilot:
        exits = count_exits(app)
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert exits == [1]
