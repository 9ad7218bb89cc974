"""The patient overview's Outreach panel, as plain ``Text``: the unable-to-reach mark,
the days since the patient was last reached, and the last attempts with their outcomes."""

from __future__ import annotations

from datetime import date

from rich.text import Text

from caretui.queries.outreach import Outreach
from caretui.services.text import one_line

#: How an outcome reads, and whether it reached the patient.
OUTCOME_WORDS = {
    "reached": ("reached", "green"),
    "declined": ("reached, declined", "yellow"),
    "voicemail": ("left voicemail", "red"),
    "no-answer": ("no answer", "red"),
    "wrong-number": ("wrong number", "bold red"),
}


def outreach_panel(o: Outreach, today: date) -> Text:
    """ "UNABLE TO REACH since 2026-03-06" / "Last reached 12 days ago (2026-02-27)",
    then one line per recent call or message, newest first."""
    text = Text()
    if o.unable_to_reach_since is not None:
        text.append(
            f"Unable to reach since {o.unable_to_reach_since.isoformat()}", style="bold reverse red"
        )
        text.append(" (a letter task is in calls)\n", style="dim")
    days = o.days_since_reached(today)
    if o.last_reached is None:
        text.append("Never reached (no answered call or message, no visit)")
    else:
        ago = "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
        text.append(f"Last reached {ago} ({o.last_reached.isoformat()})")
    if not o.attempts:
        text.append("\nNo calls or messages logged", style="dim")
    for attempt in o.attempts:
        when = f"{attempt.at:%a %Y-%m-%d}" if attempt.at else "?"
        text.append(f"\n{when}  {attempt.kind}  ")
        words, style = OUTCOME_WORDS.get(attempt.outcome or "", ("no outcome recorded", "dim"))
        text.append(words, style=style)
        if attempt.with_whom:
            text.append(f"  with {one_line(attempt.with_whom)}", style="dim")
    return text
