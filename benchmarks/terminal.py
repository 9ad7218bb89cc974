"""Measuring whole processes: wall time of a command, paint time and peak memory of a
TUI in a real terminal (tmux, polling the pane), the tools the runner needs, and
caseloads built once with ``caretui seed`` and kept in the work folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BIN = Path(sys.executable).parent
CARETUI = str(BIN / "caretui")
SIZE = (140, 45)
#: Seconds the TUI is left running after its first paint before its peak memory is
#: read: long enough for all it does after painting (the mode screens built behind
#: Today, then, one per pause of the keys, the other three: ``caretui.app.IDLE_PAUSE``),
#: which is part of what it costs. No key is pressed: the ORM, imported from the first
#: key on (~21 MB), is not in this figure.
SETTLE = 6.0


def run_env(home: Path) -> dict[str, str]:
    """The environment of every measured command: its own XDG folders under ``home``."""
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
    and the process's peak resident memory (kB) ``SETTLE`` seconds later.

    A tmux server of its own (``-L``), started with ``env``: a server that was already
    running would give the pane its own environment instead, and its own options."""
    socket = f"caretui-bench-{os.getpid()}-{time.monotonic_ns()}"
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    times, peaks = [], []
    # A session that outlives each measured one: the server would otherwise exit with
    # the last session and race the next new-session ("server exited unexpectedly").
    subprocess.run([*tmux, "new-session", "-d", "-s", "hold", "sleep 86400"], env=env, check=True)
    try:
        for i in range(repeat + 1):
            session = f"bench{i}"
            start = time.perf_counter()
            width, height = str(SIZE[0]), str(SIZE[1])
            new = [*tmux, "new-session", "-d", "-s", session, "-x", width, "-y", height, cmd]
            subprocess.run(new, env=env, check=True)
            try:
                deadline = start + 120
                while True:
                    pane = subprocess.run(
                        [*tmux, "capture-pane", "-p", "-t", session],
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
                time.sleep(SETTLE)
                pid = subprocess.run(
                    [*tmux, "display", "-p", "-t", session, "#{pane_pid}"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.strip()
                peak = peak_rss_kb(int(pid))
            finally:
                subprocess.run(
                    [*tmux, "kill-session", "-t", session], check=False, stderr=subprocess.DEVNULL
                )
            if i:  # the first run warms the file cache and is not counted
                times.append(elapsed)
                peaks.append(peak)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, stderr=subprocess.DEVNULL)
        folder = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (folder / socket).unlink(missing_ok=True)  # tmux leaves it behind
    return times, peaks


def peak_rss_kb(pid: int) -> int:
    """VmHWM of ``pid`` or of its child, whichever is higher (the pane's shell may
    have exec'd the command or be its parent)."""
    candidates = [pid]
    children = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    candidates += [int(c) for c in children]
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
    """Build a caseload with ``caretui seed`` unless ``path`` exists; the seconds it took,
    kept beside it (``<path>.seconds``) so a cached caseload still reports its build.

    Seeded under a temporary name and renamed when complete: an interrupted build is
    not mistaken for a caseload next time."""
    timing = path.with_name(path.name + ".seconds")
    if path.exists():
        try:
            return float(timing.read_text())
        except (OSError, ValueError):
            return float("nan")
    part = path.with_name(path.name + ".part")
    for leftover in path.parent.glob(part.name + "*"):
        leftover.unlink()
    start = time.perf_counter()
    subprocess.run(
        [CARETUI, "seed", "--db", str(part), *args], env=env, check=True, stdout=subprocess.DEVNULL
    )
    seconds = time.perf_counter() - start
    for suffix in ("-wal", "-shm"):
        side = part.with_name(part.name + suffix)
        if side.exists():
            side.replace(path.with_name(path.name + suffix))
    part.replace(path)
    timing.write_text(f"{seconds:.3f}\n")
    return seconds


def ensure_tool(binary: str, package: str, install: bool) -> bool:
    """Whether ``binary`` is on PATH, installing Debian's ``package`` with apt-get first
    when allowed (``install``) and possible (root, apt-get present). Says what to do
    when it is still missing."""
    if shutil.which(binary):
        return True
    can_apt = shutil.which("apt-get") is not None and hasattr(os, "geteuid") and os.geteuid() == 0
    if install and can_apt:
        print(f"{binary} is missing: apt-get install -y {package} ...", file=sys.stderr)
        if _apt("install", "-y", "--no-install-recommends", package) != 0:
            _apt("update")
            _apt("install", "-y", "--no-install-recommends", package)
    if shutil.which(binary):
        return True
    if can_apt:
        how = "apt-get install -y"
    elif shutil.which("apt-get"):
        how = "sudo apt-get install -y"
    else:
        how = "your system's package of"
    print(
        f"{binary} not found: its figures are skipped. Install it ({how} {package}) and run again.",
        file=sys.stderr,
    )
    return False


def _apt(*args: str) -> int:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(
        ["apt-get", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    ).returncode
