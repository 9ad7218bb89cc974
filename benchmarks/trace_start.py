"""Where the TUI's start goes: a timeline from the process start to Today painted,
in a real terminal, and optionally a pyinstrument profile of the main thread.

    tmux new-session -d -x 140 -y 45 \\
        ".venv/bin/python benchmarks/trace_start.py --db big.db --out trace.json"
    python benchmarks/trace_start.py --db big.db --out trace.json --profile start.html

It starts the app the way ``caretui --db`` does (click, ``Database.open``, then
``caretui.app``), times each step, wraps the Today worker's reads and ranking
to time them in their thread, notes the first frame and the frame that shows
Today's rows, then stays ``--settle`` seconds (the ORM warm-up and the mode
screens built behind Today), records the peak memory and the memory that the
biggest allocators hold (tracemalloc, with ``--memory``), and exits. A
profiling tool for the misses; the runner does not use it.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

EVENTS: list[tuple[float, str, str]] = []
_lock = threading.Lock()


def mark(what: str) -> None:
    import tracemalloc

    what += f" (rss {vm('VmRSS') // 1024} MB)"
    if tracemalloc.is_tracing():
        current, peak = tracemalloc.get_traced_memory()
        what += f" [traced {current / 2**20:.1f} MB, peak {peak / 2**20:.1f} MB]"
    with _lock:
        EVENTS.append((time.perf_counter() - T0, threading.current_thread().name, what))


def timed(module: Any, name: str) -> None:
    """Wrap ``module.name`` to mark when each call starts and ends."""
    inner: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        mark(f"{name} start")
        try:
            return inner(*args, **kwargs)
        finally:
            mark(f"{name} end")

    setattr(module, name, wrapper)


def vm(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", type=Path, required=True, help="the timeline, JSON")
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--profile", type=Path, help="pyinstrument HTML of the main thread")
    parser.add_argument("--memory", action="store_true", help="tracemalloc's top allocators")
    parser.add_argument(
        "--no-warm-up", action="store_true", help="what if: no ORM import after the first paint"
    )
    parser.add_argument(
        "--no-prebuild", action="store_true", help="what if: no mode screens built ahead"
    )
    args = parser.parse_args()
    if args.memory:
        import tracemalloc

        tracemalloc.start(25)
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005, async_mode="disabled")
        profiler.start()
    mark("main")
    import caretui.cli  # what `caretui` imports before the TUI

    mark("click and caretui.cli imported")
    from caretui.store.database import Database

    db = Database.open(args.db)
    mark("Database.open")
    import caretui.app
    import caretui.screens.today_list as today_list

    mark("caretui.app imported")
    for name in ("top_items", "today_items", "count_items", "audit_mark", "rank"):
        if hasattr(today_list, name):  # what the Today list reads with, as it changes
            timed(today_list, name)
    app = caretui.app.CaretuiApp(db)
    frames: list[float] = []
    painted: list[bool] = []
    shown = app._display

    def display(screen: Any, renderable: Any) -> None:
        shown(screen, renderable)
        if renderable is not None:
            if not frames:
                mark("first frame")
            frames.append(time.perf_counter() - T0)
            if getattr(screen, "_loaded", False) and not painted:
                painted.append(True)
                mark(f"today painted (peak {vm('VmHWM') // 1024} MB)")
                if profiler is not None:
                    profiler.stop()
                app.set_timer(args.settle, app.exit)

    app._display = display  # type: ignore[method-assign]
    warm_up = app._warm_up

    def traced_warm_up() -> None:
        mark("ORM warm-up asked for")
        if not args.no_warm_up:
            warm_up()

    app._warm_up = traced_warm_up  # type: ignore[method-assign,assignment]
    prebuild = app._prebuild_next

    def traced_prebuild() -> None:
        if args.no_prebuild:
            return
        prebuild()
        mark(f"mode screens built: {sorted(app._screen_stacks)}")

    app._prebuild_next = traced_prebuild  # type: ignore[method-assign]
    original_show = today_list.TodayList._show_all

    def show_all(self: Any, loaded: Any) -> None:
        mark(f"_show_all ({len(loaded.ranked)} rows ranked)")
        original_show(self, loaded)
        mark("_show_all end")

    today_list.TodayList._show_all = show_all  # type: ignore[method-assign]
    app.run()
    mark("exit")
    result: dict[str, Any] = {
        "events": EVENTS,
        "frames": len(frames),
        "vm_hwm_kb": vm("VmHWM"),
        "vm_rss_kb": vm("VmRSS"),
        "modules": len(sys.modules),
        "orm_imported": "sqlalchemy.orm" in sys.modules,
    }
    if args.memory:
        import tracemalloc

        snapshot = tracemalloc.take_snapshot()
        by_file = snapshot.statistics("filename")
        result["traced_kb"] = sum(s.size for s in by_file) // 1024
        packages: dict[str, int] = {}
        for stat in by_file:
            path = stat.traceback[0].filename
            key = package_of(path)
            packages[key] = packages.get(key, 0) + stat.size
        result["top_packages_kb"] = sorted(
            ((k, v // 1024) for k, v in packages.items()), key=lambda kv: -kv[1]
        )[:15]
        result["top_lines"] = [
            (str(s.traceback[0]), s.size // 1024) for s in snapshot.statistics("lineno")[:25]
        ]
    if profiler is not None:
        args.profile.write_text(profiler.output_html())
        args.profile.with_suffix(".txt").write_text(
            profiler.output_text(unicode=True, color=False, show_all=False)
        )
    args.out.write_text(json.dumps(result, indent=1))
    return 0


def package_of(path: str) -> str:
    """``textual``, ``sqlalchemy``, ``caretui`` … or the stdlib, for a source file."""
    parts = Path(path).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    if "caretui" in parts:
        return "caretui"
    return "stdlib/other"


if __name__ == "__main__":
    raise SystemExit(main())
