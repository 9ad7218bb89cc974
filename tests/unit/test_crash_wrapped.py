"""A crash report follows the error a wrapper holds (Textual's WorkerFailed keeps the
worker's exception in ``.error``) to its type and the caretui line it came from, and
still carries no message, no value: no patient data."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.worker import WorkerFailed

from caretui.crash import chain, describe, root_error, write_report
from caretui.errors import DomainError
from caretui.services.validation import parse_iso_date

SECRET = "Zofia Secretname 1950-01-02"


def failed_in_caretui() -> DomainError:
    """A DomainError raised inside caretui whose message quotes the value typed."""
    try:
        parse_iso_date(SECRET, "Birth date")
    except DomainError as exc:
        assert "Secretname" in exc.message  # the message would leak it
        return exc
    raise AssertionError("parse_iso_date accepted a name")


def wrapped_as_textual_does(error: BaseException) -> WorkerFailed:
    # Worker._run builds WorkerFailed(error) outside any raise: no traceback, no cause.
    return WorkerFailed(error)


def test_worker_failed_names_the_real_error_and_the_caretui_line() -> None:
    failed = wrapped_as_textual_does(failed_in_caretui())
    text = describe(failed)
    lines = text.splitlines()
    assert lines[1] == "textual.worker.WorkerFailed"
    assert lines[2] == "error: caretui.errors.DomainError"
    assert lines[3].startswith("where: caretui/services/validation.py:")
    assert lines[3].endswith(" in parse_iso_date")
    assert "-- DomainError" in lines
    assert any("test_crash_wrapped.py" in line for line in lines)  # the whole stack too
    assert "Secretname" not in text
    assert "1950" not in text
    assert root_error(failed) is failed.error


def test_a_cause_inside_a_wrapped_error_is_followed_without_its_message() -> None:
    try:
        try:
            raise failed_in_caretui()
        except DomainError as inner:
            raise RuntimeError(f"while saving {SECRET}") from inner
    except RuntimeError as outer:
        failed = wrapped_as_textual_does(outer)
    text = describe(failed)
    assert [type(e).__name__ for e in chain(failed)] == [
        "WorkerFailed",
        "RuntimeError",
        "DomainError",
    ]
    assert "error: caretui.errors.DomainError" in text
    assert "Secretname" not in text


def test_an_exception_group_is_followed() -> None:
    group = BaseExceptionGroup("two failed", [failed_in_caretui(), KeyError(SECRET)])
    text = describe(group)
    assert "-- DomainError" in text and "-- KeyError" in text
    assert "Secretname" not in text


def test_a_wrapper_that_wraps_itself_ends() -> None:
    failed = WorkerFailed(ValueError(SECRET))
    failed.error.__context__ = failed  # a loop must not hang the report
    text = describe(failed)
    assert text.count("-- WorkerFailed") == 1
    assert "Secretname" not in text


def test_report_file_holds_the_same_and_is_private(tmp_path: Path) -> None:
    failed = wrapped_as_textual_does(failed_in_caretui())
    path = write_report(failed, tmp_path / "reports")
    assert path.read_text() == describe(failed)
    assert "Secretname" not in path.read_text()
    assert (path.stat().st_mode & 0o077) == 0


@pytest.mark.parametrize("folder", ["/home/someone/projects", "/Users/x"])
def test_files_outside_caretui_are_named_without_their_folder(folder: str) -> None:
    from caretui.crash import _place

    assert _place(f"{folder}/lib/textual/worker.py") == "worker.py"
