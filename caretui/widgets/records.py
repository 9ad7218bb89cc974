"""A list of records: rows keyed by record, every cell a ``Text`` (never markup).

Columns have fixed widths, chosen to fit a 120-column terminal; the columns named in
``flex`` share whatever room a wider terminal leaves (each given width is its least),
so a title or a note is not cut short when there is space to show it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from caretui.services.text import one_line

Cell = Text | str | None
#: ``update_column``: rows beyond the view updated with it, and a chunk's rows after it.
_NEAR = 100
_CHUNK = 400


def cell(value: Cell, style: str = "") -> Text:
    """User data as a table cell: literal text, control characters made visible; a
    cell too long for its column ends in "…" rather than being cut off."""
    if isinstance(value, Text):
        if value.overflow is None:
            value.overflow = "ellipsis"
        if value.no_wrap is None:
            value.no_wrap = True
        return value
    return Text(one_line(value or ""), style=style, no_wrap=True, overflow="ellipsis")


def same_cell(shown: object, new: Text) -> bool:
    """Whether ``new`` would draw and sort exactly as ``shown``: ``Text ==`` compares
    only the characters and their spans, not the style of the whole text nor what a
    subclass carries (a score cell's place in the ranking)."""
    return (
        type(shown) is type(new)
        and isinstance(shown, Text)
        and shown.plain == new.plain
        and shown.style == new.style
        and shown.spans == new.spans
        and all(getattr(shown, name) == getattr(new, name) for name in _own_slots(type(new)))
    )


def _own_slots(kind: type[Text]) -> tuple[str, ...]:
    """The attributes a subclass of ``Text`` adds (``Text``'s own are compared above)."""
    return tuple(
        name
        for cls in kind.__mro__
        if cls is not Text and issubclass(cls, Text)
        for name in getattr(cls, "__slots__", ())
    )


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    cells: tuple[Cell, ...]


class RecordTable(DataTable[Text]):
    """A row-cursor table that keeps the cursor on the same record across reloads.

    A list read a page at a time sets ``more_before`` / ``more_after`` when the list
    goes on beyond the table; ``home`` / ``end`` then ask for its first or last page
    (``EdgeWanted``) instead of stopping at the table's edge (``ctrl+home`` and
    ``ctrl+end`` still stop there, reading the next page as they go).
    """

    class EdgeWanted(Message):
        """``home`` or ``end`` pressed where the list goes on beyond the table."""

        def __init__(self, table: RecordTable, *, end: bool) -> None:
            super().__init__()
            self.table = table
            self.end = end

        @property
        def control(self) -> RecordTable:
            return self.table

    class MoreWanted(Message):
        """``down`` on the last row of a table whose list goes on below it."""

        def __init__(self, table: RecordTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> RecordTable:
            return self.table

    BINDINGS = [
        Binding(
            "home",
            "first_row",
            "First row",
            show=False,
            id="records.first",
            tooltip="Go to the first row of the whole list",
        ),
        Binding(
            "end",
            "last_row",
            "Last row",
            show=False,
            id="records.last",
            tooltip="Go to the last row of the whole list",
        ),
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
        flex: str | tuple[str, ...] = (),
    ) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._column_spec = tuple(columns)
        #: Whether the whole list has rows above / below those in the table.
        self.more_before = False
        self.more_after = False
        #: Which ``update_column`` pass is the newest (older ones stop).
        self._column_pass = 0
        labels = [label for label, _width in self._column_spec]
        #: The index of the column that takes the room left, if any.
        names = (flex,) if isinstance(flex, str) else flex
        #: The indexes of the columns that share the room left.
        self._flex = [labels.index(name) for name in names if name in labels]

    def on_mount(self) -> None:
        for label, width in self._column_spec:
            self.add_column(Text(label), width=width)
        self._fit_flex()

    def on_resize(self, _event: events.Resize) -> None:
        self._fit_flex()

    def _fit_flex(self) -> None:
        """Share the room the table has beyond its columns' given widths among the flex
        columns (the first gets any odd cell), keeping room for a vertical scrollbar."""
        if not self._flex or not self.size.width:
            return
        given = [(width or 0) for _label, width in self._column_spec]
        room = self.size.width - 2 - sum(w + 2 * self.cell_padding for w in given)
        share, odd = divmod(max(room, 0), len(self._flex))
        changed = False
        for n, index in enumerate(self._flex):
            column = self.ordered_columns[index]
            width = given[index] + share + (odd if n == 0 else 0)
            if column.width != width:
                column.width = width
                changed = True
        if changed:
            self._require_update_dimensions = True
            self._clear_caches()
            self.refresh()

    def action_first_row(self) -> None:
        if self.more_before:
            self.post_message(self.EdgeWanted(self, end=False))
        else:
            self.action_scroll_top()

    def action_last_row(self) -> None:
        if self.more_after:
            self.post_message(self.EdgeWanted(self, end=True))
        else:
            self.action_scroll_bottom()

    def action_cursor_down(self) -> None:
        if self.more_after and self.row_count and self.cursor_row == self.row_count - 1:
            self.post_message(self.MoreWanted(self))
        super().action_cursor_down()

    @property
    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except RowDoesNotExist:
            return None
        return key

    def show(self, rows: Sequence[Row], *, from_top: bool = False) -> None:
        """Replace every row, keeping the cursor on the record it was on if it is still here
        (``from_top``: on the first row, for a list that now shows something else)."""
        if not from_top and self._same_rows(rows):
            # The same records in the same order (names redacted or shown again, a
            # re-read that found nothing moved): update the cells in place, which costs
            # next to nothing, instead of building every row again.
            for row in rows:
                self.replace(row)
            return
        keep = None if from_top else self.selected_key
        old_index = 0 if from_top else self.cursor_row
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

    def _same_rows(self, rows: Sequence[Row]) -> bool:
        if self.row_count != len(rows) or not rows:
            return False
        return all(
            shown.key.value == row.key for shown, row in zip(self.ordered_rows, rows, strict=True)
        )

    def replace(self, row: Row) -> None:
        """Update one row in place (after an edit) without reloading the list: only the
        cells that changed (each update asks for a repaint)."""
        for column_key, value in zip(self.columns, row.cells, strict=False):
            new = cell(value)
            if not same_cell(self.get_cell(row.key, column_key), new):
                self.update_cell(row.key, column_key, new)

    def update_column(self, index: int, cell_of: Callable[[str], Cell | None]) -> None:
        """Update one column in place, ``cell_of(row key)`` giving each row's new cell
        (None: leave it). The rows in view and near them are updated at once; the
        others (a long list read far down) a chunk per frame after that, so the key that
        asked is answered in the next frame whatever the length of the table."""
        self._column_pass += 1
        this_pass = self._column_pass
        column_key = self.ordered_columns[index].key
        keys = [str(row.key.value) for row in self.ordered_rows]
        top = max(int(self.scroll_y) - self.size.height - _NEAR, 0)
        first = range(top, min(top + 2 * (self.size.height + _NEAR), len(keys)))
        rest = [i for i in range(len(keys)) if i not in first]

        def update(indexes: Iterable[int]) -> None:
            for i in indexes:
                value = cell_of(keys[i])
                if value is None:
                    continue
                new = cell(value)
                with contextlib.suppress(CellDoesNotExist):
                    if not same_cell(self.get_cell(keys[i], column_key), new):
                        self.update_cell(keys[i], column_key, new)

        def chunk(start: int) -> None:
            if this_pass != self._column_pass:
                return  # a newer pass has begun: it updates every row itself
            update(rest[start : start + _CHUNK])
            if start + _CHUNK < len(rest):
                self.call_after_refresh(chunk, start + _CHUNK)

        update(first)
        if rest:
            self.call_after_refresh(chunk, 0)

    def drop(self, key: str) -> None:
        """Remove one row (a task done, a patient discharged) and keep the cursor near."""
        try:
            index = self.get_row_index(key)
        except RowDoesNotExist:
            return
        self.remove_row(key)
        if self.row_count:
            self.move_cursor(row=min(index, self.row_count - 1), animate=False)
