"""Keystroke latency of a Textual app: from the key posted to the frame that shows it.

Pilot's ``press`` cannot measure this: after sending a key it waits for the
process to look idle (``wait_for_idle``: 20 ms sleeps until CPU time stops
moving, twice) and then for every widget's queue, so any key costs about
80 ms whatever the app does. Here a key is posted the way the terminal driver
posts it (``App.post_message`` of a ``Key`` event), and the clock stops at the
end of the first frame, after it, in which a condition about the app holds
(the cursor is one row down; the patient screen shows its data).

A frame is caught where the screen hands its compositor update to the app for
display (``App._display``, called by ``Screen._compositor_refresh``). Under
``run_test`` the app is headless and skips turning that update into terminal
bytes, so the hook does that too (``CompositorUpdate.render_segments``): what a
real terminal costs except the write itself. The condition is checked right
after each frame: a state change is always on the frame that follows it,
because Textual renders from the screen's own task, between handlers.

    python -m benchmarks.keylatency --db caseload.db     # caretui: JSON on stdout
    python -m benchmarks.keylatency --bare               # the bare DataTable floor
    python -m benchmarks.keylatency --check              # the +30 ms method check
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable

SIZE = (140, 45)
KEY_CHARS = {"enter": "\r", "escape": "\x1b", "tab": "\t", "space": " "}


class FrameClock:
    """Stops the clock at the first frame, after a key, on which ``done()`` holds."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.frames = 0
        self._waiting: tuple[Callable[[], bool], asyncio.Future[float]] | None = None
        #: The main thread's CPU seconds of each timed key (the event loop's own work:
        #: unlike the wall time, not inflated by other processes on a busy machine).
        self.cpu: list[float] = []
        self._cpu_end = 0.0
        shown = app._display

        def display(screen: Any, renderable: Any) -> None:
            shown(screen, renderable)
            if renderable is None or app._batch_count:
                return
            render_segments = getattr(renderable, "render_segments", None)
            if render_segments is not None:  # what a terminal driver does with it
                render_segments(app.console)
            self.frames += 1
            if self._waiting is not None:
                done, future = self._waiting
                if not future.done() and done():
                    self._cpu_end = time.thread_time()
                    future.set_result(time.perf_counter())

        app._display = display  # type: ignore[method-assign]

    def take_cpu(self) -> list[float]:
        """The CPU seconds of the keys timed since the last call."""
        taken, self.cpu = self.cpu, []
        return taken

    async def press(self, key: str, done: Callable[[], bool], timeout: float = 30.0) -> float:
        """Seconds from posting ``key`` to the end of the first frame showing ``done()``."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting = (done, future)
        start, cpu = time.perf_counter(), time.thread_time()
        self.app.post_message(events.Key(key, KEY_CHARS.get(key, key if len(key) == 1 else None)))
        try:
            end = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise RuntimeError(f"no frame showed the effect of {key!r} in {timeout} s") from None
        finally:
            self._waiting = None
        self.cpu.append(self._cpu_end - cpu)
        return end - start


async def settle(pilot: Pilot[Any], seconds: float = 0.0) -> None:
    """Let workers, timers and queued messages finish (not timed)."""
    if seconds:
        await asyncio.sleep(seconds)
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def focused_table(app: App[Any]) -> DataTable[Any]:
    focused = app.focused
    if not isinstance(focused, DataTable):
        raise RuntimeError(f"the focused widget is {type(focused).__name__}, not a table")
    return focused


async def cursor_down(clock: FrameClock, pilot: Pilot[Any], n: int) -> list[float]:
    """``n`` presses of down on the focused table, each until the moved cursor is painted."""
    table = focused_table(clock.app)
    times = []
    for _ in range(n):
        target = table.cursor_row + 1
        times.append(await clock.press("down", lambda t=target: table.cursor_row == t))  # type: ignore[misc]
        await pilot.pause()
    return times


# ------------------------------------------------------------------------- caretui


def patient_shown(app: App[Any]) -> bool:
    """The patient screen is current and shows its header line and overview panels."""
    from caretui.screens.patient import PatientScreen

    screen = app.screen
    if not isinstance(screen, PatientScreen):
        return False
    from textual.widgets import Static

    header = str(screen.query_one("#patient-header", Static).content)
    panel = str(screen.query_one("#ov-patient", Static).content)
    return header not in ("", "…") and panel != ""


async def caretui_latencies(db_path: Path, keys: int = 100, opens: int = 20) -> dict[str, Any]:
    from caretui import config
    from caretui.app import CaretuiApp
    from caretui.store.database import Database

    db = Database.open(db_path, create=False)
    app = CaretuiApp(db, settings=config.Config(idle_lock_minutes=0))
    clock = FrameClock(app)
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        # Today painted, the ORM warmed up, the mode screens built behind it: the keys
        # are timed on an app at rest, as a coordinator's would be a few seconds in.
        await settle(pilot, 4.0)
        out["today"] = await cursor_down(clock, pilot, keys)
        out["today_cpu"] = clock.take_cpu()
        await pilot.press("2")
        await settle(pilot, 0.5)
        out["patients"] = await cursor_down(clock, pilot, keys)
        out["patients_cpu"] = clock.take_cpu()
        await pilot.press("home")
        await settle(pilot)
        opened = []
        for _ in range(opens):
            opened.append(await clock.press("enter", lambda: patient_shown(app)))
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("down")
            await settle(pilot)
        out["open"] = opened
        out["open_cpu"] = clock.take_cpu()
    out["frames"] = clock.frames
    return out


# ------------------------------------------------------------------------ the floor


async def bare_latencies(keys: int = 100, opens: int = 20) -> dict[str, Any]:
    """The same keys on ``bare_app``: a DataTable moved down; enter pushes a screen
    with a header, a 50-row DataTable and a footer (the floor for opening a patient)."""
    from benchmarks.bare_app import BareApp, BareScreen

    app = BareApp(rows=keys + 50)
    clock = FrameClock(app)
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 0.5)
        out["today"] = out["patients"] = await cursor_down(clock, pilot, keys)
        out["today_cpu"] = out["patients_cpu"] = clock.take_cpu()
        opened = []
        for _ in range(opens):
            opened.append(
                await clock.press(
                    "enter",
                    lambda: isinstance(app.screen, BareScreen) and app.screen.filled,
                )
            )
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
        out["open"] = opened
        out["open_cpu"] = clock.take_cpu()
    out["frames"] = clock.frames
    return out


# ------------------------------------------------------------------ the method check


class CheckApp(App[None]):
    """A DataTable whose down key also sleeps ``delay`` seconds in its handler."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    def compose(self) -> Any:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("a", "b")
        for i in range(200):
            table.add_row(str(i), f"row {i}")
        table.focus()

    def on_key(self, event: events.Key) -> None:
        if event.key == "down" and self.delay:
            time.sleep(self.delay)


async def check_latencies(delay: float, keys: int = 40) -> list[float]:
    app = CheckApp(delay)
    clock = FrameClock(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        return await cursor_down(clock, pilot, keys)


def method_check(keys: int = 40) -> tuple[float, float]:
    """Median latency without, and with, a 30 ms sleep in the key handler."""
    import statistics

    plain = statistics.median(asyncio.run(check_latencies(0.0, keys)))
    slow = statistics.median(asyncio.run(check_latencies(0.030, keys)))
    return plain, slow


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--db", type=Path, help="caretui's keys on this caseload")
    group.add_argument("--bare", action="store_true", help="the same keys on the bare app")
    group.add_argument("--check", action="store_true", help="validate the method (+30 ms)")
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--opens", type=int, default=20)
    args = parser.parse_args(argv)
    result: Any
    if args.check:
        plain, slow = method_check()
        result = {"plain": plain, "slow": slow}
    elif args.bare:
        result = asyncio.run(bare_latencies(args.keys, args.opens))
    else:
        result = asyncio.run(caretui_latencies(args.db, args.keys, args.opens))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
