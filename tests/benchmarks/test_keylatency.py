"""The keystroke-latency method measures the app, not the harness: a 30 ms sleep in
a key handler shows up as about +30 ms, and a frame is needed to stop the clock."""

from __future__ import annotations

import statistics

import pytest
from textual.widgets import DataTable

from benchmarks.bare_app import BareApp, BareScreen
from benchmarks.keylatency import CheckApp, FrameClock, check_latencies, cursor_down, settle


async def test_a_sleep_in_the_handler_shows_as_its_length() -> None:
    plain = statistics.median(await check_latencies(0.0, keys=15))
    slow = statistics.median(await check_latencies(0.030, keys=15))
    assert plain < 0.025  # Pilot's own settling alone was about 80 ms a key
    assert 0.025 <= slow - plain <= 0.040


async def test_the_clock_stops_on_the_frame_that_shows_the_cursor_moved() -> None:
    app = CheckApp(0.0)
    clock = FrameClock(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        frames = clock.frames
        times = await cursor_down(clock, pilot, 3)
        assert app.query_one(DataTable).cursor_row == 3
        assert clock.frames >= frames + 3
        assert all(t > 0 for t in times)


async def test_a_condition_never_met_is_an_error_not_a_hang() -> None:
    app = CheckApp(0.0)
    clock = FrameClock(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        with pytest.raises(RuntimeError, match="no frame showed"):
            await clock.press("down", lambda: False, timeout=0.3)


async def test_the_bare_floor_opens_and_closes_its_screen() -> None:
    app = BareApp(rows=60)
    clock = FrameClock(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        took = await clock.press(
            "enter", lambda: isinstance(app.screen, BareScreen) and app.screen.filled
        )
        assert took > 0
        await pilot.press("escape")
        assert not isinstance(app.screen, BareScreen)
