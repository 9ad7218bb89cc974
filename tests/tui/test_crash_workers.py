"""Workers that read the database say what went wrong in one line and the app goes
on; a worker result arriving after its dialog closed is dropped; an error that does
reach the app leaves a report naming the real error and the caretui line, and no
patient data. Synthetic names only."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static
from textual.worker import WorkerFailed

from caretui.screens.appointments import AppointmentsScreen
from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.patient_picker import PatientPicker
from tests.tui.helpers import SIZE, make_app, settle

SECRET = "Quillon Secretfamily"


def some_patients(db: Database, today: date) -> None:
    with action(db, "Add patients") as s:
        for given in ("Aldo", "Bea"):
            patients.create_patient(s, {"given_name": given, "family_name": "Brevik"}, today=today)


def messages(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_failed_read_in_the_picker_is_one_line(
    db: Database, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caretui.queries import patients as patient_queries

    some_patients(db, today)

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")

    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        monkeypatch.setattr(patient_queries, "find_patients", locked)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, PatientPicker)
        status = str(app.screen.query_one("#dialog-status", Static).render())
        assert "busy" in status
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, AppointmentsScreen)


async def test_a_failed_agenda_read_is_one_line(
    db: Database, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caretui.screens import appointments

    def corrupt(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.DatabaseError("database disk image is malformed")

    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        monkeypatch.setattr(appointments, "appointments_between", corrupt)
        monkeypatch.setattr(appointments, "count_between", corrupt)
        await pilot.press("]")
        await settle(pilot)
        app.screen.after_change()  # the header's own read
        await settle(pilot)
        assert app.is_running
        assert len(messages(app)) >= 1
        assert all("malformed" in m or "corrupt" in m for m in messages(app))


async def test_a_picker_result_after_the_picker_closed_is_dropped(
    db: Database, today: date
) -> None:
    some_patients(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PatientPicker)
        await pilot.press("escape")
        await settle(pilot)
        # What a worker's call_from_thread does when the dialog closed between the
        # worker's last check and the call: nothing, rather than NoMatches.
        picker._show("", [], 0, False)
        picker._failed("busy")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, AppointmentsScreen)


async def test_a_picked_patient_gone_meanwhile_opens_nothing(db: Database, today: date) -> None:
    some_patients(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AppointmentsScreen)
        screen._new_for(999_999)
        await settle(pilot)
        assert app.is_running and app.screen is screen


async def test_an_unexpected_worker_error_leaves_a_report_naming_it(
    db: Database,
    today: date,
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from caretui.queries import patients as patient_queries

    some_patients(db, today)

    def broken(con: Any, query: str, **kwargs: Any) -> Any:
        patient_name = SECRET  # a local a rich traceback would print
        raise RuntimeError(f"cannot list {patient_name}")

    app = make_app(db, today)
    with pytest.raises(WorkerFailed):  # run_test re-raises what ended the app
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("3")
            await settle(pilot)
            monkeypatch.setattr(patient_queries, "find_patients", broken)
            await pilot.press("n")
            await settle(pilot)
    said = " ".join(capfd.readouterr().err.split())
    assert "unexpected error (RuntimeError)" in said  # the error, not its wrapper
    assert "Secretfamily" not in said and "Quillon" not in said
    reports = list((isolated_home / "state").rglob("crash-*.txt"))
    assert len(reports) == 1
    text = reports[0].read_text()
    assert "textual.worker.WorkerFailed" in text
    assert "error: builtins.RuntimeError" in text
    assert "where: caretui/widgets/patient_picker.py:" in text
    assert " in _find" in text
    assert "Secretfamily" not in text and "Quillon" not in text


async def test_a_failed_read_for_a_form_is_one_line(
    db: Database, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """e on a task in Queues reads it afresh in a worker: a damaged database is one
    line, and the app goes on."""
    from caretui.config import DEFAULT_QUEUES
    from caretui.queries import tasks as task_queries
    from caretui.services import tasks

    with action(db, "Add task") as s:
        tasks.add_task(s, {"title": "Fax", "queue": "calls"}, today=today, queues=DEFAULT_QUEUES)

    def corrupt(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.DatabaseError("database disk image is malformed")

    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot)
        monkeypatch.setattr(task_queries, "task_detail", corrupt)
        await pilot.press("e")
        await settle(pilot)
        assert app.is_running
        assert any("malformed" in m or "corrupt" in m for m in messages(app))
