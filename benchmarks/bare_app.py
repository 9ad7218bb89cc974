"""The floor for the TUI figures: a bare Textual app with a header, a 50-row DataTable
and a footer, painted the way caretui paints Today.

For the keystroke floor (``keylatency``) the table can hold more rows, and enter
pushes a screen built the same way (the floor for opening a patient); escape
goes back. Run as a script it is the start-up and memory floor.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header


def fill(table: DataTable[str], rows: int) -> None:
    table.cursor_type = "row"  # as caretui's tables
    table.add_columns("kind", "patient", "what", "when", "priority")
    for i in range(rows):
        table.add_row("task", f"Patient {i}", f"row {i} to do", "2026-03-11", "routine")


class BareScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self) -> None:
        super().__init__()
        self.filled = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        fill(self.query_one(DataTable), 50)
        self.filled = True


class BareApp(App[None]):
    def __init__(self, rows: int = 50) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        fill(self.query_one(DataTable), self.rows)

    def on_data_table_row_selected(self) -> None:
        self.push_screen(BareScreen())


if __name__ == "__main__":
    BareApp().run()
