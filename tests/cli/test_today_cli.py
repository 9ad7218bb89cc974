"""`caretui today`: plain, table and JSON output, options, hostile text, errors, imports."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from caretui.cli import main
from caretui.commands import today as today_cmd
from caretui.config import DEFAULT_QUEUES
from caretui.models.all import Task
from caretui.queries.today import today_items
from caretui.services import patients, records
from caretui.services.dates import parse_date
from caretui.services.triage import rank
from caretui.services.unit import action
from caretui.store.database import Database
from tests.queries.test_today import build_caseload

DAY = "2026-03-11"
OSC_TITLE = "\x1b]0;pwned\x07"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def caseload(db: Database, today: date) -> dict[str, int]:
    ids = build_caseload(db, today)
    db.dispose()
    return ids


@pytest.fixture
def hostile(db: Database, today: date) -> Path:
    """A caseload whose names and titles try markup and terminal escapes."""
    with action(db, "Hostile") as s:
        mary = patients.create_patient(
            s,
            {"given_name": "[@click=app.quit]Mary[/]", "family_name": "O'Brien [/]"},
            today=today,
        )
        for title in ("[bold]x[/]", "placeholder"):
            records.create(
                s,
                Task,
                {"patient_id": mary.id, "title": title, "queue": "calls", "due": DAY},
                today=today,
                queues=DEFAULT_QUEUES,
            )
    db.dispose()
    # Validation refuses control characters at entry; an import or a hand edit may not.
    with sqlite3.connect(db.path) as raw:
        raw.execute("UPDATE task SET title = ? WHERE title = 'placeholder'", (OSC_TITLE,))
    raw.close()
    return db.path


def test_plain_text_when_piped(caseload: dict[str, int], db_path: Path) -> None:
    code, out, err = run("today", "--db", str(db_path), "--date", DAY)
    assert (code, err) == (0, "")
    assert "\x1b" not in out
    # As of the start of 2026-03-11 (not the real today): nothing of the 11th is over yet.
    assert out.splitlines() == [
        " 1  27.9  appt not ready  today 14:00   urgent   Lee, Ann             "
        "Cardiology follow-up — transport needed, not arranged",
        " 2  25.9  appt not ready  today 16:00   urgent   Moss, Cara           "
        "with Dr Osei — not booked yet",
        " 3  24.0  task            today         stat     -                    Order supplies",
        " 4  23.9  appt not ready  today 08:00   urgent   Díaz, Roberto (Bob)  "
        "Blood draw — transport needed, not arranged",
        " 5  21.8  plan review     38d ago       routine  Lee, Ann             "
        "Falls plan — review due 38 days ago",
        " 6  20.6  task            3d ago        asap     Lee, Ann             Call pharmacy",
        " 7  17.7  no outcome      1d ago 10:00  routine  Lee, Ann             "
        "Eye exam — arrived, no outcome recorded",
        " 8  17.5  refill          2d ago        routine  Díaz, Roberto (Bob)  "
        "Lisinopril — refill due 2 days ago",
        " 9  16.9  task            6d ago        routine  Moss, Cara           "
        "Chase labs — in progress",
        "10  13.8  plan review     today         routine  Moss, Cara           "
        "Diabetes plan — review due today",
        "11   9.8  task            today         routine  Díaz, Roberto (Bob)  Fax forms",
        "12   8.8  goal overdue    10d ago       routine  Lee, Ann             "
        "Walk 20 minutes daily — target date passed 10 days ago; in progress",
        "13   6.8  goal overdue    24d ago       routine  Moss, Cara           "
        "A1c under 7 — target date passed 24 days ago",
        "14   5.8  refill          in 7d         routine  Lee, Ann             "
        "Metformin 500 mg — refill due in 7 days",
    ]


def test_plain_lines_are_aligned_and_in_rank_order(
    caseload: dict[str, int], db: Database, db_path: Path, today: date
) -> None:
    code, out, _ = run("today", "--db", str(db_path), "--date", DAY)
    assert code == 0
    lines = out.splitlines()
    con = db.read()
    try:
        ranked = rank(
            today_items(con, today, now=datetime(2026, 3, 11)), today, now=datetime(2026, 3, 11)
        )
    finally:
        con.close()
    assert len(lines) == len(ranked)
    for line, r in zip(lines, ranked, strict=True):
        assert f"{r.score:.1f}" in line and r.item.what in line
    # Columns line up: the patient column starts at the same place on every line.
    starts = {
        line.index(r.item.patient or "-  ")
        for line, r in zip(lines, ranked, strict=True)
        if r.item.patient
    }
    assert len(starts) == 1


def test_json(caseload: dict[str, int], db_path: Path) -> None:
    code, out, err = run("today", "--db", str(db_path), "--date", DAY, "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [d["rank"] for d in data] == list(range(1, 15))
    assert [d["score"] for d in data] == sorted((d["score"] for d in data), reverse=True)
    first = data[0]
    assert first == {
        "rank": 1,
        "score": 27.9,
        "kind": "appointment-not-ready",
        "patient": "Lee, Ann",
        "patient_id": caseload["ann"],
        "risk": "high",
        "what": "Cardiology follow-up",
        "detail": "transport needed, not arranged",
        "when": DAY,
        "at": "2026-03-11T14:00",
        "priority": "urgent",
        "queue": None,
        "entity": "appointment",
        "id": caseload["in_appt_transport"],
        "version": 1,
        "bad_date": False,
        "explanation": [
            {
                "factor": "priority",
                "value": "urgent",
                "weight": "priority_urgent",
                "coefficient": 3.9,
                "contribution": 3.9,
            },
            {
                "factor": "due",
                "value": "today",
                "weight": "due",
                "coefficient": 8.0,
                "contribution": 8.0,
            },
            {
                "factor": "risk",
                "value": "high",
                "weight": "risk_high",
                "coefficient": 4.0,
                "contribution": 4.0,
            },
            {
                "factor": "appt not ready",
                "value": "",
                "weight": "appointment_not_ready",
                "coefficient": 12.0,
                "contribution": 12.0,
            },
        ],
    }
    lone = next(
        d for d in data if d["id"] == caseload["in_task_no_patient"] and d["entity"] == "task"
    )
    assert (lone["patient"], lone["patient_id"], lone["queue"]) == (None, None, "paperwork")


def test_limit(caseload: dict[str, int], db_path: Path) -> None:
    _, out, _ = run("today", "--db", str(db_path), "--date", DAY, "--limit", "3")
    assert len(out.splitlines()) == 3
    _, everything, _ = run("today", "--db", str(db_path), "--date", DAY, "--limit", "0")
    assert len(everything.splitlines()) == 14
    # Columns are as wide as the rows shown need, so compare the fields.
    assert [line.split() for line in everything.splitlines()[:3]] == [
        line.split() for line in out.splitlines()
    ]
    code, _, err = run("today", "--db", str(db_path), "--limit", "-1")
    assert code != 0 and "Traceback" not in err


def test_default_limit_is_50(db: Database, db_path: Path, today: date) -> None:
    with action(db, "Many") as s:
        for n in range(60):
            records.create(
                s,
                Task,
                {"title": f"Task {n}", "queue": "calls", "due": DAY},
                today=today,
                queues=DEFAULT_QUEUES,
            )
    db.dispose()
    _, out, _ = run("today", "--db", str(db_path), "--date", DAY)
    assert len(out.splitlines()) == 50


def test_date_moves_the_list(caseload: dict[str, int], db_path: Path) -> None:
    _, out, _ = run("today", "--db", str(db_path), "--date", "2026-03-12", "--limit", "0")
    assert "Later" in out  # due on the 12th
    assert "Snoozed" not in out  # snoozed to the 13th
    _, before, _ = run("today", "--db", str(db_path), "--date", "2026-03-10", "--limit", "0")
    assert "Fax forms" not in before and "Call pharmacy" in before


def test_natural_dates(caseload: dict[str, int], db_path: Path) -> None:
    friday = parse_date("fri", date.today()).isoformat()
    _, natural, _ = run("today", "--db", str(db_path), "--date", "fri", "--format", "json")
    _, iso, _ = run("today", "--db", str(db_path), "--date", friday, "--format", "json")
    assert natural == iso


@pytest.mark.parametrize("bad", ["blah", "2026-02-30", "+99999d", ""])
def test_a_bad_date_is_one_clear_line(caseload: dict[str, int], db_path: Path, bad: str) -> None:
    code, out, err = run("today", "--db", str(db_path), "--date", bad)
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("caretui: ")
    assert "Traceback" not in err


def test_a_missing_database(tmp_path: Path) -> None:
    code, out, err = run("today", "--db", str(tmp_path / "none.db"))
    assert (code, out) == (2, "")
    assert err == f"caretui: No caretui database at {tmp_path / 'none.db'}\n"
    assert not (tmp_path / "none.db").exists()


def test_weights_come_from_the_config_file(
    caseload: dict[str, int], db_path: Path, isolated_home: Path
) -> None:
    path = Path(os.environ["CARETUI_CONFIG"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("refill_window_days = 10\n[urgency]\nrefill = 100\n", "utf-8")
    _, out, _ = run("today", "--db", str(db_path), "--date", DAY, "--format", "json")
    data = json.loads(out)
    assert data[0]["kind"] == "refill"
    refill = next(f for f in data[0]["explanation"] if f["weight"] == "refill")
    assert refill["coefficient"] == 100.0
    assert len(data) == 15  # the 10-day window takes in the refill due on the 19th

    path.write_text("[urgency]\npriorty_asap = 1\n", "utf-8")
    code, out, err = run("today", "--db", str(db_path), "--date", DAY)
    assert (code, out) == (2, "")
    assert err.startswith("caretui: urgency: unknown coefficient 'priorty_asap'")
    assert err.count("\n") == 1


def test_hostile_text_prints_literally_when_piped(hostile: Path) -> None:
    _, out, _ = run("today", "--db", str(hostile), "--date", DAY)
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;pwned\\x07" in out
    assert "[bold]x[/]" in out
    assert "O'Brien [/], [@click=app.quit]Mary[/]" in out

    _, out, _ = run("today", "--db", str(hostile), "--date", DAY, "--format", "json")
    assert "\x1b" not in out and "\x07" not in out
    titles = {d["what"] for d in json.loads(out)}
    assert titles == {"[bold]x[/]", "\\x1b]0;pwned\\x07"}


def test_hostile_text_in_the_rich_table(hostile: Path, today: date) -> None:
    con = sqlite3.connect(hostile)
    try:
        ranked = rank(today_items(con, today, now=datetime(2026, 3, 11, 8)), today)
    finally:
        con.close()
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="truecolor", width=160)
    today_cmd.render_table(ranked, len(ranked) + 5, today, console)
    shown = buffer.getvalue()
    assert "\x1b]" not in shown and "\x07" not in shown  # no OSC: only Rich's own SGR styling
    assert "[bold]x[/]" in shown
    assert "\\x1b]0;pwned\\x07" in shown
    assert "O'Brien [/], [@click=app.q" in shown  # the column ends in an ellipsis
    assert "2 of 7 shown; --limit 0 shows all." in shown


def test_the_table_branch_on_a_terminal(hostile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(today_cmd, "is_terminal", lambda stream: True)
    result = CliRunner().invoke(
        main, ["today", "--db", str(hostile), "--date", DAY], env={"COLUMNS": "160"}
    )
    code, out, err = result.exit_code, result.stdout, result.stderr
    assert (code, err) == (0, "")
    assert "Today — Wed 2026-03-11" in out
    assert "Score" in out and "Patient" in out
    assert "[bold]x[/]" in out and "\\x1b]0;pwned\\x07" in out
    assert "\x07" not in out


def test_an_empty_list(db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db.dispose()
    assert run("today", "--db", str(db_path), "--date", DAY) == (0, "", "")
    assert run("today", "--db", str(db_path), "--date", DAY, "--format", "json")[1] == "[]\n"
    monkeypatch.setattr(today_cmd, "is_terminal", lambda stream: True)
    assert run("today", "--db", str(db_path), "--date", DAY)[1] == (
        "Nothing needs attention on Wed 2026-03-11.\n"
    )


def test_listed_in_help() -> None:
    code, out, _ = run("--help")
    assert code == 0 and "today" in out
    code, out, _ = run("today", "--help")
    assert code == 0 and "--limit" in out and "--date" in out


HEAVY = ("sqlalchemy", "alembic", "textual", "rich")


def test_today_imports_no_sqlalchemy_alembic_textual_or_rich_when_piped(
    caseload: dict[str, int], db_path: Path
) -> None:
    """Checked two ways in a fresh interpreter: ``-X importtime`` (what the brief's
    ``PYTHONPROFILEIMPORTTIME`` check greps) and ``sys.modules`` after the run (which
    also sees modules loaded through ``importlib``, which importtime does not log)."""
    code = (
        "import sys\n"
        "from caretui.cli import main\n"
        f"sys.argv = ['caretui', 'today', '--db', {str(db_path)!r}, '--date', {DAY!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('LOADED', ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(proc.stdout.splitlines()) == 14
    timed = {
        line.rsplit("|", 1)[1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "caretui.queries.today" in timed and "sqlite3" in timed
    assert sorted(m for m in timed if m.split(".")[0] in HEAVY) == []
    loaded_line = next(line for line in proc.stderr.splitlines() if line.startswith("LOADED "))
    loaded = set(loaded_line.split()[1:])
    assert "caretui.commands.today" in loaded
    assert sorted(m for m in loaded if m.split(".")[0] in HEAVY) == []
