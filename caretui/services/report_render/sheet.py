"""The monthly report as CSV: the biller's table first, then every figure, then the other tables.

One file, blocks separated by an empty row; each block starts with its header
row. Every cell is on one line with control characters made visible, and a
cell a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-`` or
``@``) gets a leading ``'``, so a name like ``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from caretui.services.report import MonthReport
from caretui.services.report_render.sections import sections, stamp
from caretui.services.text import one_line

_FORMULA_START = ("=", "+", "-", "@")


def cell(value: str) -> str:
    """``value`` safe for a spreadsheet: one line, controls visible, never a formula."""
    text = one_line(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(report: MonthReport, *, redact: bool = False) -> str:
    parts = sections(report, redact=redact)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def row(values: Sequence[str]) -> None:
        writer.writerow([cell(v) for v in values])

    billing = next(t for s in parts if s.key == "time" for t in s.tables)
    row(billing.columns)
    for values in billing.rows:
        row(values)
    writer.writerow([])
    row(("Section", "Figure", "Value"))
    row(("Report", "Month", f"{report.month:%Y-%m}"))
    row(("Report", "Figures as of", stamp(report.as_of)))
    row(("Report", "Month complete", "yes" if report.complete else "no"))
    row(("Report", "Redacted (initials, no identifiers)", "yes" if redact else "no"))
    for section in parts:
        for figure in section.figures:
            row((section.title, figure.label, figure.value))
    for section in parts:
        for table in section.tables:
            if table is billing:
                continue
            writer.writerow([])
            row((table.title,))
            row(table.columns)
            for values in table.rows:
                row(values)
    return out.getvalue()
