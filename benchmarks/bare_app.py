"""The floor for the TUI figures: a bare Textual app with a header, a 50-row DataTable
and a footer, painted the way caretui paints Today."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("kind", "patient", "what", "when", "priority")
        for i in range(50):
            table.add_row("task", f"Patient {i}", f"row {i} to do", "2026-03-11", "routine")


if __name__ == "__main__":
    BareApp().run()
