"""The day sheet as HTML, Markdown, plain text or PDF.

Every format is drawn from one layout: ``sections(sheet)`` turns the sheet into
titled tables of cells, and ``briefs(sheet)`` each patient brief into a block of
facts and lists. A new section (the referrals to chase, say) is one function
added to ``sections``; every format then prints it.

User text is never trusted:

- every piece of it first goes through ``one_line``: control characters (terminal
  escapes, NUL, DEL, C1) become visible ``\\x1b`` and line breaks become spaces;
- HTML then ``html.escape``s it, Markdown backslash-escapes only the characters
  Markdown gives a meaning to, plain text keeps it exactly as typed, and the PDF
  draws it with markup off.

The PDF needs the optional extra ``caretui[pdf]`` (fpdf2 and two OFL fonts from
PyPI: Noto Sans for Latin, Greek and Cyrillic, Noto Sans CJK as the fallback for
Chinese, Japanese and Korean). Standard library only otherwise.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from caretui.errors import CaretuiError
from caretui.services.day_sheet import (
    DaySheet,
    PatientBrief,
    QueueTasks,
    SheetTask,
)
from caretui.services.text import one_line

#: The most of each list a brief shows (a brief must fit on one page).
BRIEF_LIMITS = {"allergies": 12, "medications": 20, "contacts": 4, "goals": 5}
CONFIDENTIAL = "Confidential: patient information. Keep it with you and shred it after use."

# --------------------------------------------------------------------- the layout


@dataclass(frozen=True, slots=True)
class Cell:
    """One piece of a line; ``strong`` marks what must catch the eye (overdue, not ready)."""

    text: str
    strong: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    #: Relative widths, one per column (the PDF and HTML use them).
    widths: tuple[float, ...]
    rows: tuple[tuple[Cell, ...], ...]
    #: A box to tick before each row.
    check: bool = False
    #: A heading above the table (a queue's name).
    caption: str | None = None
    #: A line under the table: how many rows were left out, and where they are.
    more: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    tables: tuple[Table, ...]
    #: Said when no table has a row.
    empty: str
    #: Left off the sheet when empty (rather than saying ``empty``).
    optional: bool = False

    @property
    def is_empty(self) -> bool:
        return not any(t.rows or t.more for t in self.tables)


@dataclass(frozen=True, slots=True)
class BriefList:
    label: str
    items: tuple[Cell, ...]
    empty: str


@dataclass(frozen=True, slots=True)
class Block:
    """A patient brief, laid out."""

    title: str
    badges: tuple[Cell, ...]
    facts: tuple[tuple[str, Cell], ...]
    lists: tuple[BriefList, ...]


def _long_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _short_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _due(due: date | None, day: date) -> Cell:
    """ "today", "3 days overdue (Sun 8 Mar)", "in 4 days (Sun 15 Mar)"."""
    if due is None:
        return Cell("no date")
    delta = (due - day).days
    if delta == 0:
        return Cell("today")
    if delta == 1:
        return Cell("tomorrow")
    if delta < 0:
        days = "1 day" if delta == -1 else f"{-delta} days"
        return Cell(f"{days} overdue ({_short_day(due)})", strong=True)
    return Cell(f"in {delta} days ({_short_day(due)})")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


_PRESSING = frozenset({"stat", "asap"})
_VISIT_STATUS = {
    "proposed": "not booked yet",
    "arrived": "arrived",
    "fulfilled": "done",
    "noshow": "no-show",
}


def _schedule(sheet: DaySheet) -> Section:
    columns = ["Time", "Patient", "With, where", "Purpose", "Transport"]
    widths = [13, 21, 29, 22, 19]
    if not sheet.redacted:
        columns.append("Phone")
        widths.append(17)
    rows = []
    for v in sheet.schedule:
        status = _VISIT_STATUS.get(v.status, "")
        time = Cell(f"{v.time} {status}".strip(), strong=v.status == "proposed")
        if v.transport == "needed":
            transport = Cell("needed, NOT arranged", strong=True)
        elif v.transport == "arranged":
            details = v.transport_details or ""
            transport = Cell(f"arranged: {details}" if details else "arranged")
        else:
            transport = Cell("")
        cells = [
            time,
            Cell(v.patient),
            Cell(", ".join(p for p in (v.with_whom, v.location) if p)),
            Cell(v.purpose or ""),
            transport,
        ]
        if not sheet.redacted:
            cells.append(Cell(v.phone or ""))
        rows.append(tuple(cells))
    more = f"{_plural(sheet.schedule_more, 'more appointment')} not shown." * bool(
        sheet.schedule_more
    )
    return Section(
        "schedule",
        "Schedule",
        (Table(tuple(columns), tuple(widths), tuple(rows), more=more),),
        "No appointments.",
    )


def _task_row(task: SheetTask, day: date, phone: bool) -> tuple[Cell, ...]:
    cells = [
        Cell(task.priority, strong=task.priority in _PRESSING),
        Cell(task.title),
        Cell(task.patient or ""),
    ]
    if phone:
        cells.append(Cell(task.phone or ""))
    cells.append(_due(task.due, day))
    return tuple(cells)


def _more_in(group: QueueTasks) -> str:
    if not group.more:
        return ""
    return f"{_plural(group.more, 'more task')} in {group.queue}: see caretui today."


def _calls(sheet: DaySheet) -> Section:
    phone = not sheet.redacted
    columns = ("Priority", "Call", "Patient", *(("Phone",) if phone else ()), "Due")
    widths = (9, 40, 24, *((15,) if phone else ()), 22)
    group = sheet.calls
    rows = tuple(_task_row(t, sheet.day, phone) for t in group.tasks)
    table = Table(columns, widths, rows, check=True, more=_more_in(group))
    return Section("calls", "Calls to make", (table,), "No calls due.")


def _tasks(sheet: DaySheet) -> Section:
    tables = tuple(
        Table(
            ("Priority", "Task", "Patient", "Due"),
            (9, 50, 25, 22),
            tuple(_task_row(t, sheet.day, False) for t in group.tasks),
            check=True,
            caption=f"{group.queue} ({group.total})",
            more=_more_in(group),
        )
        for group in sheet.tasks
        if group.total
    )
    return Section("tasks", "Tasks due and overdue", tables, "No tasks due.")


def _refills(sheet: DaySheet) -> Section:
    rows = []
    for r in sheet.refills:
        pharmacy = " · ".join(p for p in (r.pharmacy or "", r.pharmacy_phone or "") if p)
        rows.append(
            (
                Cell(r.patient),
                Cell(f"{r.medication} {r.dose}" if r.dose else r.medication),
                _due(r.due, sheet.day),
                Cell(r.last_reconciled.isoformat() if r.last_reconciled else "never"),
                Cell(pharmacy),
            )
        )
    more = f"{_plural(sheet.refills_more, 'more refill')} not shown." * bool(sheet.refills_more)
    table = Table(
        ("Patient", "Medication", "Refill due", "Last reconciled", "Pharmacy"),
        (24, 30, 22, 14, 26),
        tuple(rows),
        check=True,
        more=more,
    )
    window = _plural(sheet.refill_window_days, "day")
    return Section("refills", f"Refills due (next {window})", (table,), "No refills due.")


def _reviews(sheet: DaySheet) -> Section:
    rows = tuple((Cell(r.patient), Cell(r.plan), _due(r.due, sheet.day)) for r in sheet.reviews)
    more = f"{_plural(sheet.reviews_more, 'more review')} not shown." * bool(sheet.reviews_more)
    table = Table(("Patient", "Care plan", "Review due"), (30, 50, 26), rows, check=True, more=more)
    return Section("reviews", "Care-plan reviews due", (table,), "No reviews due.")


_CHASE_WHY = {
    "sent": "no answer; expected",
    "draft": "not sent; drafted",
    "scheduled": "outcome not recorded; appointment",
}


def _since(status: str, since: date | None, day: date) -> Cell:
    """ "no answer; expected Mon 2 Mar (9 days ago)"."""
    why = _CHASE_WHY.get(status, status)
    if since is None:
        return Cell(why, strong=True)
    delta = (day - since).days
    ago = "today" if delta == 0 else "1 day ago" if delta == 1 else f"{delta} days ago"
    return Cell(f"{why} {_short_day(since)} ({ago})", strong=status == "sent")


def _referrals(sheet: DaySheet) -> Section:
    rows = tuple(
        (
            Cell(r.urgency, strong=r.urgency in _PRESSING),
            Cell(r.patient),
            Cell(f"{r.reason} → {r.receiver}" if r.receiver else r.reason),
            Cell(r.phone or ""),
            _since(r.status, r.since, sheet.day),
        )
        for r in sheet.referrals
    )
    more = ""
    if sheet.referrals_more:
        more = f"{_plural(sheet.referrals_more, 'more referral')} to chase: see caretui (5)."
    table = Table(
        ("Urgency", "Patient", "Referral", "Phone", "Why"),
        (9, 22, 38, 17, 30),
        rows,
        check=True,
        more=more,
    )
    return Section(
        "referrals", "Referrals to chase", (table,), "No referrals to chase.", optional=True
    )


#: The sections of a sheet, in the order they are printed.
SECTIONS: tuple[Callable[[DaySheet], Section], ...] = (
    _schedule,
    _calls,
    _referrals,
    _tasks,
    _refills,
    _reviews,
)


def sections(sheet: DaySheet) -> tuple[Section, ...]:
    made = (make(sheet) for make in SECTIONS)
    return tuple(s for s in made if not (s.optional and s.is_empty))


def summary(sheet: DaySheet) -> str:
    """ "5 appointments · 3 calls · 40 tasks · 2 refills · 1 review"."""
    parts = [
        _plural(len(sheet.schedule) + sheet.schedule_more, "appointment"),
        _plural(sheet.calls.total, "call"),
        _plural(sheet.task_total, "task"),
        _plural(len(sheet.refills) + sheet.refills_more, "refill"),
        _plural(len(sheet.reviews) + sheet.reviews_more, "review"),
    ]
    chase = len(sheet.referrals) + sheet.referrals_more
    if chase:
        parts.append(_plural(chase, "referral") + " to chase")
    return " · ".join(parts)


def _capped(label: str, items: Sequence[Cell], empty: str, key: str) -> BriefList:
    limit = BRIEF_LIMITS[key]
    shown = tuple(items[:limit])
    if len(items) > limit:
        shown += (Cell(f"… {len(items) - limit} more: see the patient in caretui"),)
    return BriefList(label, shown, empty)


def _brief(b: PatientBrief) -> Block:
    badges: list[Cell] = [Cell(f"seen {', '.join(b.visits)}")]
    badges.append(Cell(f"{b.risk} risk", strong=b.risk == "high"))
    facts: list[tuple[str, Cell]] = []
    if b.birth_date is not None:
        age = f" (age {b.age})" if b.age is not None else ""
        facts.append(("Born", Cell(f"{b.birth_date.isoformat()}{age}")))
    if b.phone:
        facts.append(("Phone", Cell(b.phone)))
    if b.address:
        facts.append(("Address", Cell(b.address)))
    if b.language or b.interpreter_needed:
        language = b.language or "language not recorded"
        facts.append(
            (
                "Language",
                Cell(
                    f"{language}, interpreter needed" if b.interpreter_needed else language,
                    strong=b.interpreter_needed,
                ),
            )
        )
    allergies = [
        Cell(
            a.substance
            + (f" — {a.reaction}" if a.reaction else "")
            + (f" ({a.criticality.replace('-', ' ')})" if a.criticality else ""),
            strong=a.criticality in ("high", "unable-to-assess"),
        )
        for a in b.allergies
    ]
    medications = [
        Cell(" · ".join(p for p in (f"{m.name} {m.dose or ''}".strip(), m.route, m.frequency) if p))
        for m in b.medications
    ]
    contacts = []
    for c in b.contacts:
        who = c.name + (f" ({c.relationship})" if c.relationship else "")
        role = c.role.replace("-", " ")
        parts = [who, role, c.organization or "", c.phone or "", "emergency" if c.emergency else ""]
        contacts.append(Cell(" · ".join(p for p in parts if p)))
    goals = []
    for g in b.goals:
        parts = [g.description]
        if g.target is not None:
            parts.append(f"target {g.target.isoformat()}")
        if g.achievement:
            parts.append(g.achievement.replace("-", " "))
        goals.append(Cell(" · ".join(parts)))
    return Block(
        b.patient,
        tuple(badges),
        tuple(facts),
        (
            _capped("Allergies", allergies, "none recorded", "allergies"),
            _capped("Active medications", medications, "none recorded", "medications"),
            _capped("Key contacts", contacts, "none recorded", "contacts"),
            _capped("Open goals", goals, "none", "goals"),
        ),
    )


def briefs(sheet: DaySheet) -> tuple[Block, ...]:
    return tuple(_brief(b) for b in sheet.briefs)


def _briefs_more(sheet: DaySheet) -> str:
    if not sheet.briefs_more:
        return ""
    return f"{_plural(sheet.briefs_more, 'more patient')} seen today: briefs not shown."


def _header_lines(sheet: DaySheet) -> tuple[str, list[str]]:
    """The title, then the lines under it (coordinator, counts, redaction, printed)."""
    title = f"Day sheet — {_long_day(sheet.day)}"
    lines = []
    if sheet.coordinator.strip():
        lines.append(f"Coordinator: {sheet.coordinator.strip()}")
    lines.append(summary(sheet))
    if sheet.redacted:
        lines.append("Redacted: initials only; no date of birth, phone or address.")
    return title, lines


def _printed(sheet: DaySheet) -> str:
    if sheet.printed_at is None:
        return ""
    return f"Printed {sheet.printed_at:%a} {sheet.printed_at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------- HTML

_CSS = """
:root { --ink: #1a1a1a; --muted: #5b5b5b; --line: #c9c9c9; --alert: #a40000; --soft: #f3f3f3; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 10pt/1.35 "Noto Sans", "Helvetica Neue", Arial, "Noto Sans CJK SC", "PingFang SC",
    "Microsoft YaHei", sans-serif; }
.sheet { max-width: 200mm; margin: 8mm auto; padding: 0 6mm; }
header h1 { font-size: 16pt; margin: 0 0 1mm; }
header p { margin: 0; color: var(--muted); }
header .redacted { color: var(--alert); font-weight: 600; }
.confidential { margin: 2mm 0 4mm; padding: 1.5mm 2.5mm; border-left: 3px solid var(--alert);
  background: var(--soft); font-size: 8.5pt; }
h2 { font-size: 12pt; margin: 5mm 0 1.5mm; padding-bottom: 0.5mm;
  border-bottom: 1.5px solid var(--ink); }
h3 { font-size: 10pt; margin: 3mm 0 1mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: 0.8mm 1.2mm;
  border-bottom: 0.5px solid var(--line); overflow-wrap: anywhere; }
th { font-size: 8.5pt; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--ink); }
td.box-col, th.box-col { width: 6mm; padding-right: 0; }
.box { display: inline-block; width: 3.2mm; height: 3.2mm; border: 1px solid var(--ink);
  vertical-align: -0.4mm; }
.strong { color: var(--alert); font-weight: 600; }
.more, .empty { color: var(--muted); font-style: italic; margin: 1mm 0 0; }
.brief-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(85mm, 1fr));
  gap: 3mm; align-items: start; }
.brief { border: 1px solid var(--line); border-radius: 1.5mm; padding: 2mm 3mm; }
.brief p { margin: 0; }
.brief h3 { margin: 0 0 1mm; font-size: 11pt; }
.badges span { display: inline-block; margin: 0 1.5mm 1mm 0; padding: 0 1.5mm; border-radius: 1mm;
  background: var(--soft); font-size: 8.5pt; }
.badges span.strong { background: #fbe3e3; }
.brief dl { display: grid; grid-template-columns: 22mm 1fr; gap: 0.3mm 2mm; margin: 0 0 1mm; }
.brief dt { color: var(--muted); }
.brief dd { margin: 0; }
.brief ul { margin: 0 0 1mm; padding-left: 4.5mm; }
.brief .label { color: var(--muted); margin-top: 1mm; }
footer { margin-top: 6mm; color: var(--muted); font-size: 8pt; }
@page { margin: 12mm 11mm 14mm; }
@page { @bottom-right { content: "page " counter(page) " of " counter(pages);
  font-size: 8pt; color: #5b5b5b; } }
@media print {
  body { font-size: 9pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .sheet { max-width: none; margin: 0; padding: 0; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, .more { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .briefs { break-before: page; page-break-before: always; }
  .brief-grid { grid-template-columns: 1fr 1fr; }
  .brief { break-inside: avoid; page-break-inside: avoid; }
}
"""


def _h(text: str) -> str:
    """User (or our) text for HTML: control characters visible, one line, escaped."""
    return html.escape(one_line(text), quote=True)


def _html_cell(cell: Cell, tag: str = "td") -> str:
    cls = ' class="strong"' if cell.strong else ""
    return f"<{tag}{cls}>{_h(cell.text)}</{tag}>"


def _html_table(table: Table) -> list[str]:
    out = []
    if table.caption:
        out.append(f"<h3>{_h(table.caption)}</h3>")
    if table.rows:
        total = sum(table.widths)
        out.append("<table>")
        out.append("<colgroup>" + ('<col class="box-col">' if table.check else ""))
        out.extend(f'<col style="width:{100 * w / total:.1f}%">' for w in table.widths)
        out.append("</colgroup>")
        heads = "".join(f"<th>{_h(c)}</th>" for c in table.columns)
        box_head = '<th class="box-col"></th>' if table.check else ""
        out.append(f"<thead><tr>{box_head}{heads}</tr></thead>")
        out.append("<tbody>")
        box = '<td class="box-col"><span class="box"></span></td>' if table.check else ""
        for row in table.rows:
            out.append(f"<tr>{box}{''.join(_html_cell(c) for c in row)}</tr>")
        out.append("</tbody></table>")
    if table.more:
        out.append(f'<p class="more">{_h(table.more)}</p>')
    return out


def _html_block(block: Block) -> list[str]:
    out = ['<article class="brief">', f"<h3>{_h(block.title)}</h3>", '<p class="badges">']
    out.extend(
        f'<span class="strong">{_h(b.text)}</span>' if b.strong else f"<span>{_h(b.text)}</span>"
        for b in block.badges
    )
    out.append("</p>")
    if block.facts:
        out.append("<dl>")
        for label, cell in block.facts:
            out.append(f"<dt>{_h(label)}</dt>{_html_cell(cell, 'dd')}")
        out.append("</dl>")
    for part in block.lists:
        out.append(f'<p class="label">{_h(part.label)}</p>')
        if part.items:
            out.append("<ul>")
            out.extend(_html_cell(item, "li") for item in part.items)
            out.append("</ul>")
        else:
            out.append(f'<ul><li class="empty">{_h(part.empty)}</li></ul>')
    out.append("</article>")
    return out


def to_html(sheet: DaySheet) -> str:
    """One self-contained page (no external file, script or font), for screen and print."""
    title, lines = _header_lines(sheet)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex">',
        f"<title>Day sheet {sheet.day.isoformat()}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        '<main class="sheet">',
        "<header>",
        f"<h1>{_h(title)}</h1>",
    ]
    for line in lines:
        redacted = line.startswith("Redacted:")
        out.append(f'<p class="redacted">{_h(line)}</p>' if redacted else f"<p>{_h(line)}</p>")
    out.append("</header>")
    out.append(f'<p class="confidential">{_h(CONFIDENTIAL)}</p>')
    for section in sections(sheet):
        out.append(f'<section id="{section.key}">')
        out.append(f"<h2>{_h(section.title)}</h2>")
        if section.is_empty:
            out.append(f'<p class="empty">{_h(section.empty)}</p>')
        else:
            for table in section.tables:
                out.extend(_html_table(table))
        out.append("</section>")
    blocks = briefs(sheet)
    if blocks:
        out.append('<section id="briefs" class="briefs">')
        out.append("<h2>Patients seen today</h2>")
        out.append('<div class="brief-grid">')
        for block in blocks:
            out.extend(_html_block(block))
        out.append("</div>")
        if sheet.briefs_more:
            out.append(f'<p class="more">{_h(_briefs_more(sheet))}</p>')
        out.append("</section>")
    footer = " · ".join(p for p in (_printed(sheet), "caretui") if p)
    out.append(f"<footer>{_h(footer)}</footer>")
    out.extend(["</main>", "</body>", "</html>", ""])
    return "\n".join(out)


# ------------------------------------------------------------------------ Markdown

#: The characters Markdown (CommonMark and GFM tables) gives a meaning to inside a line.
_MD_SPECIAL = frozenset("\\`*_[]<>|#~&")


def _md(text: str) -> str:
    """User text for Markdown: one line, control characters visible, and only
    Markdown's own characters backslash-escaped ("O'Brien" stays as it is)."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in one_line(text))


def _md_cell(cell: Cell) -> str:
    text = _md(cell.text)
    return f"**{text}**" if cell.strong and text else text


def _md_table(table: Table) -> list[str]:
    out = []
    if table.caption:
        out += [f"### {_md(table.caption)}", ""]
    if table.rows and table.check:
        for row in table.rows:
            out.append("- [ ] " + " · ".join(_md_cell(c) for c in row if c.text))
        out.append("")
    elif table.rows:
        out.append("| " + " | ".join(_md(c) for c in table.columns) + " |")
        out.append("|" + "|".join(" --- " for _ in table.columns) + "|")
        for row in table.rows:
            out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
        out.append("")
    if table.more:
        out += [f"_{_md(table.more)}_", ""]
    return out


def to_markdown(sheet: DaySheet) -> str:
    title, lines = _header_lines(sheet)
    out = [f"# {_md(title)}", ""]
    for line in lines:
        out += [_md(line) if not line.startswith("Redacted:") else f"**{_md(line)}**", ""]
    out += [f"> {_md(CONFIDENTIAL)}", ""]
    for section in sections(sheet):
        out += [f"## {_md(section.title)}", ""]
        if section.is_empty:
            out += [f"_{_md(section.empty)}_", ""]
            continue
        for table in section.tables:
            out += _md_table(table)
    blocks = briefs(sheet)
    if blocks:
        out += ["## Patients seen today", ""]
        for block in blocks:
            out += [f"### {_md(block.title)}", ""]
            out += [" · ".join(_md_cell(b) for b in block.badges), ""]
            for label, cell in block.facts:
                out.append(f"- {_md(label)}: {_md_cell(cell)}")
            for part in block.lists:
                out.append(f"- {_md(part.label)}:" + ("" if part.items else f" {_md(part.empty)}"))
                out.extend(f"  - {_md_cell(item)}" for item in part.items)
            out.append("")
        if sheet.briefs_more:
            out += [f"_{_md(_briefs_more(sheet))}_", ""]
    if sheet.printed_at is not None:
        out += [f"_{_md(_printed(sheet))}_", ""]
    return "\n".join(out)


# --------------------------------------------------------------------- plain text


def display_width(text: str) -> int:
    """Columns ``text`` takes in a fixed-width font: wide (CJK) two, combining marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return width


#: A column wider than this is not padded: the rest of the line moves along.
_TXT_MAX_COLUMN = 32


def _txt_table(table: Table) -> list[str]:
    out = []
    if table.caption:
        caption = one_line(table.caption)
        out += [caption, "~" * display_width(caption)]
    if table.rows:
        grid = [[one_line(c.text) for c in row] for row in table.rows]
        heads = list(table.columns)
        widths = [
            min(max(display_width(r[i]) for r in [heads, *grid]), _TXT_MAX_COLUMN)
            for i in range(len(heads))
        ]
        box = "    " if table.check else ""
        out.append(box + _txt_line(heads, widths).rstrip())
        for r in grid:
            out.append(("[ ] " if table.check else "") + _txt_line(r, widths).rstrip())
    if table.more:
        out.append(one_line(table.more))
    out.append("")
    return out


def _txt_line(cells: Sequence[str], widths: Sequence[int]) -> str:
    parts = []
    for i, text in enumerate(cells):
        pad = max(widths[i] - display_width(text), 0) if i < len(cells) - 1 else 0
        parts.append(text + " " * pad)
    return "  ".join(parts)


def to_text(sheet: DaySheet) -> str:
    """Plain text: user text exactly as typed, except control characters, made visible."""
    title, lines = _header_lines(sheet)
    title = one_line(title)
    out = [title, "=" * display_width(title)]
    out += [one_line(line) for line in lines]
    out += [CONFIDENTIAL, ""]
    for section in sections(sheet):
        heading = section.title.upper()
        out += [heading, "-" * display_width(heading)]
        if section.is_empty:
            out += [section.empty, ""]
            continue
        for table in section.tables:
            out += _txt_table(table)
    blocks = briefs(sheet)
    if blocks:
        out += ["PATIENTS SEEN TODAY", "-------------------", ""]
        for block in blocks:
            out.append(
                one_line(block.title)
                + "  —  "
                + "  —  ".join(one_line(b.text) for b in block.badges)
            )
            for label, cell in block.facts:
                out.append(f"  {label}: {one_line(cell.text)}")
            for part in block.lists:
                out.append(f"  {part.label}:" + ("" if part.items else f" {part.empty}"))
                out.extend(f"    - {one_line(item.text)}" for item in part.items)
            out.append("")
        if sheet.briefs_more:
            out += [_briefs_more(sheet), ""]
    if sheet.printed_at is not None:
        out += [_printed(sheet), ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------- PDF

PAPERS = {"a4": "A4", "letter": "Letter"}
_INSTALL_HINT = "PDF day sheets need the optional extra: pip install 'caretui[pdf]'"


def pdf_fonts() -> tuple[str | None, str | None]:
    """Paths of the Latin font (Noto Sans) and the CJK fallback (Noto Sans CJK), each
    None when its package is not installed. Found without importing the packages."""
    import importlib.util
    from pathlib import Path

    def find(package: str, pattern: str) -> str | None:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            return None
        for folder in spec.submodule_search_locations:
            for path in sorted(Path(folder).rglob(pattern)):
                if "Italic" not in path.name:
                    return str(path)
        return None

    return find("fontpkg_noto_sans", "NotoSans*.ttf"), find("cvttf_NotoSansCJK_Regular", "*.otf")


_RED = (164, 0, 0)
_GREY = (91, 91, 91)
_INK = (26, 26, 26)


def to_pdf(sheet: DaySheet, *, paper: str = "a4") -> bytes:
    """The sheet as a PDF on A4 or Letter; briefs each kept on one page.

    Needs ``caretui[pdf]``. Without the CJK font, Chinese, Japanese and Korean
    characters are left out (the Latin font has no glyphs for them).
    """
    import logging

    try:
        from fpdf import FPDF, FontFace
    except ImportError:
        raise CaretuiError(_INSTALL_HINT) from None
    latin, cjk = pdf_fonts()
    if latin is None and cjk is None:
        raise CaretuiError(_INSTALL_HINT)
    if paper not in PAPERS:
        raise CaretuiError(f"Paper must be one of: {', '.join(PAPERS)}")

    footer_text = " · ".join(p for p in (_printed(sheet), "caretui") if p)

    class SheetPDF(FPDF):
        def footer(self) -> None:
            self.set_y(-10)
            self.set_font("Sans", size=7.5)
            self.set_text_color(*_GREY)
            self.cell(0, 4, f"{CONFIDENTIAL}  {footer_text}", align="L")
            self.set_x(self.l_margin)
            self.cell(0, 4, f"page {self.page_no()} of {{nb}}", align="R")

    # fpdf2 logs each glyph a font lacks, naming the characters: a patient's name
    # must not reach a log or the terminal that way.
    quiet = logging.getLogger("fpdf")
    old_level, old_propagate = quiet.level, quiet.propagate
    quiet.setLevel(logging.CRITICAL)
    quiet.propagate = False
    try:
        pdf = SheetPDF(orientation="portrait", unit="mm", format=PAPERS[paper])
        pdf.set_margins(11, 12, 11)
        pdf.set_auto_page_break(True, margin=14)
        pdf.set_title(f"Day sheet {sheet.day.isoformat()}")
        pdf.set_creator("caretui")
        pdf.set_producer("caretui")
        if sheet.printed_at is not None:
            pdf.set_creation_date(sheet.printed_at)
        main = latin or cjk
        assert main is not None
        pdf.add_font("Sans", "", main)
        if cjk is not None and latin is not None:
            pdf.add_font("CJK", "", cjk)
            pdf.set_fallback_fonts(["CJK"], exact_match=False)
        covered = frozenset(pdf.fonts["sans"].cmap)  # type: ignore[union-attr]
        if "cjk" in pdf.fonts:
            covered |= frozenset(pdf.fonts["cjk"].cmap)  # type: ignore[union-attr]
        styles = _PdfStyles(
            heading=FontFace(emphasis="", size_pt=8, color=_GREY, fill_color=(240, 240, 240)),
            strong=FontFace(color=_RED),
            box="□" if ord("□") in covered else "[ ]",
            covered=covered,
        )
        pdf.add_page()
        _pdf_body(pdf, sheet, styles)
        return bytes(pdf.output())
    finally:
        quiet.setLevel(old_level)
        quiet.propagate = old_propagate


@dataclass(frozen=True, slots=True)
class _PdfStyles:
    heading: Any
    strong: Any
    #: The box to tick: a square where a font has one.
    box: str
    #: The code points the fonts can draw.
    covered: frozenset[int]

    def text(self, value: str) -> str:
        """``value`` on one line, each character no font has replaced by "?" (a PDF
        would silently drop it, and a name could vanish)."""
        line = one_line(value)
        covered = self.covered
        return "".join(ch if ord(ch) in covered or ch.isspace() else "?" for ch in line)

    def lacks(self, value: str) -> bool:
        return self.text(value) != one_line(value)


MISSING_GLYPHS = (
    "Some characters cannot be drawn in this PDF (no font here has them) and show as ?: "
    "the HTML day sheet shows every script."
)


def _pdf_text(
    pdf: Any,
    text: str,
    styles: _PdfStyles,
    *,
    size: float,
    color: tuple[int, int, int] = _INK,
    indent: float = 0,
) -> None:
    pdf.set_font("Sans", size=size)
    pdf.set_text_color(*color)
    if indent:
        pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(0, size * 0.45, styles.text(text), new_x="LMARGIN", new_y="NEXT")


def _all_text(sheet: DaySheet) -> list[str]:
    """Every piece of text the sheet prints, to find what the fonts cannot draw."""
    texts = [sheet.coordinator]
    for section in sections(sheet):
        for table in section.tables:
            texts.append(table.caption or "")
            texts.extend(cell.text for row in table.rows for cell in row)
    for block in briefs(sheet):
        texts.append(block.title)
        texts.extend(cell.text for _label, cell in block.facts)
        texts.extend(item.text for part in block.lists for item in part.items)
    return texts


def _pdf_body(pdf: Any, sheet: DaySheet, styles: _PdfStyles) -> None:
    title, lines = _header_lines(sheet)
    _pdf_text(pdf, title, styles, size=16)
    for line in lines:
        red = line.startswith("Redacted:")
        _pdf_text(pdf, line, styles, size=9.5, color=_RED if red else _GREY)
    pdf.ln(1)
    _pdf_text(pdf, CONFIDENTIAL, styles, size=8, color=_RED)
    if any(styles.lacks(text) for text in _all_text(sheet)):
        _pdf_text(pdf, MISSING_GLYPHS, styles, size=8, color=_GREY)
    for section in sections(sheet):
        pdf.ln(2.5)
        if pdf.will_page_break(18):
            pdf.add_page()
        _pdf_text(pdf, section.title, styles, size=12)
        pdf.set_draw_color(*_INK)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(1)
        if section.is_empty:
            _pdf_text(pdf, section.empty, styles, size=8.5, color=_GREY)
            continue
        for table in section.tables:
            if table.caption:
                if pdf.will_page_break(14):
                    pdf.add_page()
                _pdf_text(pdf, table.caption, styles, size=10)
            if table.rows:
                _pdf_table(pdf, table, styles)
            if table.more:
                _pdf_text(pdf, table.more, styles, size=8, color=_GREY)
    blocks = briefs(sheet)
    if blocks:
        pdf.add_page()
        _pdf_text(pdf, "Patients seen today", styles, size=12)
        pdf.ln(1)
        for block in blocks:
            _pdf_block(pdf, block, styles)
        if sheet.briefs_more:
            _pdf_text(pdf, _briefs_more(sheet), styles, size=8, color=_GREY)


def _pdf_table(pdf: Any, table: Table, styles: _PdfStyles) -> None:
    widths = ((4.0,) if table.check else ()) + tuple(float(w) for w in table.widths)
    pdf.set_font("Sans", size=8.5)
    pdf.set_text_color(*_INK)
    pdf.set_draw_color(200, 200, 200)
    with pdf.table(
        col_widths=widths,
        width=pdf.epw,
        headings_style=styles.heading,
        borders_layout="HORIZONTAL_LINES",
        text_align="LEFT",
        line_height=3.6,
        padding=0.8,
        markdown=False,
    ) as grid:
        head = grid.row()
        if table.check:
            head.cell("")
        for column in table.columns:
            head.cell(column)
        for cells in table.rows:
            row = grid.row()
            if table.check:
                row.cell(styles.box)
            for cell in cells:
                row.cell(styles.text(cell.text), style=styles.strong if cell.strong else None)
    pdf.ln(1)


def _pdf_block_lines(block: Block) -> list[tuple[str, float, tuple[int, int, int], float]]:
    """A brief as lines to draw: (text, size, colour, indent)."""
    lines = [(block.title, 11.0, _INK, 0.0)]
    strong = any(b.strong for b in block.badges)
    lines.append(("  ·  ".join(b.text for b in block.badges), 8.5, _RED if strong else _GREY, 0.0))
    for label, cell in block.facts:
        lines.append((f"{label}: {cell.text}", 8.5, _RED if cell.strong else _INK, 0.0))
    for part in block.lists:
        lines.append((f"{part.label}:" + ("" if part.items else f" {part.empty}"), 8.5, _GREY, 0.0))
        for item in part.items:
            lines.append(("– " + item.text, 8.5, _RED if item.strong else _INK, 3.0))
    return lines


def _pdf_block(pdf: Any, block: Block, styles: _PdfStyles) -> None:
    """One brief, moved whole to the next page when it does not fit on this one.

    Measured with fpdf2's dry run (``unbreakable()`` copies the whole document,
    fonts included, for every block: seconds for a day's briefs).
    """
    lines = _pdf_block_lines(block)
    height = 6.0
    for text, size, _color, indent in lines:
        pdf.set_font("Sans", size=size)
        height += pdf.multi_cell(
            pdf.epw - indent, size * 0.45, styles.text(text), dry_run=True, output="HEIGHT"
        )
    if height < pdf.eph and pdf.will_page_break(height):
        pdf.add_page()
    pdf.ln(1)
    for text, size, color, indent in lines:
        _pdf_text(pdf, text, styles, size=size, color=color, indent=indent)
    pdf.set_draw_color(200, 200, 200)
    pdf.cell(0, 2, "", border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


# ------------------------------------------------------------------------ dispatch


def render(sheet: DaySheet, fmt: str, *, paper: str = "a4") -> bytes:
    """``sheet`` in format ``fmt`` (html, md, txt, pdf), as the bytes of a file."""
    if fmt == "html":
        return to_html(sheet).encode("utf-8")
    if fmt == "md":
        return to_markdown(sheet).encode("utf-8")
    if fmt == "txt":
        return to_text(sheet).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(sheet, paper=paper)
    raise CaretuiError(f"Unknown day-sheet format {fmt!r}: use html, md, txt or pdf")


__all__ = [
    "Block",
    "Cell",
    "Section",
    "Table",
    "briefs",
    "render",
    "sections",
    "summary",
    "to_html",
    "to_markdown",
    "to_pdf",
    "to_text",
]
