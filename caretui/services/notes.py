"""The contact log (FHIR Communication): calls, visits, messages and notes.

Minutes spent are what the coordinator says, 0 to 1,440, or nothing: an empty
field stays empty and is never estimated, as the month's report counts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from caretui import codes
from caretui.errors import DomainError
from caretui.models.all import Note
from caretui.services import common, outreach

Kind = codes.NoteKind

#: Kinds of note that are an outreach attempt, and so can have an outcome.
OUTREACH = frozenset({Kind.CALL, Kind.MESSAGE})


def _check(now: datetime) -> common.Check:
    def check(values: Mapping[str, Any]) -> None:
        kind = values.get("kind") or Kind.NOTE
        if values.get("outcome") is not None and kind not in OUTREACH:
            raise DomainError(
                f"An outcome is recorded only for a call or a message, not a {kind.value}",
                field="outcome",
            )
        if kind is Kind.NOTE and not values.get("text"):
            raise DomainError("A note needs its text", field="text")
        when = values.get("occurred_at")
        if when is not None and when > now:
            raise DomainError(f"When {when:%Y-%m-%d %H:%M} is in the future", field="occurred_at")

    return check


def require_outcome(kind: Kind | str, outcome: codes.OutreachOutcome | str | None) -> None:
    """What a call logged by hand needs: how it went. The forms that log one (Today's
    ``l``, the Notes tab, the timer's note) check this before saving; a call imported or
    logged by another service may have no outcome, so ``log_note`` itself does not ask."""
    if str(kind) == Kind.CALL.value and not (outcome and str(outcome).strip()):
        words = ", ".join(o.value.replace("-", " ") for o in codes.OutreachOutcome)
        raise DomainError(f"How did the call go? Choose the outcome: {words}", field="outcome")


def log_note(
    session: Session,
    patient_id: int,
    *,
    kind: Kind | str,
    text: str | None = None,
    with_whom: str | None = None,
    outcome: codes.OutreachOutcome | str | None = None,
    minutes: int | str | None = None,
    occurred_at: datetime | str | None = None,
    now: datetime | None = None,
) -> Note:
    """Log a call, visit, message or note, at ``occurred_at`` (default: now). An outreach
    attempt's outcome may mark the patient unable to reach, or clear the mark
    (``outreach.after_contact``), in the same action."""
    _, now = common.resolve(None, now)
    fields: dict[str, Any] = {
        "kind": kind,
        "text": text,
        "with_whom": with_whom,
        "outcome": outcome,
        "minutes": minutes,
        "occurred_at": now if occurred_at is None else occurred_at,
    }
    note = common.add_for_patient(
        session, Note, patient_id, fields, today=now.date(), check=_check(now)
    )
    outreach.after_contact(session, note, today=now.date())  # the unable-to-reach rule
    return note


def update_note(
    session: Session,
    note: Note,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Note:
    """Correct a logged note (same rules as ``log_note``)."""
    _, now = common.resolve(None, now)
    return common.edit(
        session,
        note,
        fields,
        today=now.date(),
        expected_version=expected_version,
        check=_check(now),
    )
