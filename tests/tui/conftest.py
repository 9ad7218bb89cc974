"""TUI tests: what start-up leaves for a pause of the keys (three mode screens built)
is kept out of them, so each test's workers are its own; ``test_start_imports``
checks those steps in a fresh process."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_idle_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("caretui.app.IDLE_PAUSE", 3600.0)
