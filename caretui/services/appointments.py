"""Appointments (FHIR Appointment): booking, rescheduling, transport, and the outcome.

``start`` and ``end`` are local wall-clock times. Recording what happened closes the
loop: a no-show becomes an urgent follow-up task, and a repeating appointment books
its next occurrence.

A repeating series lives on its next appointment: when an occurrence's outcome is
recorded, the rule moves to the newly booked one and is cleared on the old. So only
one appointment of a series carries the rule at a time, an agenda never expands a
series from a past occurrence, and a series cannot be booked twice over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from caretui import codes
from caretui.errors import DomainError
from caretui.models.all import Appointment, Task
from caretui.services import common, records
from caretui.services.validation import coerce

Status = codes.AppointmentStatus

DEFAULT_LENGTH = timedelta(minutes=30)

#: Statuses of an appointment whose outcome is known.
CLOSED = frozenset({Status.FULFILLED, Status.CANCELLED, Status.NOSHOW})

#: The outcomes ``record_outcome`` accepts.
OUTCOMES = (Status.FULFILLED, Status.NOSHOW, Status.CANCELLED)

#: The queue a missed appointment's follow-up task goes to.
FOLLOW_UP_QUEUE = "follow-up"

_SHOWN = {Status.FULFILLED: "fulfilled", Status.CANCELLED: "cancelled", Status.NOSHOW: "no-show"}


@dataclass(frozen=True)
class Outcome:
    """What recording an outcome did: the appointment, and what it created."""

    appointment: Appointment
    follow_up: Task | None = None
    next_appointment: Appointment | None = None


def _check(values: Mapping[str, Any]) -> None:
    start, end = values.get("start"), values.get("end")
    if start is not None and end is not None and end <= start:
        raise DomainError(
            f"End {end:%Y-%m-%d %H:%M} must be after start {start:%Y-%m-%d %H:%M}", field="end"
        )
    if values.get("transport") is codes.Transport.ARRANGED and not values.get("transport_details"):
        raise DomainError(
            "Arranged transport needs its details (who drives, pick-up time)",
            field="transport_details",
        )


def _start_of(fields: Mapping[str, Any], today: date) -> datetime | None:
    value = fields.get("start")
    if value is None:
        return None
    parsed = coerce(cast(Table, Appointment.__table__).c.start, value, today=today)
    return parsed if isinstance(parsed, datetime) else None


def add_appointment(
    session: Session, patient_id: int, fields: Mapping[str, Any], *, today: date | None = None
) -> Appointment:
    """Book an appointment; without an end it lasts 30 minutes."""
    today = today or date.today()
    fields = dict(fields)
    start = _start_of(fields, today)
    if start is not None and fields.get("end") in (None, ""):
        fields["end"] = start + DEFAULT_LENGTH
    return common.add_for_patient(
        session, Appointment, patient_id, fields, today=today, check=_check
    )


def update_appointment(
    session: Session,
    appt: Appointment,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> Appointment:
    """Edit an appointment. A new start without a new end keeps the appointment's length."""
    today = today or date.today()
    fields = dict(fields)
    start = _start_of(fields, today)
    if start is not None and "end" not in fields and appt.end is not None:
        fields["end"] = start + (appt.end - appt.start)
    return common.edit(
        session, appt, fields, today=today, expected_version=expected_version, check=_check
    )


def reschedule(
    session: Session, appt: Appointment, new_start: datetime, *, today: date | None = None
) -> Appointment:
    """Move a booked or proposed appointment to ``new_start``, keeping its length."""
    if appt.status in CLOSED:
        raise DomainError(
            f"This appointment is already {_SHOWN[appt.status]}; book a new one instead"
        )
    if appt.status is Status.ARRIVED:
        raise DomainError("The patient has arrived for this appointment; it cannot be moved")
    return update_appointment(session, appt, {"start": new_start}, today=today)


def cancel(
    session: Session,
    appt: Appointment,
    reason: str | None = None,
    *,
    series: bool = False,
    today: date | None = None,
) -> Outcome:
    """Cancel this appointment, with an optional reason.

    One occurrence of a repeating series is cancelled and the next one is booked, so
    the series goes on; with ``series=True`` the whole series ends here.
    """
    today = today or date.today()
    _refuse_closed(appt)
    fields: dict[str, Any] = {"status": Status.CANCELLED}
    if reason is not None:
        fields["outcome_note"] = reason
    if series:
        fields["rrule"] = None
    return _close(session, appt, fields, today=today)


def set_transport(
    session: Session,
    appt: Appointment,
    transport: codes.Transport | str,
    details: str | None = None,
    *,
    today: date | None = None,
) -> Appointment:
    """Whether the patient needs a ride, and once arranged, its details (required)."""
    return common.edit(
        session,
        appt,
        {"transport": transport, "transport_details": details},
        today=today or date.today(),
        check=_check,
    )


def record_outcome(
    session: Session,
    appt: Appointment,
    outcome: Status | str,
    *,
    today: date | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Outcome:
    """What happened: fulfilled, no-show or cancelled.

    Only cancelled can be recorded before the appointment starts. A no-show creates
    an urgent task in the follow-up queue, due the next business day after today. A
    repeating appointment books its next occurrence (see the module docstring).
    """
    today, now = common.resolve(today, now)
    status = common.as_code(Status, outcome, "Outcome", OUTCOMES)
    _refuse_closed(appt)
    if status is not Status.CANCELLED and appt.start > now:
        raise DomainError(
            f"This appointment has not happened yet (it starts {appt.start:%Y-%m-%d %H:%M}); "
            "only a cancellation can be recorded before it starts"
        )
    fields: dict[str, Any] = {"status": status}
    if note is not None:
        fields["outcome_note"] = note
    result = _close(session, appt, fields, today=today)
    if status is Status.NOSHOW:
        task = records.create(
            session,
            Task,
            {
                "patient_id": appt.patient_id,
                "title": f"Follow up missed appointment of {appt.start:%Y-%m-%d}",
                "queue": FOLLOW_UP_QUEUE,
                "origin": codes.TaskOrigin.FOLLOW_UP,
                "priority": codes.Priority.URGENT,
                "due": common.next_business_day(today),
                "appointment_id": appt.id,
            },
            today=today,
            queues=(FOLLOW_UP_QUEUE,),
        )
        result = Outcome(appt, follow_up=task, next_appointment=result.next_appointment)
    return result


def _refuse_closed(appt: Appointment) -> None:
    if appt.status in CLOSED:
        raise DomainError(f"This appointment is already marked {_SHOWN[appt.status]}")


def _close(session: Session, appt: Appointment, fields: dict[str, Any], *, today: date) -> Outcome:
    """Apply ``fields`` (an outcome) and book the series' next occurrence, if any."""
    rule = appt.rrule if fields.get("rrule", appt.rrule) else None
    if rule is not None:
        fields["rrule"] = None
    common.edit(session, appt, fields, today=today, check=_check)
    following = common.continue_series(rule, appt.start.date()) if rule else None
    if following is None:
        return Outcome(appt)
    day, next_rule = following
    start = datetime.combine(day, appt.start.time())
    length = (appt.end - appt.start) if appt.end is not None else DEFAULT_LENGTH
    # A ride is arranged for one date: the next occurrence needs one arranged again.
    needs_ride = appt.transport is not codes.Transport.NOT_NEEDED
    transport = codes.Transport.NEEDED if needs_ride else codes.Transport.NOT_NEEDED
    booked = records.create(
        session,
        Appointment,
        {
            "patient_id": appt.patient_id,
            "start": start,
            "end": start + length,
            "with_whom": appt.with_whom,
            "location": appt.location,
            "purpose": appt.purpose,
            "transport": transport,
            "rrule": next_rule,
        },
        today=today,
    )
    return Outcome(appt, next_appointment=booked)
