"""The Reports screen's pictures: the last 12 months as Textual ``Sparkline`` bars.

A ``Chart`` is plain data made from a ``MonthReport`` (pure functions, tested
without a terminal); a ``ChartPanel`` draws one: the bars, an axis of month
initials, and a caption with the figures a reader looks for (this month, the
highest). The bars start from zero, not from the smallest value as a sparkline
otherwise does (see ``zero_based``), so a month with half the contacts draws half
as tall. Every text here is made from numbers and month names, no user data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

from caretui.services.dates import MONTHS
from caretui.services.report import MonthReport

#: Columns per month in the monthly bar charts.
MONTH_WIDTH = 2
NONE = "—"


@dataclass(frozen=True, slots=True)
class Chart:
    """One picture: a value per bar (drawn ``per`` columns wide), the axis under it,
    and a caption."""

    values: tuple[float, ...]
    per: int
    axis: Text
    caption: Text

    @property
    def width(self) -> int:
        return len(self.values) * self.per


def zero_based(values: Sequence[float], per: int) -> list[float]:
    """The data that makes a ``Sparkline`` exactly ``len(values) * per`` columns wide draw
    ``values`` as bars from zero: each value repeated ``per`` times, then a 0.

    The sparkline scales from the smallest value to the largest; the trailing 0 makes
    the smallest 0. It is never drawn: the sparkline splits ``n + 1`` values into ``n``
    columns, one value each but the last, which holds the last value and the 0 and
    shows their largest (the sparkline's default summary, ``max``).
    """
    return [float(v) for v in values for _ in range(per)] + [0.0]


def month_letter(day: date) -> str:
    return MONTHS[day.month - 1][0].upper()


def month_short(day: date) -> str:
    return f"{MONTHS[day.month - 1][:3].capitalize()} {day.year}"


def month_axis(months: Sequence[date], per: int) -> Text:
    """Each month's initial under its bar; the report's month (the last) in bold."""
    axis = Text()
    for i, month in enumerate(months):
        style = "bold" if i == len(months) - 1 else "dim"
        axis.append(month_letter(month).ljust(per), style=style)
    return axis


def _pct(value: float | None) -> str:
    return NONE if value is None else f"{value * 100:.1f}%"


def weekly_contacts(report: MonthReport) -> Chart:
    """Calls, visits and messages per week over the 12 months, one column a week; a week
    not begun yet (in the month still going on) is left out."""
    today = report.as_of.date()
    weeks = [w for w in report.series.weeks if w.start <= today]
    values = tuple(float(w.contacts) for w in weeks)
    axis = Text()
    seen: set[tuple[int, int]] = set()
    for w in weeks:
        # The initial of a month under the first week that ends in it.
        last_day = w.start + timedelta(days=6)
        key = (last_day.year, last_day.month)
        if key in seen:
            axis.append(" ")
        else:
            seen.add(key)
            axis.append(month_letter(last_day), style="dim")
    caption = Text()
    if weeks:
        best = max(weeks, key=lambda w: (w.contacts, w.start))
        caption.append(f"week of {weeks[-1].start:%d %b}: ")
        caption.append(str(weeks[-1].contacts), style="bold")
        caption.append(f"\nmost {best.contacts} (week of {best.start:%d %b %Y})", style="dim")
    return Chart(values, 1, axis, caption)


def no_show_rates(report: MonthReport) -> Chart:
    """The no-show rate of each month (of kept and no-show appointments), in percent."""
    months = report.series.months
    rates = [m.no_show_rate for m in months]
    values = tuple(0.0 if r is None else r * 100 for r in rates)
    caption = Text("this month ")
    caption.append(_pct(rates[-1]), style="bold")
    known = [(r, m.month) for r, m in zip(rates, months, strict=True) if r is not None]
    if known:
        rate, month = max(known, key=lambda pair: (pair[0], pair[1]))
        caption.append(f"\nhighest {_pct(rate)} ({month_short(month)})", style="dim")
    return Chart(values, MONTH_WIDTH, month_axis([m.month for m in months], MONTH_WIDTH), caption)


def overdue_at_month_end(report: MonthReport) -> Chart:
    """Tasks overdue at each month's end (now, for the month still going on)."""
    months = report.series.months
    values = tuple(float(m.overdue) for m in months)
    caption = Text("at month end " if report.complete else "now ")
    caption.append(str(months[-1].overdue), style="bold")
    highest = max(months, key=lambda m: (m.overdue, m.month))
    caption.append(f"\nhighest {highest.overdue} ({month_short(highest.month)})", style="dim")
    return Chart(values, MONTH_WIDTH, month_axis([m.month for m in months], MONTH_WIDTH), caption)


def charts(report: MonthReport) -> dict[str, Chart]:
    """Every chart of the screen, by panel id."""
    return {
        "chart-contacts": weekly_contacts(report),
        "chart-noshow": no_show_rates(report),
        "chart-overdue": overdue_at_month_end(report),
    }


def period(report: MonthReport) -> str:
    """ "Apr 2025 – Mar 2026": what the charts cover."""
    months = report.series.months
    return f"{month_short(months[0].month)} – {month_short(months[-1].month)}"


class ChartPanel(Vertical):
    """A titled chart: bars from zero, the axis under them, a caption."""

    DEFAULT_CSS = """
    ChartPanel {
        width: auto; height: auto; min-width: 30;
        border: round $primary 50%; padding: 0 1;
    }
    ChartPanel Sparkline { height: 4; width: 1; }
    ChartPanel .chart-axis, ChartPanel .chart-caption { height: auto; width: auto; }
    """

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(id=id)
        self.border_title = title

    def compose(self) -> ComposeResult:
        yield Sparkline([], classes="chart-bars")
        yield Static("", classes="chart-axis")
        yield Static("", classes="chart-caption")

    def show(self, chart: Chart, subtitle: str = "") -> None:
        bars = self.query_one(Sparkline)
        # Exactly one column a bar (``zero_based``): never wider than the data.
        bars.styles.width = max(chart.width, 1)
        bars.data = zero_based(chart.values, chart.per) if chart.values else [0.0, 0.0]
        self.query_one(".chart-axis", Static).update(chart.axis)
        self.query_one(".chart-caption", Static).update(chart.caption)
        self.border_subtitle = subtitle
