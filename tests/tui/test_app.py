"""App-wide safety: no screenshot command, idle lock, crash handler without patient data."""

from __future__ import annotations

from datetime import date

import pytest

from caretui.screens.lock import LockScreen
from caretui.store.database import Database
from tests.tui.helpers import SIZE, make_app, settle


async def test_screenshot_command_is_removed(db: Database, today: date) -> None:
    app = make_app(db, today)
    async with app.run_test(size=SIZE):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Screenshot" not in titles
        assert "Lock" in titles


async def test_idle_lock_hides_the_screen_until_a_key(db: Database, today: date) -> None:
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        app._last_activity -= 60 * 60
        app._check_idle()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press("x")  # the key only unlocks; it does nothing else
        await pilot.pause()
        assert not isinstance(app.screen, LockScreen)


async def test_unexpected_error_exits_with_a_report_and_no_patient_data(
    db: Database, today: date, capfd: pytest.CaptureFixture[str]
) -> None:
    app = make_app(db, today)
    secret = "Zofia Secretname"

    def explode() -> None:
        patient = secret  # noqa: F841 - a local a traceback with locals would print
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):  # Pilot re-raises what ended the app
        async with app.run_test(size=SIZE) as pilot:
            app.call_later(explode)
            await pilot.pause()
            await settle(pilot)
    rendered = " ".join(capfd.readouterr().err.split())
    assert "unexpected error (RuntimeError)" in rendered
    assert secret not in rendered
    assert app.return_code == 1


async def test_slash_finds_a_patient_where_a_screen_has_no_search_of_its_own(
    db: Database, today: date
) -> None:
    """On Today (and the other screens without a list search of their own), / opens
    the palette to find a patient; on Patients it is the list's own search."""
    from textual.command import CommandPalette

    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        prompt = app.screen.query_one("CommandInput")
        assert "Find a patient" in str(prompt.placeholder)  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#patients-search")
