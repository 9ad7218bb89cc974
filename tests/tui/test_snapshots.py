"""Snapshots of the main screens: how they look to a coordinator, guarded.

Every snapshot is taken at 120×36 on the same synthetic caseload (12 patients,
seed 7) with today frozen at Wednesday 11 March 2026 and the clock at 10:30, so
"no outcome" and "in 3 days" read the same on every run. Today is the screen the
app opens on; the others are opened with their digit keys.

A mismatch is looked at in the report pytest writes (snapshot_report.html), not
blindly updated: ``--snapshot-update`` only after checking the new look is right.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, time
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from caretui.app import CaretuiApp
from caretui.screens import common
from caretui.services.seed import seed_caseload
from caretui.store.database import Database
from tests.tui.helpers import SIZE, make_app, settle

Snap = Callable[..., bool]
RunBefore = Callable[[Pilot[Any]], Awaitable[None]]

#: The wall clock's time of day in every snapshot.
CLOCK = time(10, 30)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "clock", lambda: CLOCK)


@pytest.fixture
def app(db: Database, today: date) -> CaretuiApp:
    seed_caseload(db, patients=12, seed=7, today=today)
    return make_app(db, today)


def keys(*pressed: str) -> RunBefore:
    """Press ``pressed`` one at a time, letting the workers each key starts finish."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        for area in pilot.app.screen.query(TextArea):
            area.cursor_blink = False
        await pilot.pause()

    return run_before


def test_today(snap_compare: Snap, app: CaretuiApp) -> None:
    """What the app opens on: every kind of item ranked, overdue in red, the counts."""
    assert snap_compare(app, terminal_size=SIZE, run_before=keys())


def test_referrals(snap_compare: Snap, app: CaretuiApp) -> None:
    """Every open referral, oldest first, with its last step and what is overdue."""
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("5"))


def test_resources(snap_compare: Snap, app: CaretuiApp) -> None:
    """The directory of services, with when each entry was last verified."""
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("6"))


def test_reports(snap_compare: Snap, app: CaretuiApp) -> None:
    """March 2026 in numbers and charts, with the time per patient for billing."""
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("7"))


def test_month_grid(snap_compare: Snap, app: CaretuiApp) -> None:
    """The month grid of appointments and tasks due, today marked."""
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("3", "m"))


def test_patients(snap_compare: Snap, app: CaretuiApp) -> None:
    """The caseload: active and on-hold patients by name, risk in colour."""
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("2"))


def test_patient_overview(snap_compare: Snap, app: CaretuiApp) -> None:
    """Pilar López, found with / and opened with enter: demographics, contacts, problems,
    the high-criticality allergy in red, medications, what comes next."""
    run_before = keys("2", "slash", *"Pilar", "enter", "enter")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_patient_care_plan(snap_compare: Snap, app: CaretuiApp) -> None:
    """The same patient's care plans, goals and interventions, one tab on (])."""
    run_before = keys("2", "slash", *"Pilar", "enter", "enter", "right_square_bracket")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_appointments_day(snap_compare: Snap, app: CaretuiApp) -> None:
    """Today's agenda: the week strip, one appointment arrived and not yet past."""
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("3"))


def test_appointments_week(snap_compare: Snap, app: CaretuiApp) -> None:
    """The week of 30 March (w, then ] three times): transport needed stands out."""
    run_before = keys("3", "w", *["right_square_bracket"] * 3)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_queues(snap_compare: Snap, app: CaretuiApp) -> None:
    """The calls queue: overdue in red, due today in bold, the queues with their counts."""
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("4"))


def test_help(snap_compare: Snap, app: CaretuiApp) -> None:
    """? on Patients: every key of the screen with what it does."""
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("2", "question_mark"))


def test_form_with_a_validation_error(snap_compare: Snap, app: CaretuiApp) -> None:
    """A new patient born on 30 February: the message stands beside the field."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await keys("2", "n")(pilot)
        form = pilot.app.screen
        form.query_one("#field-given_name", Input).value = "Ana"
        form.query_one("#field-family_name", Input).value = "Example"
        form.query_one("#field-birth_date", Input).value = "2026-02-30"
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
