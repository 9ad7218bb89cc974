"""caretui's benchmark suite: each figure beside a floor measured in the same run.

    python benchmarks/run.py --quick         # small scale, 3 repeats (a smoke run, ~1.5 min)
    python benchmarks/run.py                 # both scales, 7 repeats (~4 min; seeding ~10 s once)
    python benchmarks/run.py --workdir ~/.cache/caretui-bench --results benchmarks/RESULTS.md

Caseloads are built with `caretui seed` (500 patients; 5,000 patients with 200,000
tasks and 50,000 appointments) in the work folder and kept there: pass the same
--workdir again and they are reused (the seed time is remembered). The TUI
figures poll a real terminal (tmux); the `caretui today` figure runs beside
Taskwarrior's `task next`. Both are installed with apt-get when missing and the
runner is root (else it says how, and those figures are skipped). Not part of the
test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.terminal import (  # noqa: E402
    CARETUI,
    ensure_tool,
    run_env,
    seed,
    tmux_paint,
    wall,
)

TODAY_MARKER = re.compile(r"[0-9,]+ overdue")
BARE_MARKER = re.compile(r"row 3[0-9] to do")
LARGE = ("--patients", "5000", "--tasks", "200000", "--appointments", "50000", "--seed", "1")
SMALL = ("--patients", "500", "--seed", "1")
KEYS = {
    "today": "cursor down, Today",
    "patients": "cursor down, Patients",
    "open": "open a patient",
}


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


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def ratio_figure(
    name: str, ours: list[float], floor: list[float], floor_name: str, target: float
) -> Figure:
    ratio = median(ours) / median(floor)
    return Figure(
        name,
        ms(median(ours)),
        f"{ms(median(floor))}{f' ({floor_name})' if floor_name else ''}",
        f"{ratio:.2f}×",
        f"≤ {target}×",
        verdict(ratio <= target),
    )


def keylatency(env: dict[str, str], *args: str) -> dict[str, Any]:
    """``benchmarks/keylatency.py`` in a process of its own (JSON back)."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.keylatency", *args],
        env=env,
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"keylatency {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def palette_latencies(db_path: Path) -> list[float]:
    """Per keystroke: fuzzy-rank every patient for each growing prefix of real names."""
    import time

    from caretui.queries.patient_match import rank_patients
    from caretui.queries.patients import palette_entries
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


# ----------------------------------------------------------------------- the figures


def tui_figures(scales: list[tuple[str, Path]], env: dict[str, str], repeat: int) -> list[Figure]:
    figures = []
    bare = f"{sys.executable} {HERE / 'bare_app.py'}"
    print("TUI start and memory in tmux ...", file=sys.stderr)
    bare_times, bare_peaks = tmux_paint(bare, BARE_MARKER, env, repeat)
    for label, db in scales:
        times, peaks = tmux_paint(f"{CARETUI} --db {db}", TODAY_MARKER, env, repeat)
        figures.append(
            ratio_figure(f"TUI start to Today painted ({label})", times, bare_times, "", 1.3)
        )
        mem = median(peaks) / median(bare_peaks)
        figures.append(
            Figure(
                f"peak memory of the TUI ({label})",
                f"{median(peaks) / 1024:.0f} MB",
                f"{median(bare_peaks) / 1024:.0f} MB",
                f"{mem:.2f}×",
                "≤ 1.5×",
                verdict(mem <= 1.5),
            )
        )
    return figures


def key_figures(scales: list[tuple[str, Path]], env: dict[str, str]) -> list[Figure]:
    print("keystroke latency ...", file=sys.stderr)
    check = keylatency(env, "--check")
    added = (check["slow"] - check["plain"]) * 1000
    figures = [
        Figure(
            "method check: a 30 ms sleep in a key handler shows as",
            f"+{added:.1f} ms",
            ms(check["plain"]),
            target="+30 ms ± 5",
            verdict="ok" if abs(added - 30) <= 5 else "CHECK THE METHOD",
        )
    ]
    bare = keylatency(env, "--bare")
    for label, db in scales:
        lat = keylatency(env, "--db", str(db))
        for name, what in KEYS.items():
            med, high = median(lat[name]), p95(lat[name])
            cpu, bare_cpu = median(lat[f"{name}_cpu"]), median(bare[f"{name}_cpu"])
            figures.append(
                Figure(
                    f"keystroke: {what} ({label})",
                    f"median {ms(med)}, p95 {ms(high)} (CPU {ms(cpu)})",
                    f"median {ms(median(bare[name]))}, p95 {ms(p95(bare[name]))} "
                    f"(CPU {ms(bare_cpu)})",
                    f"{med / median(bare[name]):.2f}×",
                    "median ≤ 16 ms, p95 ≤ 50 ms",
                    verdict(med <= 0.016 and high <= 0.050),
                )
            )
    return figures


def today_vs_taskwarrior(work: Path, env: dict[str, str], repeat: int, have_task: bool) -> Figure:
    from benchmarks.workload import build_caretui, open_tasks, taskwarrior_json

    tasks = open_tasks(10_000, date.today())
    tasks_db = work / "tasks10k.db"
    if not tasks_db.exists():
        build_caretui(tasks_db, tasks)
    name = "`caretui today` on 10,000 open tasks"
    ours = wall([CARETUI, "today", "--db", str(tasks_db), "--limit", "50"], env, repeat)
    if not have_task:
        return Figure(name, ms(median(ours)), "skipped: taskwarrior not installed")
    taskdata, rc = work / "taskdata", work / "taskrc"
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
    return ratio_figure(name, ours, theirs, "task next", 1.0)


def cli_figures(
    label: str, big: Path, work: Path, env: dict[str, str], repeat: int
) -> list[Figure]:
    print("command-line figures ...", file=sys.stderr)
    today_big = wall([CARETUI, "today", "--db", str(big)], env, repeat)
    sheet_cmd = [CARETUI, "export", "day-sheet", "--db", str(big), "--format", "html"]
    sheet = wall([*sheet_cmd, "-o", str(work / "sheet.html")], env, repeat)
    count = wall([CARETUI, "count", "--db", str(big)], env, repeat)
    floor = wall([sys.executable, "-c", "pass"], env, repeat)
    return [
        ratio_figure(f"day sheet (html), {label}", sheet, today_big, "caretui today", 1.3),
        Figure(
            f"`caretui count`, {label}",
            ms(median(count)),
            f"{ms(median(floor))} (python -c pass)",
            f"{median(count) / median(floor):.2f}×",
            "≤ 60 ms",
            verdict(median(count) <= 0.060),
        ),
    ]


# ----------------------------------------------------------------------------- runner


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small scale only, 3 repeats")
    parser.add_argument("--repeat", type=int, default=None, help="runs per figure (7; quick 3)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep caseloads here")
    parser.add_argument("--results", type=Path, default=None, help="append to this Markdown file")
    parser.add_argument(
        "--no-install", action="store_true", help="do not apt-get install tmux or taskwarrior"
    )
    args = parser.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 7)
    work = (args.workdir or Path(tempfile.mkdtemp(prefix="caretui-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = run_env(work / "home")
    have_tmux = ensure_tool("tmux", "tmux", not args.no_install)
    have_task = ensure_tool("task", "taskwarrior", not args.no_install)
    figures: list[Figure] = []

    small, large = work / "small.db", work / "large.db"
    print(f"caseloads in {work} (built once, then reused) ...", file=sys.stderr)
    seed(small, env, *SMALL)
    scales = [("500 patients", small)]
    if not args.quick:
        seconds = seed(large, env, *LARGE)
        figures.append(
            Figure(
                "`caretui seed` 5,000 patients, 200,000 tasks, 50,000 appts",
                f"{seconds:.1f} s",
                target="print it",
            )
        )
        scales.append(("5,000 patients", large))
    for _label, db in scales:  # bring a kept caseload to this caretui's schema, untimed
        subprocess.run(
            [CARETUI, "count", "--db", str(db)], env=env, check=True, capture_output=True
        )

    if have_tmux:
        figures += tui_figures(scales, env, repeat)
    else:
        figures.append(Figure("TUI start / memory", "skipped: tmux not installed"))
    figures += key_figures(scales, env)

    label, big = scales[-1]
    pal = palette_latencies(big)
    figures.append(
        Figure(
            f"palette search per keystroke ({label})",
            f"median {ms(median(pal))}, p95 {ms(p95(pal))}, max {ms(max(pal))}",
            target="≤ 10 ms (p95)",
            verdict=verdict(p95(pal) <= 0.010),
        )
    )
    figures.append(today_vs_taskwarrior(work, env, repeat, have_task))
    figures += cli_figures(label, big, work, env, repeat)

    report = render(figures, repeat, sys.argv[1:] if argv is None else list(argv))
    print(report)
    if args.results:
        with args.results.open("a", encoding="utf-8") as fh:
            fh.write(report + "\n")
    return 0


def render(figures: list[Figure], repeat: int, argv: list[str]) -> str:
    lines = [
        f"### {date.today().isoformat()} — {platform.node() or 'this machine'}",
        "",
        f"`benchmarks/run.py {' '.join(argv)}`: {platform.platform()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f} at the end; medians of {repeat} runs after a "
        "warm-up (keystrokes: 100 keys, 20 opens).",
        "",
        "| figure | caretui | floor | ratio | target | |",
        "|---|---:|---:|---:|---|---|",
    ]
    for f in figures:
        lines.append(f"| {f.name} | {f.value} | {f.floor} | {f.ratio} | {f.target} | {f.verdict} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
