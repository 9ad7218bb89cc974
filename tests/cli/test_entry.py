"""The ``caretui`` script's entry: a bare ``caretui [--db PATH]`` opens the TUI
without click; anything else goes to the click CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from caretui.entry import parse_open


def test_parse_open(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARETUI_DB", raising=False)
    assert parse_open([]) == {"db_path": None}
    assert parse_open(["--db", "a.db"]) == {"db_path": "a.db"}
    assert parse_open(["--db=a.db"]) == {"db_path": "a.db"}
    monkeypatch.setenv("CARETUI_DB", "env.db")
    assert parse_open([]) == {"db_path": "env.db"}
    for other in (["--db"], ["--db", "a.db", "today"], ["--db=a.db", "x"], ["--help"], ["today"]):
        assert parse_open(other) is None, other


def test_a_caseload_that_cannot_open_is_one_line_without_click(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code = (
        "import sys\n"
        "from caretui.entry import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    print(exc.code, sorted(m for m in ('click', 'textual') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "--db", str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, "CARETUI_DB": ""},
        stdin=subprocess.DEVNULL,
    )
    assert done.stdout == "2 []\n"
    assert done.stderr == f"caretui: {folder} is not a file\n"


def test_a_reader_gone_away_is_quiet_and_leaves_no_crash_report(tmp_path: Path) -> None:
    from caretui.store.database import Database

    db = Database.open(tmp_path / "x.db")
    db.dispose()
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "caretui", "count", "--db", str(db.path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before caretui writes
    _, err = proc.communicate(timeout=30)
    assert proc.returncode in (0, 1)
    assert b"unexpected error" not in err
    assert not (tmp_path / "state").exists()
