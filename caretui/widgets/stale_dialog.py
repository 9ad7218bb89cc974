"""The dialog of an edit whose record changed elsewhere (see ``stale_edit``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from caretui.widgets.dialogs import Dialog
from caretui.widgets.stale_edit import Difference

#: The longest value shown; longer ones end with "…".
SHOWN = 36


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


class StaleDialog(Dialog[str | None]):
    """The record changed since the form opened: both versions, field by field.
    Returns "mine" (save over it), "stored" (take it into the form) or None (back)."""

    DEFAULT_CSS = """
    StaleDialog > Vertical { width: 96; }
    StaleDialog #stale-table { height: auto; max-height: 20; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "choose('mine')", "Keep mine", id="stale.mine", tooltip="Save yours over it"),
        Binding(
            "t",
            "choose('stored')",
            "Take stored",
            id="stale.stored",
            tooltip="Put the stored version in the form (yours is dropped)",
        ),
    ]

    def __init__(self, what: str, changes: Sequence[Difference]) -> None:
        super().__init__()
        self._what = what
        self._changes = tuple(changes)

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 1), show_edge=False)
        table.add_column("Field", style="bold", no_wrap=True)
        table.add_column("Yours", overflow="fold")
        table.add_column("Now stored", overflow="fold")
        table.add_column("Changed by", style="dim", no_wrap=True)
        for change in self._changes:
            table.add_row(
                Text(change.label), Text(_cut(change.yours)), Text(_cut(change.stored)), change.who
            )
        with Vertical():
            yield Label(
                Text(f"This {self._what} was changed elsewhere since the form opened"),
                classes="dialog-title",
            )
            if self._changes:
                with VerticalScroll(id="stale-table"):
                    yield Static(table)
            else:
                yield Static(Text("The fields of this form are the same in both versions."))
            yield Static(
                Text(
                    "k keeps yours (saved over it) · t takes the stored one into the form · "
                    "escape goes back to the form, nothing saved"
                ),
                classes="dialog-hint",
            )

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
