"""The runner's helpers: caseloads built once and kept, with their build time."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.run import Figure, p95, render
from benchmarks.terminal import ensure_tool, run_env, seed


def test_a_caseload_is_seeded_once_and_its_build_time_kept(tmp_path: Path) -> None:
    env = run_env(tmp_path / "home")
    db = tmp_path / "small.db"
    took = seed(db, env, "--patients", "3", "--tasks", "2", "--appointments", "1")
    assert db.exists() and took > 0
    assert not list(tmp_path.glob("small.db.part*"))
    stamp = db.stat().st_mtime_ns
    assert seed(db, env, "--patients", "3") == round(took, 3)
    assert db.stat().st_mtime_ns == stamp


def test_an_interrupted_build_is_not_taken_for_a_caseload(tmp_path: Path) -> None:
    env = run_env(tmp_path / "home")
    (tmp_path / "small.db.part").write_bytes(b"half")
    seed(tmp_path / "small.db", env, "--patients", "2", "--tasks", "0", "--appointments", "0")
    assert (tmp_path / "small.db").stat().st_size > 4


def test_p95_and_the_table() -> None:
    assert p95([float(i) for i in range(1, 101)]) == 95.0
    table = render([Figure("a figure", "1.0 ms", "2.0 ms", "0.50×", "≤ 1×", "met")], 3, ["--quick"])
    assert "| a figure | 1.0 ms | 2.0 ms | 0.50× | ≤ 1× | met |" in table
    assert "`benchmarks/run.py --quick`" in table


def test_a_missing_tool_is_skipped_with_how_to_install_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert ensure_tool("python3", "python3", install=False)
    assert not ensure_tool("no-such-tool-caretui", "no-such-package", install=False)
    assert "no-such-package" in capsys.readouterr().err
