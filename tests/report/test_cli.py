"""`caretui report month`: formats, files written owner-only, bad input, imports."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from caretui.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def march_path(march_db: tuple[Path, dict[str, int]]) -> Path:
    return march_db[0]


def test_txt_to_stdout_by_default(march_path: Path) -> None:
    code, out, err = run("report", "month", "--db", str(march_path), "--month", "2026-03")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "The month in numbers: March 2026"
    assert lines[2].startswith("Complete month; figures as of ")
    assert "  New this month                                          1" in lines
    assert "  Díaz, Roberto (Bob)  MRN-B2       20  CCM 20" in lines


def test_default_month_is_this_month(march_path: Path) -> None:
    code, out, _ = run("report", "month", "--db", str(march_path), "--format", "md")
    assert code == 0
    today = date.today()
    assert out.startswith("# The month in numbers: ")
    assert str(today.year) in out.splitlines()[0]
    assert "Month in progress; figures as of " in out


@pytest.mark.parametrize("fmt", ["txt", "md", "csv", "html"])
def test_file_is_written_owner_only(march_path: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / "out" / f"march.{fmt}"
    code, out, err = run(
        "report", "month", "--db", str(march_path), "--month", "2026-03",
        "--format", fmt, "-o", str(target), "--redact",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == f"Wrote the report on 2026-03 to {target}\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    data = target.read_bytes().decode("utf-8")
    assert "Lee" not in data and "MRN-A1" not in data
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary left


def test_dash_writes_to_stdout(march_path: Path) -> None:
    args = ["report", "month", "--db", str(march_path), "--month", "2026-03", "--format", "csv"]
    result = CliRunner().invoke(main, [*args, "-o", "-"])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"Patient,MRN,Minutes,Highest threshold met\r\n")
    assert not (Path.cwd() / "-").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--month", "2026-13"],
            "caretui: '2026-13' is not a month: use YYYY-MM, for example 2026-03\n",
        ),
        (["--month", "soon"], "caretui: 'soon' is not a month: use YYYY-MM, for example 2026-03\n"),
        (
            ["--month", "2100-01"],
            "caretui: 2100-01 has not begun yet: choose this month or an earlier one\n",
        ),
    ],
)
def test_bad_month_is_one_line_and_writes_nothing(
    march_path: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    target = tmp_path / "report.html"
    code, out, err = run(
        "report", "month", "--db", str(march_path), *args, "--format", "html", "-o", str(target)
    )
    assert code != 0
    assert (out, err) == ("", message)
    assert list(tmp_path.iterdir()) == []


def test_missing_database_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    code, out, err = run("report", "month", "--db", str(missing), "-o", str(tmp_path / "r.txt"))
    assert code != 0
    assert (out, err) == ("", f"caretui: No caretui database at {missing}\n")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_target_is_one_line(march_path: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, out, err = run(
        "report", "month", "--db", str(march_path), "--month", "2026-03",
        "-o", str(blocker / "r.txt"),
    )  # fmt: skip
    assert code != 0
    assert out == ""
    assert err.startswith("caretui: ") and err.count("\n") == 1


def test_thresholds_come_from_the_settings(march_path: Path, isolated_home: Path) -> None:
    config = Path(os.environ["CARETUI_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[[care_management_thresholds]]\nminutes = 19\nlabel = "Basic"\n', "utf-8")
    code, out, _ = run("report", "month", "--db", str(march_path), "--month", "2026-03")
    assert code == 0
    assert "  Lee, Ann             MRN-A1       19  Basic" in out.splitlines()


def test_bad_thresholds_setting_is_one_line(march_path: Path) -> None:
    config = Path(os.environ["CARETUI_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('care_management_thresholds = {0 = "None"}\n', "utf-8")
    code, out, err = run("report", "month", "--db", str(march_path), "--month", "2026-03")
    assert code == 2
    assert out == ""
    assert err == (
        f"caretui: {config}: care_management_thresholds: minutes must be a whole number "
        "from 1 to 44640\n"
    )


def test_help_lists_report() -> None:
    code, out, _ = run("--help")
    assert code == 0
    assert "report" in out and "The month in numbers" in out


HEAVY = ("sqlalchemy", "alembic", "textual", "rich")


def test_report_imports_no_sqlalchemy_alembic_textual_or_rich(
    march_path: Path, tmp_path: Path
) -> None:
    code = (
        "import sys\n"
        "from caretui.cli import main\n"
        "sys.argv = ['caretui', 'report', 'month', '--db', "
        f"{str(march_path)!r}, '--month', '2026-03', '--format', 'html', "
        f"'-o', {str(tmp_path / 'r.html')!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('LOADED', ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = proc.stderr.rsplit("LOADED ", 1)[1].split()
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]
