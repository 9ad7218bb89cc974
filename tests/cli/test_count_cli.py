"""`caretui count`: one number, the same as a count made here, exit 0 whatever it is."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime

import pytest
from click.testing import CliRunner

from caretui.cli import main
from caretui.config import DEFAULT_QUEUES
from caretui.models.all import Appointment, Medication, Task
from caretui.services import patients, records
from caretui.services.unit import action
from caretui.store.database import Database


@pytest.fixture
def caseload(db: Database, today: date) -> Database:
    """Three overdue tasks, two due today (one snoozed past it, not counted), one
    appointment today, a refill due in three days, a completed task (not counted)."""
    with action(db, "Build") as s:
        pid = patients.create_patient(
            s, {"given_name": "Ann", "family_name": "Lee"}, today=today
        ).id

        def task(due: str, **more: object) -> None:
            fields = {"patient_id": pid, "title": "t", "queue": "calls", "due": due, **more}
            records.create(s, Task, fields, today=today, queues=DEFAULT_QUEUES)

        for due in ("2026-03-01", "2026-03-09", "2026-03-10"):
            task(due)
        task("2026-03-11")
        task("2026-03-11", wait_until="2026-03-12")
        task("2026-03-05", status="completed")
        records.create(
            s,
            Appointment,
            {"patient_id": pid, "start": datetime(2026, 3, 11, 14), "status": "proposed"},
            today=today,
        )
        records.create(
            s,
            Medication,
            {"patient_id": pid, "name": "Metformin", "refill_due": "2026-03-14"},
            today=today,
        )
    db.dispose()
    return db


@pytest.mark.parametrize(("what", "expected"), [("overdue", 3), ("today", 2), ("all", 6)])
def test_count_prints_one_number(caseload: Database, what: str, expected: int) -> None:
    result = CliRunner().invoke(
        main, ["count", "--db", str(caseload.path), "--date", "2026-03-11", "--what", what]
    )
    assert result.exit_code == 0
    assert result.output == f"{expected}\n"


def test_count_defaults_to_all_and_is_zero_on_an_empty_day(caseload: Database) -> None:
    result = CliRunner().invoke(main, ["count", "--db", str(caseload.path), "--date", "2026-01-01"])
    assert (result.exit_code, result.output) == (0, "0\n")
    result = CliRunner().invoke(main, ["count", "--db", str(caseload.path), "--date", "2026-03-11"])
    assert (result.exit_code, result.output) == (0, "6\n")


def test_count_errors_are_one_line_and_non_zero(caseload: Database, tmp_path: object) -> None:
    result = CliRunner().invoke(main, ["count", "--db", str(caseload.path), "--date", "someday"])
    assert result.exit_code != 0 and result.stdout == ""
    assert "is not a date I know" in result.stderr
    result = CliRunner().invoke(main, ["count", "--db", f"{tmp_path}/none.db"])
    assert result.exit_code != 0 and "No caretui database" in result.stderr


def test_count_imports_no_rich_sqlalchemy_or_textual(caseload: Database) -> None:
    code = (
        "import sys\n"
        "from caretui.cli import main\n"
        "try:\n"
        "    main(['count', '--db', sys.argv[1], '--date', '2026-03-11'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('rich', 'sqlalchemy', 'textual', 'alembic') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(caseload.path)], check=True, capture_output=True, text=True
    ).stdout
    assert out == "6\n[]\n"


# ------------------------------------------------------- the fast path, without click


def run_entry(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``caretui …`` as the installed script runs it (``caretui.entry:main``), reporting
    which heavy modules the run imported on a last line of stdout."""
    code = (
        "import sys\n"
        "from caretui.entry import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "else:\n"
        "    code = 0\n"
        "print(sorted(m for m in ('click', 'rich', 'sqlalchemy', 'textual', 'alembic', 'platformdirs') if m in sys.modules))\n"
        "sys.exit(code)\n"
    )
    import os

    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(("what", "expected"), [("overdue", 3), ("today", 2), ("all", 6)])
def test_count_fast_path_gives_the_same_numbers_without_click(
    caseload: Database, what: str, expected: int
) -> None:
    done = run_entry("count", f"--db={caseload.path}", "--date", "2026-03-11", "--what", what)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{expected}\n[]\n", "")


def test_count_fast_path_reads_caretui_db_from_the_environment(caseload: Database) -> None:
    done = run_entry("count", "--date", "2026-03-11", env={"CARETUI_DB": str(caseload.path)})
    assert (done.returncode, done.stdout) == (0, "6\n[]\n")


def test_count_fast_path_errors_are_one_line(caseload: Database, tmp_path: object) -> None:
    done = run_entry("count", "--db", str(caseload.path), "--date", "2026-02-30")
    assert done.returncode != 0
    assert done.stderr == "caretui: '2026-02-30' is not a real date\n"
    done = run_entry("count", "--db", f"{tmp_path}/none.db")
    assert done.returncode != 0
    assert done.stderr.startswith("caretui: No caretui database at ")
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--what", "bogus"],
        ["--what"],
        ["--date", "2026-03-11", "--date", "2026-03-12"],
        ["--verbose"],
        ["extra"],
    ],
)
def test_anything_but_a_plain_count_goes_to_click(caseload: Database, args: list[str]) -> None:
    from caretui.entry import parse_count

    assert parse_count(args) is None
    done = run_entry("count", "--db", str(caseload.path), *args)
    assert "'click'" in done.stdout.splitlines()[-1]  # click gave the answer, help or error
    if args[0] == "--help":
        assert done.returncode == 0 and "count [OPTIONS]" in done.stdout
    elif args[0] == "--date":
        assert (done.returncode, done.stdout.splitlines()[0]) == (
            0,
            "6",
        )  # click: the last --date wins
    else:
        assert done.returncode == 2 and "Error:" in done.stderr


def test_parse_count_takes_each_spelling(monkeypatch: pytest.MonkeyPatch) -> None:
    from caretui.entry import parse_count

    monkeypatch.delenv("CARETUI_DB", raising=False)
    assert parse_count(["--db", "a.db", "--date=fri", "--what", "today"]) == {
        "db_path": "a.db",
        "date_text": "fri",
        "what": "today",
    }
    assert parse_count([]) is not None
    assert parse_count(["--what=overdue"]) == {
        "db_path": None,
        "date_text": None,
        "what": "overdue",
    }
    monkeypatch.setenv("CARETUI_DB", "env.db")
    assert parse_count([]) == {"db_path": "env.db", "date_text": None, "what": "all"}
