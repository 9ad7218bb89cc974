"""An unexpected error leaves a report with no patient data in it."""

from __future__ import annotations

import stat
from pathlib import Path

import click
from click.testing import CliRunner

from caretui import cli
from caretui.crash import describe, write_report

SECRET = "Zofia Secretname, DOB 1950-01-02"


def boom() -> None:
    patient_name = SECRET  # a local variable a rich traceback would print
    raise ValueError(f"cannot file {patient_name}")


def test_report_names_type_and_place_only(tmp_path: Path) -> None:
    try:
        boom()
    except ValueError as exc:
        text = describe(exc)
        path = write_report(exc, tmp_path / "reports")
    assert "ValueError" in text
    assert "in boom" in text
    assert "Secretname" not in text
    assert path.read_text() == text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_cli_turns_an_unexpected_error_into_one_line(monkeypatch, isolated_home: Path) -> None:
    @click.command()
    def explode() -> None:
        boom()

    monkeypatch.setitem(cli.COMMANDS, "explode", f"{__name__}:EXPLODE")
    globals()["EXPLODE"] = explode
    result = CliRunner().invoke(cli.main, ["explode"])
    assert result.exit_code == 70
    assert "Secretname" not in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("caretui: unexpected error (ValueError); a report")
    reports = list((isolated_home / "state").rglob("crash-*.txt"))
    assert len(reports) == 1
    assert "Secretname" not in reports[0].read_text()
