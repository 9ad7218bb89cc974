"""`o` on an appointment: before it starts only a cancellation is offered (said before
anything is chosen); after the outcome a short note is offered (enter without one
records the outcome alone); the edit form has the outcome note, audited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from textual.widgets import Input, OptionList

from caretui.queries.agenda import appointment_detail
from caretui.screens.work_forms import OUTCOME_CHOICES, appointment_form, ask_outcome
from caretui.services import appointments, patients
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.dialogs import ChoiceDialog, TextDialog
from caretui.widgets.form import FormScreen
from tests.tui.helpers import SIZE, make_app, rows, settle
from tests.tui.test_patient_screen import open_chart, select_row


def build(db: Database, today: date) -> dict[str, int]:
    with action(db, "Build") as s:
        pid = patients.create_patient(
            s, {"given_name": "Ann", "family_name": "Lee"}, today=today
        ).id
        later = appointments.add_appointment(
            s, pid, {"start": datetime(2026, 3, 13, 9, 0), "with_whom": "Dr. Patel"}, today=today
        ).id
        past = appointments.add_appointment(
            s, pid, {"start": datetime(2026, 3, 10, 10, 0), "with_whom": "Podiatry"}, today=today
        ).id
    return {"patient": pid, "later": later, "past": past}


def options(dialog: ChoiceDialog) -> list[str]:
    listed = dialog.query_one(OptionList)
    return [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]


def test_a_future_appointment_is_offered_only_a_cancellation() -> None:
    pushed: list[Any] = []
    now = datetime(2026, 3, 11, 12, 0)
    ask_outcome(
        lambda screen, then: pushed.append((screen, then)),
        "What happened",
        datetime(2026, 3, 13, 9, 0),
        now,
        lambda outcome, note: None,
    )
    [(dialog, _)] = pushed
    assert isinstance(dialog, ChoiceDialog)
    assert [value for _label, value in dialog._choices] == ["cancelled"]
    assert "not yet: it starts Fri 2026-03-13 09:00" in dialog._title.plain

    pushed.clear()
    recorded: list[tuple[str, str | None]] = []
    ask_outcome(
        lambda screen, then: pushed.append((screen, then)),
        "What happened",
        datetime(2026, 3, 11, 9, 0),
        now,
        lambda outcome, note: recorded.append((outcome, note)),
    )
    [(dialog, chosen)] = pushed
    assert dialog._choices == list(OUTCOME_CHOICES)
    chosen("fulfilled")
    note_dialog, noted = pushed[-1]
    assert isinstance(note_dialog, TextDialog)
    noted("")  # enter with the note empty: the outcome alone
    noted(None)  # escape: nothing
    assert recorded == [("fulfilled", None)]


async def test_o_on_the_tab_asks_the_note_and_refuses_the_future_first(
    db: Database, today: date
) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_chart(app, pilot, ids["patient"], "appointments")
        select_row(app, "#appointments-table", f"appt:{ids['later']}")
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        assert len(options(dialog)) == 1 and "cancelled" in options(dialog)[0]
        await pilot.press("escape")
        await pilot.pause()

        select_row(app, "#appointments-table", f"appt:{ids['past']}")
        await pilot.press("o")
        await pilot.pause()
        assert len(options(app.screen)) == 3  # type: ignore[arg-type]
        await pilot.press("1")  # fulfilled
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"Seen; [/] new insoles", "escape")  # typed: asked first
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("1")  # keep editing: the note is as it was
        await pilot.pause()
        assert app.screen.query_one(Input).value == "Seen; [/] new insoles"
        await pilot.press("enter")
        await settle(pilot)
    assert rows(db, "SELECT id, status, outcome_note FROM appointment ORDER BY id") == [
        (ids["later"], "booked", None),
        (ids["past"], "fulfilled", "Seen; [/] new insoles"),
    ]


async def test_the_edit_form_writes_the_outcome_note_audited(db: Database, today: date) -> None:
    ids = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with app.reading() as con:
            current = appointment_detail(con, ids["past"])
        assert current is not None
        form = appointment_form(db, today, patient_id=ids["patient"], current=current)
        await app.push_screen(form)
        await pilot.pause()
        field = form.query_one("#field-outcome_note", Input)
        field.focus()
        await pilot.press(*"Seen by podiatry")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
    assert rows(db, "SELECT outcome_note FROM appointment WHERE id = ?", ids["past"]) == [
        ("Seen by podiatry",)
    ]
    [(label, changes)] = rows(
        db,
        "SELECT action_label, changes FROM audit_event WHERE entity = 'appointment' "
        "AND record_id = ? AND action = 'update'",
        ids["past"],
    )
    assert label == "Edit appointment" and "outcome_note" in changes
