"""The Patient screen: help names every tab `]` goes round; `e` corrects a note."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from rich.console import Console
from textual.widgets import Select, Static, TextArea

from caretui.app import CaretuiApp
from caretui.screens.help import HelpScreen
from caretui.screens.patient import TABS, PatientScreen
from caretui.services import notes, patients
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.form import FormScreen
from caretui.widgets.records import RecordTable
from tests.tui.helpers import SIZE, make_app, rows, settle


def build(db: Database, today: date) -> tuple[int, int]:
    with action(db, "Build") as s:
        pid = patients.create_patient(
            s, {"given_name": "Ann", "family_name": "Lee"}, today=today
        ).id
        note = notes.log_note(
            s,
            pid,
            kind="call",
            text="Discussed diet [/]",
            with_whom="Patient",
            outcome="voicemail",
            minutes=10,
            occurred_at=datetime(2026, 3, 9, 10, 0),
            now=datetime(2026, 3, 11, 12, 0),
        )
        return pid, note.id


def help_text(app: CaretuiApp) -> str:
    console = Console(width=200, file=io.StringIO(), color_system=None)
    for static in app.screen.query(Static):
        console.print(static.content)
    return " ".join(console.file.getvalue().split())  # type: ignore[attr-defined]


async def open_chart(app: CaretuiApp, pilot: Any, patient_id: int, tab: str) -> PatientScreen:
    app.open_patient(patient_id, tab)
    await settle(pilot)
    assert isinstance(app.screen, PatientScreen)
    return app.screen


async def test_help_names_every_tab_the_bracket_keys_go_round(db: Database, today: date) -> None:
    pid, _ = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        chart = await open_chart(app, pilot, pid, "overview")
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = help_text(app)
        names = ", ".join(title.lower() for _, title in TABS)
        assert f"] Next tab ({names})" in shown
        assert "referrals" in names
        await pilot.press("escape")
        await settle(pilot)
        # and ] does go round every one of them, referrals included
        seen = []
        for _ in TABS:
            await pilot.press("right_square_bracket")
            await settle(pilot)
            seen.append(chart.active_tab)
        assert seen == [tab for tab, _ in TABS[1:]] + [TABS[0][0]]


async def test_e_on_the_notes_tab_corrects_the_selected_note(db: Database, today: date) -> None:
    pid, note_id = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_chart(app, pilot, pid, "notes")
        table = app.screen.query_one("#notes-table", RecordTable)
        assert table.selected_key == f"note:{note_id}"
        audits = rows(db, "SELECT count(*) FROM audit_event")[0][0]
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-outcome", Select).value == "voicemail"
        assert form.query_one("#field-text", TextArea).text == "Discussed diet [/]"
        form.query_one("#field-outcome", Select).value = "reached"
        form.query_one("#field-text", TextArea).text = "Discussed diet and walking [/]"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
        assert rows(db, "SELECT kind, outcome, text, minutes FROM note WHERE id = ?", note_id) == [
            ("call", "reached", "Discussed diet and walking [/]", 10)
        ]
        assert rows(db, "SELECT count(*) FROM audit_event")[0][0] == audits + 1
        assert rows(
            db,
            "SELECT action_label, action, entity, record_id FROM audit_event ORDER BY id DESC LIMIT 1",
        ) == [("Edit note", "update", "note", note_id)]
        assert "Discussed diet and walking [/]" in str(
            app.screen.query_one("#note-detail", Static).content
        )


async def test_a_corrected_call_keeps_its_outcome(db: Database, today: date) -> None:
    pid, note_id = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_chart(app, pilot, pid, "notes")
        await pilot.press("enter")  # enter on a note opens it for correction too
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-outcome", Select).value = Select.NULL
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "Choose the outcome" in str(form.query_one("#error-outcome", Static).render())
        assert rows(db, "SELECT outcome, version FROM note WHERE id = ?", note_id) == [
            ("voicemail", 1)
        ]
