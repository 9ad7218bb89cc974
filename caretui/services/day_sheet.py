"""The day sheet: one day's work on paper, to carry to visits.

``build_day_sheet`` reads the day through the plain read side
(``queries.day_sheet``) and returns a frozen ``DaySheet``: the schedule in time
order, the tasks due and overdue by queue, the calls to make, the refills and
care-plan reviews due, and a brief of each patient seen that day. Redaction is
applied here, once, so no renderer can leak what it was not given: initials for
names, and no date of birth, age, phone or address.

Standard library only; ``caretui export day-sheet`` pays for no SQLAlchemy.
``services.day_sheet_render`` turns a sheet into HTML, Markdown, text or PDF.

"Calls to make" are the open tasks of the calls queue due on or before the day,
each with the number to ring; that queue is not listed again among the tasks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from caretui.config import DEFAULT_QUEUES
from caretui.queries import day_sheet as q
from caretui.queries.names import patient_name
from caretui.queries.referrals import ChaseRow
from caretui.queries.referrals import to_chase as referrals_to_chase
from caretui.queries.sql import age
from caretui.services.text import initials

#: The queue whose tasks are the calls to make.
CALLS_QUEUE = "calls"
#: The formats ``render`` writes, with their file extensions.
FORMATS = ("html", "md", "txt", "pdf")
#: The folder of the user's documents that sheets are saved in by default.
FOLDER = "day-sheets"


@dataclass(frozen=True, slots=True)
class SheetLimits:
    """How much each section shows at most; the rest is counted ("12 more")."""

    schedule: int = 100
    per_queue: int = 15
    refills: int = 25
    reviews: int = 25
    briefs: int = 40
    referrals: int = 25


# ------------------------------------------------------------------------- the sheet


@dataclass(frozen=True, slots=True)
class Visit:
    """One appointment of the day. ``phone`` is None when redacted or unknown."""

    start: datetime | None
    end: datetime | None
    patient_id: int
    patient: str
    phone: str | None
    with_whom: str | None
    location: str | None
    purpose: str | None
    #: FHIR appointment status: proposed, booked, arrived, fulfilled, noshow.
    status: str
    #: not-needed, needed, arranged.
    transport: str
    transport_details: str | None

    @property
    def time(self) -> str:
        """ "09:30–10:00", "09:30", or "?" for a start that is not a real time."""
        if self.start is None:
            return "?"
        if self.end is not None and self.end.date() == self.start.date() and self.end > self.start:
            return f"{self.start:%H:%M}–{self.end:%H:%M}"
        return f"{self.start:%H:%M}"

    @property
    def not_ready(self) -> bool:
        """Not booked yet, or a ride needed and not arranged."""
        return self.status == "proposed" or self.transport == "needed"


@dataclass(frozen=True, slots=True)
class SheetTask:
    id: int
    title: str
    queue: str
    priority: str
    status: str
    due: date | None
    #: Days past its due date on the sheet's day (0 when due that day).
    days_overdue: int
    #: None for a task about no patient.
    patient: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class QueueTasks:
    queue: str
    tasks: tuple[SheetTask, ...]
    #: Every task of this queue due, shown or not.
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.tasks), 0)


@dataclass(frozen=True, slots=True)
class RefillDue:
    patient: str
    medication: str
    dose: str | None
    due: date | None
    last_reconciled: date | None
    pharmacy: str | None
    pharmacy_phone: str | None


@dataclass(frozen=True, slots=True)
class ReviewDue:
    patient: str
    plan: str
    due: date | None


@dataclass(frozen=True, slots=True)
class ReferralToChase:
    """A referral to chase: who, what, whom to ring (and the number), and why."""

    patient: str
    urgency: str
    reason: str
    #: The directory resource, or the contact (initials when redacted).
    receiver: str
    #: The receiver's number; a contact's is left out when redacted.
    phone: str | None
    #: "sent", "draft" or "scheduled": what is late.
    status: str
    #: The day it turned late: the response date, the draft's, the appointment's.
    since: date | None


@dataclass(frozen=True, slots=True)
class BriefAllergy:
    substance: str
    reaction: str | None
    #: low, high, unable-to-assess, or None when not recorded.
    criticality: str | None


@dataclass(frozen=True, slots=True)
class BriefMedication:
    name: str
    dose: str | None
    route: str | None
    frequency: str | None


@dataclass(frozen=True, slots=True)
class BriefContact:
    name: str
    role: str
    relationship: str | None
    organization: str | None
    phone: str | None
    emergency: bool


@dataclass(frozen=True, slots=True)
class BriefGoal:
    description: str
    target: date | None
    achievement: str | None


@dataclass(frozen=True, slots=True)
class PatientBrief:
    """What to know walking in: who, how to reach them, what could hurt them, what they take."""

    patient_id: int
    patient: str
    birth_date: date | None
    age: int | None
    phone: str | None
    address: str | None
    language: str | None
    interpreter_needed: bool
    risk: str
    #: When the patient is seen that day ("09:30–10:00").
    visits: tuple[str, ...]
    allergies: tuple[BriefAllergy, ...]
    medications: tuple[BriefMedication, ...]
    contacts: tuple[BriefContact, ...]
    goals: tuple[BriefGoal, ...]


@dataclass(frozen=True, slots=True)
class DaySheet:
    """One day's sheet, redacted or not, ready for any renderer."""

    day: date
    coordinator: str
    redacted: bool
    refill_window_days: int
    schedule: tuple[Visit, ...]
    schedule_more: int
    #: Tasks due and overdue by queue (the calls queue is ``calls``), configured order.
    tasks: tuple[QueueTasks, ...]
    calls: QueueTasks
    refills: tuple[RefillDue, ...]
    refills_more: int
    reviews: tuple[ReviewDue, ...]
    reviews_more: int
    briefs: tuple[PatientBrief, ...]
    briefs_more: int = 0
    #: When it was made (shown in the footer); None leaves it out.
    printed_at: datetime | None = field(default=None)
    #: Referrals past their response date, drafts not sent, scheduled with no outcome.
    referrals: tuple[ReferralToChase, ...] = ()
    referrals_more: int = 0

    @property
    def task_total(self) -> int:
        return sum(group.total for group in self.tasks)


# --------------------------------------------------------------------------- building


def _name(ref: q.PatientRef | q.BriefPatient, redact: bool) -> str:
    return patient_name(ref.given_name, ref.family_name, ref.preferred_name, redact=redact)


def contact_initials(name: str) -> str:
    """ "Maria del Carmen Núñez" -> "M.N.": a contact named on a redacted sheet."""
    words = name.split()
    if not words:
        return "?"
    return initials(words[0], words[-1] if len(words) > 1 else "")


def _task(row: q.DueTaskRow, day: date, redact: bool) -> SheetTask:
    ref = row.patient
    return SheetTask(
        row.id,
        row.title,
        row.queue,
        row.priority,
        row.status,
        row.due,
        max((day - row.due).days, 0) if row.due is not None else 0,
        _name(ref, redact) if ref is not None else None,
        None if redact or ref is None else ref.phone,
    )


def _queues(
    rows: Iterable[q.DueTaskRow], day: date, order: Iterable[str], redact: bool
) -> tuple[tuple[QueueTasks, ...], QueueTasks]:
    grouped: dict[str, list[q.DueTaskRow]] = {}
    for row in rows:
        grouped.setdefault(row.queue, []).append(row)
    configured = [name for name in dict.fromkeys(order) if name != CALLS_QUEUE]
    others = sorted(name for name in grouped if name not in configured and name != CALLS_QUEUE)

    def group(name: str) -> QueueTasks:
        found = grouped.get(name, [])
        return QueueTasks(
            name, tuple(_task(r, day, redact) for r in found), found[0].in_queue if found else 0
        )

    return tuple(group(name) for name in (*configured, *others)), group(CALLS_QUEUE)


def _brief(
    rows: q.BriefRows, patient_id: int, visits: tuple[str, ...], day: date, redact: bool
) -> PatientBrief | None:
    patient = rows.patients.get(patient_id)
    if patient is None:
        return None
    return PatientBrief(
        patient_id,
        _name(patient, redact),
        None if redact else patient.birth_date,
        None if redact else age(patient.birth_date, day),
        None if redact else patient.phone,
        None if redact else patient.address,
        patient.language,
        patient.interpreter_needed,
        patient.risk,
        visits,
        tuple(
            BriefAllergy(a.substance, a.reaction, a.criticality)
            for a in rows.allergies.get(patient_id, ())
        ),
        tuple(
            BriefMedication(m.name, m.dose, m.route, m.frequency)
            for m in rows.medications.get(patient_id, ())
        ),
        tuple(
            BriefContact(
                contact_initials(c.name) if redact else c.name,
                c.role,
                c.relationship,
                c.organization,
                None if redact else c.phone,
                c.emergency,
            )
            for c in rows.contacts.get(patient_id, ())
        ),
        tuple(
            BriefGoal(g.description, g.target_date, g.achievement_status)
            for g in rows.goals.get(patient_id, ())
        ),
    )


def build_day_sheet(
    con: sqlite3.Connection,
    day: date,
    *,
    coordinator: str = "",
    redact: bool = False,
    queues: Iterable[str] = DEFAULT_QUEUES,
    refill_window_days: int = 7,
    limits: SheetLimits = SheetLimits(),
    printed_at: datetime | None = None,
) -> DaySheet:
    """The sheet for ``day``, read through ``con`` (a plain read connection)."""
    visits = q.schedule(con, day, limit=limits.schedule)
    schedule = tuple(
        Visit(
            v.start,
            v.end,
            v.patient.id,
            _name(v.patient, redact),
            None if redact else v.patient.phone,
            v.with_whom,
            v.location,
            v.purpose,
            v.status,
            v.transport,
            v.transport_details,
        )
        for v in visits.rows
    )
    tasks, calls = _queues(q.due_tasks(con, day, per_queue=limits.per_queue), day, queues, redact)
    refills = q.refills_due(con, day, window_days=refill_window_days, limit=limits.refills)
    reviews = q.reviews_due(con, day, limit=limits.reviews)
    chase, chase_total = referrals_to_chase(con, day, limit=limits.referrals)

    times: dict[int, list[str]] = {}
    for visit in schedule:
        times.setdefault(visit.patient_id, []).append(visit.time)
    seen = list(times)[: limits.briefs]
    rows = q.brief_rows(con, seen)
    briefs = tuple(
        brief
        for pid in seen
        if (brief := _brief(rows, pid, tuple(times[pid]), day, redact)) is not None
    )
    return DaySheet(
        day=day,
        coordinator=coordinator,
        redacted=redact,
        refill_window_days=refill_window_days,
        schedule=schedule,
        schedule_more=visits.more,
        tasks=tasks,
        calls=calls,
        refills=tuple(
            RefillDue(
                _name(r.patient, redact),
                r.name,
                r.dose,
                r.refill_due,
                r.last_reconciled,
                r.pharmacy,
                None if redact else r.pharmacy_phone,
            )
            for r in refills.rows
        ),
        refills_more=refills.more,
        reviews=tuple(
            ReviewDue(_name(r.patient, redact), r.title, r.next_review) for r in reviews.rows
        ),
        reviews_more=reviews.more,
        briefs=briefs,
        briefs_more=max(len(times) - len(seen), 0),
        printed_at=printed_at,
        referrals=tuple(_chase(r, redact) for r in chase),
        referrals_more=max(chase_total - len(chase), 0),
    )


def _chase(row: ChaseRow, redact: bool) -> ReferralToChase:
    person = row.receiver_is_contact
    if row.status == "sent":
        since = row.response_due
    elif row.status == "scheduled":
        since = row.appointment_start.date() if row.appointment_start else None
    else:
        since = row.opened_on
    return ReferralToChase(
        patient_name(row.given_name, row.family_name, row.preferred_name, redact=redact),
        row.urgency,
        row.reason,
        contact_initials(row.receiver) if redact and person else row.receiver,
        None if redact and person else row.receiver_phone,
        row.status,
        since,
    )


# ------------------------------------------------------------------------- saving


def documents_folder() -> Path:
    """Where sheets go by default: a ``day-sheets`` folder of the user's documents."""
    import platformdirs

    return Path(platformdirs.user_documents_dir()) / FOLDER


def default_filename(day: date, fmt: str, *, redacted: bool = False) -> str:
    """ "day-sheet-2026-03-11.html" ("-redacted" added for a redacted sheet)."""
    return f"day-sheet-{day.isoformat()}{'-redacted' if redacted else ''}.{fmt}"


def default_path(day: date, fmt: str, *, redacted: bool = False) -> Path:
    return documents_folder() / default_filename(day, fmt, redacted=redacted)


def save(sheet: DaySheet, fmt: str, path: Path, *, paper: str = "a4") -> Path:
    """Render ``sheet`` as ``fmt`` and write it to ``path`` atomically, owner-only (0600)."""
    from caretui.services.day_sheet_render import render
    from caretui.store.files import write_private

    write_private(path, render(sheet, fmt, paper=paper))
    return path


__all__ = [
    "CALLS_QUEUE",
    "FORMATS",
    "BriefAllergy",
    "BriefContact",
    "BriefGoal",
    "BriefMedication",
    "DaySheet",
    "PatientBrief",
    "QueueTasks",
    "RefillDue",
    "ReviewDue",
    "SheetLimits",
    "SheetTask",
    "Visit",
    "build_day_sheet",
    "default_path",
    "save",
]
