"""The month in numbers: every figure of the monthly report, from the read side's rows.

``month_report(con, month)`` is the one call a caller needs: it reads the rows
(``caretui.queries.report``) and hands them to ``build_report``, which, like
every other function here but ``month_report``, is pure: rows in, frozen
figures out, no clock and no database. Standard library only (no SQLAlchemy,
no Textual), so the CLI and the Reports screen share it at no cost.

Definitions (every date a local date; a month is ``[first day, first day of
the next month)``; "at month end" means at the window's cut: midnight after the
last day, or, for the month still going on, now):

- **On the caseload** on a day: enrolled before that day (no enrolment date:
  created before it) and not discharged before it. On-hold patients count:
  caretui keeps no history of that status. *New* = enrolled in the month,
  *discharged* = discharge date in the month, *enrolled* = on the caseload at
  month end and in a care-management program; by risk = at month end, by the
  risk level recorded now. Start + new - discharged = end.
- **Contacts** are calls, visits and messages (a note of kind "note" is
  paperwork, counted by kind but not as a contact). An **outreach attempt**
  is a call or message with an outcome; it **reached** the patient when the
  outcome is "reached". A patient on the caseload at month end is **not
  reached** when the month has no visit and no reached call or message of theirs.
- **Appointments** starting in the month: *booked* = every status but
  proposed; *kept* = fulfilled or arrived; *no-show rate* = no-shows / (kept +
  no-shows), cancelled and unrecorded ones left out. Transport: of the booked
  appointments not cancelled, those needing a ride, and those whose ride is arranged.
- **Tasks** completed in the month (``completed_at``); *on time* = completed on
  or before the due date (of those with one). **Overdue at month end** (also
  each month of the chart): due before the cut's day, created before the cut,
  not entered in error, its patient (if any) not discharged by then, and not
  closed by then: a completed task closes at ``completed_at`` (local; without
  one, at its last change), a cancelled, failed or rejected one at its last
  change (``updated_at``, UTC converted), as caretui keeps no separate time
  for those. A task reopened after the cut counts as open then (the audit
  trail is not consulted); a snoozed task with its due date passed is overdue.
- **Care-plan reviews** (``plan_reviews``): see there. **Goals achieved**: goals
  whose achievement status moved into achieved or sustaining during the month,
  by the audit trail; a goal with no audit event of its own (seeded or
  imported) counts when it is achieved now and its last change is in the month.
- **Referrals**: *sent* and *closed* by their dates in the month; *median
  days to close* over those closed in the month; *open past their response
  date* at month end: sent before the cut, the response date passed, not closed
  by then (a closed status without a closed date counts as closed).
- **Time**: minutes of every note in the month, per patient in a
  care-management program who was on the caseload at some time in the month
  (those with no minutes included), against the configured thresholds.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from enum import StrEnum

from caretui import codes
from caretui.config import DEFAULT_THRESHOLDS, Threshold
from caretui.errors import DomainError
from caretui.queries.report import (
    AppointmentCountRow,
    CaseloadRow,
    CloseSpanRow,
    CompletedTaskRow,
    ContactBucketRow,
    GoalEvent,
    MinutesRow,
    MonthAppointmentRow,
    MonthData,
    NoteCountRow,
    OverdueRow,
    PatientRow,
    PlanEvent,
    PlanRow,
    ReferralCounts,
    Window,
    data_mark,
    month_data,
)
from caretui.services.text import fold

_KEPT = frozenset({codes.AppointmentStatus.FULFILLED, codes.AppointmentStatus.ARRIVED})
_BOOKED = frozenset(
    {
        codes.AppointmentStatus.BOOKED,
        codes.AppointmentStatus.ARRIVED,
        codes.AppointmentStatus.FULFILLED,
        codes.AppointmentStatus.NOSHOW,
        codes.AppointmentStatus.CANCELLED,
    }
)
_CONTACT_KINDS = frozenset({codes.NoteKind.CALL, codes.NoteKind.VISIT, codes.NoteKind.MESSAGE})
_OUTREACH_KINDS = frozenset({codes.NoteKind.CALL, codes.NoteKind.MESSAGE})
_GOAL_DONE = frozenset(
    {codes.GoalAchievementStatus.ACHIEVED.value, codes.GoalAchievementStatus.SUSTAINING.value}
)


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide."""
    return part / whole if whole else None


# --------------------------------------------------------------------------- caseload


@dataclass(frozen=True, slots=True)
class Caseload:
    at_start: int
    at_end: int
    new: int
    discharged: int
    #: On the caseload at month end and in a care-management program.
    enrolled: int
    #: On the caseload at month end, by risk level (high, medium, low).
    by_risk: tuple[tuple[codes.RiskLevel, int], ...]


def caseload(rows: Iterable[CaseloadRow]) -> Caseload:
    rows = list(rows)
    by_risk = {r.risk: r.at_end for r in rows}
    return Caseload(
        at_start=sum(r.at_start for r in rows),
        at_end=sum(r.at_end for r in rows),
        new=sum(r.new for r in rows),
        discharged=sum(r.discharged for r in rows),
        enrolled=sum(r.enrolled for r in rows),
        by_risk=tuple((risk, by_risk.get(risk.value, 0)) for risk in codes.RiskLevel),
    )


# --------------------------------------------------------------------------- contacts


@dataclass(frozen=True, slots=True)
class Contacts:
    #: Notes of every kind in the month (the kind "note" included), in code order.
    by_kind: tuple[tuple[codes.NoteKind, int], ...]
    #: Calls, visits and messages.
    contacts: int
    #: Calls and messages with an outcome.
    attempts: int
    #: Attempts by outcome, in code order.
    outcomes: tuple[tuple[codes.OutreachOutcome, int], ...]
    reached: int
    #: Patients on the caseload at month end neither visited nor reached, by name.
    not_reached: tuple[PatientRow, ...]

    @property
    def reached_share(self) -> float | None:
        return share(self.reached, self.attempts)


def _by_name(patients: Iterable[PatientRow]) -> tuple[PatientRow, ...]:
    return tuple(sorted(patients, key=lambda p: (fold(p.family_name), fold(p.given_name), p.id)))


def contacts(rows: Iterable[NoteCountRow], unreached: Iterable[PatientRow]) -> Contacts:
    kinds: dict[str, int] = defaultdict(int)
    outcomes: dict[str, int] = defaultdict(int)
    for r in rows:
        kinds[r.kind] += r.count
        if r.kind in _OUTREACH_KINDS and r.outcome is not None:
            outcomes[r.outcome] += r.count
    attempts = sum(outcomes.values())
    return Contacts(
        by_kind=tuple((k, kinds.get(k.value, 0)) for k in codes.NoteKind),
        contacts=sum(kinds.get(k.value, 0) for k in _CONTACT_KINDS),
        attempts=attempts,
        outcomes=tuple((o, outcomes.get(o.value, 0)) for o in codes.OutreachOutcome),
        reached=outcomes.get(codes.OutreachOutcome.REACHED.value, 0),
        not_reached=_by_name(unreached),
    )


# --------------------------------------------------------------------------- appointments


@dataclass(frozen=True, slots=True)
class Appointments:
    #: Starting in the month, every status but proposed.
    booked: int
    #: Fulfilled or arrived.
    kept: int
    no_show: int
    cancelled: int
    #: Still "booked": no outcome recorded yet, or still to come.
    no_outcome: int
    #: Proposed, not booked yet (not in ``booked``).
    proposed: int
    #: Booked and not cancelled, with a ride needed (arranged or not).
    transport_needed: int
    #: Of those, the ride arranged.
    transport_arranged: int

    @property
    def no_show_rate(self) -> float | None:
        """No-shows among the appointments whose outcome is known and not a cancellation."""
        return share(self.no_show, self.kept + self.no_show)


def appointments(rows: Iterable[AppointmentCountRow]) -> Appointments:
    status: dict[str, int] = defaultdict(int)
    needed = arranged = 0
    for r in rows:
        status[r.status] += r.count
        if r.status in _BOOKED and r.status != codes.AppointmentStatus.CANCELLED:
            if r.transport in (codes.Transport.NEEDED, codes.Transport.ARRANGED):
                needed += r.count
            if r.transport == codes.Transport.ARRANGED:
                arranged += r.count
    return Appointments(
        booked=sum(n for s, n in status.items() if s in _BOOKED),
        kept=sum(n for s, n in status.items() if s in _KEPT),
        no_show=status.get(codes.AppointmentStatus.NOSHOW, 0),
        cancelled=status.get(codes.AppointmentStatus.CANCELLED, 0),
        no_outcome=status.get(codes.AppointmentStatus.BOOKED, 0),
        proposed=status.get(codes.AppointmentStatus.PROPOSED, 0),
        transport_needed=needed,
        transport_arranged=arranged,
    )


# --------------------------------------------------------------------------- tasks


@dataclass(frozen=True, slots=True)
class QueueTasks:
    queue: str
    completed: int
    #: Completed tasks that had a due date, and those completed on or before it.
    with_due: int
    on_time: int
    overdue: int


@dataclass(frozen=True, slots=True)
class Tasks:
    completed: int
    with_due: int
    on_time: int
    #: Overdue at month end (see the module docstring).
    overdue: int
    #: Every queue with a task completed in the month or overdue at its end, by name.
    by_queue: tuple[QueueTasks, ...]


def tasks(completed: Iterable[CompletedTaskRow], overdue: Iterable[OverdueRow]) -> Tasks:
    done: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in completed:
        counts = done[r.queue]
        counts[0] += r.count
        if r.due is not None:
            counts[1] += r.count
            if r.completed_on <= r.due:
                counts[2] += r.count
    late = {r.queue: r.counts[-1] for r in overdue if r.counts}
    queues = sorted({*done, *(q for q, n in late.items() if n)}, key=lambda q: (fold(q), q))
    by_queue = []
    for q in queues:
        completed_n, with_due, on_time = done.get(q, [0, 0, 0])
        by_queue.append(QueueTasks(q, completed_n, with_due, on_time, late.get(q, 0)))
    return Tasks(
        completed=sum(q.completed for q in by_queue),
        with_due=sum(q.with_due for q in by_queue),
        on_time=sum(q.on_time for q in by_queue),
        overdue=sum(late.values()),
        by_queue=tuple(by_queue),
    )


# --------------------------------------------------------------------------- care plans


class ReviewOutcome(StrEnum):
    ON_TIME = "on time"
    LATE = "late"
    MISSED = "missed"
    #: Due later in the month still going on (today included).
    UPCOMING = "upcoming"


@dataclass(frozen=True, slots=True)
class Review:
    plan_id: int
    due: date
    outcome: ReviewOutcome
    #: The day the review was done (on time or late), else None.
    done_on: date | None


@dataclass(frozen=True, slots=True)
class Held:
    """A next-review date a plan held, until ``left`` (None: holds it still), when it was
    replaced by ``replaced_by`` (None: cleared)."""

    due: date
    left: datetime | None
    replaced_by: date | None


def review_timeline(plan: PlanRow, events: Sequence[PlanEvent]) -> list[Held]:
    """Every next-review date ``plan`` held, oldest first, from its audit events.

    A plan with no event (seeded or imported) has held its current date since it
    was made. A change the trail did not see (a hand edit) is dated by the plan's
    last change.
    """
    held: list[Held] = []
    value: date | None = None
    started = False
    for event in sorted(events, key=lambda e: e.at):
        if event.action == codes.AuditAction.CREATE:
            value, started = event.new, True
            continue
        if not started:
            value, started = event.old, True
        if value is not None:
            held.append(Held(value, event.at, event.new))
        value = event.new
    if started and value != plan.next_review:
        if value is not None:
            held.append(Held(value, plan.updated, plan.next_review))
        value = plan.next_review
    if not started:
        value = plan.next_review
    if value is not None:
        held.append(Held(value, None, None))
    return held


def judge_review(held: Held, plan_id: int, today: date) -> Review | None:
    """What became of the review due on ``held.due``, seen on ``today``; None when it never
    fell due (moved earlier or cleared on or before its date)."""
    due = held.due
    if held.left is None:
        outcome = ReviewOutcome.UPCOMING if due >= today else ReviewOutcome.MISSED
        return Review(plan_id, due, outcome, None)
    left = held.left.date()
    if held.replaced_by is not None and held.replaced_by > due:
        outcome = ReviewOutcome.ON_TIME if left <= due else ReviewOutcome.LATE
        return Review(plan_id, due, outcome, left)
    if left <= due:
        return None
    return Review(plan_id, due, ReviewOutcome.MISSED, None)


def plan_reviews(
    plans: Iterable[PlanRow], events: Iterable[PlanEvent], start: date, end: date, today: date
) -> tuple[Review, ...]:
    """The care-plan reviews due in ``[start, end)`` and what became of each, seen on ``today``.

    caretui records a review by its effect: the plan's next review moves on. So,
    from the audit trail's changes of ``next_review`` (``review_timeline``):

    - a review is **due** on each date D in the month that a plan (not a draft)
      held as its next review, unless the plan left D before or on D without
      moving it later (rescheduled earlier, or cleared as the plan closed);
    - it was **done** on the day the plan's next review moved from D to a later
      date: **on time** if on or before D, **late** if after (however long after:
      a report remade later shows a review done since as late, no longer missed);
    - **missed**: D has passed (before ``today``) and the plan still holds it, or
      left it after D without moving it later (cleared by closing the plan);
    - **upcoming**: D is today or later in a month still going on.

    Honest limits: a review postponed before its date (D moved later without
    meeting) looks the same as one done early, and counts as done on time; a
    plan with no audit history (seeded or imported) shows only its current date.
    When a plan held the same D twice (an undo), the last holding decides.
    """
    by_plan: dict[int, list[PlanEvent]] = defaultdict(list)
    for event in events:
        by_plan[event.plan_id].append(event)
    out: list[Review] = []
    for plan in sorted(plans, key=lambda p: p.id):
        if plan.status == codes.CarePlanStatus.DRAFT:
            continue
        judged: dict[date, Review | None] = {}
        for held in review_timeline(plan, by_plan.get(plan.id, [])):
            if start <= held.due < end:
                judged[held.due] = judge_review(held, plan.id, today)
        out.extend(r for _, r in sorted(judged.items()) if r is not None)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class CarePlans:
    reviews_due: int
    on_time: int
    late: int
    missed: int
    upcoming: int
    goals_achieved: int
    #: Each review due in the month, by plan and date.
    reviews: tuple[Review, ...]


def goals_achieved(events: Iterable[GoalEvent], untracked: int) -> int:
    """Goals whose achievement status moved into achieved or sustaining (each goal once),
    plus those achieved with no audit trail of their own."""
    moved = {e.goal_id for e in events if e.new in _GOAL_DONE and e.old not in _GOAL_DONE}
    return len(moved) + untracked


def care_plans(reviews: Sequence[Review], achieved: int) -> CarePlans:
    def n(outcome: ReviewOutcome) -> int:
        return sum(1 for r in reviews if r.outcome is outcome)

    return CarePlans(
        reviews_due=len(reviews),
        on_time=n(ReviewOutcome.ON_TIME),
        late=n(ReviewOutcome.LATE),
        missed=n(ReviewOutcome.MISSED),
        upcoming=n(ReviewOutcome.UPCOMING),
        goals_achieved=achieved,
        reviews=tuple(reviews),
    )


# --------------------------------------------------------------------------- referrals


@dataclass(frozen=True, slots=True)
class Referrals:
    sent: int
    closed: int
    #: Over the referrals closed in the month (sent on or before their closing).
    median_days_to_close: float | None
    open_past_due: int


def median_days(spans: Iterable[CloseSpanRow]) -> float | None:
    days: list[int] = []
    for span in spans:
        length = (span.closed_on - span.sent_on).days
        if length >= 0:
            days.extend([length] * span.count)
    if not days:
        return None
    days.sort()
    middle = len(days) // 2
    return float(days[middle]) if len(days) % 2 else (days[middle - 1] + days[middle]) / 2


def referrals(counts: ReferralCounts, spans: Iterable[CloseSpanRow]) -> Referrals:
    return Referrals(counts.sent, counts.closed, median_days(spans), counts.open_past_due)


# --------------------------------------------------------------------------- time


@dataclass(frozen=True, slots=True)
class BillingRow:
    """One line of the biller's table."""

    patient: PatientRow
    minutes: int
    #: Notes that recorded minutes.
    notes: int
    #: The highest threshold the minutes reach, or None.
    met: Threshold | None


@dataclass(frozen=True, slots=True)
class Time:
    thresholds: tuple[Threshold, ...]
    #: Every care-management patient on the caseload in the month, by name.
    rows: tuple[BillingRow, ...]
    total_minutes: int
    #: Patients under the first threshold.
    under: int
    #: Patients by the highest threshold they reach, lowest threshold first.
    met: tuple[tuple[Threshold, int], ...]


def highest_met(minutes: int, thresholds: Iterable[Threshold]) -> Threshold | None:
    """The highest threshold ``minutes`` reaches (reaching = at least its minutes)."""
    met = None
    for threshold in sorted(thresholds, key=lambda t: t.minutes):
        if minutes >= threshold.minutes:
            met = threshold
    return met


def time_spent(rows: Iterable[MinutesRow], thresholds: Sequence[Threshold]) -> Time:
    ordered = tuple(sorted(thresholds, key=lambda t: t.minutes))
    billing = tuple(
        BillingRow(r.patient, r.minutes, r.notes, highest_met(r.minutes, ordered)) for r in rows
    )
    index = {p.id: i for i, p in enumerate(_by_name(b.patient for b in billing))}
    billing = tuple(sorted(billing, key=lambda b: index[b.patient.id]))
    return Time(
        thresholds=ordered,
        rows=billing,
        total_minutes=sum(b.minutes for b in billing),
        under=sum(1 for b in billing if b.met is None),
        met=tuple((t, sum(1 for b in billing if b.met == t)) for t in ordered),
    )


# --------------------------------------------------------------------------- charts


@dataclass(frozen=True, slots=True)
class WeekPoint:
    #: The Monday the week starts (the first may start before the chart's first month).
    start: date
    contacts: int


@dataclass(frozen=True, slots=True)
class MonthPoint:
    month: date
    contacts: int
    kept: int
    no_show: int
    #: Overdue tasks at the month's end (at now, for the month still going on).
    overdue: int

    @property
    def no_show_rate(self) -> float | None:
        return share(self.no_show, self.kept + self.no_show)


@dataclass(frozen=True, slots=True)
class Series:
    """The last 12 months, the report's month last, for the charts."""

    weeks: tuple[WeekPoint, ...]
    months: tuple[MonthPoint, ...]


def series(
    w: Window,
    contacts_rows: Iterable[ContactBucketRow],
    appointment_rows: Iterable[MonthAppointmentRow],
    overdue_rows: Iterable[OverdueRow],
) -> Series:
    weekly = [0] * len(w.weeks)
    monthly = [0] * len(w.months)
    for r in contacts_rows:
        weekly[r.week] += r.count
        if r.month >= 0:
            monthly[r.month] += r.count
    kept = [0] * len(w.months)
    no_show = [0] * len(w.months)
    for a in appointment_rows:
        if a.status in _KEPT:
            kept[a.month] += a.count
        elif a.status == codes.AppointmentStatus.NOSHOW:
            no_show[a.month] += a.count
    overdue = [0] * len(w.months)
    for o in overdue_rows:
        for k, n in enumerate(o.counts):
            overdue[k] += n
    return Series(
        weeks=tuple(WeekPoint(day, n) for day, n in zip(w.weeks, weekly, strict=True)),
        months=tuple(
            MonthPoint(m, monthly[k], kept[k], no_show[k], overdue[k])
            for k, m in enumerate(w.months)
        ),
    )


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class MonthReport:
    """The month in numbers: everything the report and the Reports screen show."""

    #: First day of the month, and of the next (exclusive end).
    month: date
    end: date
    #: When it was computed (local time); "at month end" figures are as of
    #: ``min(end, as_of)``.
    as_of: datetime
    #: The month is over: its month-end figures are final.
    complete: bool
    caseload: Caseload
    contacts: Contacts
    appointments: Appointments
    tasks: Tasks
    care_plans: CarePlans
    referrals: Referrals
    time: Time
    series: Series


def build_report(
    data: MonthData, thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS
) -> MonthReport:
    """Every figure of the report, from the month's rows. Pure."""
    w = data.window
    reviews = plan_reviews(data.plans, data.plan_events, w.start, w.end, data.as_of.date())
    return MonthReport(
        month=w.start,
        end=w.end,
        as_of=data.as_of,
        complete=w.complete,
        caseload=caseload(data.caseload),
        contacts=contacts(data.notes, data.unreached),
        appointments=appointments(data.appointments),
        tasks=tasks(data.completed, data.overdue),
        care_plans=care_plans(reviews, goals_achieved(data.goal_events, data.goals_untracked)),
        referrals=referrals(data.referrals, data.close_spans),
        time=time_spent(data.minutes, thresholds),
        series=series(w, data.contacts_series, data.appointments_series, data.overdue),
    )


def month_report(
    con: sqlite3.Connection,
    month: date | None = None,
    *,
    thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS,
    now: datetime | None = None,
    tz: tzinfo | None = None,
) -> MonthReport:
    """The report on the month holding ``month`` (default: this month), read from ``con``
    at ``now`` (default: the clock; local wall-clock time, ``tz`` None: this computer's
    zone). Runs a dozen queries on the caller's thread: call it from a worker in a TUI.
    A month that has not begun is refused with ``DomainError``."""
    now = now or datetime.now()
    first = (month or now.date()).replace(day=1)
    if first > now.date():
        raise DomainError(f"{first:%Y-%m} has not begun yet: choose this month or an earlier one")
    return build_report(month_data(con, first, now=now, tz=tz), thresholds)


def same_figures(a: MonthReport, b: MonthReport) -> bool:
    """Whether two reports show the same: equal but for the time of day they were read."""
    return a is b or (a.as_of.date() == b.as_of.date() and replace(b, as_of=a.as_of) == a)


# --------------------------------------------------------------------------- reports kept


@dataclass(frozen=True, slots=True)
class ReportKey:
    """What a report depends on besides its month: the data (``data_mark``, the newest
    audit event, which every write adds), the day it is seen on (what is overdue, or
    missed, moves with the date), and the thresholds it is counted against."""

    mark: tuple[int, str]
    today: date
    thresholds: tuple[Threshold, ...]


def report_key(
    con: sqlite3.Connection, now: datetime, thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS
) -> ReportKey:
    """The key of a report read from ``con`` at ``now``: call it inside the ``snapshot``
    the report is read in, so it describes the very rows read."""
    return ReportKey(data_mark(con), now.date(), tuple(thresholds))


class ReportCache:
    """Reports already read, by month, each with the key it was read at: a report is
    given back only for the very key it was read at, so it is never older than the
    database (equal key, equal data and day). The ``size`` months used last are kept.

    Safe to share between threads: the Reports screen's reader and the reader of the
    neighbouring months. A reader asking for a month another is reading at the same key
    waits for that read (``get``) rather than reading it twice.
    """

    #: How long ``get`` waits for another reader before giving up (it reads itself then).
    WAIT_SECONDS = 30.0

    def __init__(self, size: int = 5) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[date, tuple[ReportKey, MonthReport]] = OrderedDict()
        self._pending: dict[tuple[date, ReportKey], threading.Event] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _hit(self, month: date, key: ReportKey) -> MonthReport | None:
        entry = self._entries.get(month)
        if entry is None or entry[0] != key:
            return None
        self._entries.move_to_end(month)
        return entry[1]

    def get(self, month: date, key: ReportKey, *, wait: bool = True) -> MonthReport | None:
        """The report on ``month`` read at ``key``, or None. If another reader is reading
        it (same month and key), wait for its report (unless ``wait`` is False)."""
        with self._lock:
            report = self._hit(month, key)
            event = self._pending.get((month, key))
        if report is not None or event is None or not wait:
            return report
        event.wait(self.WAIT_SECONDS)
        with self._lock:
            return self._hit(month, key)

    def wanted(self, month: date, key: ReportKey) -> bool:
        """Neither kept at ``key`` nor being read at it."""
        with self._lock:
            entry = self._entries.get(month)
            kept = entry is not None and entry[0] == key
            return not kept and (month, key) not in self._pending

    def put(self, month: date, key: ReportKey, report: MonthReport) -> None:
        with self._lock:
            self._entries[month] = (key, report)
            self._entries.move_to_end(month)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def read(
        self,
        con: sqlite3.Connection,
        month: date,
        key: ReportKey,
        *,
        now: datetime,
        tz: tzinfo | None = None,
    ) -> MonthReport:
        """Read the report on ``month`` from ``con`` (inside the ``snapshot`` ``key`` was
        read in) and keep it. Readers asking for it meanwhile wait for this one."""
        event = threading.Event()
        with self._lock:
            self._pending.setdefault((month, key), event)
        try:
            report = month_report(con, month, thresholds=key.thresholds, now=now, tz=tz)
            self.put(month, key, report)
            return report
        finally:
            with self._lock:
                if self._pending.get((month, key)) is event:
                    del self._pending[(month, key)]
            event.set()


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(text: str) -> date:
    """The first day of the month ``text`` names ("2026-03"); ``DomainError`` otherwise."""
    raw = text.strip()
    match = _MONTH.match(raw)
    if match and 1 <= int(match.group(2)) <= 12 and 1900 <= int(match.group(1)) <= 2100:
        return date(int(match.group(1)), int(match.group(2)), 1)
    shown = raw if len(raw) <= 20 else raw[:17] + "..."
    raise DomainError(f"{shown!r} is not a month: use YYYY-MM, for example 2026-03")
