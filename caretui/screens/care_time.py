"""How minutes of care-management time read on screen: a Patients cell, an overview line.

Minutes are this calendar month's (``queries.minutes``); ``None`` means the patient
is not in a care-management program, shown as "—" (their minutes count for no
threshold). Plain ``Text`` from numbers and the configured labels, no markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from caretui.config import DEFAULT_THRESHOLDS, Threshold
from caretui.services.report import highest_met
from caretui.services.text import one_line

#: Shown for a patient outside care management.
NOT_ENROLLED = "—"


def minutes_cell(minutes: int | None, thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS) -> Text:
    """The Patients column: "19" in yellow (under the first threshold), "20", or "—"."""
    if minutes is None:
        return Text(NOT_ENROLLED, style="dim", justify="right")
    first = min((t.minutes for t in thresholds), default=None)
    style = "yellow" if first is not None and minutes < first else ""
    return Text(str(minutes), style=style, justify="right")


def care_time_text(
    enrolled: bool, minutes: int | None, thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS
) -> Text:
    """The overview's line: "yes · 25 min this month · CCM 20 met · 15 min to CCM 40"."""
    if not enrolled or minutes is None:
        return Text("no")
    ordered = sorted(thresholds, key=lambda t: t.minutes)
    out = Text("yes · ")
    out.append(f"{minutes} min this month", style="bold")
    met = highest_met(minutes, ordered)
    if met is not None:
        out.append(f" · {one_line(met.label)} met", style="green")
    following = next((t for t in ordered if t.minutes > minutes), None)
    if following is not None:
        style = "yellow" if met is None else "dim"
        out.append(
            f" · {following.minutes - minutes} min to {one_line(following.label)}", style=style
        )
    return out
