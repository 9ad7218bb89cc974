"""How the screens show a date, a stored code, a due date and a patient's name.

Plain functions over plain values, shared by the Patients, Patient, Appointments
and Queues screens and their forms, so that a date or a status reads the same
everywhere. Everything returned is ``str`` or ``rich.text.Text``, never markup.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Protocol

from rich.text import Text

from caretui.queries.names import patient_name
from caretui.services.text import one_line

#: How a risk level is coloured wherever it is shown.
RISK_STYLE = {"high": "bold red", "medium": "yellow", "low": "green"}


class Named(Protocol):
    """Any row that carries a patient's names (a task about no one has none)."""

    @property
    def given_name(self) -> str | None: ...
    @property
    def family_name(self) -> str | None: ...
    @property
    def preferred_name(self) -> str | None: ...


def shown_name(who: Named, *, redact: bool) -> str:
    """The patient's name as the screens show it: in full, or initials when redacted."""
    return patient_name(
        who.given_name or "", who.family_name or "", who.preferred_name, redact=redact
    )


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def instant(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "?"


def when(start: datetime | None, missing: str = "?") -> str:
    """An appointment's start as a coordinator reads it: "Fri 2026-03-13 09:00"."""
    return f"{start:%a %Y-%m-%d %H:%M}" if start else missing


def code(value: str | None) -> str:
    """A stored code as a coordinator reads it ("no-show", "not needed")."""
    if not value:
        return ""
    return "no-show" if value == "noshow" else value.replace("-", " ")


def short(text: str, width: int = 40) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = one_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def due_cell(due: date | None, today: date, *, soon_days: int = 7) -> Text:
    """A due date, red when past, yellow when close."""
    if due is None:
        return Text("")
    style = "bold red" if due < today else "yellow" if (due - today).days <= soon_days else ""
    return Text(due.isoformat(), style=style)


def hidden() -> Text:
    """What stands in for a field that redaction hides."""
    return Text("hidden (redaction)", style="dim italic")


def now_on(today: date) -> datetime:
    """The app's today at the clock's time of day (today is fixed in tests)."""
    return datetime.combine(today, clock())


def clock() -> time:
    """The wall clock's time of day (snapshot tests fix it)."""
    return datetime.now().time()
