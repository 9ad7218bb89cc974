"""`e` on Reports: write the month's report to a file, in a format the user chooses.

The dialog returns an ``ExportRequest``; the screen renders the report it shows
with ``caretui.services.report_render`` and writes it with
``caretui.store.files.write_private`` (atomic, owner-only) in a thread worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Label, Select, Static

from caretui.widgets.dialogs import Dialog

#: The formats offered, in order: (value, what it is).
FORMATS: tuple[tuple[str, str], ...] = (
    ("html", "HTML: one page with charts, prints well"),
    ("csv", "CSV: the biller's table, then every figure"),
    ("md", "Markdown"),
    ("txt", "Plain text"),
)
#: The folder of the user's documents that reports go to by default.
FOLDER = "reports"


@dataclass(frozen=True, slots=True)
class ExportRequest:
    fmt: str
    path: Path
    redact: bool


def default_filename(month: date, fmt: str, *, redacted: bool = False) -> str:
    """ "report-2026-03.html" ("-redacted" added for a redacted report)."""
    return f"report-{month:%Y-%m}{'-redacted' if redacted else ''}.{fmt}"


def default_path(month: date, fmt: str, *, redacted: bool = False) -> Path:
    """``Documents/reports/report-2026-03.html`` in the user's documents folder."""
    import platformdirs

    folder = Path(platformdirs.user_documents_dir()) / FOLDER
    return folder / default_filename(month, fmt, redacted=redacted)


class ExportDialog(Dialog[ExportRequest | None]):
    """The format, redacted or not, and where: enter or ctrl+s writes."""

    WARMS_WRITE_SIDE = False  # the report is read through the plain side

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "write", "Write", id="report.write", tooltip="Write the report"),
    ]

    def __init__(self, month: date, *, redact: bool) -> None:
        super().__init__()
        self.month = month
        self._redact = redact
        #: The path last filled in for the user; once they type another, it stays theirs.
        self._auto_path = str(default_path(month, "html", redacted=redact))
        self._edited = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Export the report on {self.month:%B %Y}"), classes="dialog-title")
            yield Label(Text("Format"), classes="dialog-label")
            yield Select(
                [(Text(label), value) for value, label in FORMATS],
                value="html",
                allow_blank=False,
                id="export-format",
            )
            yield Checkbox(
                Text("Redacted: initials, no identifiers"), value=self._redact, id="export-redact"
            )
            yield Label(Text("Save to"), classes="dialog-label")
            yield Input(self._auto_path, id="export-path")
            yield Static("", id="export-error", classes="dialog-error")
            yield Static(Text("enter or ctrl+s writes it · escape cancels"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def _choice(self) -> tuple[str, bool]:
        fmt = self.query_one("#export-format", Select).value
        return (fmt if isinstance(fmt, str) else "html"), self.query_one(Checkbox).value

    @on(Select.Changed, "#export-format")
    @on(Checkbox.Changed, "#export-redact")
    def _refresh_path(self) -> None:
        if not self._edited:
            fmt, redact = self._choice()
            self._auto_path = str(default_path(self.month, fmt, redacted=redact))
            self.query_one("#export-path", Input).value = self._auto_path

    @on(Input.Changed, "#export-path")
    def _path_edited(self, event: Input.Changed) -> None:
        self._edited = event.value != self._auto_path

    @on(Input.Submitted, "#export-path")
    def action_write(self) -> None:
        fmt, redact = self._choice()
        text = self.query_one("#export-path", Input).value.strip()
        error = self.query_one("#export-error", Static)
        if not text:
            error.update(Text("Where should it be saved?"))
            error.display = True
            return
        path = Path(text).expanduser()
        if path.is_dir():
            path = path / default_filename(self.month, fmt, redacted=redact)
        self.dismiss(ExportRequest(fmt, path, redact))
