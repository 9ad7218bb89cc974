"""A synthetic caseload: realistic, varied, the same for the same seed, and fast.

``caretui seed`` and ``caretui demo`` call ``seed_caseload``. Every value comes
from ``random.Random(seed)`` and ``today`` alone, so one seed on one day gives
the same rows; every date is counted from ``today``, so a demo is always
current. Names are common given and family names combined at random (see
``seed_data``), so no row is a real person's.

Rows go in through Core bulk inserts with ids assigned here, in one
transaction, chunk by chunk so memory stays flat. The ORM's per-record audit
would cost minutes at 200,000 tasks and say nothing a reader needs; one audit
event records the whole seed instead (its time and action id are the only
values that differ between two runs). Every value keeps the rules the services
enforce (codes, lengths, end after start, past dates not in the future); the
tests run seeded rows through ``services.validation``.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
import string
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import OperationalError

from caretui import codes
from caretui.config import DEFAULT_QUEUES
from caretui.errors import DomainError, StoreError
from caretui.models.all import (
    RECORDS,
    Allergy,
    Appointment,
    AuditEvent,
    CarePlan,
    Contact,
    Goal,
    Intervention,
    Medication,
    Note,
    Patient,
    Problem,
    Record,
    Referral,
    ReferralStep,
    Resource,
    Task,
)
from caretui.models.base import utcnow
from caretui.services import seed_data as data
from caretui.services.text import fold
from caretui.store.database import Database
from caretui.store.plain import describe_sqlite_error

T = TypeVar("T")
Row = dict[str, Any]

#: Patients generated (and inserted) together; bounds memory at any caseload size.
CHUNK = 500
#: Most tasks or appointments of one patient held before they are inserted.
BATCH = 20_000
#: Entries in the resource directory.
RESOURCES = 60
#: Defaults per patient when a count is not given.
TASKS_PER_PATIENT = 8
APPOINTMENTS_PER_PATIENT = 4
#: Share of tasks that are the coordinator's own, about no patient.
UNASSIGNED_SHARE = 0.02

#: The word a summary uses for each table, in the order a summary lists them.
WORDS: tuple[tuple[type[Record], str, str], ...] = (
    (Patient, "patient", "patients"),
    (Task, "task", "tasks"),
    (Appointment, "appointment", "appointments"),
    (Contact, "contact", "contacts"),
    (Problem, "problem", "problems"),
    (Allergy, "allergy", "allergies"),
    (Medication, "medication", "medications"),
    (CarePlan, "care plan", "care plans"),
    (Goal, "goal", "goals"),
    (Intervention, "intervention", "interventions"),
    (Note, "note", "notes"),
    (Resource, "resource", "resources"),
    (Referral, "referral", "referrals"),
    (ReferralStep, "referral step", "referral steps"),
)
_SINGULAR = {plural: singular for _, singular, plural in WORDS}


@dataclass(frozen=True)
class SeedSummary:
    """How many records of each kind the seed wrote."""

    counts: tuple[tuple[str, int], ...]

    def describe(self) -> str:
        """ "Seeded 200 patients, 1,600 tasks, 800 appointments, ..." """
        parts = [
            f"{n:,} {_SINGULAR.get(word, word) if n == 1 else word}" for word, n in self.counts
        ]
        return "Seeded " + ", ".join(parts)

    def count(self, word: str) -> int:
        """The count for ``word`` ("patients", "care plans"); 0 if not counted."""
        return dict(self.counts).get(word, 0)


def seed_caseload(
    db: Database,
    *,
    patients: int,
    tasks: int | None = None,
    appointments: int | None = None,
    seed: int = 0,
    today: date | None = None,
) -> SeedSummary:
    """Fill a new database with a synthetic caseload, in one transaction.

    ``tasks`` defaults to about 8 per patient and ``appointments`` to about 4.
    A database that already holds patients is refused with ``DomainError`` and
    left as it was.
    """
    today = today or date.today()
    tasks = TASKS_PER_PATIENT * patients if tasks is None else tasks
    appointments = APPOINTMENTS_PER_PATIENT * patients if appointments is None else appointments
    if patients < 1:
        raise DomainError("A synthetic caseload needs at least one patient", field="patients")
    if tasks < 0 or appointments < 0:
        raise DomainError("Counts of tasks and appointments cannot be negative")
    try:
        with db.engine.begin() as conn:
            if conn.execute(select(Patient.id).limit(1)).first() is not None:
                raise DomainError("This database already holds patients; seed only fills a new one")
            first_ids = {
                model: int(conn.execute(select(func.max(model.id))).scalar() or 0) + 1
                for model in RECORDS
            }
            caseload = _Caseload(Random(seed), today, first_ids)
            caseload.write(conn, patients=patients, tasks=tasks, appointments=appointments)
            summary = SeedSummary(
                tuple((plural, caseload.written[model]) for model, _, plural in WORDS)
            )
            conn.execute(insert(AuditEvent), [_audit_row(summary)])
    except OperationalError as exc:
        orig = exc.orig if isinstance(exc.orig, sqlite3.Error) else exc
        raise StoreError(describe_sqlite_error(db.path, orig)) from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(describe_sqlite_error(db.path, exc)) from None
    return summary


def _audit_row(summary: SeedSummary) -> Row:
    """The one audit event of a seed: a create whose changes are the counts."""
    return {
        "at": utcnow(),
        "action_id": str(uuid.uuid4()),
        "action_label": "Seed synthetic caseload",
        "action": codes.AuditAction.CREATE.value,
        "entity": "caseload",
        "record_id": 0,
        "patient_id": None,
        "changes": json.dumps({word: [None, n] for word, n in summary.counts}, sort_keys=True),
        "reverts": None,
    }


def share(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` (positive integers), summing exactly."""
    whole = sum(weights)
    out: list[int] = []
    running = given = 0
    for weight in weights:
        running += weight
        upto = running * total // whole
        out.append(upto - given)
        given = upto
    return out


def search_key(
    given: str, family: str, preferred: str | None, mrn: str | None, member: str | None, phone: str
) -> str:
    """The same key as ``services.patients.search_key``, without building a Patient."""
    parts = (given, family, preferred or "", mrn or "", member or "")
    digits = "".join(ch for ch in phone if ch.isdigit())
    return " ".join(fold(p) for p in parts if p) + (f" {digits}" if digits else "")


# -- picking ---------------------------------------------------------------------------------


class Weighted(Generic[T]):
    """Values with weights, each pick one call to ``rng.random()``."""

    __slots__ = ("_cum", "_total", "values")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values = tuple(value for value, _ in pairs)
        cum: list[float] = []
        total = 0.0
        for _, weight in pairs:
            total += weight
            cum.append(total)
        self._cum = cum
        self._total = total

    def pick(self, rng: Random) -> T:
        index = bisect.bisect_right(self._cum, rng.random() * self._total)
        return self.values[min(index, len(self.values) - 1)]  # float rounding at the top end


class Covering(Weighted[T]):
    """Weighted, except that the first picks go through ``first`` in order, so even a
    small caseload shows every code."""

    __slots__ = ("_first",)

    def __init__(self, pairs: Sequence[tuple[T, float]], first: Sequence[T] | None = None) -> None:
        super().__init__(pairs)
        self._first = list(reversed(first if first is not None else self.values))

    def pick(self, rng: Random) -> T:
        if self._first:
            return self._first.pop()
        return super().pick(rng)


def _even(values: Sequence[T]) -> list[tuple[T, float]]:
    return [(v, 1.0) for v in values]


def _odds(spec: str) -> list[tuple[str, float]]:
    """ "active 85, on-hold 8" -> [("active", 85.0), ("on-hold", 8.0)]."""
    pairs = [item.split() for item in spec.split(",")]
    return [(code, float(weight)) for code, weight in pairs]


def _count_odds(spec: str) -> list[tuple[int, float]]:
    return [(int(n), weight) for n, weight in _odds(spec)]


def _pair(text: str) -> tuple[str, str]:
    first, second = text.split("/")
    return first, second


CULTURES = Weighted([(c, c.weight) for c in data.CULTURES])
GENDERS = Weighted(_odds("female 52, male 45, other 1.5, unknown 1.5"))
RISKS = Weighted(_odds("high 20, medium 45, low 35"))
RISK_FACTOR = {"high": 2.0, "medium": 1.0, "low": 0.6}
PATIENT_STATUS_ODDS = _odds("active 82, on-hold 8, discharged 10")
RELATIONSHIPS = Weighted(data.RELATIONSHIPS)
PROBLEM_STATUS = Weighted(
    _odds("active 85, inactive 5, remission 5, resolved 3, recurrence 1, relapse 1")
)
ALLERGY_COUNT = Weighted(_count_odds("0 45, 1 35, 2 15, 3 5"))
ALLERGY_STATUS = Weighted(_odds("active 92, inactive 5, resolved 3"))
MED_STATUS = Weighted(
    _odds("active 78, on-hold 4, stopped 11, completed 6.5, entered-in-error 0.5")
)
MED_INSTRUCTIONS = (
    "Take with food.",
    "Hold if systolic blood pressure is under 100.",
    "Check blood sugar before each dose.",
    "Do not crush.",
    "Rinse mouth after use.",
)
PLAN_COUNT = Weighted(_count_odds("0 15, 1 55, 2 25, 3 5"))
PLAN_STATUS = Weighted(_odds("active 65, completed 15, draft 10, on-hold 6, revoked 4"))
PLAN_DESCRIPTIONS = (
    "Agreed with the patient and caregiver at the home visit.",
    "Drafted after the hospital discharge; review with the PCP.",
    "Patient's own words: I want to stay at home.",
)
#: A goal's lifecycle status, by its care plan's status.
GOAL_STATUS = {
    "active": Weighted(
        _odds("active 70, accepted 8, proposed 5, on-hold 5, completed 10, cancelled 2")
    ),
    "on-hold": Weighted(_odds("on-hold 80, active 20")),
    "draft": Weighted(_odds("proposed 90, planned 10")),
    "completed": Weighted(_odds("completed 75, cancelled 25")),
    "revoked": Weighted(_odds("cancelled 80, rejected 20")),
}
GOAL_OPEN = frozenset({"active", "accepted", "on-hold", "proposed", "planned"})
ACHIEVEMENT_OPEN = Weighted(
    _odds(
        "in-progress 40, improving 20, worsening 8, no-change 10, no-progress 7,"
        " not-achieved 5, sustaining 5"
    )
)
#: An intervention's status, by its care plan's status.
INTERVENTION_STATUS = {
    "active": Weighted(
        _odds("not-started 20, scheduled 25, in-progress 30, completed 20, on-hold 3, cancelled 2")
    ),
    "on-hold": Weighted(_odds("on-hold 80, in-progress 20")),
    "draft": Weighted(_odds("not-started 100")),
    "completed": Weighted(_odds("completed 85, cancelled 15")),
    "revoked": Weighted(_odds("cancelled 100")),
}
#: When an appointment falls ("past": within a year, "today", "future": within 8
#: weeks) and its status, together. "past/booked" is one whose outcome was never
#: recorded.
WHEN_STATUS = [
    (_pair(pair), weight)
    for pair, weight in _odds(
        "past/fulfilled 48, past/noshow 4.5, past/cancelled 6.5, past/booked 4, past/arrived 0.5,"
        " today/booked 1.3, today/arrived 0.4, today/fulfilled 0.2, today/cancelled 0.1,"
        " future/booked 28, future/proposed 4, future/cancelled 2.5"
    )
]
#: The first appointments go through these, so a small caseload shows every status.
WHEN_STATUS_FIRST = [
    ("past", "fulfilled"),
    ("future", "booked"),
    ("past", "noshow"),
    ("past", "cancelled"),
    ("past", "booked"),
    ("today", "arrived"),
    ("future", "proposed"),
]
PAST_STATUS = Weighted(_odds("fulfilled 80, noshow 8, cancelled 12"))
DURATIONS = (15, 30, 30, 30, 45, 45, 60, 60, 90)
TRANSPORT_PAST = Weighted(_odds("not-needed 70, arranged 24, needed 6"))
TRANSPORT_FUTURE = Weighted(_odds("not-needed 65, arranged 22, needed 13"))
APPOINTMENTS = Weighted(_even(data.APPOINTMENTS))
TASK_STATUS_ODDS = _odds("requested 55, in-progress 15, on-hold 7, completed 18, cancelled 5")
CLOSED_STATUS = Weighted(_odds("completed 80, cancelled 20"))
PRIORITY_ODDS = _odds("routine 70, urgent 18, asap 8, stat 4")
QUEUE_ODDS = list(zip(DEFAULT_QUEUES, (30.0, 15.0, 20.0, 12.0, 23.0), strict=True))
#: When an open task is due.
DUE = Weighted(_odds("overdue 25, today 12, upcoming 40, none 23"))
TASKS_BY_QUEUE = {q: tuple(t for t in data.TASKS if t[0] == q) for q in DEFAULT_QUEUES}
PLAIN_TASKS_BY_QUEUE = {q: tuple(t for t in TASKS_BY_QUEUE[q] if not t[4]) for q in DEFAULT_QUEUES}
NOTE_KIND = Weighted(_odds("call 50, visit 15, message 15, note 20"))
OUTCOME = Weighted(_odds("reached 60, voicemail 18, no-answer 15, wrong-number 2, declined 5"))
NOTES_PER_YEAR = {"high": (8, 24), "medium": (4, 12), "low": (1, 6)}
#: Minutes a note of each kind took, when recorded.
NOTE_MINUTES = {"call": (5, 30), "message": (5, 10), "visit": (30, 60), "note": (5, 15)}
REFERRAL_COUNT = Weighted(_count_odds("0 35, 1 40, 2 18, 3 7"))
REFERRAL_STATUS_ODDS = _odds(
    "draft 8, sent 22, accepted 12, scheduled 12, completed 30, declined 8, cancelled 8"
)
#: Referral statuses that close the loop, with a closed date and an outcome.
REFERRAL_OUTCOMES = frozenset({"completed", "declined", "cancelled"})
REFERRAL_CLOSED = Weighted(_odds("completed 70, declined 15, cancelled 15"))
#: The outcome code of each completed referral's outcome words.
REFERRAL_OUTCOME_CODES = {
    "Seen; recommendations sent to the PCP": "seen",
    "Service started": "services-started",
    "Enrolled; first delivery done": "services-started",
}
#: How many days back a referral of each status was sent.
REFERRAL_SENT = {"sent": (1, 30), "accepted": (7, 60), "scheduled": (7, 60)}
RESOURCE_CATEGORY_ODDS = _odds(
    "food 9, housing 7, transport 8, home-health 7, mental-health 7, financial 6,"
    " specialist 7, pharmacy 5, other 4"
)
REFERRAL_CATEGORY = Weighted(RESOURCE_CATEGORY_ODDS)
_EMAIL_CHARS = frozenset(string.ascii_lowercase + ".")


# -- one patient's context ---------------------------------------------------------------------


@dataclass(slots=True)
class _Person:
    """What the records of one patient need to know about them."""

    id: int
    status: str
    risk: str
    birth: date
    enrolled: date
    #: The last day anything happened: the discharge date, or today.
    until: date
    culture: data.Culture
    family: str
    language: str
    interpreter: bool
    town: str
    pcp: str | None = None
    caregiver: str | None = None
    specialist: tuple[int, str, str, str] | None = None  # contact id, name, specialty, clinic
    problems: list[str] = field(default_factory=list)
    active_meds: list[str] = field(default_factory=list)
    #: Appointments (id, purpose) that took place, were missed, or are to come.
    visits: dict[str, list[tuple[int, str]]] = field(
        default_factory=lambda: {"past": [], "missed": [], "future": []}
    )

    @property
    def discharged(self) -> bool:
        return self.status == "discharged"


class _Caseload:
    """Makes the rows, one small function per table, and writes them chunk by chunk."""

    def __init__(self, rng: Random, today: date, first_ids: dict[type[Record], int]) -> None:
        self.rng = rng
        self.today = today
        self.next_id = dict(first_ids)
        self.rows: dict[type[Record], list[Row]] = {model: [] for model in RECORDS}
        self.written: dict[type[Record], int] = dict.fromkeys(RECORDS, 0)
        self.resources_by_category: dict[str, list[int]] = {}
        self.mrn_offset = rng.randrange(9_000_000)
        # Per-run pickers that first go through every code once.
        self.patient_status = Covering(PATIENT_STATUS_ODDS)
        self.task_status = Covering(TASK_STATUS_ODDS)
        self.priority = Covering(PRIORITY_ODDS)
        self.queue = Covering(QUEUE_ODDS)
        self.when_status = Covering(WHEN_STATUS, WHEN_STATUS_FIRST)
        self.referral_status = Covering(REFERRAL_STATUS_ODDS)
        self.resource_category = Covering(RESOURCE_CATEGORY_ODDS)

    # -- plumbing ------------------------------------------------------------------------------

    def new_id(self, model: type[Record]) -> int:
        rid = self.next_id[model]
        self.next_id[model] = rid + 1
        return rid

    def flush(self, conn: Connection) -> None:
        """Insert what was made, parents before children."""
        for model in RECORDS:
            rows = self.rows[model]
            if rows:
                missing = set(model.__table__.c.keys()) - rows[0].keys()
                if missing:
                    raise RuntimeError(f"seed: {model.__tablename__} rows lack {sorted(missing)}")
                conn.execute(insert(model), rows)
                self.written[model] += len(rows)
                rows.clear()

    def day(self, offset: int) -> date:
        """``today`` moved by ``offset`` days."""
        return self.today + timedelta(days=offset)

    def between(self, first: date, last: date) -> date:
        """A day from ``first`` to ``last`` (``last`` if the span is empty)."""
        span = (last - first).days
        if span <= 0:
            return last
        return first + timedelta(days=self.rng.randint(0, span))

    def at(self, day: date, minute: int) -> datetime:
        """``day`` at ``minute`` past midnight."""
        return datetime(day.year, day.month, day.day, minute // 60, minute % 60)

    def stamp(self, day: date) -> datetime:
        """When a record made on ``day`` was saved: working hours, never after today."""
        return self.at(min(day, self.today), 8 * 60 + 5 * self.rng.randint(0, 108))

    def later(self, saved: datetime, day: date | None) -> datetime:
        """When a record saved at ``saved`` was last changed, on ``day``: never before it."""
        return max(saved, self.stamp(day)) if day is not None else saved

    def phone(self) -> str:
        rng = self.rng
        return f"({rng.choice(data.AREA_CODES)}) 555-01{rng.randint(0, 99):02d}"

    def address(self, town: str) -> str:
        rng = self.rng
        unit = f", Apt {rng.randint(1, 12)}{rng.choice('ABCD')}" if rng.random() < 0.3 else ""
        return (
            f"{rng.randint(2, 1999)} {rng.choice(data.STREETS)}{unit}, "
            f"{town}, {data.STATE} 0{rng.randint(1000, 2799)}"
        )

    def person_name(self, culture: data.Culture | None = None, gender: str = "") -> tuple[str, str]:
        """A given name (of ``gender``, if "female" or "male") and a family name that go
        together."""
        rng = self.rng
        culture = culture or CULTURES.pick(rng)
        if gender not in ("female", "male"):
            gender = "female" if rng.random() < 0.55 else "male"
        given = rng.choice(culture.female if gender == "female" else culture.male)
        return given, rng.choice(culture.family)

    def clinician(self) -> str:
        given, family = self.person_name()
        return f"Dr. {given} {family}"

    # -- the whole caseload --------------------------------------------------------------------

    def write(self, conn: Connection, *, patients: int, tasks: int, appointments: int) -> None:
        rng = self.rng
        self.resources()
        unassigned = round(tasks * UNASSIGNED_SHARE)
        # Who is who first, so tasks and appointments can be shared out by risk and status.
        plan: list[tuple[str, str]] = []
        task_weights: list[int] = []
        visit_weights: list[int] = []
        for _ in range(patients):
            status, risk = self.patient_status.pick(rng), RISKS.pick(rng)
            plan.append((status, risk))
            factor = RISK_FACTOR[risk] * (0.5 + rng.random())
            gone = status == "discharged"
            task_weights.append(1 + int(1000 * factor * (0.3 if gone else 1.0)))
            visit_weights.append(1 + int(1000 * factor * (0.5 if gone else 1.0)))
        task_counts = share(tasks - unassigned, task_weights)
        visit_counts = share(appointments, visit_weights)
        for i, (status, risk) in enumerate(plan):
            self.patient_and_records(conn, status, risk, task_counts[i], visit_counts[i])
            if i % CHUNK == CHUNK - 1:
                self.flush(conn)
        for n in range(unassigned):
            self.task(None)
            if n % BATCH == BATCH - 1:
                self.flush(conn)
        self.flush(conn)

    def patient_and_records(
        self, conn: Connection, status: str, risk: str, tasks: int, visits: int
    ) -> None:
        person = self.patient(status, risk)
        self.contacts(person)
        self.problems(person)
        self.allergies(person)
        self.medications(person)
        self.care_plans(person)
        # A patient may be given most of a huge count: flush as it goes.
        for n in range(visits):
            self.appointment(person)
            if n % BATCH == BATCH - 1:
                self.flush(conn)
        for n in range(tasks):
            self.task(person)
            if n % BATCH == BATCH - 1:
                self.flush(conn)
        self.notes(person)
        for _ in range(REFERRAL_COUNT.pick(self.rng)):
            self.referral(person)

    # -- one function per table ----------------------------------------------------------------

    def resources(self) -> None:
        rng = self.rng
        used: set[str] = set()
        for _ in range(RESOURCES):
            category = self.resource_category.pick(rng)
            name = town = ""
            for _attempt in range(20):
                town = rng.choice(data.TOWNS)
                name = rng.choice(data.RESOURCE_NAMES[category]).format(town=town)
                if name not in used:
                    break
            used.add(name)
            rid = self.new_id(Resource)
            self.resources_by_category.setdefault(category, []).append(rid)
            ext = f" ext. {rng.randint(10, 399)}" if rng.random() < 0.2 else ""
            verified = self.day(-rng.randint(0, 420)) if rng.random() < 0.95 else None
            saved = self.stamp(self.day(-rng.randint(420, 900)))
            self.rows[Resource].append(
                {
                    "id": rid,
                    "name": name,
                    "category": category,
                    "phone": self.phone() + ext,
                    "address": self.address(town),
                    "hours": rng.choice(data.RESOURCE_HOURS),
                    "eligibility": rng.choice(data.RESOURCE_ELIGIBILITY),
                    "languages": rng.choice(data.RESOURCE_LANGUAGES),
                    "notes": rng.choice(data.RESOURCE_NOTES) if rng.random() < 0.3 else None,
                    "last_verified": verified,
                    "created_at": saved,
                    "updated_at": self.later(saved, verified),
                    "version": 1,
                }
            )

    def patient(self, status: str, risk: str) -> _Person:
        rng, today = self.rng, self.today
        culture = CULTURES.pick(rng)
        gender = GENDERS.pick(rng)
        given, family = self.person_name(culture, gender)
        preferred = culture.preferred.get(given) if rng.random() < 0.6 else None
        language, interpreter = "English", False
        if culture.language != "English" and rng.random() < culture.speaks:
            language, interpreter = culture.language, rng.random() < culture.interpreter
        born_last = min(date(2005, 12, 31), today - timedelta(days=18 * 365))
        born = rng.triangular(
            date(1930, 1, 1).toordinal(), born_last.toordinal(), date(1950, 1, 1).toordinal()
        )
        birth = date.fromordinal(int(born))
        enrolled = max(self.day(-int(rng.triangular(0, 5 * 365, 200))), birth)
        discharged = None
        if status == "discharged":
            discharged = self.between(min(enrolled + timedelta(days=30), today), today)
        pid = self.new_id(Patient)
        phone = self.phone() if rng.random() < 0.95 else None
        mrn = f"MRN{1_000_000 + (self.mrn_offset + pid * 7_919) % 9_000_000}"
        member = None
        if rng.random() < 0.95:
            member = f"{rng.choice(data.INSURANCE_PREFIXES)}{rng.randint(10**8, 10**9 - 1)}"
        town = rng.choice(data.TOWNS)
        unreachable = None
        if status == "active" and rng.random() < 0.04:
            unreachable = self.between(max(enrolled, self.day(-60)), self.day(-7))
        saved = self.stamp(enrolled)
        self.rows[Patient].append(
            {
                "id": pid,
                "family_name": family,
                "given_name": given,
                "preferred_name": preferred,
                "birth_date": birth,
                "gender": gender,
                "phone": phone,
                "email": self.email(given, family) if rng.random() < 0.3 else None,
                "address": self.address(town) if rng.random() < 0.97 else None,
                "language": language,
                "interpreter_needed": interpreter,
                "status": status,
                "risk": risk,
                "mrn": mrn,
                "insurance_member_id": member,
                "enrolled_on": enrolled,
                "discharged_on": discharged,
                "care_management": rng.random() < 0.6,
                "unable_to_reach_since": unreachable,
                "search_key": search_key(given, family, preferred, mrn, member, phone or ""),
                "created_at": saved,
                "updated_at": self.later(saved, discharged),
                "version": 1,
            }
        )
        return _Person(
            pid,
            status,
            risk,
            birth,
            enrolled,
            discharged or today,
            culture,
            family,
            language,
            interpreter,
            town,
        )

    def email(self, given: str, family: str) -> str:
        rng = self.rng
        local = "".join(ch for ch in fold(f"{given}.{family}") if ch in _EMAIL_CHARS).strip(".")
        if not any(ch.isalpha() for ch in local):
            local = "home"
        return f"{local}{rng.randint(1, 99)}@{rng.choice(data.EMAIL_DOMAINS)}"

    def contact(
        self,
        person: _Person,
        role: str,
        name: str,
        *,
        relationship: str | None = None,
        organization: str | None = None,
        emergency: bool = False,
        notes: str | None = None,
    ) -> int:
        cid = self.new_id(Contact)
        saved = self.stamp(self.between(person.enrolled, person.until))
        self.rows[Contact].append(
            {
                "id": cid,
                "patient_id": person.id,
                "role": role,
                "name": name,
                "relationship": relationship,
                "organization": organization,
                "phone": self.phone() if self.rng.random() < 0.95 else None,
                "emergency": emergency,
                "notes": notes,
                "created_at": saved,
                "updated_at": saved,
                "version": 1,
            }
        )
        return cid

    def contacts(self, person: _Person) -> None:
        rng = self.rng
        if rng.random() < 0.65:
            relationship, gender = RELATIONSHIPS.pick(rng)
            given, family = self.person_name(person.culture, gender)
            if relationship in data.FAMILY and rng.random() < 0.8:
                family = person.family
            person.caregiver = f"{given} {family}"
            note = rng.choice(data.CAREGIVER_NOTES) if rng.random() < 0.3 else None
            emergency = rng.random() < 0.85
            self.contact(
                person,
                "caregiver",
                person.caregiver,
                relationship=relationship,
                emergency=emergency,
                notes=note,
            )
        if rng.random() < 0.95:
            person.pcp = self.clinician()
            clinic = f"{person.town} Family Health"
            self.contact(
                person, "pcp", person.pcp, relationship="Primary care", organization=clinic
            )
        if rng.random() < 0.85:
            self.contact(person, "pharmacy", f"{rng.choice(data.TOWNS)} Pharmacy")
        for chance in (0.5, 0.15):
            if rng.random() < chance:
                specialty, clinic = rng.choice(data.SPECIALTIES)
                clinic = clinic.format(town=rng.choice(data.TOWNS))
                name = self.clinician()
                cid = self.contact(
                    person, "specialist", name, relationship=specialty, organization=clinic
                )
                person.specialist = person.specialist or (cid, name, specialty, clinic)
        if rng.random() < 0.2:
            given, family = self.person_name()
            agency = f"{person.town} Visiting Nurses"
            self.contact(person, "home-health", f"{given} {family}, RN", organization=agency)
        if rng.random() < 0.15:
            given, family = self.person_name()
            agency = f"{person.town} Elder Services"
            self.contact(person, "social-worker", f"{given} {family}", organization=agency)
        if rng.random() < 0.06:
            given, family = self.person_name()
            self.contact(
                person,
                "other",
                f"{given} {family}",
                relationship=rng.choice(("Neighbour", "Landlord", "Friend from church")),
                emergency=person.caregiver is None,
            )

    def problems(self, person: _Person) -> None:
        rng = self.rng
        boost = RISK_FACTOR[person.risk]
        chosen = [p for p in data.PROBLEMS if rng.random() < min(0.9, p[1] / 100 * boost)]
        if not chosen:
            chosen = [rng.choice(data.PROBLEMS)]
        adult = date(person.birth.year + 20, 1, 1)
        for name, _, _ in chosen:
            status = PROBLEM_STATUS.pick(rng)
            if status in ("active", "recurrence", "relapse"):
                person.problems.append(name)
            saved = self.stamp(self.between(person.enrolled, person.until))
            self.rows[Problem].append(
                {
                    "id": self.new_id(Problem),
                    "patient_id": person.id,
                    "name": name,
                    "clinical_status": status,
                    "onset_date": self.between(adult, self.today) if rng.random() < 0.8 else None,
                    "notes": None,
                    "created_at": saved,
                    "updated_at": saved,
                    "version": 1,
                }
            )

    def allergies(self, person: _Person) -> None:
        rng = self.rng
        for substance, reaction, usual in rng.sample(data.ALLERGIES, ALLERGY_COUNT.pick(rng)):
            roll = rng.random()
            criticality = None if roll > 0.95 else "unable-to-assess" if roll < 0.08 else usual
            saved = self.stamp(self.between(person.enrolled, person.until))
            self.rows[Allergy].append(
                {
                    "id": self.new_id(Allergy),
                    "patient_id": person.id,
                    "substance": substance,
                    "reaction": reaction if rng.random() < 0.9 else None,
                    "criticality": criticality,
                    "clinical_status": ALLERGY_STATUS.pick(rng),
                    "created_at": saved,
                    "updated_at": saved,
                    "version": 1,
                }
            )

    def medications(self, person: _Person) -> None:
        rng = self.rng
        chosen: dict[str, data.Med] = {}
        for name, _, meds in data.PROBLEMS:
            if meds and name in person.problems:
                for med in rng.sample(meds, min(len(meds), rng.randint(1, 2))):
                    chosen.setdefault(med[0], med)
        for med in rng.sample(data.COMMON_MEDS, rng.randint(0, 2)):
            chosen.setdefault(med[0], med)
        for name, doses, route, frequency in chosen.values():
            self.medication(person, name, rng.choice(doses), route, frequency)

    def medication(self, person: _Person, name: str, dose: str, route: str, frequency: str) -> None:
        rng = self.rng
        status = MED_STATUS.pick(rng)
        first = max(person.birth, self.day(-3000))
        start = self.between(first, max(first, min(self.day(-30), person.until)))
        end = stop_reason = refill = None
        if status in ("stopped", "completed"):
            end = self.between(start, person.until)
            stop_reason = rng.choice(data.STOP_REASONS) if status == "stopped" else None
        elif not person.discharged and rng.random() < 0.95:
            roll = rng.random()
            if roll < 0.12:
                refill = self.day(-rng.randint(1, 20))  # overdue
            elif roll < 0.35:
                refill = self.day(rng.randint(0, 7))  # due within the week
            else:
                refill = self.day(rng.randint(8, 90))
        if status == "active":
            person.active_meds.append(f"{name} {dose}")
        reconciled = None
        if rng.random() < 0.75:
            reconciled = self.between(max(start, person.until - timedelta(days=365)), person.until)
        prescriber = person.pcp
        if person.specialist and rng.random() < 0.25:
            prescriber = person.specialist[1]
        saved = self.stamp(start)
        self.rows[Medication].append(
            {
                "id": self.new_id(Medication),
                "patient_id": person.id,
                "name": name,
                "dose": dose,
                "route": route,
                "frequency": frequency,
                "instructions": rng.choice(MED_INSTRUCTIONS) if rng.random() < 0.2 else None,
                "prescriber": prescriber if rng.random() < 0.9 else None,
                "start_date": start,
                "end_date": end,
                "status": status,
                "stop_reason": stop_reason,
                "refill_due": refill,
                "last_reconciled": reconciled,
                "created_at": saved,
                "updated_at": self.later(saved, max(reconciled or start, end or start)),
                "version": 1,
            }
        )

    def care_plans(self, person: _Person) -> None:
        rng = self.rng
        suits = [
            plan
            for plan in data.CARE_PLANS
            if plan[0] not in data.PLAN_FOR
            or any(problem in person.problems for problem in data.PLAN_FOR[plan[0]])
        ]
        for title, goals, interventions in rng.sample(suits, min(len(suits), PLAN_COUNT.pick(rng))):
            self.care_plan(person, title, goals, interventions)

    def care_plan(
        self,
        person: _Person,
        title: str,
        goals: Sequence[tuple[str, str]],
        interventions: Sequence[tuple[str, str]],
    ) -> None:
        rng, today = self.rng, self.today
        status = PLAN_STATUS.pick(rng)
        if person.discharged:
            status = "completed" if rng.random() < 0.8 else "revoked"
        first = max(person.enrolled, person.until - timedelta(days=700))
        start = self.between(first, max(first, person.until - timedelta(days=14)))
        end = review = None
        if status in ("completed", "revoked"):
            end = self.between(min(start + timedelta(days=30), person.until), person.until)
        elif status in ("active", "on-hold"):
            review = self.day(rng.randint(-30, 90))
            end = self.day(rng.randint(30, 365)) if rng.random() < 0.5 else None
        elif rng.random() < 0.5:
            review = self.day(rng.randint(7, 30))
        plan_id = self.new_id(CarePlan)
        saved = self.stamp(start)
        self.rows[CarePlan].append(
            {
                "id": plan_id,
                "patient_id": person.id,
                "title": title,
                "description": rng.choice(PLAN_DESCRIPTIONS) if rng.random() < 0.4 else None,
                "status": status,
                "period_start": start,
                "period_end": end,
                "next_review": review,
                "created_at": saved,
                "updated_at": self.later(saved, end if end and end <= today else None),
                "version": 1,
            }
        )
        goal_ids = [self.goal(person, plan_id, status, start, end, *goal) for goal in goals]
        for description, performer in interventions:
            self.intervention(person, plan_id, status, start, goal_ids, description, performer)

    def goal(
        self,
        person: _Person,
        plan_id: int,
        plan_status: str,
        start: date,
        end: date | None,
        description: str,
        measure: str,
    ) -> int:
        rng = self.rng
        status = GOAL_STATUS[plan_status].pick(rng)
        achievement: str | None
        if rng.random() < 0.15:
            target = None
        elif status in GOAL_OPEN:
            # Some open goals are past their target date: Today shows them.
            target = max(start + timedelta(days=30), self.day(rng.randint(-60, 180)))
        else:
            target = self.between(start + timedelta(days=30), max(start, end or person.until))
        if status == "completed":
            achievement = "achieved" if rng.random() < 0.8 else "sustaining"
        elif status in ("cancelled", "rejected"):
            achievement = rng.choice(("not-achieved", "not-attainable"))
        elif status in ("proposed", "planned"):
            achievement = None
        else:
            achievement = ACHIEVEMENT_OPEN.pick(rng)
        gid = self.new_id(Goal)
        saved = self.stamp(start)
        self.rows[Goal].append(
            {
                "id": gid,
                "patient_id": person.id,
                "care_plan_id": plan_id,
                "description": description,
                "lifecycle_status": status,
                "achievement_status": achievement,
                "target_date": target,
                "measure": measure if rng.random() < 0.85 else None,
                "created_at": saved,
                "updated_at": saved,
                "version": 1,
            }
        )
        return gid

    def intervention(
        self,
        person: _Person,
        plan_id: int,
        plan_status: str,
        start: date,
        goal_ids: list[int],
        description: str,
        performer: str,
    ) -> None:
        rng = self.rng
        status = INTERVENTION_STATUS[plan_status].pick(rng)
        if performer == "PCP":
            performer = person.pcp or "Primary care"
        elif performer == "Caregiver":
            performer = person.caregiver or "Caregiver"
        when: date | None = None
        if status == "scheduled":
            when = self.day(rng.randint(1, 45))
        elif status in ("in-progress", "completed", "cancelled"):
            when = self.between(start, person.until)
        elif rng.random() < 0.3:
            when = self.day(rng.randint(7, 60))
        saved = self.stamp(start)
        self.rows[Intervention].append(
            {
                "id": self.new_id(Intervention),
                "patient_id": person.id,
                "care_plan_id": plan_id,
                "goal_id": rng.choice(goal_ids) if goal_ids and rng.random() < 0.6 else None,
                "description": description,
                "performer": performer,
                "status": status,
                "scheduled_on": when,
                "created_at": saved,
                "updated_at": saved,
                "version": 1,
            }
        )

    def appointment(self, person: _Person) -> None:
        rng, today = self.rng, self.today
        if person.discharged:
            when, status = "past", PAST_STATUS.pick(rng)
        else:
            when, status = self.when_status.pick(rng)
        day = self.appointment_day(person, when)
        purpose, whom, where, recurring, rule = APPOINTMENTS.pick(rng)
        clinic = f"{person.town} Specialty Clinic"
        if whom == "PCP":
            whom = person.pcp or "Primary care"
        elif whom == "specialist" and person.specialist:
            _, name, specialty, clinic = person.specialist
            whom = f"{name} ({specialty})"
        elif whom == "specialist":
            whom = "Specialty clinic"
        if person.interpreter and rng.random() < 0.5:
            purpose = f"{purpose}; {person.language} interpreter booked"
        minute = 8 * 60 + 15 * rng.randint(0, 32)
        end = self.at(day, minute + rng.choice(DURATIONS)) if rng.random() < 0.95 else None
        transport, details = self.transport(when, where, minute)
        outcomes = None
        if when != "future" or status == "cancelled":
            outcomes = data.APPOINTMENT_OUTCOMES.get(status)
        aid = self.new_id(Appointment)
        if when == "future" or (when == "today" and status == "booked"):
            if status in ("booked", "proposed"):
                person.visits["future"].append((aid, purpose))
        elif status in ("noshow", "cancelled"):
            person.visits["missed"].append((aid, purpose))
        else:
            person.visits["past"].append((aid, purpose))
        booked_by = min(day - timedelta(days=3), today)
        saved = self.stamp(self.between(booked_by - timedelta(days=60), booked_by))
        repeats = rule is not None and when != "past" and status == "booked"
        self.rows[Appointment].append(
            {
                "id": aid,
                "patient_id": person.id,
                "start": self.at(day, minute),
                "end": end,
                "with_whom": whom,
                "location": where.format(town=person.town, clinic=clinic),
                "purpose": purpose,
                "status": status,
                "transport": transport,
                "transport_details": details,
                "rrule": rule if repeats and rng.random() < recurring else None,
                "outcome_note": rng.choice(outcomes) if outcomes else None,
                "created_at": saved,
                "updated_at": self.later(saved, day if outcomes else None),
                "version": 1,
            }
        )

    def appointment_day(self, person: _Person, when: str) -> date:
        """A weekday in the year before the patient's last day, today, or in the next 8 weeks."""
        if when == "today":
            return self.today
        if when == "future":
            day = self.day(self.rng.randint(1, 56))
            while day.weekday() >= 5:
                day += timedelta(days=1)
            return day
        last = min(person.until, self.day(-1))
        day = self.between(max(min(person.enrolled, last), last - timedelta(days=365)), last)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day

    def transport(self, when: str, where: str, minute: int) -> tuple[str, str | None]:
        """Transport to an appointment at ``where``, and its details."""
        rng = self.rng
        if where in ("Patient's home", "Telehealth (video)"):
            return "not-needed", None
        transport = (TRANSPORT_PAST if when == "past" else TRANSPORT_FUTURE).pick(rng)
        if transport == "arranged":
            pickup = minute - 45
            clock = f"{pickup // 60}:{pickup % 60:02d}"
            return transport, rng.choice(data.TRANSPORT_ARRANGED).format(pickup=clock)
        if transport == "needed" and rng.random() < 0.4:
            return transport, rng.choice(data.TRANSPORT_NEEDED)
        return transport, None

    def task(self, person: _Person | None) -> None:
        rng = self.rng
        rule: str | None
        appointment_id = None
        if person is None:
            queue, title, rule = rng.choice(data.UNASSIGNED_TASKS)
            origin = "manual"
        else:
            queue, origin, title, rule, link = rng.choice(TASKS_BY_QUEUE[self.queue.pick(rng)])
            if link == "med" and person.active_meds:
                title = title.format(med=rng.choice(person.active_meds))
            elif person.visits.get(link):
                appointment_id, purpose = rng.choice(person.visits[link])
                purpose = purpose.split(";")[0]
                title = title.format(purpose=purpose[:1].lower() + purpose[1:])
            elif link:
                queue, origin, title, rule, link = rng.choice(PLAIN_TASKS_BY_QUEUE[queue])
        if person is not None and person.discharged:
            status = CLOSED_STATUS.pick(rng)
        else:
            status = self.task_status.pick(rng)
        due, wait, done = self.task_dates(person, status)
        if rule and due is None and status not in ("completed", "cancelled"):
            due = self.day(rng.randint(0, 14))
        made = min(due or self.today, self.today) - timedelta(days=rng.randint(0, 30))
        if person is not None:
            made = max(made, min(person.enrolled, self.today))
        saved = self.stamp(made)
        if done is not None and done < saved:
            done = saved
        if origin == "manual" and rng.random() < 0.01:
            origin = "import"
        self.rows[Task].append(
            {
                "id": self.new_id(Task),
                "patient_id": person.id if person else None,
                "title": title,
                "description": rng.choice(data.TASK_DETAILS) if rng.random() < 0.2 else None,
                "queue": queue,
                "status": status,
                "priority": self.priority.pick(rng),
                "due": due,
                "wait_until": wait,
                "rrule": rule,
                "origin": origin,
                "appointment_id": appointment_id,
                "completed_at": done,
                "created_at": saved,
                "updated_at": done or saved,
                "version": 1,
            }
        )

    def task_dates(
        self, person: _Person | None, status: str
    ) -> tuple[date | None, date | None, datetime | None]:
        """Due date, snoozed-until date and completion time for a task of ``status``."""
        rng = self.rng
        due: date | None = None
        if status in ("completed", "cancelled"):
            last = person.until if person else self.today
            if rng.random() < 0.85:
                due = last - timedelta(days=rng.randint(0, 120))
            done = None
            if status == "completed":
                done = self.stamp(due or last - timedelta(days=rng.randint(0, 60)))
            return due, None, done
        when = DUE.pick(rng)
        if when == "overdue":
            due = self.day(-rng.randint(1, 30))
        elif when == "today":
            due = self.today
        elif when == "upcoming":
            due = self.day(rng.randint(1, 45))
        wait = self.day(rng.randint(1, 14)) if rng.random() < 0.08 else None
        return due, wait, None

    def notes(self, person: _Person) -> None:
        rng = self.rng
        first = max(person.enrolled, person.until - timedelta(days=365))
        low, high = NOTES_PER_YEAR[person.risk]
        count = round(rng.randint(low, high) * max((person.until - first).days, 0) / 365)
        for _ in range(count):
            kind = NOTE_KIND.pick(rng)
            outcome = OUTCOME.pick(rng) if kind in ("call", "message") else None
            whom = None
            if kind != "note":
                whom = person.caregiver if person.caregiver and rng.random() < 0.3 else "Patient"
            low_minutes, high_minutes = NOTE_MINUTES[kind]
            minutes = None
            if rng.random() < 0.85:
                minutes = 5 * rng.randint(low_minutes // 5, high_minutes // 5)
            when = self.at(self.between(first, person.until), 8 * 60 + 5 * rng.randint(0, 117))
            self.rows[Note].append(
                {
                    "id": self.new_id(Note),
                    "patient_id": person.id,
                    "occurred_at": when,
                    "kind": kind,
                    "with_whom": whom,
                    "text": rng.choice(data.NOTE_TEXTS[(kind, outcome or "")]),
                    "outcome": outcome,
                    "minutes": minutes,
                    "created_at": when,
                    "updated_at": when,
                    "version": 1,
                }
            )

    def referral(self, person: _Person) -> None:
        rng = self.rng
        closed_only = person.discharged
        status = REFERRAL_CLOSED.pick(rng) if closed_only else self.referral_status.pick(rng)
        contact_id = resource_id = None
        if person.specialist and rng.random() < 0.2:
            contact_id, _, specialty, _ = person.specialist
            reason = f"{specialty}: {rng.choice(data.SPECIALIST_REASONS)}"
        else:
            category = REFERRAL_CATEGORY.pick(rng)
            resource_id = rng.choice(self.resources_by_category[category])
            reason = rng.choice(data.REFERRAL_REASONS[category])
        last = person.until
        sent = due = closed = None
        outcome = appointment_id = None
        if status != "draft":
            back = REFERRAL_SENT.get(status, (30, 300))
            sent = max(last - timedelta(days=rng.randint(*back)), min(person.enrolled, last))
            due = sent + timedelta(days=rng.randint(5, 21))
        if sent is not None and status in REFERRAL_OUTCOMES:
            closed = min(sent + timedelta(days=rng.randint(3, 60)), last)
            outcome = rng.choice(data.REFERRAL_OUTCOMES[status])
        if status == "scheduled" and person.visits["future"]:
            appointment_id = rng.choice(person.visits["future"])[0]
        elif status == "completed" and person.visits["past"] and rng.random() < 0.5:
            appointment_id = rng.choice(person.visits["past"])[0]
        drafted = sent or self.between(person.enrolled, last)
        saved = self.stamp(drafted)
        referral_id = self.new_id(Referral)
        outcome_code = None
        if status == "completed":
            outcome_code = REFERRAL_OUTCOME_CODES.get(outcome or "", "other")
        self.rows[Referral].append(
            {
                "id": referral_id,
                "patient_id": person.id,
                "resource_id": resource_id,
                "contact_id": contact_id,
                "reason": reason,
                "urgency": self.priority.pick(rng),
                "status": status,
                "sent_on": sent,
                "response_due": due,
                "appointment_id": appointment_id,
                "outcome": outcome,
                "outcome_code": outcome_code,
                "closed_on": closed,
                "created_at": saved,
                "updated_at": self.later(saved, closed),
                "version": 1,
            }
        )
        self.referral_steps(person, referral_id, status, drafted, sent, closed, appointment_id)

    def referral_steps(
        self,
        person: _Person,
        referral_id: int,
        status: str,
        drafted: date,
        sent: date | None,
        closed: date | None,
        appointment_id: int | None,
    ) -> None:
        """The steps that brought a referral to ``status``, each on its day, in order."""
        rng = self.rng
        path = ["draft"]
        if sent is not None:
            path.append("sent")
        if status in ("accepted", "scheduled") or (status == "completed"):
            path.append("accepted")
        if status == "scheduled" or (status == "completed" and appointment_id is not None):
            path.append("scheduled")
        if status in REFERRAL_OUTCOMES:
            path.append(status)
        last = closed or person.until
        day = drafted
        for i, step in enumerate(path):
            if step == "sent" and sent is not None:
                day = sent
            elif step == status and closed is not None:
                day = closed
            elif i:
                day = min(day + timedelta(days=rng.randint(1, 6)), last)
            stamp = self.stamp(day)
            self.rows[ReferralStep].append(
                {
                    "id": self.new_id(ReferralStep),
                    "patient_id": person.id,
                    "referral_id": referral_id,
                    "status": step,
                    "taken_on": day,
                    "note": rng.choice(data.REFERRAL_STEP_NOTES[step]) if i else None,
                    "created_at": stamp,
                    "updated_at": stamp,
                    "version": 1,
                }
            )
