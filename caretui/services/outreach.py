"""Outreach attempts and the unable-to-reach rule.

A call or message logged with an outcome is an outreach attempt. Reached and
declined are contacts (the patient answered), and so is a visit; voicemail, no
answer and a wrong number are unsuccessful. The rule (config: three attempts over
at least 14 days by default): when the unsuccessful attempts since the last
contact number ``attempts`` or more and the first and last of them are ``days``
or more apart, the patient is marked unable to reach (``Patient.unable_to_reach_since``,
the day of the attempt that met the rule) and a task to send a letter goes to the
calls queue. A contact after that clears the mark. ``notes.log_note`` calls
``after_contact`` inside its action, so the mark, the task and the note are one
change in the audit trail, and one undo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from caretui import codes
from caretui.models.all import Note, Patient, Task
from caretui.services import records

Outcome = codes.OutreachOutcome

#: Outcomes that mean the patient was reached (a decline is an answer).
CONTACT = frozenset({Outcome.REACHED, Outcome.DECLINED})
#: Outcomes of an attempt that did not reach the patient.
UNSUCCESSFUL = frozenset({Outcome.VOICEMAIL, Outcome.NO_ANSWER, Outcome.WRONG_NUMBER})
#: Where the letter task goes (the first configured queue if this one is not).
LETTER_QUEUE = "calls"
LETTER_TITLE = "Send a letter: patient unable to reach by phone"


@dataclass(frozen=True, slots=True)
class Rule:
    """How many unsuccessful attempts, over at least how many days, mark a patient."""

    attempts: int = 3
    days: int = 14

    @classmethod
    def from_config(cls) -> Rule:
        from caretui.config import load

        settings = load()
        return cls(settings.unable_to_reach_attempts, settings.unable_to_reach_days)


@dataclass(frozen=True, slots=True)
class Change:
    """What logging an attempt changed: the patient marked (with the letter task) or cleared."""

    marked: date | None = None
    cleared: bool = False
    letter_task_id: int | None = None

    @property
    def message(self) -> str:
        """What to tell the coordinator, after "Call logged"."""
        if self.cleared:
            return "the patient was reached: the unable-to-reach mark is cleared"
        return "the patient is now marked unable to reach; a task to send a letter is in calls"


#: Where ``after_contact`` leaves what it changed, for the form that logged the note.
_INFO_KEY = "outreach_change"


def change_of(session: Session) -> Change | None:
    """What the unable-to-reach rule changed in this action (None: nothing)."""
    found = session.info.get(_INFO_KEY)
    return found if isinstance(found, Change) else None


def _is_contact(kind: codes.NoteKind, outcome: Outcome | None) -> bool:
    return kind is codes.NoteKind.VISIT or (outcome is not None and outcome in CONTACT)


def last_contact(session: Session, patient_id: int) -> datetime | None:
    """When the patient was last reached (a call or message answered, or a visit)."""
    return session.scalar(
        select(func.max(Note.occurred_at)).where(
            Note.patient_id == patient_id,
            or_(Note.kind == codes.NoteKind.VISIT, Note.outcome.in_(CONTACT)),
        )
    )


def rule_met(session: Session, patient_id: int, rule: Rule) -> date | None:
    """The day the rule was met (its latest unsuccessful attempt), or None if it is not."""
    since = last_contact(session, patient_id)
    stmt = select(Note.occurred_at).where(
        Note.patient_id == patient_id, Note.outcome.in_(UNSUCCESSFUL)
    )
    if since is not None:
        stmt = stmt.where(Note.occurred_at > since)
    stamps = list(session.scalars(stmt.order_by(Note.occurred_at)))
    if len(stamps) < max(rule.attempts, 1):
        return None
    first, last = stamps[0].date(), stamps[-1].date()
    return last if (last - first).days >= rule.days else None


def after_contact(
    session: Session,
    note: Note,
    *,
    today: date,
    rule: Rule | None = None,
    queues: tuple[str, ...] | None = None,
) -> Change | None:
    """Apply the rule after ``note`` was logged: mark the patient (and add the letter
    task) or clear the mark. None when nothing changed."""
    if note.kind is codes.NoteKind.NOTE or (
        note.outcome is None and note.kind is not codes.NoteKind.VISIT
    ):
        return None
    patient = session.get(Patient, note.patient_id)
    if patient is None:
        return None
    rule = rule or Rule.from_config()
    met = rule_met(session, patient.id, rule)
    if _is_contact(note.kind, note.outcome):
        if patient.unable_to_reach_since is not None and met is None:
            records.update(session, patient, {"unable_to_reach_since": None}, today=today)
            return _said(session, Change(cleared=True))
        return None
    if met is None or patient.unable_to_reach_since is not None:
        return None
    records.update(session, patient, {"unable_to_reach_since": met}, today=today)
    task = _letter_task(session, patient.id, today, queues)
    return _said(session, Change(marked=met, letter_task_id=task.id))


def _said(session: Session, change: Change) -> Change:
    session.info[_INFO_KEY] = change
    return change


def _letter_task(
    session: Session, patient_id: int, today: date, queues: tuple[str, ...] | None
) -> Task:
    if queues is None:
        from caretui.config import load

        queues = load().queues
    queue = LETTER_QUEUE if LETTER_QUEUE in queues else queues[0]
    return records.create(
        session,
        Task,
        {
            "patient_id": patient_id,
            "title": LETTER_TITLE,
            "queue": queue,
            "origin": codes.TaskOrigin.OUTREACH,
            "priority": codes.Priority.ROUTINE,
            "due": today,
        },
        today=today,
        queues=(queue,),
    )
