"""Every main screen (the keys 1 to 7): 2 to 4 built ahead after Today's first paint,
the one-line keys footer, and `?` listing every one of its keys with what it does."""

from __future__ import annotations

import io
from datetime import date

import pytest
from rich.console import Console
from textual.widgets import Footer, Static

from caretui import app as app_module
from caretui.app import CaretuiApp
from caretui.screens.help import HelpScreen
from caretui.store.database import Database
from caretui.widgets.keys_footer import KeysFooter
from tests.tui.helpers import SIZE, make_app, settle

MODES = {
    "1": "today",
    "2": "patients",
    "3": "appointments",
    "4": "queues",
    "5": "referrals",
    "6": "resources",
    "7": "reports",
}


def help_text(app: CaretuiApp) -> str:
    """What the help screen shows, as plain text (its key table is a Rich table)."""
    console = Console(width=200, file=io.StringIO(), color_system=None)
    for static in app.screen.query(Static):
        console.print(static.content)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return " ".join(out.split())


def built(app: CaretuiApp, mode: str) -> bool:
    try:
        app.get_screen_stack(mode)
    except KeyError:
        return False
    return True


async def test_the_keys_2_to_4_are_built_after_todays_first_paint(
    db: Database, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "PREBUILD_PAUSE", 0.01)
    ahead = ["today", "patients", "appointments", "queues"]
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):  # one build per PREBUILD_PAUSE, each left to settle
            await settle(pilot)
            if all(built(app, mode) for mode in ahead):
                break
            await pilot.pause(0.02)
        await pilot.pause(0.1)
        assert [mode for mode in MODES.values() if built(app, mode)] == ahead
        assert app.current_mode == "today"  # built behind, not shown
        await pilot.press("7")  # the others are built on their first key
        await settle(pilot)
        assert app.current_mode == "reports"
        assert built(app, "reports")


@pytest.mark.parametrize("key", list(MODES))
async def test_each_screen_has_the_keys_footer_and_help_lists_every_key(
    db: Database, today: date, key: str
) -> None:
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        await settle(pilot)
        screen = app.screen
        assert app.current_mode == MODES[key]
        assert not screen.query(Footer)  # Textual's footer rebuilds a widget per key
        footer = screen.query_one(KeysFooter).render().plain
        assert footer.rstrip().endswith("? Keys  ^p palette")
        own = [  # Textual's own moving keys (no id, no tooltip) are summed up, not listed
            b
            for bindings in screen._bindings.key_to_bindings.values()
            for b in bindings
            if b.description and (b.id or b.tooltip)
        ]
        assert own, "the screen has keys of its own"
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = help_text(app)
        for binding in own:
            what = " ".join((binding.tooltip or binding.description).split())
            assert what in shown, binding.action
        for binding in own:
            if binding.show:
                assert binding.description in footer or "…" in footer, binding.action
