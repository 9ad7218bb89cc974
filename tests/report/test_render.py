"""The report's outputs: golden md, csv and txt files, redaction, and hostile text in
every format.

Golden files live in ``golden/`` and are compared byte for byte. To change one
on purpose, run the tests with ``CARETUI_REGENERATE_GOLDEN=1``, then read the diff.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from caretui.services import notes, patients
from caretui.services.report import MonthReport, month_report
from caretui.services.report_render.charts import nice_ceiling
from caretui.services.report_render.output import FORMATS, render
from caretui.services.report_render.plain import md_escape
from caretui.services.report_render.sections import sections
from caretui.services.report_render.sheet import cell
from caretui.services.unit import action
from caretui.store.database import Database
from tests.report.builders import MARCH, NOW, NY

GOLDEN = Path(__file__).parent / "golden"
NAMES = ("Lee", "Ann", "Díaz", "Roberto", "Moss", "Cara", "Osei")
MRNS = ("MRN-A1", "MRN-B2", "MRN-C3", "MRN-D4")
SCRIPT = "<script>alert(1)</script>"
MARKUP = "[bold]x[/]"
OSC_TITLE = "\x1b]0;pwned\x07"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("CARETUI_REGENERATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert text == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("fmt", ["txt", "md", "csv"])
def test_golden(march: MonthReport, fmt: str) -> None:
    check_golden(f"march.{fmt}", render(march, fmt).decode("utf-8"))


@pytest.mark.parametrize("fmt", ["txt", "md", "csv"])
def test_golden_redacted(march: MonthReport, fmt: str) -> None:
    check_golden(f"march-redacted.{fmt}", render(march, fmt, redact=True).decode("utf-8"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_redact_hides_names_and_identifiers(march: MonthReport, fmt: str) -> None:
    plain = render(march, fmt).decode("utf-8")
    assert all(n in plain for n in ("Lee, Ann", "MRN-A1", "Díaz, Roberto (Bob)"))
    redacted = render(march, fmt, redact=True).decode("utf-8")
    for word in (*NAMES, *MRNS, "MRN", "Bob"):
        assert word not in redacted, word
    assert all(initials in redacted for initials in ("R.D.", "A.L.", "C.M."))
    assert "initials only, no identifiers" in redacted or fmt == "csv"
    if fmt == "csv":
        assert 'Report,"Redacted (initials, no identifiers)",yes' in redacted


def test_csv_biller_table(march: MonthReport) -> None:
    table = list(csv.reader(io.StringIO(render(march, "csv").decode("utf-8"))))
    assert table[:5] == [
        ["Patient", "MRN", "Minutes", "Highest threshold met"],
        ["Díaz, Roberto (Bob)", "MRN-B2", "20", "CCM 20"],
        ["Lee, Ann", "MRN-A1", "19", "—"],
        ["Moss, Cara", "MRN-C3", "40", "CCM 40"],
        [],
    ]
    assert ["Tasks", "Still overdue at month end, snoozed and waiting too", "6"] in table


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("  =1+1", "'=1+1"),  # leading blanks are dropped, then guarded
        ("\t=1", "'=1"),
        ("Ann = Bob", "Ann = Bob"),
        ("x\x1by", "x\\x1by"),
    ],
)
def test_csv_cells_are_never_formulas(value: str, safe: str) -> None:
    assert cell(value) == safe


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (MARKUP, "\\[bold\\]x\\[/\\]"),
        (SCRIPT, "\\<script\\>alert(1)\\</script\\>"),
        (
            "*Ann* _B_ `c` a|b ~d~ &amp; $x$",
            "\\*Ann\\* \\_B\\_ \\`c\\` a\\|b \\~d\\~ \\&amp; \\$x\\$",
        ),
        ("O'Brien (Bob) #1 - 2.", "O'Brien (Bob) #1 - 2."),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines", "two lines"),
    ],
)
def test_markdown_escapes_only_what_it_needs(text: str, escaped: str) -> None:
    assert md_escape(text) == escaped


@pytest.fixture
def hostile(db: Database) -> MonthReport:
    """Patients whose names try HTML, markup, a formula and a terminal escape."""
    with action(db, "Hostile") as s:
        for given, family, mrn in (
            (SCRIPT, MARKUP, "<b>MRN</b>"),
            ("Eve", '=HYPERLINK("http://evil")', "@1"),
            ("Placeholder", "Zed", "MRN-Z"),
        ):
            pid = patients.create_patient(
                s,
                {
                    "given_name": given,
                    "family_name": family,
                    "mrn": mrn,
                    "care_management": True,
                    "enrolled_on": "2026-01-01",
                },
                today=date(2026, 1, 1),
            ).id
            notes.log_note(s, pid, kind="call", minutes=25, occurred_at="2026-03-05 10:00", now=NOW)
    db.dispose()
    # Validation refuses control characters at entry; an import or a hand edit may not.
    with sqlite3.connect(db.path) as raw:
        raw.execute(
            "UPDATE patient SET given_name = ? WHERE given_name = 'Placeholder'", (OSC_TITLE,)
        )
    raw.close()
    con = db.read()
    try:
        return month_report(con, MARCH, now=NOW, tz=NY)
    finally:
        con.close()


def test_html_escapes_user_text(hostile: MonthReport) -> None:
    page = render(hostile, "html").decode("utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "[bold]x[/]" in page  # shown as typed: brackets mean nothing to HTML
    assert "&lt;b&gt;MRN&lt;/b&gt;" in page and "<b>" not in page
    assert "\x1b" not in page and "\x07" not in page
    assert "\\x1b]0;pwned\\x07" in page
    # Self-contained: no script, no external style sheet, font, image or link.
    assert not re.search(r"\b(src|href)\s*=", page)
    assert "@import" not in page and "url(" not in page
    assert page.count("<svg") == 3
    assert "default-src 'none'" in page


def test_txt_shows_text_as_typed_with_controls_visible(hostile: MonthReport) -> None:
    text = render(hostile, "txt").decode("utf-8")
    assert f"{MARKUP}, {SCRIPT}" in text
    assert "\x1b" not in text and "\x07" not in text
    assert "Zed, \\x1b]0;pwned\\x07" in text


def test_md_escapes_user_text(hostile: MonthReport) -> None:
    text = render(hostile, "md").decode("utf-8")
    assert "\\[bold\\]x\\[/\\], \\<script\\>alert(1)\\</script\\>" in text
    assert not re.search(r"(?<!\\)[<>\[\]]", text.split("## Time spent")[1])
    assert "\x1b" not in text


def test_csv_guards_formulas_in_names(hostile: MonthReport) -> None:
    table = list(csv.reader(io.StringIO(render(hostile, "csv").decode("utf-8"))))
    names = {row[0]: row[1] for row in table[1:4]}
    assert names['\'=HYPERLINK("http://evil"), Eve'] == "'@1"
    assert not any(c.startswith(("=", "+", "-", "@")) for row in table for c in row)


def test_html_page_structure(march: MonthReport) -> None:
    page = render(march, "html").decode("utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "@page" in page and "@media print" in page
    assert "<title>The month in numbers: March 2026</title>" in page
    for title in (
        "Contacts per week",
        "No-show rate per month",
        "Overdue tasks at each month&#x27;s end",
    ):
        assert f"<title>{title}</title>" in page
    # The no-show chart labels March's bar with its rate, and a month without one with a dash.
    assert ">33%</text>" in page and ">–</text>" in page
    assert "Lee, Ann" in page and "MRN-A1" in page


@pytest.mark.parametrize(
    ("value", "top"),
    [(0, 1), (0.07, 0.1), (1, 1), (3, 5), (11, 20), (21, 25), (26, 50), (101, 200)],
)
def test_chart_scale(value: float, top: float) -> None:
    assert nice_ceiling(value) == pytest.approx(top)


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_caseload_renders(db: Database, fmt: str) -> None:
    con = db.read()
    try:
        report = month_report(con, MARCH, now=NOW, tz=NY)
    finally:
        con.close()
    text = render(report, fmt).decode("utf-8")
    assert "The month in numbers: March 2026" in text or fmt == "csv"
    if fmt == "txt":
        assert "No patient in care management this month." in text


def test_sections_without_the_billing_table_keep_every_figure(march: MonthReport) -> None:
    """The Reports screen draws its own biller's table: it asks for none, and the
    figures are the same."""
    full = sections(march)
    short = sections(march, billing=False)
    assert [s.figures for s in short] == [s.figures for s in full]
    time_full, time_short = (next(s for s in x if s.key == "time") for x in (full, short))
    assert time_full.tables and not time_short.tables
    assert [s.tables for s in short if s.key != "time"] == [
        s.tables for s in full if s.key != "time"
    ]
