"""The table every list is built on: cells cut with "…", rows redrawn in place."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from caretui.widgets.records import RecordTable, Row


class OneTable(App[None]):
    def compose(self) -> ComposeResult:
        yield RecordTable([("Name", 8), ("Note", 6)], id="t")


def line(app: App[None], y: int) -> str:
    table = app.query_one(RecordTable)
    return table.render_line(y).text


async def test_a_cell_too_long_for_its_column_ends_in_an_ellipsis() -> None:
    app = OneTable()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.query_one(RecordTable)
        table.show([Row("a", ("Abcdefghijklmnop", Text("0123456789", style="bold")))])
        await pilot.pause()
        shown = line(app, 1)
        assert "Abcdefg…" in shown  # a plain string cell
        assert "01234…" in shown  # a Text built elsewhere, without an overflow of its own
        assert "[" not in shown


async def test_the_same_rows_are_updated_in_place_and_others_rebuilt() -> None:
    app = OneTable()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.query_one(RecordTable)
        table.show([Row("a", ("Ann", "x")), Row("b", ("Bea", "y"))])
        table.move_cursor(row=1)
        await pilot.pause()
        kept = list(table.ordered_rows)
        table.show([Row("a", ("A.", "x")), Row("b", ("B.", "y"))])
        await pilot.pause()
        assert all(a is b for a, b in zip(table.ordered_rows, kept, strict=True))
        assert "A." in line(app, 1) and table.cursor_row == 1
        table.show([Row("b", ("Bea", "y")), Row("a", ("Ann", "x"))])  # another order
        await pilot.pause()
        assert [r.key.value for r in table.ordered_rows] == ["b", "a"]
        assert table.selected_key == "b"  # the cursor stays on its record
