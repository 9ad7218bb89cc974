"""The monthly report as one self-contained HTML page, with SVG charts, ready to print.

No script, no external style sheet, font or image: the file can be mailed or
archived as it is. Every piece of text, user text or not, goes through
``html.escape`` after its control characters are made visible, so a patient
named ``<script>alert(1)</script>`` is shown as typed. The print style fits
both A4 (210 × 297 mm) and US Letter (8.5 × 11 in): the page takes the
printer's paper size with margins that leave at least 180 × 245 mm of content
on either, and the layout is fluid within it.
"""

from __future__ import annotations

from datetime import date
from html import escape

from caretui.services.report import MonthReport
from caretui.services.report_render.charts import Bar, bar_chart
from caretui.services.report_render.sections import (
    Section,
    Table,
    pct,
    sections,
    short_month,
    subtitle,
    title,
)
from caretui.services.text import one_line

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  font: 11pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    sans-serif;
  color: #1b1b1b; background: #fff; margin: 2rem auto; max-width: 190mm; padding: 0 1rem;
}
h1 { font-size: 17pt; margin: 0 0 .2rem; }
.as-of { color: #555; margin: 0 0 1rem; }
h2 { font-size: 13pt; border-bottom: 1px solid #999; padding-bottom: .1rem;
  margin: 1.3rem 0 .4rem; }
h3 { font-size: 11pt; margin: .9rem 0 .3rem; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: .12rem .45rem; border-bottom: 1px solid #e2e2e2; text-align: left;
  vertical-align: top; }
th { border-bottom-color: #999; font-weight: 600; }
.num { text-align: right; white-space: nowrap; }
table.figures td:first-child { width: 72%; }
.empty { color: #555; font-style: italic; }
figure { margin: .5rem 0 1rem; }
figcaption { font-weight: 600; font-size: 10pt; margin-bottom: .15rem; }
svg.chart { display: block; width: 100%; height: auto; }
.legend { font-size: 9pt; color: #555; }
@page { size: auto; margin: 16mm 14mm 18mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 9.5pt; }
  h2, h3, figcaption { break-after: avoid; page-break-after: avoid; }
  tr, figure, table.figures { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def e(text: str) -> str:
    """``text`` made safe for HTML: control characters visible, on one line, escaped."""
    return escape(one_line(text), quote=True)


def _table(table: Table, css_class: str = "") -> list[str]:
    if not table.rows:
        return [f'<p class="empty">{e(table.empty)}</p>']
    cls = f' class="{css_class}"' if css_class else ""

    def attr(i: int) -> str:
        return ' class="num"' if i in table.numeric else ""

    out = [f"<table{cls}>", "<thead><tr>"]
    out += [f'<th{attr(i)} scope="col">{e(c)}</th>' for i, c in enumerate(table.columns)]
    out += ["</tr></thead>", "<tbody>"]
    for row in table.rows:
        cells = "".join(f"<td{attr(i)}>{e(v)}</td>" for i, v in enumerate(row))
        out.append(f"<tr>{cells}</tr>")
    out += ["</tbody>", "</table>"]
    return out


def _figures(section: Section) -> list[str]:
    out = ['<table class="figures">', "<tbody>"]
    for f in section.figures:
        out.append(f'<tr><td>{e(f.label)}</td><td class="num">{e(f.value)}</td></tr>')
    out += ["</tbody>", "</table>"]
    return out


def _month_label(day: date, first: bool) -> tuple[str, str]:
    return short_month(day.month), str(day.year) if first or day.month == 1 else ""


def charts(report: MonthReport) -> list[str]:
    """The three charts of the last 12 months, each in a ``<figure>``."""
    months = report.series.months
    last = len(months) - 1
    partial_month = not report.complete
    weeks = report.series.weeks
    week_bars = []
    labelled = 0
    for i, week in enumerate(weeks):
        label = sub = ""
        ends = weeks[i + 1].start if i + 1 < len(weeks) else report.end
        firsts = [m.month for m in months if week.start <= m.month < ends]
        if firsts:
            label, sub = _month_label(firsts[0], labelled == 0)
            labelled += 1
        week_bars.append(
            Bar(float(week.contacts), label, sub, partial_month and i == len(weeks) - 1)
        )
    month_bars_rate = []
    month_bars_overdue = []
    for i, m in enumerate(months):
        label, sub = _month_label(m.month, i == 0)
        partial = partial_month and i == last
        month_bars_rate.append(Bar(m.no_show_rate, label, sub, partial))
        month_bars_overdue.append(Bar(float(m.overdue), label, sub, partial))
    first, final = months[0].month, months[-1].month
    span = f"{short_month(first.month)} {first.year} to {short_month(final.month)} {final.year}"
    contacts_svg = bar_chart(
        week_bars,
        title="Contacts per week",
        description=(
            f"Calls, visits and messages per week, {span}: "
            + ", ".join(f"{w.start.isoformat()} {w.contacts}" for w in weeks)
        ),
    )
    rate_svg = bar_chart(
        month_bars_rate,
        title="No-show rate per month",
        description=(
            f"No-shows among kept and missed appointments, {span}: "
            + ", ".join(f"{m.month:%Y-%m} {pct(m.no_show_rate)}" for m in months)
        ),
        axis=lambda v: f"{v * 100:.0f}%",
        value_labels=lambda v: f"{v * 100:.0f}%",
        floor_max=0.1,
    )
    overdue_svg = bar_chart(
        month_bars_overdue,
        title="Overdue tasks at each month's end",
        description=(
            f"Tasks overdue at the end of each month, {span}: "
            + ", ".join(f"{m.month:%Y-%m} {m.overdue}" for m in months)
        ),
        value_labels=lambda v: f"{v:.0f}",
    )
    note = (
        '<p class="legend">The lighter bar is the month still going on, counted so far.</p>'
        if partial_month
        else ""
    )
    return [
        f"<figure><figcaption>Contacts per week</figcaption>\n{contacts_svg}</figure>",
        f"<figure><figcaption>No-show rate per month</figcaption>\n{rate_svg}</figure>",
        "<figure><figcaption>Overdue tasks at each month's end</figcaption>\n"
        f"{overdue_svg}</figure>",
        *([note] if note else []),
    ]


def render_html(report: MonthReport, *, redact: bool = False) -> str:
    heading = title(report)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        # A second line of defence: were any text ever left unescaped, no script runs
        # and nothing is fetched.
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{e(heading)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{e(heading)}</h1>",
        f'<p class="as-of">{e(subtitle(report, redact=redact))}</p>',
    ]
    for section in sections(report, redact=redact):
        out.append(f'<section id="{e(section.key)}">')
        out.append(f"<h2>{e(section.title)}</h2>")
        if section.figures:
            out += _figures(section)
        if section.key == "history":
            out += charts(report)
        for table in section.tables:
            out.append(f"<h3>{e(table.title)}</h3>")
            out += _table(table)
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
