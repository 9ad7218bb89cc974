"""The TUI waits 25 ms, not Textual's 100, to tell a lone escape from a key's escape
sequence (every escape closed a dialog or went back 100 ms late); a value the user
set in ESCDELAY is kept."""

from __future__ import annotations

import os
from datetime import date

import pytest

from caretui.store.database import Database
from tests.tui.helpers import run_script

SCRIPT = """
import sys, types

stub = types.ModuleType("caretui.app")

class CaretuiApp:
    def __init__(self, *args, **kwargs):
        pass

    def run(self):
        from textual import constants
        print(constants.ESCAPE_DELAY)

stub.CaretuiApp = CaretuiApp
sys.modules["caretui.app"] = stub  # Textual imported only where the app would run

from caretui.launch import open_tui
open_tui(sys.argv[1])
"""


@pytest.mark.parametrize(("given", "expected"), [(None, 0.025), ("60", 0.06)])
def test_escape_is_told_apart_in_25_ms_unless_set(
    db: Database, today: date, monkeypatch: pytest.MonkeyPatch, given: str | None, expected: float
) -> None:
    if given is None:
        monkeypatch.delenv("ESCDELAY", raising=False)
    else:
        monkeypatch.setenv("ESCDELAY", given)
    assert os.environ.get("ESCDELAY") == given
    out = run_script(SCRIPT, str(db.path))
    assert float(out.strip().splitlines()[-1]) == expected
