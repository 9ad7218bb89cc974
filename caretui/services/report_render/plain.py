"""The monthly report as plain text and as Markdown.

Plain text shows every piece of text exactly as stored, with control characters
made visible on one line (``one_line``): a name cannot move the cursor, clear
the screen or set a terminal's title. Markdown does the same, then escapes
what Markdown would read as formatting, so ``[bold]x[/]`` or ``*Ann*`` is shown
as typed and never becomes a link, emphasis or a table cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from caretui.services.report import MonthReport
from caretui.services.report_render.sections import Table, sections, subtitle, title
from caretui.services.text import one_line


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters two, combining marks none."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return total


def _pad(text: str, columns: int, *, right: bool = False) -> str:
    gap = " " * max(columns - width(text), 0)
    return gap + text if right else text + gap


def _text_table(table: Table) -> list[str]:
    header = [one_line(c) for c in table.columns]
    rows = [[one_line(cell) for cell in row] for row in table.rows]
    widths = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [_pad(cell, widths[i], right=i in table.numeric) for i, cell in enumerate(cells)]
        return ("  " + "  ".join(parts)).rstrip()

    out = [one_line(table.title), line(header), line(["-" * w for w in widths])]
    out.extend(line(row) for row in rows)
    if not rows:
        out.append("  " + one_line(table.empty))
    return out


def render_txt(report: MonthReport, *, redact: bool = False) -> str:
    """The report as aligned plain text (for a terminal, a pipe or a plain file)."""
    parts = sections(report, redact=redact)
    label_width = max((width(one_line(f.label)) for s in parts for f in s.figures), default=0)
    heading = one_line(title(report))
    lines = [heading, "=" * width(heading), one_line(subtitle(report, redact=redact))]
    for section in parts:
        name = one_line(section.title)
        lines += ["", name, "-" * width(name)]
        for figure in section.figures:
            lines.append(f"  {_pad(one_line(figure.label), label_width)}  {one_line(figure.value)}")
        for table in section.tables:
            if section.figures or table is not section.tables[0]:
                lines.append("")
            lines.extend(_text_table(table))
    return "\n".join(lines) + "\n"


# Characters Markdown (CommonMark, GitHub's tables and math) may read as
# formatting anywhere in a line: emphasis, code, links and images (an escaped
# "[" leaves "(" and "!" inert), HTML, autolinks and entities, table cells,
# strikethrough, math. Each is escaped with a backslash, which CommonMark
# allows before any ASCII punctuation. Text never starts a line here, so
# line-start markers (#, -, +, 1.) need nothing.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$])")


def md_escape(text: str) -> str:
    """``text`` on one line, control characters visible, Markdown's formatting escaped."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))


def _md_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], numeric: frozenset[int]
) -> list[str]:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(md_escape(c) for c in cells) + " |"

    rule = "|" + "|".join("---:" if i in numeric else "---" for i in range(len(columns))) + "|"
    return [line(columns), rule, *(line(r) for r in rows)]


def render_md(report: MonthReport, *, redact: bool = False) -> str:
    """The report as Markdown: a heading per section, tables of figures."""
    lines = [f"# {md_escape(title(report))}", "", md_escape(subtitle(report, redact=redact))]
    for section in sections(report, redact=redact):
        lines += ["", f"## {md_escape(section.title)}"]
        if section.figures:
            lines.append("")
            lines += _md_table(
                ("Figure", "Value"),
                [(f.label, f.value) for f in section.figures],
                frozenset({1}),
            )
        for table in section.tables:
            lines += ["", f"### {md_escape(table.title)}", ""]
            if table.rows:
                lines += _md_table(table.columns, table.rows, table.numeric)
            else:
                lines.append(md_escape(table.empty))
    return "\n".join(lines) + "\n"
