"""The report on a seeded caseload matches a count made here, independently.

The count below reads every row with plain sqlite3 and counts in Python, one
record at a time, from the definitions in ``caretui.services.report``'s
docstring: no SQL filtering, no code shared with the report but the parsing of
stored text and the conversion of stored UTC to local time.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from caretui.config import DEFAULT_THRESHOLDS
from caretui.services.report import MonthReport, month_report
from caretui.services.seed import seed_caseload
from caretui.store.database import Database

SEED_TODAY = date(2026, 3, 11)
CHICAGO = ZoneInfo("America/Chicago")
OPEN_TASK = {
    "draft",
    "requested",
    "received",
    "accepted",
    "ready",
    "in-progress",
    "on-hold",
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeded") / "caseload.db"
    db = Database.open(path)
    try:
        seed_caseload(db, patients=60, seed=3, today=SEED_TODAY)
    finally:
        db.dispose()
    return path


def rows(path: Path, table: str) -> list[dict[str, Any]]:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(f'SELECT * FROM "{table}"')]
    finally:
        con.close()


def day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def local(utc: datetime, tz: tzinfo) -> datetime:
    return utc.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)


@dataclass
class Moment:
    """Where "month end" is: midnight after the month, or now if earlier."""

    at: datetime

    @property
    def today(self) -> date:
        return self.at.date()

    @property
    def days_until(self) -> date:
        """Date-only events before this day have happened by the moment."""
        return self.today if self.at.time() == time() else self.today + timedelta(days=1)


def next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def count(path: Path, first: date, now: datetime, tz: tzinfo) -> dict[str, Any]:
    """Every figure of the month, counted by hand."""
    end = next_month(first)
    moment = Moment(min(datetime.combine(end, time()), now))

    def month_of(value: date | datetime | None) -> bool:
        if value is None:
            return False
        d = value.date() if isinstance(value, datetime) else value
        return first <= d < end

    patients = rows(path, "patient")
    for p in patients:
        enrolled = day(p["enrolled_on"])
        if enrolled is None:
            enrolled = local(instant(p["created_at"]), tz).date()  # type: ignore[arg-type]
        p["_enrolled"] = enrolled
        p["_discharged"] = day(p["discharged_on"])

    def on_caseload(p: dict[str, Any], on: date) -> bool:
        return p["_enrolled"] < on and (p["_discharged"] is None or p["_discharged"] >= on)

    at_end = [p for p in patients if on_caseload(p, moment.days_until)]
    out: dict[str, Any] = {
        "at_start": sum(on_caseload(p, first) for p in patients),
        "at_end": len(at_end),
        "new": sum(first <= p["_enrolled"] < moment.days_until for p in patients),
        "discharged": sum(
            p["_discharged"] is not None and first <= p["_discharged"] < moment.days_until
            for p in patients
        ),
        "enrolled": sum(bool(p["care_management"]) for p in at_end),
        "by_risk": {r: sum(p["risk"] == r for p in at_end) for r in ("high", "medium", "low")},
    }

    notes = [n for n in rows(path, "note") if month_of(instant(n["occurred_at"]))]
    out["by_kind"] = Counter(n["kind"] for n in notes)
    out["contacts"] = sum(n["kind"] in ("call", "visit", "message") for n in notes)
    attempts = [n for n in notes if n["kind"] in ("call", "message") and n["outcome"]]
    out["attempts"] = len(attempts)
    out["reached"] = sum(n["outcome"] == "reached" for n in attempts)
    reached_ids = {
        n["patient_id"] for n in notes if n["kind"] == "visit" or n["outcome"] == "reached"
    }
    out["not_reached"] = sorted(p["id"] for p in at_end if p["id"] not in reached_ids)

    appointments = [a for a in rows(path, "appointment") if month_of(instant(a["start"]))]
    status = Counter(a["status"] for a in appointments)
    out["booked"] = sum(n for s, n in status.items() if s != "proposed")
    out["kept"] = status["fulfilled"] + status["arrived"]
    out["no_show"] = status["noshow"]
    out["cancelled"] = status["cancelled"]
    out["no_outcome"] = status["booked"]
    riding = [
        a
        for a in appointments
        if a["status"] not in ("proposed", "cancelled") and a["transport"] != "not-needed"
    ]
    out["transport"] = (len(riding), sum(a["transport"] == "arranged" for a in riding))

    tasks = rows(path, "task")
    discharged_on = {p["id"]: p["_discharged"] for p in patients}
    done = [t for t in tasks if t["status"] == "completed" and month_of(instant(t["completed_at"]))]
    out["completed"] = len(done)
    with_due = [t for t in done if t["due"]]
    out["with_due"] = len(with_due)
    out["on_time"] = sum(instant(t["completed_at"]).date() <= day(t["due"]) for t in with_due)  # type: ignore[union-attr,operator]

    def overdue_at(t: dict[str, Any], m: Moment) -> bool:
        due = day(t["due"])
        if due is None or due >= m.today or t["status"] == "entered-in-error":
            return False
        if local(instant(t["created_at"]), tz) >= m.at:  # type: ignore[arg-type]
            return False
        gone = discharged_on.get(t["patient_id"])
        if gone is not None and gone < m.days_until:
            return False
        if t["status"] in OPEN_TASK:
            return True
        if t["status"] == "completed" and t["completed_at"]:
            return instant(t["completed_at"]) >= m.at  # type: ignore[operator]
        return local(instant(t["updated_at"]), tz) >= m.at  # type: ignore[arg-type]

    out["overdue"] = sum(overdue_at(t, moment) for t in tasks)
    by_queue: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for t in done:
        by_queue[t["queue"]][0] += 1
        if t["due"]:
            by_queue[t["queue"]][1] += 1
            by_queue[t["queue"]][2] += instant(t["completed_at"]).date() <= day(t["due"])  # type: ignore[union-attr,operator]
    for t in tasks:
        if overdue_at(t, moment):
            by_queue[t["queue"]][3] += 1
    out["by_queue"] = {q: tuple(v) for q, v in by_queue.items()}

    # Seeded plans have no audit trail of their own: each holds its current date.
    reviews: Counter[str] = Counter()
    for c in rows(path, "care_plan"):
        review = day(c["next_review"])
        if c["status"] != "draft" and review is not None and first <= review < end:
            reviews["upcoming" if review >= now.date() else "missed"] += 1
    out["reviews"] = reviews
    assert not [a for a in rows(path, "audit_event") if a["entity"] in ("care_plan", "goal")]
    out["goals_achieved"] = sum(
        g["achievement_status"] in ("achieved", "sustaining")
        and month_of(local(instant(g["updated_at"]), tz))  # type: ignore[arg-type]
        for g in rows(path, "goal")
    )

    referrals = rows(path, "referral")
    out["sent"] = sum(month_of(day(r["sent_on"])) for r in referrals)
    closed = [r for r in referrals if month_of(day(r["closed_on"]))]
    out["closed"] = len(closed)
    spans = [(day(r["closed_on"]) - day(r["sent_on"])).days for r in closed if r["sent_on"]]  # type: ignore[operator]
    out["median"] = float(median(spans)) if spans else None
    out["open_past_due"] = sum(
        r["sent_on"] is not None
        and day(r["sent_on"]) < moment.days_until  # type: ignore[operator]
        and r["response_due"] is not None
        and day(r["response_due"]) < moment.today  # type: ignore[operator]
        and (
            (r["closed_on"] is not None and day(r["closed_on"]) >= moment.days_until)  # type: ignore[operator]
            or (
                r["closed_on"] is None and r["status"] not in ("completed", "declined", "cancelled")
            )
        )
        for r in referrals
    )

    minutes: dict[int, int] = defaultdict(int)
    for n in notes:
        minutes[n["patient_id"]] += n["minutes"] or 0
    billed = [
        p
        for p in patients
        if p["care_management"]
        and p["_enrolled"] < moment.days_until
        and (p["_discharged"] is None or p["_discharged"] >= first)
    ]
    out["billing"] = {p["id"]: (p["mrn"], minutes[p["id"]]) for p in billed}
    thresholds = [t.minutes for t in DEFAULT_THRESHOLDS]
    out["met"] = Counter(
        max((t for t in thresholds if minutes[p["id"]] >= t), default=None) for p in billed
    )

    # The chart's months: contacts, kept / no-show, overdue at each month's end.
    months = []
    start = first
    for _ in range(11):
        start = (start - timedelta(days=1)).replace(day=1)
    all_notes = rows(path, "note")
    all_appointments = rows(path, "appointment")
    for _ in range(12):
        stop = next_month(start)

        def inside(value: Any, a: date = start, b: date = stop) -> bool:
            return a <= instant(value).date() < b  # type: ignore[union-attr]

        statuses = Counter(a["status"] for a in all_appointments if inside(a["start"]))
        m = Moment(min(datetime.combine(stop, time()), now))
        months.append(
            (
                start,
                sum(
                    n["kind"] in ("call", "visit", "message") and inside(n["occurred_at"])
                    for n in all_notes
                ),
                statuses["fulfilled"] + statuses["arrived"],
                statuses["noshow"],
                sum(overdue_at(t, m) for t in tasks),
            )
        )
        start = stop
    out["months"] = months
    monday = months[0][0] - timedelta(days=months[0][0].weekday())
    weekly: Counter[int] = Counter()
    for n in all_notes:
        when = instant(n["occurred_at"])
        if n["kind"] in ("call", "visit", "message") and monday <= when.date() < end:  # type: ignore[union-attr]
            weekly[(when.date() - monday).days // 7] += 1  # type: ignore[union-attr]
    out["weeks"] = weekly
    return out


def figures(report: MonthReport) -> dict[str, Any]:
    """The report's figures in the shape ``count`` returns."""
    c, k, a, t = report.caseload, report.contacts, report.appointments, report.tasks
    p, r, tm = report.care_plans, report.referrals, report.time
    return {
        "at_start": c.at_start,
        "at_end": c.at_end,
        "new": c.new,
        "discharged": c.discharged,
        "enrolled": c.enrolled,
        "by_risk": {risk.value: n for risk, n in c.by_risk},
        "by_kind": Counter({kind.value: n for kind, n in k.by_kind if n}),
        "contacts": k.contacts,
        "attempts": k.attempts,
        "reached": k.reached,
        "not_reached": sorted(p.id for p in k.not_reached),
        "booked": a.booked,
        "kept": a.kept,
        "no_show": a.no_show,
        "cancelled": a.cancelled,
        "no_outcome": a.no_outcome,
        "transport": (a.transport_needed, a.transport_arranged),
        "completed": t.completed,
        "with_due": t.with_due,
        "on_time": t.on_time,
        "overdue": t.overdue,
        "by_queue": {q.queue: (q.completed, q.with_due, q.on_time, q.overdue) for q in t.by_queue},
        "reviews": Counter(
            {o: n for o, n in (("missed", p.missed), ("upcoming", p.upcoming)) if n}
        ),
        "goals_achieved": p.goals_achieved,
        "sent": r.sent,
        "closed": r.closed,
        "median": r.median_days_to_close,
        "open_past_due": r.open_past_due,
        "billing": {b.patient.id: (b.patient.mrn, b.minutes) for b in tm.rows},
        "met": Counter(b.met.minutes if b.met else None for b in tm.rows),
        "months": [
            (m.month, m.contacts, m.kept, m.no_show, m.overdue) for m in report.series.months
        ],
        "weeks": Counter({i: w.contacts for i, w in enumerate(report.series.weeks) if w.contacts}),
    }


@pytest.mark.parametrize(
    ("month", "now"),
    [
        (date(2026, 2, 1), datetime(2026, 3, 11, 12, 0)),  # the last complete month
        (date(2026, 3, 1), datetime(2026, 3, 11, 12, 0)),  # this month, so far
        (date(2025, 12, 1), datetime(2026, 3, 11, 12, 0)),
        (date(2025, 6, 1), datetime(2026, 3, 11, 0, 0)),  # now at midnight
    ],
)
def test_report_matches_an_independent_count(seeded: Path, month: date, now: datetime) -> None:
    con = Database(seeded).read()
    try:
        report = month_report(con, month, now=now, tz=CHICAGO)
    finally:
        con.close()
    expected = count(seeded, month, now, CHICAGO)
    got = figures(report)
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == expected[key], key
    # The seeded year has something in every part of this month's report.
    if month == date(2026, 2, 1):
        assert got["contacts"] and got["booked"] and got["completed"] and got["billing"]
        assert got["sent"] and got["not_reached"] and got["overdue"]
