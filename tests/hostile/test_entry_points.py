"""Hostile input through the doors a coordinator uses: the command line, the
imports (FHIR and CSV) and the TUI's forms. Each case gives a clear error, or is
stored exactly as typed, and nothing else in the database changes.

``tests/store/test_hostile.py`` drives the same kinds of input through the
services, with the full disk and the read-only database; this table proves the
entry points do not lose, mangle or half-write on the way there."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from caretui.cli import main
from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database

TODAY = date(2026, 3, 11)
PATIENT_ID = "11111111-1111-4111-8111-111111111111"
CSV_HEADER = "family_name,given_name,birth_date,phone,mrn,interpreter_needed,status,risk\n"
BIG = 1_000_000


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the audit trail included)."""
    con = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        con.close()


def changed_tables(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]
) -> set[str]:
    return {t for t in after if before.get(t) != after[t]}


@dataclass(frozen=True)
class Env:
    db: Path
    tmp: Path


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


# ------------------------------------------------------------------ the doors


def add(line: str) -> Callable[[Env], Result]:
    return lambda env: cli("add", "--db", str(env.db), "--date", TODAY.isoformat(), line)


def command(*args: str) -> Callable[[Env], Result]:
    return lambda env: cli(*(str(env.db) if a == "{db}" else a for a in args))


def csv_patients(row: str) -> Callable[[Env], Result]:
    def run(env: Env) -> Result:
        path = env.tmp / "patients.csv"
        path.write_text(CSV_HEADER + row + "\n", "utf-8")
        return cli("import", "csv", "patients", "--db", str(env.db), str(path))

    return run


def fhir(*resources: dict[str, Any], raw: str | None = None) -> Callable[[Env], Result]:
    def run(env: Env) -> Result:
        path = env.tmp / "bundle.json"
        if raw is not None:
            path.write_text(raw, "utf-8")
        else:
            entries = [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]
            bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
            path.write_text(json.dumps(bundle), "utf-8")
        return cli("import", "fhir", "--db", str(env.db), str(path))

    return run


def fhir_patient(**extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": PATIENT_ID,
        "name": [{"family": "Testwood", "given": ["Avery"]}],
        **extra,
    }


def subject() -> dict[str, str]:
    return {"reference": f"urn:uuid:{PATIENT_ID}"}


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[Env], Result]
    #: The error expected on stderr (a part of it), or None: the run succeeds.
    error: str | None = None
    #: For a success: a query and the rows it must give (the value stored as typed).
    stored: tuple[str, list[tuple[Any, ...]]] | None = None
    #: For a success: the tables allowed to change.
    touches: frozenset[str] = frozenset()


TASKS = frozenset({"task", "audit_event"})
PATIENTS = frozenset({"patient", "audit_event"})
FHIR_PATIENTS = frozenset({"patient", "external_ref", "audit_event"})
LAST_TASK = "SELECT title FROM task ORDER BY id DESC LIMIT 1"
LAST_PATIENT = "SELECT family_name, given_name FROM patient ORDER BY id DESC LIMIT 1"

CASES = [
    # ---- the command line: quick add
    Case(
        "add: ANSI escape", add("Call \x1b[2J\x1b[31mnow @Testwood"), "contains a control character"
    ),
    Case(
        "add: OSC 52 clipboard write",
        add("Call \x1b]52;c;aGk=\x07"),
        "contains a control character",
    ),
    Case("add: 10,000-character title", add("T" * 10_000), "Title is longer than 200 characters"),
    Case(
        "add: unknown patient", add("Call pharmacy @Nobodyatall"), "No patient matches @Nobodyatall"
    ),
    Case(
        "add: Rich markup",
        add("[bold red]Call[/] re refill"),
        stored=(LAST_TASK, [("[bold red]Call[/] re refill",)]),
        touches=TASKS,
    ),
    Case(
        "add: click markup",
        add("[@click=app.quit]x[/]"),
        stored=(LAST_TASK, [("[@click=app.quit]x[/]",)]),
        touches=TASKS,
    ),
    Case(
        "add: SQL-looking text",
        add("Robert'); DROP TABLE task;--"),
        stored=(LAST_TASK, [("Robert'); DROP TABLE task;--",)]),
        touches=TASKS,
    ),
    Case(
        "add: right-to-left and combining characters",
        add("اتصل \u202eevil Zoe\u0308"),
        stored=(LAST_TASK, [("اتصل \u202eevil Zoe\u0308",)]),
        touches=TASKS,
    ),
    Case(
        "add: emoji",
        add("Call re 💊 refill 👩‍⚕️"),
        stored=(LAST_TASK, [("Call re 💊 refill 👩‍⚕️",)]),
        touches=TASKS,
    ),
    Case(
        "add: an impossible due date stays in the title",
        add("Call due:2026-02-30"),
        stored=(
            "SELECT title, due FROM task ORDER BY id DESC LIMIT 1",
            [("Call due:2026-02-30", None)],
        ),
        touches=TASKS,
    ),
    # ---- the command line: other commands
    Case(
        "today: impossible date",
        command("today", "--db", "{db}", "--date", "2026-02-30"),
        "'2026-02-30' is not a real date",
    ),
    Case(
        "count: not a date",
        command("count", "--db", "{db}", "--date", "someday"),
        "is not a date I know",
    ),
    Case(
        "audit: not a date",
        command("audit", "--db", "{db}", "--since", "1950-02-30"),
        "is not a real date",
    ),
    Case(
        "restore: a file that is not a database",
        lambda env: (
            (env.tmp / "junk.db").write_bytes(b"not sqlite\x00" * 100)
            and cli("restore", "--db", str(env.db), str(env.tmp / "junk.db"))
        ),
        "is not a caretui database",
    ),
    # ---- the CSV import
    Case(
        "csv: impossible birth date",
        csv_patients("Testwood,Avery,1950-02-30,,,no,active,low"),
        "row 2, column birth_date = '1950-02-30'",
    ),
    Case(
        "csv: future birth date",
        csv_patients("Testwood,Avery,2031-01-01,,,no,active,low"),
        "Date of birth 2031-01-01 is in the future",
    ),
    Case(
        "csv: NUL byte",
        csv_patients("Test\x00wood,Avery,,,,no,active,low"),
        "contains a control character",
    ),
    Case(
        "csv: 10,000-character name",
        csv_patients("N" * 10_000 + ",Avery,,,,no,active,low"),
        "Family name is longer than 100 characters",
    ),
    Case(
        "csv: unknown code",
        csv_patients("Testwood,Avery,,,,no,active,extreme"),
        "Risk level 'extreme' is not one of",
    ),
    Case(
        "csv: markup and SQL stored literally",
        csv_patients("[bold red]Robert[/],'); DROP TABLE patient;--,,,,no,active,low"),
        stored=(LAST_PATIENT, [("[bold red]Robert[/]", "'); DROP TABLE patient;--")]),
        touches=PATIENTS,
    ),
    # ---- the FHIR import
    Case(
        "fhir: malformed JSON",
        fhir(raw='{"resourceType": "Bundle", "entry": [}'),
        "is not valid JSON",
    ),
    Case(
        "fhir: impossible date",
        fhir(fhir_patient(birthDate="1950-02-30")),
        "birthDate = '1950-02-30'",
    ),
    Case(
        "fhir: future birth date",
        fhir(fhir_patient(birthDate="2031-01-01")),
        "Date of birth 2031-01-01 is in the future",
    ),
    Case(
        "fhir: unknown code",
        fhir(
            fhir_patient(),
            {
                "resourceType": "Task",
                "id": "t1",
                "status": "done",
                "intent": "order",
                "description": "x",
                "for": subject(),
            },
        ),
        "status = 'done'",
    ),
    Case(
        "fhir: a reference to nothing",
        fhir(
            fhir_patient(),
            {
                "resourceType": "Condition",
                "id": "c1",
                "code": {"text": "Gout"},
                "subject": {"reference": "urn:uuid:missing"},
            },
        ),
        "subject = 'urn:uuid:missing': refers to nothing",
    ),
    Case(
        "fhir: ANSI escape in a name",
        fhir(fhir_patient(name=[{"family": "Test\x1b[2Jwood", "given": ["Avery"]}])),
        "Family name contains a control character",
    ),
    Case(
        "fhir: a 1 MB note",
        fhir(
            fhir_patient(),
            {
                "resourceType": "Communication",
                "id": "m1",
                "status": "completed",
                "subject": subject(),
                "sent": "2026-03-01T15:00:00",
                "payload": [{"contentString": "x" * BIG}],
            },
        ),
        "Note is longer than 20,000 characters",
    ),
    Case(
        "fhir: an end before its start",
        fhir(
            fhir_patient(),
            {
                "resourceType": "Appointment",
                "id": "a1",
                "status": "booked",
                "start": "2026-04-02T10:00:00",
                "end": "2026-04-02T09:00:00",
                "participant": [{"actor": subject(), "status": "accepted"}],
            },
        ),
        "is before start",
    ),
    Case(
        "fhir: an unknown resource type",
        fhir(
            fhir_patient(),
            {
                "resourceType": "Task",
                "id": "t1",
                "status": "requested",
                "intent": "order",
                "description": "x",
                "for": subject(),
            },
            {"resourceType": "Encounter", "id": "e1"},
        ),
        "caretui does not import this type",
    ),
    Case(
        "fhir: markup, right-to-left and emoji stored literally",
        fhir(
            fhir_patient(
                name=[{"family": "[bold red]محمد\u202e[/]", "given": ["[@click=app.quit]💊"]}]
            )
        ),
        stored=(LAST_PATIENT, [("[bold red]محمد\u202e[/]", "[@click=app.quit]💊")]),
        touches=FHIR_PATIENTS,
    ),
]


@pytest.fixture
def env(db: Database, tmp_path: Path) -> Env:
    with action(db, "Add patient") as s:
        patients.create_patient(
            s, {"given_name": "Ann", "family_name": "Testwood", "mrn": "M1"}, today=TODAY
        )
    db.dispose()
    return Env(db.path, tmp_path)


def test_the_table_is_big_enough() -> None:
    assert len(CASES) + len(FORM_CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_at_the_door(env: Env, case: Case) -> None:
    before = snapshot(env.db)
    result = case.run(env)
    after = snapshot(env.db)
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream and "\x00" not in stream  # nothing raw echoed back
        assert "Traceback" not in stream
    if case.error is not None:
        assert result.exit_code != 0, result.output
        assert case.error in result.stderr, result.stderr
        assert len(result.stderr) < 2_000  # a clear message, not the 1 MB echoed back
        assert after == before
    else:
        assert result.exit_code == 0, result.stderr
        assert case.stored is not None
        con = sqlite3.connect(env.db)
        try:
            assert con.execute(case.stored[0]).fetchall() == case.stored[1]
        finally:
            con.close()
        assert changed_tables(before, after) <= case.touches
        for table in case.touches - {"audit_event"}:
            assert after[table][: len(before[table])] == before[table]  # only additions


# ------------------------------------------------------------------ the forms


@dataclass(frozen=True)
class FormCase:
    name: str
    fields: dict[str, str]
    #: (field, message part) expected beside the field, or None: saved as typed.
    error: tuple[str, str] | None = None


FORM_CASES = [
    FormCase(
        "form: 30 February", {"birth_date": "1950-02-30"}, ("birth_date", "is not a real date")
    ),
    FormCase(
        "form: future birth date", {"birth_date": "2031-01-01"}, ("birth_date", "in the future")
    ),
    FormCase(
        "form: 10,000-character name", {"family_name": "N" * 10_000}, ("family_name", "longer than")
    ),
    FormCase("form: NUL byte", {"family_name": "Nul\x00l"}, ("family_name", "control character")),
    FormCase(
        "form: ANSI escape", {"given_name": "\x1b[31mRed"}, ("given_name", "control character")
    ),
    FormCase("form: empty name", {"family_name": "   "}, ("family_name", "is required")),
    FormCase(
        "form: markup and click actions",
        {"family_name": "[bold red]Robert[/]", "given_name": "[@click=app.quit]x"},
    ),
    FormCase(
        "form: right-to-left, combining, emoji",
        {"family_name": "محمد \u202eevil", "given_name": "Zoe\u0308 💊"},
    ),
]


@pytest.mark.parametrize("case", FORM_CASES, ids=[c.name for c in FORM_CASES])
async def test_hostile_input_in_the_new_patient_form(db: Database, case: FormCase) -> None:
    from textual.widgets import Input

    from tests.tui.helpers import SIZE, make_app, settle

    before = snapshot(db.path)
    app = make_app(db, TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        values = {"given_name": "Test", "family_name": "Case", **case.fields}
        for name, value in values.items():
            app.screen.query_one(f"#field-{name}", Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.is_running
        if case.error is not None:
            field, message = case.error
            shown = str(app.screen.query_one(f"#error-{field}").render())
            assert message in shown, shown
            assert "\x1b" not in shown and "\x00" not in shown
            assert snapshot(db.path) == before
        else:
            con = sqlite3.connect(db.path)
            try:
                stored = con.execute("SELECT family_name, given_name FROM patient").fetchall()
            finally:
                con.close()
            assert stored == [(values["family_name"], values["given_name"])]
            assert changed_tables(before, snapshot(db.path)) <= PATIENTS


# ------------------------------------------------- a database another process holds


@pytest.mark.parametrize(
    "door",
    [add("Call pharmacy @Testwood"), csv_patients("Testwood,Avery,,,,no,active,low")],
    ids=["add", "csv import"],
)
def test_a_database_locked_by_another_process_is_one_clear_message(
    env: Env, door: Callable[[Env], Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    from caretui.store import plain

    monkeypatch.setattr(plain, "BUSY_TIMEOUT_MS", 200)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "con = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "con.execute('BEGIN IMMEDIATE')\n"
            "print('locked', flush=True)\n"
            "sys.stdin.readline()\n",
            str(env.db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        before = snapshot(env.db)
        result = door(env)
        assert result.exit_code != 0
        assert "is busy: another caretui is writing" in result.stderr, result.stderr
        assert "Traceback" not in result.output
    finally:
        holder.communicate("\n", timeout=10)
    assert snapshot(env.db) == before
    assert door(env).exit_code == 0  # the lock gone, the same input goes through
