"""A list of records: rows keyed by record, every cell a ``Text`` (never markup)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from caretui.services.text import one_line

Cell = Text | str | None


def cell(value: Cell, style: str = "") -> Text:
    """User data as a table cell: literal text, control characters made visible."""
    if isinstance(value, Text):
        return value
    return Text(one_line(value or ""), style=style, no_wrap=True, overflow="ellipsis")


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    cells: tuple[Cell, ...]


class RecordTable(DataTable[Text]):
    """A row-cursor table that keeps the cursor on the same record across reloads."""

    BINDINGS = [
        Binding("home", "scroll_top", "First row", show=False, tooltip="Go to the first row"),
        Binding("end", "scroll_bottom", "Last row", show=False, tooltip="Go to the last row"),
    ]
    DEFAULT_CSS = """
    RecordTable { height: 1fr; }
    """

    def __init__(
        self,
        columns: Sequence[tuple[str, int | None]],
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._column_spec = tuple(columns)

    def on_mount(self) -> None:
        for label, width in self._column_spec:
            self.add_column(Text(label), width=width)

    @property
    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except RowDoesNotExist:
            return None
        return key

    def show(self, rows: Sequence[Row]) -> None:
        """Replace every row, keeping the cursor on the record it was on if it is still here."""
        keep = self.selected_key
        old_index = self.cursor_row
        self.clear()
        for row in rows:
            self.add_row(*(cell(c) for c in row.cells), key=row.key)
        if not rows:
            return
        if keep is not None:
            try:
                self.move_cursor(row=self.get_row_index(keep), animate=False)
                return
            except RowDoesNotExist:
                pass
        self.move_cursor(row=min(max(old_index, 0), len(rows) - 1), animate=False)

    def replace(self, row: Row) -> None:
        """Update one row in place (after an edit) without reloading the list."""
        for column_key, value in zip(self.columns, row.cells, strict=False):
            self.update_cell(row.key, column_key, cell(value))

    def drop(self, key: str) -> None:
        """Remove one row (a task done, a patient discharged) and keep the cursor near."""
        try:
            index = self.get_row_index(key)
        except RowDoesNotExist:
            return
        self.remove_row(key)
        if self.row_count:
            self.move_cursor(row=min(index, self.row_count - 1), animate=False)
