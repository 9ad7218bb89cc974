"""An import is all or nothing under SIGKILL: killed at random moments while it writes,
the database is whole and holds either none of the bundle or all of it."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from caretui.store.database import Database
from tests.interchange.helpers import TABLES, load_generator

WRITER = Path(__file__).with_name("import_crash_writer.py")
ROOT = Path(__file__).resolve().parents[2]
RESOURCES = 2_000
TRIALS = 6


def _contents(path: Path) -> tuple[str, dict[str, int]]:
    con = sqlite3.connect(path)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        tables = (*TABLES, "external_ref", "audit_event")
        return integrity, {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables
        }
    finally:
        con.close()


def _fresh_copy(template: Path, path: Path) -> None:
    """A copy of the empty migrated database, WAL and all, through the backup API."""
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    src, dst = sqlite3.connect(template), sqlite3.connect(path)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _start(path: Path, bundle: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(path), str(bundle)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_sigkill_during_an_import_leaves_none_of_it_or_all(tmp_path: Path) -> None:
    template = tmp_path / "empty.db"
    Database.open(template).dispose()
    bundle = tmp_path / "bundle.json"
    with bundle.open("w", encoding="utf-8") as fh:
        load_generator().write_bundle(fh, RESOURCES)
    path = tmp_path / "crash.db"
    _, empty = _contents(template)

    # One import left alone: how long its write takes, and what "all of it" is.
    _fresh_copy(template, path)
    proc = _start(path, bundle)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    began = time.monotonic()
    assert proc.stdout.readline().strip() == "committed"
    writing = time.monotonic() - began
    assert proc.wait() == 0
    integrity, full = _contents(path)
    assert integrity == "ok" and full["patient"] > 0 and full != empty

    rng = random.Random(20261124)
    outcomes = []
    for _trial in range(TRIALS):
        _fresh_copy(template, path)
        proc = _start(path, bundle)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "writing"
        time.sleep(rng.uniform(0.0, writing * 1.1))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        integrity, found = _contents(path)
        assert integrity == "ok"
        assert found in (empty, full)
        if "committed" in out:
            assert found == full
        outcomes.append(found == full)
    assert not all(outcomes), "at least one kill landed while the import was writing"
