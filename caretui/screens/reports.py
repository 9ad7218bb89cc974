"""`7` Reports: the month in numbers and pictures, the same figures as ``caretui report month``.

The month is read with ``services.report.month_report`` (a dozen queries over the
plain read side, about a quarter of a second at 5,000 patients) in a thread
worker; the screen says "Reading…" meanwhile and shows the frozen ``MonthReport``
it gets back. ``[`` and ``]`` move a month, ``t`` comes back to this one. The
figures are laid out by ``report_render.sections`` (as in every export), the
last 12 months drawn by ``report_charts``, and the biller's table is a
``RecordTable`` filled a page at a time from the report already read. Redaction
shows initials and no identifier; it redraws without reading again.

No visible wait on ``[``, ``]``, ``t``, ``r``: every report read is kept in a
``ReportCache`` with the key of the data it was read from (the newest audit
event, the day, the thresholds), and once a month is shown the months either side
are read in the background. Each of those keys first reads the key (under a millisecond) and
shows a kept report only if it was read at that very key, so nothing shown is
older than the database; ``r`` shows the kept report at once when nothing changed
and reads the month again all the same (a change made past caretui's services
shows then).
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker

from caretui.errors import CaretuiError
from caretui.queries.common import snapshot
from caretui.queries.report import add_months
from caretui.screens.base import CaseloadScreen
from caretui.screens.common import now_on
from caretui.screens.report_charts import ChartPanel, charts, period
from caretui.screens.report_export import ExportDialog, ExportRequest
from caretui.services.report import (
    BillingRow,
    MonthReport,
    ReportCache,
    ReportKey,
    report_key,
    same_figures,
)
from caretui.services.report_render.sections import Section, month_name, sections, subtitle
from caretui.services.report_render.sections import Table as FigureTable
from caretui.services.text import one_line, plural
from caretui.store.plain import database_errors
from caretui.widgets.keys_footer import KeysFooter
from caretui.widgets.records import RecordTable, Row, cell

#: Rows of the biller's table shown at first, and added each time the cursor nears the end
#: (a screenful and more: a month's first paint does not wait on rows out of sight).
PAGE = 60
BILLING_COLUMNS = [("Patient", 32), ("MRN", 14), ("Minutes", 8), ("Highest threshold met", 24)]
#: The figure panels, in reading order (the biller's table is the RecordTable below them).
PANELS = ("caseload", "contacts", "appointments", "tasks", "care_plans", "referrals", "time")


def _binding(key: str, action: str, description: str, tooltip: str, **kw: Any) -> Binding:
    return Binding(key, action, description, id=f"reports.{action}", tooltip=tooltip, **kw)


def figure_table(table: FigureTable, *, expand: bool = True) -> Table:
    """One of the report's tables (tasks by queue, the months) as a Rich table of ``Text``."""
    out = Table(
        title=Text(table.title, style="bold"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        expand=expand,
        pad_edge=False,
    )
    for i, column in enumerate(table.columns):
        out.add_column(Text(column), justify="right" if i in table.numeric else "left")
    for row in table.rows:
        out.add_row(*(Text(one_line(value)) for value in row))
    if not table.rows:
        out.caption = Text(table.empty, style="dim")
    return out


def section_view(section: Section, *, expand: bool = True) -> RenderableType:
    """A section's figures, label and value on a line each, then its tables."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(ratio=1)
    grid.add_column(justify="right", no_wrap=True)
    for figure in section.figures:
        grid.add_row(Text(one_line(figure.label)), Text(one_line(figure.value), style="bold"))
    parts: list[RenderableType] = [grid] if section.figures else []
    parts.extend(figure_table(t, expand=expand) for t in section.tables)
    return Group(*parts)


def billing_row(row: BillingRow, *, redact: bool, first: int | None) -> Row:
    """A line of the biller's table: under the first threshold in yellow."""
    minutes = Text(str(row.minutes), justify="right")
    if first is not None and row.minutes < first:
        minutes.stylize("yellow")
    return Row(
        f"patient:{row.patient.id}",
        (
            row.patient.name(redact=redact),
            Text("hidden", style="dim italic") if redact else (row.patient.mrn or "—"),
            minutes,
            row.met.label if row.met is not None else Text("—", style="dim"),
        ),
    )


class ReportsScreen(CaseloadScreen):
    HELP_TITLE = "Reports"
    HELP_EXTRA = Text(
        'The same figures as `caretui report month`. "At month end" figures are taken at '
        "midnight after the month's last day, or now for this month. The charts cover the "
        "12 months up to the one shown, drawn from zero. Minutes count for patients in a "
        "care-management program, against the thresholds of the config file.\n"
        "Other screens count other things: Today counts work items of every kind (tasks, "
        "appointments to prepare, refills, reviews, referrals) overdue or due today, "
        "snoozed and waiting tasks left out; the month grid of Appointments counts each "
        "day's appointments but cancelled ones (proposed ones included) and the open "
        "tasks due that day. Here, booked appointments are every status but proposed, "
        "cancelled ones included."
    )
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (110, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        _binding(
            "left_square_bracket",
            "previous_month",
            "Prev month",
            "The month before the one shown",
            key_display="[",
        ),
        _binding(
            "right_square_bracket",
            "next_month",
            "Next month",
            "The month after the one shown (up to this month)",
            key_display="]",
        ),
        _binding("t", "this_month", "This month", "Back to this month, so far"),
        _binding("r", "reload", "Read again", "Read the month again (this month goes on)"),
        _binding(
            "e",
            "export",
            "Export",
            "Write the report to a file: HTML with charts, CSV for billing, Markdown or text",
        ),
    ]
    DEFAULT_CSS = """
    ReportsScreen #reports-status { padding: 0 1; height: 1; color: $text-muted; }
    ReportsScreen #reports-body { height: 1fr; }
    ReportsScreen #reports-charts { height: auto; }
    ReportsScreen.-narrow #reports-charts {
        layout: grid; grid-size: 2; grid-columns: auto auto; grid-rows: auto;
    }
    ReportsScreen.-narrow #chart-contacts { column-span: 2; }
    ReportsScreen #reports-figures {
        grid-size: 2; grid-gutter: 0 1; height: auto; grid-rows: auto;
    }
    ReportsScreen.-narrow #reports-figures { grid-size: 1; }
    ReportsScreen #reports-figures > Static, ReportsScreen #fig-history {
        height: auto; border: round $primary 50%; padding: 0 1;
    }
    ReportsScreen #billing-title { padding: 1 1 0 1; height: auto; }
    ReportsScreen #reports-billing { height: 16; }
    """

    def __init__(self) -> None:
        super().__init__()
        #: The first day of the month shown (or being read).
        self.month: date | None = None
        #: The report on screen, as read.
        self.report: MonthReport | None = None
        #: The key it was read at.
        self.key: ReportKey | None = None
        #: Every report read here, kept by month with its key.
        self.cache = ReportCache()
        self._billing_shown = 0
        self._under_dialog = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Reading…"), id="reports-status")
        with VerticalScroll(id="reports-body"):
            with Horizontal(id="reports-charts"):
                yield ChartPanel("Contacts per week", id="chart-contacts")
                yield ChartPanel("No-show rate by month", id="chart-noshow")
                yield ChartPanel("Overdue tasks, month end", id="chart-overdue")
            with Grid(id="reports-figures"):
                for key in PANELS:
                    yield Static("", id=f"fig-{key}")
            yield Static("", id="fig-history")
            yield Static("", id="billing-title")
            yield RecordTable(BILLING_COLUMNS, id="reports-billing")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.month = self.this_month
        self.query_one("#reports-body").focus()
        self.read()
        self.watch(self.app, "redact", lambda _old, _new: self._redraw(), init=False)

    def on_screen_suspend(self) -> None:
        self._under_dialog = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        """Back from another screen (not our own dialog): notes may have been logged
        there, so read the month again (the kept report, if nothing was)."""
        if self.report is not None and not self._under_dialog:
            self.read()
        self._under_dialog = False

    @property
    def this_month(self) -> date:
        return self.caretui.today.replace(day=1)

    @property
    def billing(self) -> RecordTable:
        return self.query_one("#reports-billing", RecordTable)

    # -- reading ---------------------------------------------------------------------

    def read(self, *, again: bool = False) -> None:
        """Show the month ``self.month``: the report kept for it if it was read at the
        data's key as it is now, else read in a worker ("Reading…" meanwhile). ``again``:
        read it all the same (the kept one shown meanwhile)."""
        month = self.month or self.this_month
        if self.key is None or self.cache.get(month, self.key, wait=False) is None:
            self._reading(month)
        self._read(month, again)

    def _reading(self, month: date) -> None:
        if month == self.month:
            self.query_one("#reports-status", Static).update(
                Text(f"Reading {month:%B %Y}…", style="italic")
            )

    @work(thread=True, exclusive=True, group="reports-read")
    def _read(self, month: date, again: bool = False) -> None:
        app = self.caretui
        now = now_on(app.today)
        worker = get_current_worker()
        try:
            with app.reading() as con, snapshot(con):
                key = report_key(con, now, app.settings.care_management_thresholds)
                kept = self.cache.get(month, key)
                if kept is not None and not worker.is_cancelled:
                    self.app.call_from_thread(self._show, kept, key, again=again)
                if kept is not None and not again:
                    return
                if kept is None and not worker.is_cancelled:
                    self.app.call_from_thread(self._reading, month)
                report = self.cache.read(con, month, key, now=now)
        except database_errors(CaretuiError) as exc:
            from caretui.screens.today_rows import read_error

            self.app.call_from_thread(self._failed, read_error(app.db, exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, report, key)

    @work(thread=True, exclusive=True, group="reports-near", exit_on_error=False)
    def _read_near(self, month: date) -> None:
        """Read the months before and after ``month`` (not past this one) into the cache,
        so that ``[`` and ``]`` find them ready. Quiet: a failure shows when the month is
        asked for."""
        app = self.caretui
        worker = get_current_worker()
        for near in (add_months(month, -1), add_months(month, 1)):
            if worker.is_cancelled:
                return
            now = now_on(app.today)
            if near > now.date():
                continue
            try:
                with app.reading() as con, snapshot(con):
                    key = report_key(con, now, app.settings.care_management_thresholds)
                    if self.cache.wanted(near, key):
                        self.cache.read(con, near, key, now=now)
            except database_errors(CaretuiError):
                return

    def _failed(self, message: str) -> None:
        self.query_one("#reports-status", Static).update(Text(message, style="bold red"))
        self.notify(message, severity="error", markup=False, timeout=10)

    def _show(self, report: MonthReport, key: ReportKey, *, again: bool = False) -> None:
        """Show ``report``, read at ``key``. ``again``: it is the kept one, read again now."""
        if report.month != self.month:  # a later [ or ] asked for another month
            return
        shown = self.report
        self.report, self.key = report, key
        if shown is None or not same_figures(shown, report):
            self._show_figures(report)
        self._show_status(report, again=again)
        if not again and self.is_current:
            # After the frame showing this month: the months either side, ready for [ and ].
            # (Not while the screen is built behind another: they are read once it shows.)
            self.call_after_refresh(self._read_near, report.month)

    def _show_status(self, report: MonthReport, *, again: bool = False) -> None:
        status = Text(month_name(report), style="bold")
        status.append(f" · {subtitle(report, redact=False)}")
        if again:
            status.append("  Reading again…", style="italic")
        else:
            status.append("  [ ] month · t this month · e export", style="dim")
        self.query_one("#reports-status", Static).update(status)

    def _show_figures(self, report: MonthReport) -> None:
        redact = self.caretui.redact
        span = period(report)
        for panel_id, chart in charts(report).items():
            self.query_one(f"#{panel_id}", ChartPanel).show(chart, span)
        for section in sections(report, redact=redact, billing=False):
            if section.key == "history":
                widget = self.query_one("#fig-history", Static)
                widget.update(section_view(section, expand=False))
            else:
                widget = self.query_one(f"#fig-{section.key}", Static)
                widget.update(section_view(section))
            widget.border_title = section.title
        self._show_billing()

    def _redraw(self) -> None:
        """Redaction turned on or off: the names again, nothing read."""
        if self.report is not None:
            self._show_billing()

    def _show_billing(self) -> None:
        report = self.report
        if report is None:
            return
        rows = report.time.rows
        self._billing_shown = min(PAGE, len(rows))
        self.billing.show([self._billing_line(r) for r in rows[: self._billing_shown]])
        title = Text("Time per patient (for billing)", style="bold")
        if rows:
            title.append(
                f" · {plural(len(rows), 'patient')} · enter opens the patient", style="dim"
            )
        else:
            title.append(" · no patient in care management this month", style="dim")
        self.query_one("#billing-title", Static).update(title)

    def _billing_line(self, row: BillingRow) -> Row:
        report = self.report
        first = report.time.thresholds[0].minutes if report and report.time.thresholds else None
        return billing_row(row, redact=self.caretui.redact, first=first)

    @on(DataTable.RowHighlighted, "#reports-billing")
    def _more_billing(self, event: DataTable.RowHighlighted) -> None:
        report = self.report
        if report is None or event.cursor_row < self._billing_shown - 10:
            return
        rows = report.time.rows[self._billing_shown : self._billing_shown + PAGE]
        for row in rows:
            line = self._billing_line(row)
            self.billing.add_row(*(cell(c) for c in line.cells), key=line.key)
        self._billing_shown += len(rows)

    @on(DataTable.RowSelected, "#reports-billing")
    def _open_patient(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value or ""
        if key.startswith("patient:"):
            self.caretui.open_patient(int(key.split(":")[1]))

    def timer_patient(self) -> int | None:
        """The patient a timer started here is for: the biller's table's row, when focused."""
        if self.focused is not self.billing:
            return None
        key = self.billing.selected_key or ""
        return int(key.split(":")[1]) if key.startswith("patient:") else None

    # -- keys ------------------------------------------------------------------------

    def _go(self, month: date) -> None:
        self.month = month
        self.read()

    def action_previous_month(self) -> None:
        self._go(add_months(self.month or self.this_month, -1))

    def action_next_month(self) -> None:
        current = self.month or self.this_month
        if current >= self.this_month:
            self.notify(
                f"{current:%B %Y} is this month: the next has not begun", markup=False, timeout=5
            )
            return
        self._go(add_months(current, 1))

    def action_this_month(self) -> None:
        self._go(self.this_month)

    def action_reload(self) -> None:
        self.read(again=True)

    def action_export(self) -> None:
        report = self.report
        if report is None or report.month != self.month:
            self.notify("Still reading the month: try again in a moment", markup=False)
            return

        def chosen(request: ExportRequest | None) -> None:
            if request is not None:
                self._export(report, request)

        self.app.push_screen(ExportDialog(report.month, redact=self.caretui.redact), chosen)

    @work(thread=True, group="reports-export")
    def _export(self, report: MonthReport, request: ExportRequest) -> None:
        """Render the report shown and write it, atomically and owner-only."""
        from caretui.services.report_render.output import render
        from caretui.store.files import write_private

        try:
            write_private(request.path, render(report, request.fmt, redact=request.redact))
        except CaretuiError as exc:
            self.app.call_from_thread(self._failed, exc.message)
            return
        except OSError as exc:
            message = f"Could not write {request.path}: {exc.strerror or 'error'}"
            self.app.call_from_thread(self._failed, message)
            return
        self.app.call_from_thread(
            self.notify, f"Report written to {request.path}", markup=False, timeout=8
        )
