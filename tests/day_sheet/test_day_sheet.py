"""The day sheet: what is on it and what is not, each format against a golden file
("today" frozen), escaping of hostile text, redaction, the file written owner-only,
standard output, and the queries' use of indexes.

Set CARETUI_UPDATE_GOLDEN=1 to rewrite the golden files, then read the diff.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from caretui.commands.day_sheet import day_sheet
from caretui.config import DEFAULT_QUEUES
from caretui.models.all import (
    Allergy,
    Appointment,
    CarePlan,
    Contact,
    Goal,
    Medication,
    Record,
    Task,
)
from caretui.queries import day_sheet as q
from caretui.services import patients, records
from caretui.services.day_sheet import DaySheet, build_day_sheet, save
from caretui.services.day_sheet_render import render, to_html, to_markdown, to_text
from caretui.services.unit import action
from caretui.store.database import Database

GOLDEN = Path(__file__).parent / "golden"
PRINTED = datetime(2026, 3, 11, 7, 45)
ANSI_RED = "\x1b[31m"
OSC_TITLE = "\x1b]0;pwned\x07"


def build(db: Database, today: date) -> dict[str, int]:
    """A known caseload for Wed 2026-03-11, with hostile text in names and titles."""
    ids: dict[str, int] = {}
    with action(db, "Build caseload") as s:

        def add(label: str, model: type[Record], **fields: Any) -> None:
            ids[label] = records.create(s, model, fields, today=today, queues=DEFAULT_QUEUES).id

        def patient(label: str, **fields: Any) -> int:
            ids[label] = patients.create_patient(s, fields, today=today).id
            return ids[label]

        lukasz = patient(
            "lukasz",
            given_name="Łukasz",
            family_name="Núñez",
            birth_date="1950-01-02",
            phone="555-0101",
            address="12 Elm Street\nApt 3",
            language="Polish",
            interpreter_needed=True,
            risk="high",
        )
        li = patient(
            "li", given_name="华", family_name="李", birth_date="1962-07-04", phone="555-0102"
        )
        evil = patient(
            "evil",
            given_name="<script>alert(1)</script>",
            family_name="[bold]O'Brien[/] & Co",
            phone="555-0103",
            risk="low",
        )
        gone = patient("gone", given_name="Dan", family_name="Gone", status="discharged")

        at = datetime
        add(
            "visit1",
            Appointment,
            patient_id=lukasz,
            start=at(2026, 3, 11, 9, 30),
            end=at(2026, 3, 11, 10, 0),
            with_whom="Dr Osei",
            location="Clinic *A*",
            purpose="Follow-up | check",
            transport="arranged",
            transport_details="Van 3, pick-up 9:00",
        )
        add(
            "visit2",
            Appointment,
            patient_id=li,
            start=at(2026, 3, 11, 11, 0),
            end=at(2026, 3, 11, 11, 45),
            with_whom="Pharmacist",
            location="Telehealth",
            purpose="Medication review",
            transport="needed",
        )
        add(
            "visit3",
            Appointment,
            patient_id=evil,
            start=at(2026, 3, 11, 14, 0),
            purpose="Intake <b>bold</b>",
            status="proposed",
        )
        add(
            "cancelled",
            Appointment,
            patient_id=lukasz,
            start=at(2026, 3, 11, 16, 0),
            purpose="Cancelled visit",
            status="cancelled",
        )
        add(
            "discharged",
            Appointment,
            patient_id=gone,
            start=at(2026, 3, 11, 10, 0),
            purpose="Discharged patient's visit",
        )
        add(
            "tomorrow",
            Appointment,
            patient_id=li,
            start=at(2026, 3, 12, 10, 0),
            purpose="Tomorrow's visit",
        )

        add(
            "call1",
            Task,
            patient_id=lukasz,
            title="Call pharmacy re: refill",
            queue="calls",
            due="2026-03-09",
            priority="asap",
        )
        add(
            "call2",
            Task,
            patient_id=li,
            title="Weekly check-in call",
            queue="calls",
            due="2026-03-11",
        )
        add(
            "call_ansi", Task, patient_id=evil, title="placeholder", queue="calls", due="2026-03-11"
        )
        add(
            "paper1",
            Task,
            patient_id=evil,
            title="Fax form `x` *now*",
            queue="paperwork",
            due="2026-03-10",
            priority="stat",
        )
        add("paper2", Task, title="Order supplies", queue="paperwork", due="2026-03-11")
        add(
            "snoozed",
            Task,
            patient_id=li,
            title="Snoozed task",
            queue="follow-up",
            due="2026-03-10",
            wait_until="2026-03-13",
        )
        add(
            "done",
            Task,
            patient_id=li,
            title="Completed task",
            queue="follow-up",
            due="2026-03-10",
            status="completed",
        )
        add("future", Task, patient_id=li, title="Future task", queue="follow-up", due="2026-03-12")
        add(
            "gone_task",
            Task,
            patient_id=gone,
            title="Discharged patient's task",
            queue="follow-up",
            due="2026-03-10",
        )

        add(
            "metformin",
            Medication,
            patient_id=lukasz,
            name="Metformin",
            dose="500 mg",
            route="oral",
            frequency="twice daily",
            refill_due="2026-03-14",
            last_reconciled="2026-02-01",
        )
        add(
            "warfarin",
            Medication,
            patient_id=lukasz,
            name="Warfarin",
            dose="5 mg",
            status="stopped",
            stop_reason="Bleeding risk",
        )
        add(
            "lisinopril",
            Medication,
            patient_id=li,
            name="Lisinopril",
            dose="10 mg",
            refill_due="2026-03-05",
        )
        add(
            "statin",
            Medication,
            patient_id=li,
            name="Atorvastatin",
            dose="20 mg",
            refill_due="2026-04-30",
        )

        add(
            "pharmacy",
            Contact,
            patient_id=lukasz,
            role="pharmacy",
            name="Main St Pharmacy",
            organization="Main St Pharmacy",
            phone="555-0200",
        )
        add(
            "daughter",
            Contact,
            patient_id=lukasz,
            role="caregiver",
            name="Maria Núñez",
            relationship="daughter",
            phone="555-0199",
            emergency=True,
        )
        add(
            "specialist",
            Contact,
            patient_id=lukasz,
            role="specialist",
            name="Dr Heart",
            phone="555-0300",
        )

        add(
            "penicillin",
            Allergy,
            patient_id=lukasz,
            substance="Penicillin",
            reaction="anaphylaxis",
            criticality="high",
        )
        add(
            "latex",
            Allergy,
            patient_id=lukasz,
            substance="Latex",
            reaction="rash",
            criticality="low",
        )
        add(
            "resolved",
            Allergy,
            patient_id=lukasz,
            substance="Shellfish",
            clinical_status="resolved",
        )

        add("plan", CarePlan, patient_id=lukasz, title="Diabetes plan", next_review="2026-03-10")
        add("plan_done", CarePlan, patient_id=li, title="Old plan", status="completed")
        add(
            "goal",
            Goal,
            patient_id=lukasz,
            description="Walk 20 minutes daily",
            target_date="2026-04-01",
            achievement_status="in-progress",
        )
        add(
            "goal_done",
            Goal,
            patient_id=lukasz,
            description="Quit smoking",
            achievement_status="achieved",
        )
    # Terminal escapes cannot be typed in (the services refuse them): they arrive
    # from outside, as a hand edit or an import would bring them.
    con = sqlite3.connect(db.path)
    with con:
        con.execute(
            "UPDATE task SET title = ? WHERE id = ?",
            (f"Call {OSC_TITLE}now{ANSI_RED}!", ids["call_ansi"]),
        )
        con.execute(
            "UPDATE patient SET preferred_name = ? WHERE id = ?", (f"Ev{ANSI_RED}il", ids["evil"])
        )
    con.close()
    return ids


def sheet_of(db: Database, today: date, *, redact: bool = False) -> DaySheet:
    con = db.read()
    try:
        return build_day_sheet(
            con, today, coordinator="Sam <Coordinator>", redact=redact, printed_at=PRINTED
        )
    finally:
        con.close()


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("CARETUI_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, "utf-8")
    assert text == path.read_text("utf-8"), f"{name} differs from its golden file"


# ---------------------------------------------------------------------------- content


def test_what_is_on_the_sheet_and_what_is_not(db: Database, today: date) -> None:
    build(db, today)
    sheet = sheet_of(db, today)
    assert [v.purpose for v in sheet.schedule] == [
        "Follow-up | check",
        "Medication review",
        "Intake <b>bold</b>",
    ]
    assert [t.title for t in sheet.calls.tasks] == [
        "Call pharmacy re: refill",
        "Weekly check-in call",
        f"Call {OSC_TITLE}now{ANSI_RED}!",
    ]
    assert [(g.queue, [t.title for t in g.tasks]) for g in sheet.tasks] == [
        ("referrals", []),
        ("paperwork", ["Fax form `x` *now*", "Order supplies"]),
        ("insurance", []),
        ("follow-up", []),
    ]
    assert [(r.medication, r.due) for r in sheet.refills] == [
        ("Lisinopril", date(2026, 3, 5)),
        ("Metformin", date(2026, 3, 14)),
    ]
    assert sheet.refills[1].pharmacy == "Main St Pharmacy"
    assert [r.plan for r in sheet.reviews] == ["Diabetes plan"]
    assert [b.patient for b in sheet.briefs] == [
        "Núñez, Łukasz",
        "李, 华",
        "[bold]O'Brien[/] & Co, <script>alert(1)</script> (Ev\\x1b[31mil)",
    ]
    lukasz = sheet.briefs[0]
    assert [(a.substance, a.criticality) for a in lukasz.allergies] == [
        ("Penicillin", "high"),
        ("Latex", "low"),
    ]
    assert [m.name for m in lukasz.medications] == ["Metformin"]  # not the stopped one
    assert [c.name for c in lukasz.contacts] == ["Maria Núñez"]  # key contacts only
    assert [g.description for g in lukasz.goals] == ["Walk 20 minutes daily"]
    assert lukasz.age == 76 and lukasz.visits == ("09:30–10:00",)


def test_limits_count_what_is_left_out(db: Database, today: date) -> None:
    from caretui.services.day_sheet import SheetLimits

    build(db, today)
    con = db.read()
    try:
        sheet = build_day_sheet(
            con,
            today,
            limits=SheetLimits(schedule=1, per_queue=1, refills=1, reviews=1, briefs=1),
        )
        briefs = build_day_sheet(con, today, limits=SheetLimits(briefs=1))
    finally:
        con.close()
    assert len(sheet.schedule) == 1 and sheet.schedule_more == 2
    assert len(sheet.calls.tasks) == 1 and sheet.calls.total == 3
    assert len(sheet.refills) == 1 and sheet.refills_more == 1
    assert len(briefs.briefs) == 1 and briefs.briefs_more == 2
    assert "2 more patients seen today: briefs not shown." in to_text(briefs)
    text = to_text(sheet)
    assert "2 more tasks in calls: see caretui today." in text
    assert "2 more appointments not shown." in text


# ---------------------------------------------------------------------------- formats


@pytest.mark.parametrize("fmt", ["html", "md", "txt"])
def test_formats_match_their_golden_files(db: Database, today: date, fmt: str) -> None:
    build(db, today)
    golden(f"day-sheet.{fmt}", render(sheet_of(db, today), fmt).decode("utf-8"))


def test_redacted_sheet_matches_its_golden_file(db: Database, today: date) -> None:
    build(db, today)
    golden("day-sheet-redacted.md", to_markdown(sheet_of(db, today, redact=True)))


def test_html_escapes_every_piece_of_user_text(db: Database, today: date) -> None:
    build(db, today)
    page = to_html(sheet_of(db, today))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page and "Intake &lt;b&gt;bold&lt;/b&gt;" in page
    assert "[bold]O&#x27;Brien[/] &amp; Co" in page
    assert "Sam &lt;Coordinator&gt;" in page
    assert "\x1b" not in page and "\x07" not in page
    assert "Call \\x1b]0;pwned\\x07now\\x1b[31m!" in page
    assert "<link" not in page and "src=" not in page  # self-contained


def test_markdown_escapes_only_what_markdown_needs(db: Database, today: date) -> None:
    build(db, today)
    text = to_markdown(sheet_of(db, today))
    assert "Fax form \\`x\\` \\*now\\*" in text
    assert "Follow\\-up" not in text and "Follow-up \\| check" in text
    assert "\\[bold\\]O'Brien\\[/\\] \\& Co, \\<script\\>alert(1)\\</script\\>" in text
    assert "\x1b" not in text


def test_text_keeps_user_text_as_typed_but_shows_control_characters(
    db: Database, today: date
) -> None:
    build(db, today)
    text = to_text(sheet_of(db, today))
    assert "[bold]O'Brien[/] & Co, <script>alert(1)</script>" in text
    assert "Fax form `x` *now*" in text
    assert "Call \\x1b]0;pwned\\x07now\\x1b[31m!" in text
    assert not any(ord(ch) < 32 and ch != "\n" for ch in text)
    assert "12 Elm Street Apt 3" in text  # a line break in an address: one line


def test_redaction_leaves_out_names_birth_dates_phones_and_addresses(
    db: Database, today: date
) -> None:
    build(db, today)
    for fmt in ("html", "md", "txt"):
        out = render(sheet_of(db, today, redact=True), fmt).decode("utf-8")
        # (A one-character name, as 李 华, is its own initial: see the report.)
        for secret in (
            "Łukasz",
            "Núñez",
            "O'Brien",
            "1950-01-02",
            "555-01",
            "Elm Street",
            "Maria",
            "Main St Pharmacy · 555",
        ):
            assert secret not in out, (fmt, secret)
        assert "Ł.N." in out and "M.N." in out  # the patient and the caregiver
        assert "Redacted: initials only" in out


def test_pdf_renders_latin_and_cjk_names(db: Database, today: date, tmp_path: Path) -> None:
    """The PDF extra is part of the test extra, so this runs wherever the suite runs."""
    from pypdf import PdfReader

    from caretui.services.day_sheet_render import pdf_fonts

    assert pdf_fonts() != (None, None), "caretui[pdf] fonts are missing"
    build(db, today)
    data = render(sheet_of(db, today), "pdf")
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"NotoSans" in data
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    for name in ("Łukasz", "Núñez", "李", "华", "Metformin", "Penicillin"):
        assert name in text, name
    assert "<script>alert(1)</script>" in text


def test_pdf_without_the_extra_says_how_to_get_it(
    db: Database, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caretui.errors import CaretuiError
    from caretui.services import day_sheet_render

    build(db, today)
    monkeypatch.setattr(day_sheet_render, "pdf_fonts", lambda: (None, None))
    with pytest.raises(CaretuiError, match=r"pip install 'caretui\[pdf\]'"):
        render(sheet_of(db, today), "pdf")


# ------------------------------------------------------------------------------ files


def test_saved_owner_only_and_atomically(db: Database, today: date, tmp_path: Path) -> None:
    build(db, today)
    path = tmp_path / "new" / "sheet.html"
    save(sheet_of(db, today), "html", path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["sheet.html"]  # no temp file left


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(day_sheet, list(args))


def test_cli_writes_to_the_documents_folder_by_default(
    db: Database, today: date, isolated_home: Path
) -> None:
    build(db, today)
    db.dispose()
    result = run("--db", str(db.path), "--date", "2026-03-11", "--format", "md")
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    assert path == isolated_home / "Documents" / "day-sheets" / "day-sheet-2026-03-11.md"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text("utf-8").startswith("# Day sheet — Wednesday 11 March 2026")


def test_cli_dash_writes_text_to_stdout(db: Database, today: date, tmp_path: Path) -> None:
    build(db, today)
    db.dispose()
    result = run("--db", str(db.path), "--date", "2026-03-11", "--format", "txt", "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Day sheet — Wednesday 11 March 2026\n")
    assert "\x1b" not in result.output
    assert list(tmp_path.glob("*.txt")) == []
    result = run("--db", str(db.path), "--format", "pdf", "-o", "-")
    assert result.exit_code != 0 and "cannot go to standard output" in result.output


def test_cli_redacted_file_name_and_folder_output(
    db: Database, today: date, tmp_path: Path
) -> None:
    build(db, today)
    db.dispose()
    result = run("--db", str(db.path), "--date", "2026-03-11", "--redact", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    path = tmp_path / "day-sheet-2026-03-11-redacted.html"
    assert result.output.strip() == str(path)
    assert "Núñez" not in path.read_text("utf-8")


def test_cli_imports_no_sqlalchemy(db: Database, today: date, tmp_path: Path) -> None:
    build(db, today)
    db.dispose()
    code = (
        "import sys\n"
        "from caretui.cli import main\n"
        "try:\n"
        "    main(['--db', sys.argv[1], 'count'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "from caretui.commands.day_sheet import day_sheet\n"
        "try:\n"
        "    day_sheet.main(['--db', sys.argv[1], '--date', '2026-03-11', '-o', sys.argv[2]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('sqlalchemy', 'textual', 'rich', 'alembic') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db.path), str(tmp_path / "s.html")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert out.strip().endswith("[]")


# ---------------------------------------------------------------------------- queries


def plan(con: sqlite3.Connection, sql: str, params: dict[str, Any]) -> str:
    return "\n".join(r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql, params))


def test_queries_filter_by_date_on_an_index(db: Database, today: date) -> None:
    build(db, today)
    con = db.read()
    try:
        params = {**q.day_params(today), "limit": 10, "per_queue": 5}
        assert "SEARCH a USING INDEX ix_appointment_start" in plan(con, q.SCHEDULE_SQL, params)
        # Each queue's most pressing tasks and each queue's count, from the index alone.
        covering = "SEARCH t USING COVERING INDEX ix_task_status_due"
        assert covering in plan(con, q.TASKS_SQL, {**params, "queue": "calls"})
        assert covering in plan(con, q.QUEUE_COUNTS_SQL, params)
        refills = plan(con, q.REFILLS_SQL, params)
        assert "SEARCH m USING INDEX ix_medication_status_refill" in refills
        assert "SEARCH c USING INDEX ix_contact_patient_id" in refills
        assert "SEARCH c USING INDEX ix_care_plan_status_review" in plan(con, q.REVIEWS_SQL, params)
        placeholders, ids = q._ids_in([1, 2])
        by_patient = {**params, **ids}
        for sql, index in (
            (q.allergies_sql(placeholders), "ix_allergy_patient_id"),
            (q.medications_sql(placeholders), "ix_medication_patient_id"),
            (q.contacts_sql(placeholders), "ix_contact_patient_id"),
            (q.goals_sql(placeholders), "ix_goal_patient_id"),
        ):
            assert f"USING INDEX {index}" in plan(con, sql, by_patient)
    finally:
        con.close()


def test_a_bad_stored_date_does_not_break_the_sheet(db: Database, today: date) -> None:
    ids = build(db, today)
    con = sqlite3.connect(db.path)
    with con:
        con.execute("UPDATE patient SET birth_date = '1950-02-30' WHERE id = ?", (ids["lukasz"],))
        con.execute(
            "UPDATE medication SET last_reconciled = 'soon' WHERE id = ?", (ids["metformin"],)
        )
    con.close()
    sheet = sheet_of(db, today)
    assert sheet.briefs[0].birth_date is None
    assert "never" in to_text(sheet)


def test_a_task_waiting_on_an_open_task_is_not_on_the_sheet_until_it_is_done(
    db: Database, today: date
) -> None:
    from caretui.models.all import Task
    from caretui.services import dependencies, tasks

    with action(db, "Add tasks") as s:
        first = tasks.add_task(
            s,
            {"title": "Referral accepted", "queue": "paperwork", "due": today},
            today=today,
            queues=DEFAULT_QUEUES,
        )
        then = tasks.add_task(
            s,
            {"title": "Book the appointment", "queue": "paperwork", "due": today},
            today=today,
            queues=DEFAULT_QUEUES,
        )
        dependencies.add_dependency(s, then, first)
        first_id = first.id

    def titles() -> list[str]:
        return [t.title for group in sheet_of(db, today).tasks for t in group.tasks]

    assert titles() == ["Referral accepted"]
    with action(db, "Complete task") as s:
        tasks.complete_task(s, records.get(s, Task, first_id), today=today)
    assert titles() == ["Book the appointment"]
