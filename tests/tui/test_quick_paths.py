"""What keeps keys quick at 5,000 patients, checked by behaviour: a patient opens with
its data on the first frame and builds only the tab shown; a mode switch to a built
screen has no pause and reads nothing when nothing changed, but does read a change
made meanwhile (by another caretui, here a service on a second Database)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Static, TabPane

from caretui import app as app_module
from caretui.config import DEFAULT_QUEUES
from caretui.models.all import Patient
from caretui.screens.patient import PatientScreen, first_read
from caretui.screens.patients import PatientsScreen
from caretui.screens.queues import QueuesScreen
from caretui.services import patients, tasks
from caretui.services.unit import action
from caretui.store.database import Database
from tests.tui.helpers import SIZE, make_app, settle, table_text


def add_patient(db: Database, today: date, given: str, family: str) -> int:
    with action(db, "Add patient") as s:
        return patients.create_patient(
            s, {"given_name": given, "family_name": family}, today=today
        ).id


def count_reloads(screen: Any) -> list[int]:
    """Wrap ``screen.reload`` to count its calls (one item per call)."""
    calls: list[int] = []
    reload = screen.reload

    def counted() -> None:
        calls.append(1)
        reload()

    screen.reload = counted
    return calls


async def test_a_patient_opens_with_its_data_and_builds_other_tabs_when_shown(
    db: Database, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = add_patient(db, today, "Ana", "Núñez")
    loads: list[str] = []
    original = PatientScreen.load

    def spy(self: PatientScreen, tab: str) -> None:
        loads.append(tab)
        original(self, tab)

    monkeypatch.setattr(PatientScreen, "load", spy)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PatientScreen) and screen.patient_id == ana
        # read before the screen was pushed, shown as it mounted: no read after
        assert loads == []
        assert "Núñez, Ana" in str(screen.query_one("#patient-header", Static).content)
        assert "Enrolled: 2026-03-11" in str(screen.query_one("#ov-patient", Static).content)
        assert not screen.query_one("#tasks", TabPane).children  # not built yet
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.active_tab == "careplan" and loads == ["careplan"]
        assert screen.query_one("#careplan", TabPane).children
        assert screen.focused is screen.query_one("#careplan-tree")


async def test_opening_a_patient_deleted_meanwhile_says_so_and_stays(
    db: Database, today: date
) -> None:
    gone = add_patient(db, today, "Bo", "Gone")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        other = Database.open(db.path)
        try:
            with action(other, "Purge patient") as s:
                patients.purge(s, s.get_one(Patient, gone), confirm_name="Gone")
        finally:
            other.dispose()
        app.open_patient(gone)
        await settle(pilot)
        assert not isinstance(app.screen, PatientScreen)
        assert "This patient no longer exists" in [n.message for n in app._notifications]


async def test_a_switch_to_a_built_screen_has_no_pause_and_reads_only_what_changed(
    db: Database, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_patient(db, today, "Ana", "Núñez")
    delays: list[float] = []
    original = App.delay_update

    def spy(self: App[Any], delay: float = 0.05) -> None:
        delays.append(delay)
        original(self, delay)

    monkeypatch.setattr(App, "delay_update", spy)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        patients_screen = app.screen
        assert isinstance(patients_screen, PatientsScreen)
        reloads = count_reloads(patients_screen)
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, QueuesScreen)
        delays.clear()
        await pilot.press("2")
        await settle(pilot)
        assert app.screen is patients_screen
        assert delays == []  # built already: no 50 ms pause
        assert reloads == []  # nothing written meanwhile: nothing read again
        # another caretui adds a patient while this one shows Queues
        await pilot.press("4")
        await settle(pilot)
        other = Database.open(db.path)
        try:
            add_patient(other, today, "Cy", "Added")
        finally:
            other.dispose()
        await pilot.press("2")
        await settle(pilot)
        assert reloads == [1]
        assert any(line.startswith("Added, Cy") for line in table_text(app, "#patients-table"))


async def test_a_first_switch_to_a_screen_not_built_keeps_textuals_pause(
    db: Database, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "PREBUILT_MODES", ())
    delays: list[float] = []
    original = App.delay_update

    def spy(self: App[Any], delay: float = 0.05) -> None:
        delays.append(delay)
        original(self, delay)

    monkeypatch.setattr(App, "delay_update", spy)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, QueuesScreen)
        assert delays == [0.05]


async def test_enter_twice_quickly_opens_the_patient_once(db: Database, today: date) -> None:
    ana = add_patient(db, today, "Ana", "Núñez")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        patients_screen = app.screen
        with app.reading() as con:
            first = first_read(con, ana, "overview", today)
        assert first is not None
        # both reads are back before either screen is pushed (enter, enter)
        app.call_later(app._push_patient, ana, "overview", first)
        app.call_later(app._push_patient, ana, "overview", first)
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
        assert app.screen_stack[-2] is patients_screen


async def test_quitting_as_a_patient_opens_is_no_error(db: Database, today: date) -> None:
    """enter, then ctrl+q before the chart is back: the screen pushed as the app quits
    is never composed, and must not fail on its widgets."""
    ana = add_patient(db, today, "Ana", "Núñez")
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with app.reading() as con:
            first = first_read(con, ana, "overview", today)
        assert first is not None
        app._push_patient(ana, "overview", first)
        app.exit()
    assert app.return_code == 0


async def test_a_queue_filter_reads_the_list_not_every_queues_count(
    db: Database, today: date
) -> None:
    with action(db, "Add tasks") as s:
        for title, queue in (("Call Ana", "calls"), ("Fax form", "paperwork")):
            tasks.add_task(s, {"title": title, "queue": queue}, today=today, queues=DEFAULT_QUEUES)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueuesScreen)
        counted: list[int] = []
        load_counts = screen._load_counts

        def spy(flt: Any = None) -> None:
            counted.append(1)
            load_counts(flt)

        screen._load_counts = spy  # type: ignore[method-assign]
        await pilot.press("p", "p", "p", "p", "p")  # every priority view, then any again
        await settle(pilot)
        await pilot.press("right_square_bracket")  # the next queue
        await settle(pilot)
        assert screen.flt.queue == "referrals" and counted == []
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.flt.queue == "paperwork"
        assert [line.split(" | ")[2] for line in table_text(app, "#queues-table")] == ["Fax form"]
        assert counted == []  # five filters and two queues read, no count of every queue
        await pilot.press("x")  # a change: the counts are read again
        await settle(pilot)
        assert counted
