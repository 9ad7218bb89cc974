"""Today's `l`: a call needs its outcome; an empty one is refused beside the field."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Select, Static

from caretui.config import DEFAULT_QUEUES
from caretui.errors import DomainError
from caretui.models.all import Task
from caretui.screens.today import TodayScreen
from caretui.services import notes, patients, records
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.form import FormScreen
from tests.tui.helpers import SIZE, make_app, rows, settle


def build(db: Database, today: date) -> int:
    with action(db, "Build") as s:
        ann = patients.create_patient(s, {"given_name": "Ann", "family_name": "Lee"}, today=today)
        records.create(
            s,
            Task,
            {"patient_id": ann.id, "title": "Call Ann", "queue": "calls", "due": today},
            today=today,
            queues=DEFAULT_QUEUES,
        )
        return ann.id


def test_require_outcome_asks_only_of_a_call() -> None:
    with pytest.raises(DomainError) as refused:
        notes.require_outcome("call", None)
    assert refused.value.field == "outcome"
    notes.require_outcome("call", "voicemail")
    notes.require_outcome("visit", None)
    notes.require_outcome("message", None)


async def test_an_empty_call_is_refused_beside_the_outcome(db: Database, today: date) -> None:
    ann = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = rows(db, "SELECT count(*) FROM audit_event")
        await pilot.press("l")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = str(form.query_one("#error-outcome", Static).render())
        assert "Choose the outcome" in error
        assert rows(db, "SELECT count(*) FROM note") == [(0,)]
        assert rows(db, "SELECT count(*) FROM audit_event") == before
        # with the outcome chosen, the message goes and the call is logged
        form.query_one("#field-outcome", Select).value = "no-answer"
        await pilot.pause()
        assert str(form.query_one("#error-outcome", Static).render()).strip() == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert rows(db, "SELECT patient_id, kind, outcome FROM note") == [
            (ann, "call", "no-answer")
        ]
