"""The month calendar of the Appointments screen (`m`): a grid of days, each with
its count of appointments (cancelled ones left out) and of open tasks due.

A full-screen ``ModalScreen[date | None]``: ``enter`` hands back the chosen day
(the Appointments screen then shows that day's agenda), ``m`` or ``escape`` hands
back ``None``. A month's counts are read in one thread worker, both counts in one
read. The grid is drawn as one ``Text`` (seven columns of eleven cells, three
lines a week), so a six-week month fits 80×24 with the header, title and keys.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from caretui.queries.agenda import counts_by_day
from caretui.queries.tasks import task_counts_by_day
from caretui.services.text import plural
from caretui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from caretui.app import CaretuiApp

#: Width of one day's cell, and lines a week takes.
CELL = 11
LINES = 3
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def month_bounds(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s month."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), kept inside the month it lands in."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def month_weeks(day: date) -> list[list[date | None]]:
    """The weeks (Monday first) of ``day``'s month; days of other months are None."""
    return [
        [d if d.month == day.month else None for d in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(day.year, day.month)
    ]


#: The most a count is indented under its day's number, and the least.
INDENT = 3
MIN_INDENT = 1


def compact_number(n: int) -> str:
    """``n`` in at most four characters and a suffix: 999, 1.2k, 18.4k, 184k, 1.2M."""
    if n < 1000:
        return str(n)
    for size, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1000, "k")):
        if n >= size:
            value = n / size
            # Round down so that a count never reads as more than it is.
            shown = f"{int(value * 10) / 10:.1f}" if value < 100 else str(int(value))
            return shown.removesuffix(".0") + suffix
    return str(n)  # pragma: no cover - the loop always returns


def _count(n: int, noun: str) -> str:
    """``n`` and its noun, written compactly when in full it would not fit a cell."""
    if not n:
        return ""
    full = f"{n} {noun}"
    if MIN_INDENT + len(full) <= CELL:
        return full
    return f"{compact_number(n)} {noun}"


def cell_counts(appointments: int, tasks: int) -> tuple[str, str]:
    """A day's two count lines, indented alike: three spaces under the day's number,
    fewer when a count needs the room, never cut."""
    appt, due = _count(appointments, "appt"), _count(tasks, "due")
    indent = max(MIN_INDENT, min(INDENT, CELL - max(len(appt), len(due))))
    return " " * indent + appt, " " * indent + due


def month_grid(
    selected: date,
    today: date,
    appointments: dict[date, int] | None,
    tasks: dict[date, int] | None,
) -> Text:
    """The month as lines of text: the weekdays, then three lines a week, each day
    its number (today marked), its appointments and its tasks due. Weekends are dim,
    the selected day reversed; counts are left out while they are being read."""
    grid = Text(no_wrap=True, overflow="crop")
    for i, name in enumerate(WEEKDAYS):
        grid.append(f" {name}".ljust(CELL), style="bold dim" if i >= 5 else "bold")
    for week in month_weeks(selected):
        for line in range(LINES):
            grid.append("\n")
            for i, day in enumerate(week):
                grid.append_text(
                    _cell_line(day, line, i >= 5, selected, today, appointments, tasks)
                )
    return grid


def _cell_line(
    day: date | None,
    line: int,
    weekend: bool,
    selected: date,
    today: date,
    appointments: dict[date, int] | None,
    tasks: dict[date, int] | None,
) -> Text:
    if day is None:
        return Text(" " * CELL)
    # The counts stand indented under their day's number (in bold), so that a week's
    # last line does not read as the next week's first; big counts take less indent
    # or a compact number (18.4k) rather than being cut.
    if line == 0:
        text = f" {day.day:>2}" + (" today" if day == today else "")
    else:
        counts = cell_counts((appointments or {}).get(day, 0), (tasks or {}).get(day, 0))
        text = counts[line - 1]
    styles = []
    if weekend:
        styles.append("dim")
    if line == 0:
        styles.append("bold underline" if day == today else "bold")
    elif day == today:
        styles.append("bold")
    if day == selected:
        styles.append("reverse")
    return Text(text.ljust(CELL)[:CELL], style=" ".join(styles))


class MonthGrid(Static):
    """The grid; a click on a day selects it (the screen owns the state)."""

    DEFAULT_CSS = "MonthGrid { width: auto; height: auto; padding: 0 1; }"

    def on_click(self, event: events.Click) -> None:
        screen = self.screen
        if not isinstance(screen, MonthScreen):
            return
        column, row = (event.x - 1) // CELL, (event.y - 1) // LINES
        weeks = month_weeks(screen.day)
        if event.y >= 1 and 0 <= row < len(weeks) and 0 <= column < 7:
            day = weeks[row][column]
            if day is not None:
                if day == screen.day and event.chain >= 2:
                    screen.action_choose()
                else:
                    screen.go(day)


class MonthScreen(ModalScreen[date | None]):
    """A month of days with their counts; ``enter`` hands back the selected day."""

    HELP_TITLE = "Month"
    HELP_EXTRA = Text(
        "Each day shows its appointments (appt: every status but cancelled, proposed "
        "ones included) and the open tasks due that day (due: not completed, cancelled, "
        "failed or rejected; snoozed and waiting ones included). Reports counts "
        "differently: appointments booked in the month (cancelled included, proposed "
        "not) and tasks completed or overdue; Today counts work items of every kind "
        "overdue or due today, snoozed and waiting tasks left out."
    )
    DEFAULT_CSS = """
    MonthScreen { background: $background; }
    MonthScreen #month-title { padding: 0 1; text-style: bold; height: 1; }
    """
    BINDINGS = [
        Binding(
            "left",
            "step(-1)",
            "Day",
            show=False,
            priority=True,
            id="month.left",
            tooltip="Previous day",
        ),
        Binding(
            "right",
            "step(1)",
            "Day",
            show=False,
            priority=True,
            id="month.right",
            tooltip="Next day",
        ),
        Binding(
            "up",
            "step(-7)",
            "Week",
            show=False,
            priority=True,
            id="month.up",
            tooltip="Same day last week",
        ),
        Binding(
            "down",
            "step(7)",
            "Week",
            show=False,
            priority=True,
            id="month.down",
            tooltip="Same day next week",
        ),
        Binding(
            "left_square_bracket",
            "month(-1)",
            "Prev month",
            id="month.previous",
            tooltip="Same day of the previous month",
        ),
        Binding(
            "right_square_bracket",
            "month(1)",
            "Next month",
            id="month.next",
            tooltip="Same day of the next month",
        ),
        Binding("t", "today", "Today", id="month.today", tooltip="Back to today"),
        Binding(
            "enter",
            "choose",
            "Open day",
            priority=True,
            id="month.open",
            tooltip="Show this day's agenda",
        ),
        Binding("m", "close", "Back", id="month.close", tooltip="Back to the agenda"),
        Binding(
            "question_mark", "app.help", "Keys", id="month.help", tooltip="Every key of this screen"
        ),
        Binding(
            "escape", "close", "Back", show=False, id="month.escape", tooltip="Back to the agenda"
        ),
    ]

    def __init__(self, day: date) -> None:
        super().__init__()
        self.day = day
        self._counts: tuple[date, dict[date, int], dict[date, int]] | None = None

    @property
    def caretui(self) -> CaretuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="month-title")
        yield MonthGrid("", id="month-grid")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._show()
        self._load(month_bounds(self.day)[0])

    # -- reading -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="month-load")
    def _load(self, first: date) -> None:
        """Both counts for the month of ``first``, in one read."""
        last = month_bounds(first)[1]
        with self.caretui.reading() as con:
            appointments = counts_by_day(con, first, last)
            tasks = task_counts_by_day(con, first, last)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._loaded, first, appointments, tasks)

    def _loaded(self, first: date, appointments: dict[date, int], tasks: dict[date, int]) -> None:
        if first == month_bounds(self.day)[0]:
            self._counts = (first, appointments, tasks)
            self._show()

    def _show(self) -> None:
        first = month_bounds(self.day)[0]
        title = Text(f"{self.day:%B %Y}")
        appointments: dict[date, int] | None = None
        tasks: dict[date, int] | None = None
        if self._counts is not None and self._counts[0] == first:
            _, appointments, tasks = self._counts
            title.append(
                f" · {plural(sum(appointments.values()), 'appointment')} (not cancelled)"
                f" · {plural(sum(tasks.values()), 'open task')} due",
                style="not bold",
            )
        else:
            title.append(" · reading…", style="dim not bold")
        self.query_one("#month-title", Static).update(title)
        grid = month_grid(self.day, self.caretui.today, appointments, tasks)
        self.query_one("#month-grid", MonthGrid).update(grid)

    # -- moving --------------------------------------------------------------------------

    def go(self, day: date) -> None:
        """Select ``day``, reading its month's counts when the month changes."""
        moved_month = (day.year, day.month) != (self.day.year, self.day.month)
        self.day = day
        self._show()
        if moved_month:
            self._load(month_bounds(day)[0])

    def action_step(self, days: int) -> None:
        self.go(self.day + timedelta(days=days))

    def action_month(self, months: int) -> None:
        self.go(add_months(self.day, months))

    def action_today(self) -> None:
        self.go(self.caretui.today)

    def action_choose(self) -> None:
        self.dismiss(self.day)

    def action_close(self) -> None:
        self.dismiss(None)
