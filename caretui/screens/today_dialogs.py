"""Today's own dialogs: `i` explains a row's score, `p` asks how to write the day sheet."""

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

from caretui.queries.today import KIND_LABELS
from caretui.services.text import one_line
from caretui.services.triage import Ranked, explain
from caretui.widgets.dialogs import Dialog


class ExplainDialog(Dialog[None]):
    """`i`: the factors of one row's score, as a table of numbers."""

    WARMS_WRITE_SIDE = False  # it only shows

    DEFAULT_CSS = """
    ExplainDialog #explain-factors { margin: 1 0 0 0; }
    """

    def __init__(self, ranked: Ranked, patient: str) -> None:
        super().__init__()
        self._ranked = ranked
        self._patient = patient

    def compose(self) -> ComposeResult:
        item = self._ranked.item
        title = Text(f"Why {KIND_LABELS[item.kind]} scores {self._ranked.score:.1f}")
        about = Text(one_line(self._patient) + " · " if self._patient else "")
        about.append(one_line(item.what))
        with Vertical():
            yield Label(title, classes="dialog-title")
            yield Static(about, id="explain-item")
            yield Static(Text("\n".join(explain(self._ranked))), id="explain-factors")
            yield Static(
                Text("Coefficients: the [urgency] table of the config file · escape closes"),
                classes="dialog-hint",
            )


@dataclass(frozen=True, slots=True)
class SheetRequest:
    fmt: str
    path: Path
    redact: bool


class DaySheetDialog(Dialog[SheetRequest | None]):
    """`p`: write the day sheet: a format, where, redacted or not."""

    WARMS_WRITE_SIDE = False  # the sheet is read through the plain side

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "write", "Write", id="sheet.write", tooltip="Write the day sheet"),
    ]

    def __init__(self, day: date, *, redact: bool) -> None:
        super().__init__()
        self.day = day
        self._redact = redact
        #: The path last filled in for the user; once they type another, it stays theirs.
        self._auto_path = self.default_path("html", redact)
        self._edited = False

    def default_path(self, fmt: str, redact: bool) -> str:
        from caretui.services.day_sheet import default_path

        return str(default_path(self.day, fmt, redacted=redact))

    def compose(self) -> ComposeResult:
        formats = [
            (Text("HTML: prints well from a browser"), "html"),
            (Text("PDF (needs caretui[pdf])"), "pdf"),
            (Text("Markdown"), "md"),
            (Text("Plain text"), "txt"),
        ]
        with Vertical():
            yield Label(
                Text(f"Day sheet — {self.day:%a} {self.day.isoformat()}"), classes="dialog-title"
            )
            yield Label(Text("Format"), classes="dialog-label")
            yield Select(formats, value="html", allow_blank=False, id="sheet-format")
            yield Checkbox(
                Text("Redacted: initials, no birth date, phone or address"),
                value=self._redact,
                id="sheet-redact",
            )
            yield Label(Text("Save to"), classes="dialog-label")
            yield Input(self._auto_path, id="sheet-path")
            yield Static("", id="sheet-error", classes="dialog-error")
            yield Static(Text("enter or ctrl+s writes it · escape cancels"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#sheet-path", Input).focus()

    def _choice(self) -> tuple[str, bool]:
        fmt = self.query_one("#sheet-format", Select).value
        return (fmt if isinstance(fmt, str) else "html"), self.query_one(Checkbox).value

    @on(Select.Changed, "#sheet-format")
    @on(Checkbox.Changed, "#sheet-redact")
    def _refresh_path(self) -> None:
        if not self._edited:
            fmt, redact = self._choice()
            self._auto_path = self.default_path(fmt, redact)
            self.query_one("#sheet-path", Input).value = self._auto_path

    @on(Input.Changed, "#sheet-path")
    def _path_edited(self, event: Input.Changed) -> None:
        self._edited = event.value != self._auto_path

    @on(Input.Submitted, "#sheet-path")
    def action_write(self) -> None:
        fmt, redact = self._choice()
        text = self.query_one("#sheet-path", Input).value.strip()
        if not text:
            self.query_one("#sheet-error", Static).update(Text("Where should it be saved?"))
            return
        path = Path(text).expanduser()
        if path.is_dir():
            from caretui.services.day_sheet import default_filename

            path = path / default_filename(self.day, fmt, redacted=redact)
        self.dismiss(SheetRequest(fmt, path, redact))
