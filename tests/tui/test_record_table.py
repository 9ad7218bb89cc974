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


async def test_a_column_is_updated_in_view_at_once_and_everywhere_soon() -> None:
    app = OneTable()
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(RecordTable)
        table.show([Row(f"r{n}", (f"Name {n}", "x")) for n in range(2_000)])
        table.move_cursor(row=1_500)
        await pilot.pause()

        def name(row: int) -> str:
            return str(table.get_row_at(row)[0])

        table.update_column(0, lambda key: f"N.{key}")
        assert name(1_500) == "N.r1500"  # the rows in view: before the next frame
        assert name(0) == "Name 0"  # far away: a chunk at a time after it
        table.update_column(0, lambda key: None if key == "r7" else f"M.{key}")  # a newer pass
        for _ in range(20):
            await pilot.pause()
        assert name(0) == "M.r0" and name(1_999) == "M.r1999" and name(1_500) == "M.r1500"
        assert name(7) == "Name 7"  # None: left as it was, not set by the older pass


def test_a_cell_is_the_same_only_if_it_draws_and_sorts_the_same() -> None:
    from caretui.widgets.records import same_cell

    assert same_cell(Text("12", style="red"), Text("12", style="red"))
    assert not same_cell(Text("12", style="red"), Text("12"))  # Text == says equal
    assert not same_cell("12", Text("12"))

    class Scored(Text):
        __slots__ = ("order",)

        def __init__(self, text: str, order: int) -> None:
            super().__init__(text)
            self.order = order

    assert same_cell(Scored("12.0", 1), Scored("12.0", 1))
    assert not same_cell(Scored("12.0", 1), Scored("12.0", 2))  # same print, moved


async def test_replace_updates_a_cell_whose_style_alone_changed() -> None:
    app = OneTable()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.query_one(RecordTable)
        table.show([Row("a", ("Ann", Text("due", style="")))])
        await pilot.pause()
        table.replace(Row("a", ("Ann", Text("due", style="bold red"))))
        assert str(table.get_cell("a", table.ordered_columns[1].key).style) == "bold red"
