"""What Today's table shows: one row per ranked item, and the plain values the
screen's workers hand back (a full read, or the rows a write touched)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from rich.text import Text

from caretui.errors import CaretuiError
from caretui.queries.names import patient_name
from caretui.queries.today import KIND_LABELS, ItemKind, TodayItem
from caretui.services.text import one_line
from caretui.services.triage import Ranked
from caretui.widgets.records import Row

if TYPE_CHECKING:
    from caretui.store.database import Database


PRIORITY_STYLE = {"stat": "bold reverse red", "asap": "bold red", "urgent": "yellow", "routine": ""}
#: The patient tab each kind of item opens on.
TAB_OF_KIND = {
    ItemKind.TASK: "tasks",
    ItemKind.APPOINTMENT_NOT_READY: "appointments",
    ItemKind.APPOINTMENT_NO_OUTCOME: "appointments",
    ItemKind.REFILL: "medications",
    ItemKind.PLAN_REVIEW: "careplan",
    ItemKind.GOAL_OVERDUE: "careplan",
    ItemKind.REFERRAL_OVERDUE: "referrals",
    ItemKind.REFERRAL_DRAFT: "referrals",
    ItemKind.REFERRAL_NO_OUTCOME: "referrals",
    ItemKind.UNABLE_TO_REACH: "overview",
}
#: Kinds of row about a referral: x moves it a step.
REFERRAL_KINDS = frozenset(
    {ItemKind.REFERRAL_OVERDUE, ItemKind.REFERRAL_DRAFT, ItemKind.REFERRAL_NO_OUTCOME}
)
#: The widths fit 120 columns; a wider terminal gives its room to What.
COLUMNS = [("Kind", 14), ("Patient", 26), ("What", 40), ("When", 12), ("Priority", 8), ("Score", 6)]
PATIENT_COLUMN = 1
WHEN_COLUMN = 3
SCORE_COLUMN = 5
_KIND_ORDER = {kind: i for i, kind in enumerate(ItemKind)}


# --------------------------------------------------------------------------- rows


class ScoreCell(Text):
    """The score, carrying the row's place in the ranking so the table re-sorts in place."""

    __slots__ = ("order",)

    def __init__(self, ranked: Ranked) -> None:
        super().__init__(f"{ranked.score:.1f}", style="bold", justify="right")
        item = ranked.item
        self.order = (
            -ranked.score,
            item.when,
            _KIND_ORDER[item.kind],
            item.at or datetime.min,
            item.record_id,
        )


def item_key(item: TodayItem) -> str:
    """The row key of an item: the record it is about ("task:12")."""
    return f"{item.entity}:{item.record_id}"


def when_text(item: TodayItem, today: date) -> Text:
    """ "today 14:00" (the time for today's appointments), "3d ago", "in 2d"; red when
    overdue, "?" for a bad stored date."""
    if item.bad_date:
        return Text("?", style="bold red")
    delta = (item.when - today).days
    text = "today" if delta == 0 else f"{-delta}d ago" if delta < 0 else f"in {delta}d"
    if item.at is not None and delta == 0:
        text += f" {item.at:%H:%M}"
    return Text(text, style="red" if delta < 0 else "bold" if delta == 0 else "")


def patient_cell(item: TodayItem, *, redact: bool) -> Text:
    """The Patient column: the name as the list shows it (initials when redacted)."""
    patient = "—"
    if item.patient_id is not None:
        patient = patient_name(
            item.given_name or "", item.family_name or "", item.preferred_name, redact=redact
        )
    return Text(one_line(patient), no_wrap=True, overflow="ellipsis")


def today_row(ranked: Ranked, today: date, *, redact: bool) -> Row:
    item = ranked.item
    what = Text(one_line(item.what) or "—", no_wrap=True, overflow="ellipsis")
    if item.detail:
        what.append(f" — {one_line(item.detail)}", style="dim")
    return Row(
        item_key(item),
        (
            Text(KIND_LABELS[item.kind]),
            patient_cell(item, redact=redact),
            what,
            when_text(item, today),
            Text(item.priority.value, style=PRIORITY_STYLE.get(item.priority.value, "")),
            ScoreCell(ranked),
        ),
    )


@dataclass(frozen=True, slots=True)
class Counts:
    overdue: int
    today: int
    total: int


@dataclass(frozen=True, slots=True)
class Loaded:
    """A full read of the list: the top rows, ranked, and the counts."""

    ranked: tuple[Ranked, ...]
    counts: Counts
    mark: int


@dataclass(frozen=True, slots=True)
class Refreshed:
    """What changed after a write: the rows it touched, re-read and re-ranked."""

    message: str
    touched: frozenset[str]
    ranked: tuple[Ranked, ...]
    counts: Counts
    mark: int
    undo: str | None
    error: bool = False


def read_error(db: Database, exc: BaseException) -> str:
    """One line for the user from a caretui or SQLite error (neither names any data)."""
    if isinstance(exc, CaretuiError):
        return exc.message
    from caretui.store.plain import describe_sqlite_error

    return describe_sqlite_error(db.path, exc)
