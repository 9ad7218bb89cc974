"""Referrals (FHIR ServiceRequest): loops that someone else must close.

A referral moves draft → sent → accepted → scheduled → completed, or ends declined
or cancelled (``NEXT`` lists every allowed move; any other is refused with what the
referral can do next). Each move is a ``ReferralStep`` with its date and a short
note, and a note in the patient's contact log, in the same action. Sending sets
the date a response is expected by, in business days by urgency (the config's
``referral_response_days``); completing records the outcome and closes the loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caretui import codes
from caretui.config import DEFAULT_REFERRAL_RESPONSE_DAYS
from caretui.errors import DomainError
from caretui.models.all import Appointment, Contact, Note, Referral, ReferralStep, Resource
from caretui.services import common, notes, records

Status = codes.ReferralStatus
Outcome = codes.ReferralOutcome
CLOSED = codes.REFERRAL_CLOSED

#: Every allowed move, from each open status.
NEXT: Mapping[Status, tuple[Status, ...]] = {
    Status.DRAFT: (Status.SENT, Status.CANCELLED),
    Status.SENT: (Status.ACCEPTED, Status.SCHEDULED, Status.DECLINED, Status.CANCELLED),
    Status.ACCEPTED: (Status.SCHEDULED, Status.COMPLETED, Status.CANCELLED),
    Status.SCHEDULED: (Status.COMPLETED, Status.CANCELLED),
}

#: The move a coordinator usually makes next: one key on a list.
FORWARD: Mapping[Status, Status] = {
    Status.DRAFT: Status.SENT,
    Status.SENT: Status.ACCEPTED,
    Status.ACCEPTED: Status.SCHEDULED,
    Status.SCHEDULED: Status.COMPLETED,
}

#: A step as a coordinator says it: "marked {word}" / "Referral {word}".
WORDS: Mapping[Status, str] = {
    Status.DRAFT: "drafted",
    Status.SENT: "sent",
    Status.ACCEPTED: "accepted",
    Status.SCHEDULED: "scheduled",
    Status.COMPLETED: "completed",
    Status.DECLINED: "declined",
    Status.CANCELLED: "cancelled",
}

OUTCOME_WORDS: Mapping[Outcome, str] = {
    Outcome.SEEN: "seen",
    Outcome.REPORT_RECEIVED: "report received",
    Outcome.SERVICES_STARTED: "services started",
    Outcome.OTHER: "other",
}

#: Fields that only a step changes.
_STEP_FIELDS = frozenset({"status", "sent_on", "closed_on", "outcome_code"})


@dataclass(frozen=True)
class Moved:
    """What a step did: the referral, its new step, and the note in the contact log."""

    referral: Referral
    step: ReferralStep
    note: Note


def add_business_days(day: date, count: int) -> date:
    """``count`` Monday-to-Friday days after ``day`` (holidays are not known):
    2 business days after a Friday is the Tuesday."""
    for _ in range(max(count, 0)):
        day = common.next_business_day(day)
    return day


def response_due(
    urgency: codes.Priority | str, sent_on: date, days: Mapping[str, int] | None = None
) -> date:
    """When an answer to a referral of ``urgency`` sent on ``sent_on`` is expected."""
    table = {**DEFAULT_REFERRAL_RESPONSE_DAYS, **(days or {})}
    code = common.as_code(codes.Priority, urgency, "Urgency")
    return add_business_days(sent_on, table[code.value])


def _response_days(days: Mapping[str, int] | None) -> Mapping[str, int]:
    if days is not None:
        return days
    from caretui.config import load

    return load().referral_response_days


def receiver_name(session: Session, referral: Referral) -> str:
    """The directory resource's or the contact's name; "" if it has neither."""
    if referral.resource_id is not None:
        resource = session.get(Resource, referral.resource_id)
        return resource.name if resource is not None else ""
    if referral.contact_id is not None:
        contact = session.get(Contact, referral.contact_id)
        return contact.name if contact is not None else ""
    return ""


def _check_receiver(values: Mapping[str, Any]) -> None:
    has_resource = values.get("resource_id") is not None
    has_contact = values.get("contact_id") is not None
    if has_resource and has_contact:
        raise DomainError(
            "A referral goes to a directory resource or to a contact, not both",
            field="contact_id",
        )
    if not (has_resource or has_contact):
        raise DomainError(
            "Whom is it to? Choose a resource from the directory or one of the patient's contacts",
            field="resource_id",
        )


def add_referral(
    session: Session,
    patient_id: int,
    fields: Mapping[str, Any],
    *,
    note: str | None = None,
    today: date | None = None,
) -> Referral:
    """A new referral, as a draft (moving it on is a step); its first step is dated today."""
    today = today or date.today()
    if set(fields) & _STEP_FIELDS:
        raise DomainError("A new referral starts as a draft; send it with a step")
    referral = common.add_for_patient(
        session, Referral, patient_id, fields, today=today, check=_check_receiver
    )
    _add_step(session, referral, Status.DRAFT, today, note, today=today)
    return referral


def update_referral(
    session: Session,
    referral: Referral,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> Referral:
    """Edit the reason, urgency, receiver, response date or outcome details. The status
    and its dates change only through a step (``move``)."""
    today = today or date.today()
    if set(fields) & _STEP_FIELDS:
        raise DomainError("A referral's status changes only through a step")

    def check(values: Mapping[str, Any]) -> None:
        if {"resource_id", "contact_id"} & set(fields):
            _check_receiver(values)
        _check_due(values.get("response_due"), values.get("sent_on"))

    return common.edit(
        session, referral, fields, today=today, expected_version=expected_version, check=check
    )


def _check_due(due: date | None, sent_on: date | None) -> None:
    if due is not None and sent_on is not None and due < sent_on:
        raise DomainError(
            f"Response expected by {due.isoformat()} is before the referral was sent "
            f"({sent_on.isoformat()})",
            field="response_due",
        )


def set_response_due(
    session: Session, referral: Referral, due: date | None, *, today: date | None = None
) -> Referral:
    """Change the date an answer is expected by (an open referral's)."""
    if referral.status in CLOSED:
        raise DomainError(f"This referral is already {WORDS[referral.status]}; its loop is closed")
    return update_referral(session, referral, {"response_due": due}, today=today)


def last_step(session: Session, referral_id: int) -> ReferralStep | None:
    return session.scalars(
        select(ReferralStep)
        .where(ReferralStep.referral_id == referral_id)
        .order_by(ReferralStep.taken_on.desc(), ReferralStep.id.desc())
        .limit(1)
    ).first()


def refusal(current: Status, to: Status) -> str | None:
    """Why a referral in ``current`` cannot move to ``to``, or None if it can."""
    if current in CLOSED:
        return f"This referral is already {WORDS[current]}; its loop is closed"
    if to is current:
        return f"This referral is already {WORDS[current]}"
    allowed = NEXT[current]
    if to not in allowed:
        words = [WORDS[s] for s in allowed]
        listed = ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else words[0]
        article = "An" if current.value[0] in "aeiou" else "A"
        return (
            f"{article} {current.value} referral cannot be marked {WORDS[to]}: "
            f"next it can be {listed}"
        )
    return None


def move(
    session: Session,
    referral: Referral,
    to: Status | str,
    *,
    on: date | None = None,
    note: str | None = None,
    outcome: Outcome | str | None = None,
    appointment_id: int | None = None,
    response_due_on: date | None = None,
    response_days: Mapping[str, int] | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> Moved:
    """Move ``referral`` a step, on ``on`` (default today), with a short ``note``.

    Sending sets ``sent_on`` and the response date (``response_due_on``, else counted
    from the urgency); scheduling may link ``appointment_id``; completing needs the
    ``outcome``; completing, declining and cancelling close the loop (``closed_on``).
    A note goes in the patient's contact log.
    """
    today, now = common.resolve(today, now)
    status = common.as_code(Status, to, "Step")
    why = refusal(referral.status, status)
    if why is not None:
        raise DomainError(why)
    day = on or today
    if day > today:
        raise DomainError(
            f"Date {day.isoformat()} is in the future; record a step once it has happened",
            field="taken_on",
        )
    previous = last_step(session, referral.id)
    if previous is not None and day < previous.taken_on:
        raise DomainError(
            f"Date {day.isoformat()} is before the referral's last step "
            f"({WORDS[previous.status]} on {previous.taken_on.isoformat()}); "
            "steps are recorded in order",
            field="taken_on",
        )
    fields: dict[str, Any] = {"status": status}
    if status is Status.SENT:
        due = response_due_on or response_due(referral.urgency, day, _response_days(response_days))
        _check_due(due, day)
        fields.update(sent_on=day, response_due=due)
    elif response_due_on is not None:
        raise DomainError("The response date is set when the referral is sent")
    if appointment_id is not None:
        if status is not Status.SCHEDULED:
            raise DomainError("A referral is linked to its appointment when it is scheduled")
        fields["appointment_id"] = appointment_id
    if status is Status.COMPLETED:
        if outcome in (None, ""):
            raise DomainError(
                "Completing a referral records its outcome: seen, report received, "
                "services started or other",
                field="outcome_code",
            )
        fields["outcome_code"] = common.as_code(Outcome, outcome, "Outcome")
    elif outcome not in (None, ""):
        raise DomainError("An outcome is recorded when the referral is completed")
    if status in CLOSED:
        fields["closed_on"] = day
        if note and not referral.outcome:
            fields["outcome"] = note[:200]
    records.update(session, referral, fields, today=today)
    step = _add_step(session, referral, status, day, note, today=today)
    logged = notes.log_note(
        session,
        referral.patient_id,
        kind=codes.NoteKind.NOTE,
        text=_log_text(session, referral, status, note),
        with_whom=receiver_name(session, referral)[:100] or None,
        occurred_at=now if day == today else datetime.combine(day, time(12)),
        now=now,
    )
    return Moved(referral, step, logged)


def _add_step(
    session: Session,
    referral: Referral,
    status: Status,
    day: date,
    note: str | None,
    *,
    today: date,
) -> ReferralStep:
    return records.create(
        session,
        ReferralStep,
        {
            "patient_id": referral.patient_id,
            "referral_id": referral.id,
            "status": status,
            "taken_on": day,
            "note": note,
        },
        today=today,
    )


def _log_text(session: Session, referral: Referral, status: Status, note: str | None) -> str:
    """ "Referral completed (outcome: seen): Cardiology opinion → Dr Ruiz. Report faxed." """
    head = f"Referral {WORDS[status]}"
    if status is Status.COMPLETED and referral.outcome_code is not None:
        head += f" (outcome: {OUTCOME_WORDS[referral.outcome_code]})"
    receiver = receiver_name(session, referral)
    text = f"{head}: {referral.reason}" + (f" → {receiver}" if receiver else "")
    if status is Status.SENT and referral.response_due is not None:
        text += f"; response expected by {referral.response_due.isoformat()}"
    if note:
        text += f". {note}"
    return text


def link_appointment(
    session: Session,
    referral: Referral,
    appointment_id: int | None,
    *,
    today: date | None = None,
) -> Referral:
    """Link a scheduled (or completed) referral to the appointment it produced;
    None unlinks. The appointment must be the same patient's."""
    if referral.status not in (Status.SCHEDULED, Status.COMPLETED):
        raise DomainError(
            "Only a scheduled referral is linked to an appointment; mark it scheduled first"
        )
    if appointment_id is not None and session.get(Appointment, appointment_id) is None:
        raise DomainError(f"No appointment with id {appointment_id}")
    return records.update(
        session, referral, {"appointment_id": appointment_id}, today=today or date.today()
    )


# -- the usual steps, by name ------------------------------------------------------------


def send(session: Session, referral: Referral, **kw: Any) -> Moved:
    return move(session, referral, Status.SENT, **kw)


def accept(session: Session, referral: Referral, **kw: Any) -> Moved:
    return move(session, referral, Status.ACCEPTED, **kw)


def schedule(session: Session, referral: Referral, **kw: Any) -> Moved:
    return move(session, referral, Status.SCHEDULED, **kw)


def complete(session: Session, referral: Referral, outcome: Outcome | str, **kw: Any) -> Moved:
    return move(session, referral, Status.COMPLETED, outcome=outcome, **kw)


def decline(session: Session, referral: Referral, **kw: Any) -> Moved:
    return move(session, referral, Status.DECLINED, **kw)


def cancel(session: Session, referral: Referral, **kw: Any) -> Moved:
    return move(session, referral, Status.CANCELLED, **kw)


def is_overdue(referral: Referral, today: date) -> bool:
    """Sent, and no answer by the date one was expected."""
    return (
        referral.status is Status.SENT
        and referral.response_due is not None
        and referral.response_due < today
    )


__all__ = [
    "FORWARD",
    "NEXT",
    "Moved",
    "accept",
    "add_business_days",
    "add_referral",
    "cancel",
    "complete",
    "decline",
    "link_appointment",
    "move",
    "refusal",
    "response_due",
    "schedule",
    "send",
    "set_response_due",
    "update_referral",
]
