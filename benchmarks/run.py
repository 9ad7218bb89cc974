"""caretui's benchmark suite: each figure beside a floor measured in the same run.

    python benchmarks/run.py                 # both scales, 7 repeats (about 10 minutes)
    python benchmarks/run.py --quick         # small scale, 3 repeats (a smoke run)
    python benchmarks/run.py --results benchmarks/RESULTS.md

Needs tmux (the TUI figures poll a real terminal) and, for the Taskwarrior
floor, `task` (Debian: apt-get install taskwarrior); a figure whose tool is
missing is printed as skipped. Caseloads are built with `caretui seed` in a
work folder (kept between runs with --workdir). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
CARETUI = str(BIN / "caretui")
SIZE = (140, 45)
TODAY_MARKER = re.compile(r"[0-9,]+ overdue")
BARE_MARKER = re.compile(r"row 3[0-9] to do")


@dataclass
class Figure:
    name: str
    value: str
    floor: str = "—"
    ratio: str = "—"
    target: str = ""
    verdict: str = ""


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def p95(xs: Sequence[float]) -> float:
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def verdict(ratio: float, target: float) -> str:
    return "met" if ratio <= target else "MISSED"


def run_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "CARETUI"))}
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        env[var] = str(home / sub)
    env["TERM"] = "xterm-256color"
    return env


def wall(cmd: Sequence[str], env: dict[str, str], repeat: int) -> list[float]:
    """Wall time of a whole command (output discarded), ``repeat`` times after one warm-up."""
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )
        times.append(time.perf_counter() - start)
    return times


def tmux_paint(
    cmd: str, marker: re.Pattern[str], env: dict[str, str], repeat: int
) -> tuple[list[float], list[int]]:
    """Seconds from starting ``cmd`` in a fresh tmux pane until ``marker`` is on screen,
    and the process's peak resident memory (kB) once it is."""
    times, peaks = [], []
    for i in range(repeat + 1):
        session = f"caretui-bench-{os.getpid()}-{i}"
        start = time.perf_counter()
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                session,
                "-x",
                str(SIZE[0]),
                "-y",
                str(SIZE[1]),
                cmd,
            ],
            env=env,
            check=True,
        )
        try:
            deadline = start + 60
            while True:
                pane = subprocess.run(
                    ["tmux", "capture-pane", "-p", "-t", session],
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout
                if marker.search(pane):
                    elapsed = time.perf_counter() - start
                    break
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"{cmd!r} never showed {marker.pattern!r}:\n{pane}")
                time.sleep(0.002)
            time.sleep(0.5)
            pid = subprocess.run(
                ["tmux", "display", "-p", "-t", session, "#{pane_pid}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            peak = peak_rss_kb(int(pid))
        finally:
            subprocess.run(
                ["tmux", "kill-session", "-t", session], check=False, stderr=subprocess.DEVNULL
            )
        if i:  # the first run warms the file cache and is not counted
            times.append(elapsed)
            peaks.append(peak)
    return times, peaks


def peak_rss_kb(pid: int) -> int:
    """VmHWM of ``pid`` or of its newest descendant that is a Python process."""
    candidates = [pid]
    try:
        children = subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        candidates += [int(c) for c in children]
    except OSError:
        pass
    best = 0
    for candidate in candidates:
        try:
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    best = max(best, int(line.split()[1]))
        except OSError:
            continue
    return best


def seed(path: Path, env: dict[str, str], *args: str) -> float:
    if path.exists():
        return float("nan")
    start = time.perf_counter()
    subprocess.run(
        [CARETUI, "seed", "--db", str(path), *args], env=env, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - start


# ------------------------------------------------------------------ in-process figures


async def keystroke_latencies(db_path: Path) -> dict[str, list[float]]:
    """Per-key latency through Pilot: down through 100 rows of Today and of Patients,
    and opening a patient (enter until its overview is shown)."""
    from caretui import config
    from caretui.app import CaretuiApp
    from caretui.store.database import Database

    app = CaretuiApp(Database(db_path), settings=config.Config(idle_lock_minutes=0))
    out: dict[str, list[float]] = {"today": [], "patients": [], "open": []}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for screen_key, name in (("1", "today"), ("2", "patients")):
            await pilot.press(screen_key)
            await settle(pilot)
            for _ in range(100):
                start = time.perf_counter()
                await pilot.press("down")
                await pilot.pause()
                out[name].append(time.perf_counter() - start)
        for _ in range(10):
            start = time.perf_counter()
            await pilot.press("enter")
            await settle(pilot)
            out["open"].append(time.perf_counter() - start)
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("down")
    return out


async def settle(pilot: object) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]


def palette_latencies(db_path: Path) -> list[float]:
    """Per keystroke: fuzzy-rank every patient for each growing prefix of real names."""
    from caretui.queries.patients import palette_entries
    from caretui.screens.palette import rank_patients
    from caretui.store.database import Database

    con = Database(db_path).read()
    try:
        entries = palette_entries(con)
    finally:
        con.close()
    names = [e.family_name for e in entries[:: max(1, len(entries) // 25)]][:25]
    times = []
    for name in names:
        for end in range(1, min(len(name), 8) + 1):
            start = time.perf_counter()
            rank_patients(entries, name[:end])
            times.append(time.perf_counter() - start)
    return times


# ----------------------------------------------------------------------------- runner


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small scale only, 3 repeats")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep caseloads here between runs"
    )
    parser.add_argument(
        "--results", type=Path, default=None, help="append the figures to this Markdown file"
    )
    args = parser.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 7)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="caretui-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    home = work / "home"
    env = run_env(home)
    figures: list[Figure] = []
    have_tmux = shutil.which("tmux") is not None
    have_task = shutil.which("task") is not None

    small, large = work / "small.db", work / "large.db"
    print(f"seeding caseloads in {work} ...", file=sys.stderr)
    seed(small, env, "--patients", "500", "--seed", "1")
    seed_time = float("nan")
    if not args.quick:
        seed_time = seed(
            large,
            env,
            "--patients",
            "5000",
            "--tasks",
            "200000",
            "--appointments",
            "50000",
            "--seed",
            "1",
        )
        if seed_time == seed_time:  # not NaN: it was built now
            figures.append(
                Figure(
                    "`caretui seed` 5,000 patients, 200,000 tasks, 50,000 appts",
                    f"{seed_time:.1f} s",
                    target="print it",
                )
            )
    scales = [("500 patients", small)] + ([] if args.quick else [("5,000 patients", large)])

    if have_tmux:
        bare = f"{sys.executable} {HERE / 'bare_app.py'}"
        bare_times, bare_peaks = tmux_paint(bare, BARE_MARKER, env, repeat)
        for label, db in scales:
            times, peaks = tmux_paint(f"{CARETUI} --db {db}", TODAY_MARKER, env, repeat)
            ratio = median(times) / median(bare_times)
            figures.append(
                Figure(
                    f"TUI start to Today painted ({label})",
                    ms(median(times)),
                    ms(median(bare_times)),
                    f"{ratio:.2f}×",
                    "≤ 1.3×",
                    verdict(ratio, 1.3),
                )
            )
            if db is scales[-1][1]:
                mem = median(peaks) / median(bare_peaks)
                figures.append(
                    Figure(
                        f"peak memory of the TUI ({label})",
                        f"{median(peaks) / 1024:.0f} MB",
                        f"{median(bare_peaks) / 1024:.0f} MB",
                        f"{mem:.2f}×",
                        "≤ 1.5×",
                        verdict(mem, 1.5),
                    )
                )
    else:
        figures.append(Figure("TUI start / memory", "skipped: tmux not installed"))

    for label, db in scales:
        lat = asyncio.run(keystroke_latencies(db))
        for name in ("today", "patients", "open"):
            what = {
                "today": "cursor down, Today",
                "patients": "cursor down, Patients",
                "open": "open a patient",
            }[name]
            med, high = median(lat[name]), p95(lat[name])
            ok = med <= 0.016 and high <= 0.050
            figures.append(
                Figure(
                    f"keystroke: {what} ({label})",
                    f"median {ms(med)}, p95 {ms(high)}",
                    target="median ≤ 16 ms, p95 ≤ 50 ms",
                    verdict="met" if ok else "MISSED",
                )
            )

    palette_db = scales[-1][1]
    pal = palette_latencies(palette_db)
    figures.append(
        Figure(
            f"palette search per keystroke ({scales[-1][0]})",
            f"median {ms(median(pal))}, max {ms(max(pal))}",
            target="≤ 10 ms",
            verdict="met" if max(pal) <= 0.010 else "MISSED",
        )
    )

    # caretui today vs Taskwarrior's task next on the same 10,000 open tasks
    sys.path.insert(0, str(HERE.parent))
    from benchmarks.workload import build_caretui, open_tasks, taskwarrior_json

    tasks = open_tasks(10_000, date.today())
    tasks_db = work / "tasks10k.db"
    if not tasks_db.exists():
        build_caretui(tasks_db, tasks)
    ours = wall([CARETUI, "today", "--db", str(tasks_db), "--limit", "50"], env, repeat)
    if have_task:
        taskdata = work / "taskdata"
        rc = work / "taskrc"
        if not taskdata.exists():
            taskdata.mkdir()
            rc.write_text(f"data.location={taskdata}\nconfirmation=off\nverbose=nothing\n")
            (work / "tasks.json").write_text(taskwarrior_json(tasks))
            subprocess.run(
                ["task", f"rc:{rc}", "import", str(work / "tasks.json")],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        theirs = wall(["task", f"rc:{rc}", "rc.color=off", "limit:50", "next"], env, repeat)
        ratio = median(ours) / median(theirs)
        figures.append(
            Figure(
                "`caretui today` on 10,000 open tasks",
                ms(median(ours)),
                f"{ms(median(theirs))} (task next)",
                f"{ratio:.2f}×",
                "≤ 1.0×",
                verdict(ratio, 1.0),
            )
        )
    else:
        figures.append(
            Figure(
                "`caretui today` on 10,000 open tasks",
                ms(median(ours)),
                "skipped: taskwarrior not installed",
            )
        )

    big = scales[-1][1]
    today_big = wall([CARETUI, "today", "--db", str(big)], env, repeat)
    sheet = wall(
        [
            CARETUI,
            "export",
            "day-sheet",
            "--db",
            str(big),
            "--format",
            "html",
            "-o",
            str(work / "sheet.html"),
        ],
        env,
        repeat,
    )
    ratio = median(sheet) / median(today_big)
    figures.append(
        Figure(
            f"day sheet (html), {scales[-1][0]}",
            ms(median(sheet)),
            f"{ms(median(today_big))} (caretui today)",
            f"{ratio:.2f}×",
            "≤ 1.3×",
            verdict(ratio, 1.3),
        )
    )
    count = wall([CARETUI, "count", "--db", str(big)], env, repeat)
    floor = wall([sys.executable, "-c", "pass"], env, repeat)
    figures.append(
        Figure(
            f"`caretui count`, {scales[-1][0]}",
            ms(median(count)),
            f"{ms(median(floor))} (python -c pass)",
            f"{median(count) / median(floor):.2f}×",
            "≤ 60 ms",
            "met" if median(count) <= 0.060 else "MISSED",
        )
    )

    report = render(figures, repeat)
    print(report)
    if args.results:
        with args.results.open("a", encoding="utf-8") as fh:
            fh.write(report + "\n")
    return 0


def render(figures: list[Figure], repeat: int) -> str:
    lines = [
        f"### {date.today().isoformat()} — {platform.node() or 'this machine'}",
        "",
        f"{platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores; medians of {repeat} runs after a warm-up.",
        "",
        "| figure | caretui | floor | ratio | target | |",
        "|---|---:|---:|---:|---|---|",
    ]
    for f in figures:
        lines.append(f"| {f.name} | {f.value} | {f.floor} | {f.ratio} | {f.target} | {f.verdict} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
