"""What the Appointments agenda shows: a line per appointment, the day's title,
the week's strip of counts, and the title of a dialog about an appointment.

An appointment past its end with no outcome says so; transport needed and not
arranged stands out in red. Plain functions over ``AgendaRow``; the screen only
puts what they return on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rich.text import Text

from caretui import codes
from caretui.queries.agenda import AgendaRow, week_of
from caretui.screens.common import shown_name
from caretui.services.text import one_line, plural
from caretui.widgets.records import Row

COLUMNS = [
    ("When", 12),
    ("Patient", 20),
    ("Status", 10),
    ("Transport", 20),
    ("Purpose", 16),
    ("With", 14),
    ("Where", 12),
]
#: The column that takes the room a wide terminal leaves.
FLEX = "Purpose"

_STATUS_STYLE = {
    codes.AppointmentStatus.PROPOSED.value: ("proposed", "italic"),
    codes.AppointmentStatus.BOOKED.value: ("booked", ""),
    codes.AppointmentStatus.ARRIVED.value: ("arrived", "bold"),
    codes.AppointmentStatus.FULFILLED.value: ("fulfilled", "green"),
    codes.AppointmentStatus.CANCELLED.value: ("cancelled", "dim strike"),
    codes.AppointmentStatus.NOSHOW.value: ("no-show", "red"),
}


@dataclass(frozen=True, slots=True)
class AgendaView:
    """What the agenda shows: the day it is on, and whether the whole week."""

    day: date
    week: bool = False

    @property
    def span(self) -> tuple[date, date]:
        return week_of(self.day) if self.week else (self.day, self.day)


def _when(row: AgendaRow, *, week: bool) -> Text:
    if row.start is None:
        return Text(f"bad date {one_line(row.start_text)[:20]}", style="bold red")
    text = f"{row.start:%a %d %H:%M}" if week else f"{row.start:%H:%M}"
    if not week and row.end is not None and row.end.date() == row.start.date():
        text += f"–{row.end:%H:%M}"
    return Text(text, style="dim" if row.status == codes.AppointmentStatus.CANCELLED else "")


def _status(row: AgendaRow, now: datetime) -> Text:
    word, style = _STATUS_STYLE.get(row.status, (one_line(row.status), ""))
    ended = row.end or (row.start + timedelta(minutes=30) if row.start else None)
    if not row.closed and ended is not None and ended < now:
        return Text("no outcome", style="bold yellow")
    return Text(word, style=style)


def _transport(row: AgendaRow) -> Text:
    if row.transport == codes.Transport.NEEDED.value:
        if row.closed:
            return Text("needed", style="dim")
        return Text("NEEDED, not arranged", style="bold reverse red")
    if row.transport == codes.Transport.ARRANGED.value:
        text = Text("arranged", style="green")
        if row.transport_details:
            text.append(f": {one_line(row.transport_details)}")
        return text
    return Text("")


def agenda_line(row: AgendaRow, *, week: bool, now: datetime, redact: bool) -> Row:
    return Row(
        f"appointment:{row.id}",
        (
            _when(row, week=week),
            shown_name(row, redact=redact),
            _status(row, now),
            _transport(row),
            row.purpose,
            row.with_whom,
            row.location,
        ),
    )


def agenda_title(
    view: AgendaView, today: date, *, shown: int, total: int, counts: dict[date, int]
) -> Text:
    """ "Wednesday 11 March 2026 · today · 12 appointments (1 cancelled)"."""
    first, last = view.span
    if view.week:
        title = f"Week of {first:%a %d %b} – {last:%a %d %b %Y}"
    else:
        title = f"{first:%A %d %B %Y}"
        delta = (first - today).days
        when = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(delta)
        if when:
            title += f" · {when}"
    of = f"{shown:,} of {total:,}" if total > shown else None
    title = f"{title} · {plural(total, 'appointment', count=of)}"
    in_span = [n for day, n in counts.items() if first <= day <= last]
    cancelled = total - sum(in_span)
    if cancelled > 0:
        title += f" ({cancelled:,} cancelled)"
    return Text(title)


def week_strip(view: AgendaView, today: date, counts: dict[date, int]) -> Text:
    """Each day of the week with its count: today underlined, the day shown reversed."""
    strip = Text()
    for day, n in counts.items():
        style = ""
        if day == today:
            style = "bold underline"
        if not view.week and day == view.day:
            style = "reverse"
        strip.append(f" {day:%a %d}: {n} ", style=style)
    strip.append("  w day/week  [ ] prev/next  t today", style="dim")
    return strip


def appointment_title(what: str, row: AgendaRow, *, redact: bool) -> Text:
    """A dialog's title about the appointment: "Outcome — Wed 11 Mar 09:00, Núñez, Ana"."""
    when = f"{row.start:%a %d %b %H:%M}" if row.start else "appointment"
    return Text(f"{what} — {when}, {shown_name(row, redact=redact)}")
