"""The referral step form starts on its first field, like every form, and tab goes top
to bottom; letters typed on a closed choice never change it (they are said to go
nowhere), so a note is typed where the user tabbed to."""

from __future__ import annotations

from datetime import date

from textual.widgets import Select, Static

from caretui.store.database import Database
from caretui.widgets.form import FormScreen
from tests.tui.helpers import SIZE, make_app, rows, settle
from tests.tui.test_referrals_screen import caseload, referral, steps


async def test_the_step_form_starts_on_the_step_and_tabs_down_to_the_note(
    db: Database, today: date
) -> None:
    ids = caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("x")  # draft → sent, as the tester's "f" did
        await settle(pilot)
        await pilot.press("tab", "tab", "tab", *"portal", "enter")
        await settle(pilot)
        assert referral(db, ids["referral"])[0] == "sent"

        await pilot.press("x")  # the step dialog on a sent referral
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        step = form.query_one("#field-to", Select)
        assert app.focused is step and step.value == "accepted"

        # Typed on the step, a note changes nothing, and the form says where it went.
        await pilot.press(*"Jane", "enter", "escape")
        await pilot.pause()
        assert app.screen is form and step.value == "accepted"
        error = str(form.query_one("#error-to", Static).render())
        assert "Step is a choice" in error

        order = []
        for _ in form.fields:
            order.append((app.focused.id or "") if app.focused else "")
            await pilot.press("tab")
        assert order == [f"field-{f.name}" for f in form.fields]
        assert order[0] == "field-to" and order[-1] == "field-note"

        await pilot.press("shift+tab", *"Jane at intake", "enter")
        await settle(pilot)
    assert referral(db, ids["referral"])[0] == "accepted"
    assert steps(db, ids["referral"])[-1][::2] == ("accepted", "Jane at intake")
    assert rows(db, "SELECT count(*) FROM referral_step WHERE note = 'Jane'") == [(0,)]
