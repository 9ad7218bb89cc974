"""Long lists read a page at a time: end and home reach the whole list's ends, a new
filter starts at the top, and the footer keeps ? and the palette in view."""

from __future__ import annotations

from datetime import date

from caretui.config import DEFAULT_QUEUES
from caretui.screens.queues import QueuesScreen
from caretui.services import patients, tasks
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.keys_footer import KeysFooter
from caretui.widgets.records import RecordTable
from tests.tui.helpers import SIZE, make_app, settle, table_text

TASKS = 450


def many_tasks(db: Database, today: date, due: str = "2026-04-01") -> None:
    with action(db, "Many") as s:
        for n in range(TASKS):
            tasks.add_task(
                s,
                {"title": f"Task {n:03d}", "queue": "calls", "due": due},
                today=today,
                queues=DEFAULT_QUEUES,
            )


def titles(app: object) -> list[str]:
    return [r.split(" | ")[2] for r in table_text(app, "#queues-table")]  # type: ignore[arg-type]


async def test_end_reads_the_last_page_and_home_the_first(db: Database, today: date) -> None:
    many_tasks(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, QueuesScreen)
        table = app.screen.query_one("#queues-table", RecordTable)
        assert titles(app)[0] == "Task 000" and table.row_count == 100
        await pilot.press("end")
        await settle(pilot)
        assert titles(app)[-1] == f"Task {TASKS - 1:03d}"
        assert table.cursor_row == table.row_count - 1  # on the very last task
        assert table.row_count == 100  # one page, not the whole list
        await pilot.press(*["up"] * 95)  # near the top of the table: the page above
        await settle(pilot)
        assert titles(app)[0] == f"Task {TASKS - 200:03d}" and table.row_count == 200
        assert table.selected_key is not None
        assert titles(app)[table.cursor_row] == f"Task {TASKS - 96:03d}"  # cursor stayed put
        await pilot.press("home")
        await settle(pilot)
        assert titles(app)[0] == "Task 000" and table.cursor_row == 0


async def test_a_new_filter_starts_at_the_top(db: Database, today: date) -> None:
    with action(db, "Many") as s:
        for n in range(40):
            patients.create_patient(
                s,
                {"given_name": f"Pat{n:02d}", "family_name": "Example", "risk": "high"},
                today=today,
            )
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one("#patients-table", RecordTable)
        await pilot.press(*["down"] * 30)
        assert table.cursor_row == 30
        await pilot.press("o")  # sorted another way: a new list, read from its top
        await settle(pilot)
        assert table.cursor_row == 0 and table.scroll_y == 0


async def test_the_footer_keeps_help_and_the_palette_in_view(db: Database, today: date) -> None:
    app = make_app(db, today)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        line = app.screen.query_one(KeysFooter).render()
        assert line.cell_len == 80
        assert line.plain.rstrip().endswith("? Keys  ^p palette")
        assert "n New" in line.plain and "…" in line.plain  # the rest cut, visibly


async def test_table_columns_fill_a_wide_terminal(db: Database, today: date) -> None:
    app = make_app(db, today)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        table = app.screen.query_one("#queues-table", RecordTable)
        widths = sum(c.get_render_width(table) for c in table.ordered_columns)
        assert table.size.width - 2 == widths  # room for the scrollbar, none wasted


async def test_end_on_today_stops_at_the_last_row_read_and_down_reads_on(
    db: Database, today: date
) -> None:
    """Today is ranked: its end is the least urgent of every item, which costs a read of
    them all. ``end`` goes to the last row read, showing nothing more but reading the
    next rows ahead; ``down`` there shows them at once (no read on the key), and the
    cursor steps onto the first of them."""
    from caretui.screens import today_list

    many_tasks(db, today, due="2026-03-02")  # overdue: all on Today
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, today_list.TodayList)
        reads: list[int] = []
        real_top = screen._top

        def counted(*args: object, **kwargs: object) -> object:
            reads.append(int(kwargs.get("limit", args[3])))  # type: ignore[arg-type]
            return real_top(*args, **kwargs)  # type: ignore[arg-type]

        screen._top = counted  # type: ignore[assignment]
        table = screen.query_one("#today-table", RecordTable)
        first = table.row_count
        assert first == today_list.PAGE < TASKS
        await pilot.press("end")
        await settle(pilot)
        assert table.row_count == first  # nothing more was shown
        assert table.cursor_row == first - 1
        assert reads == [2 * first]  # but the next rows were read ahead
        last = table.selected_key
        await pilot.press("down")
        await pilot.pause()
        assert table.row_count == min(2 * first, TASKS)  # shown with the key: no read
        assert reads == [2 * first]
        await settle(pilot)
        assert table.cursor_row == first  # one row on, in the rows just read
        assert table.get_row_index(last) == first - 1 if last else False
