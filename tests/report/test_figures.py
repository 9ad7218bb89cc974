"""Every figure of the month on the hand-built caseload (answers in ``builders``), the
month's edges, time zones at midnight, a month still going on, an empty month."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from caretui import codes
from caretui.config import DEFAULT_QUEUES, DEFAULT_THRESHOLDS, Threshold
from caretui.errors import DomainError
from caretui.models.all import Referral
from caretui.queries.report import CloseSpanRow, PlanEvent, PlanRow, to_utc, window
from caretui.services import careplans, notes, patients, records, tasks
from caretui.services.report import (
    Appointments,
    Caseload,
    Held,
    MonthReport,
    QueueTasks,
    Referrals,
    ReviewOutcome,
    highest_met,
    judge_review,
    median_days,
    month_report,
    parse_month,
    plan_reviews,
    review_timeline,
)
from caretui.services.unit import action
from caretui.store.database import Database
from tests.report.builders import MARCH, NOW, NY

R = codes.RiskLevel


def test_caseload(march: MonthReport) -> None:
    assert march.complete
    assert (march.month, march.end, march.as_of) == (MARCH, date(2026, 4, 1), NOW)
    assert march.caseload == Caseload(
        at_start=3,
        at_end=3,
        new=1,
        discharged=1,
        enrolled=2,
        by_risk=((R.HIGH, 1), (R.MEDIUM, 2), (R.LOW, 0)),
    )
    c = march.caseload
    assert c.at_start + c.new - c.discharged == c.at_end


def test_contacts_count_the_first_and_last_minute_of_the_month(
    march: MonthReport, march_db: tuple[Path, dict[str, int]]
) -> None:
    k = march.contacts
    assert dict(k.by_kind) == {"call": 4, "visit": 1, "message": 1, "note": 1}
    assert (k.contacts, k.attempts, k.reached) == (6, 5, 2)
    assert k.reached_share == pytest.approx(0.4)
    assert dict(k.outcomes) == {
        "reached": 2,
        "voicemail": 1,
        "no-answer": 1,
        "wrong-number": 0,
        "declined": 1,
    }
    ids = march_db[1]
    # Ann was reached; Bob had no answer and a voicemail; Dan declined. Cara left mid-month.
    assert [p.id for p in k.not_reached] == [ids["bob"], ids["dan"]]
    assert [p.name() for p in k.not_reached] == ["Díaz, Roberto (Bob)", "Osei, Dan"]


def test_patient_discharged_mid_month(
    march: MonthReport, march_db: tuple[Path, dict[str, int]]
) -> None:
    """Cara, discharged on Mar 15: on the caseload at the start, not at the end, not
    among those to reach, her minutes billed, her open task no longer overdue."""
    cara = march_db[1]["cara"]
    assert march.caseload.discharged == 1
    assert cara not in {p.id for p in march.contacts.not_reached}
    assert [b.minutes for b in march.time.rows if b.patient.id == cara] == [40]
    paperwork = next(q for q in march.tasks.by_queue if q.queue == "paperwork")
    assert paperwork.overdue == 0  # t13, due Mar 10 and still open, is hers


def test_appointments(march: MonthReport) -> None:
    assert march.appointments == Appointments(
        booked=5,
        kept=2,
        no_show=1,
        cancelled=1,
        no_outcome=1,
        proposed=1,
        transport_needed=2,
        transport_arranged=1,
    )
    assert march.appointments.no_show_rate == pytest.approx(1 / 3)


def test_tasks(march: MonthReport) -> None:
    t = march.tasks
    assert (t.completed, t.with_due, t.on_time, t.overdue) == (5, 4, 2, 6)
    assert t.by_queue == (
        QueueTasks("calls", completed=2, with_due=2, on_time=1, overdue=3),
        QueueTasks("follow-up", completed=0, with_due=0, on_time=0, overdue=1),
        QueueTasks("insurance", completed=1, with_due=1, on_time=0, overdue=2),
        QueueTasks("paperwork", completed=2, with_due=1, on_time=1, overdue=0),
    )


def test_care_plans(march: MonthReport, march_db: tuple[Path, dict[str, int]]) -> None:
    p = march.care_plans
    assert (p.reviews_due, p.on_time, p.late, p.missed, p.upcoming) == (6, 3, 1, 2, 0)
    assert p.goals_achieved == 4
    ids = march_db[1]
    got = {(r.plan_id, r.due, r.outcome, r.done_on) for r in p.reviews}
    assert got == {
        (ids["p1"], date(2026, 3, 10), ReviewOutcome.ON_TIME, date(2026, 3, 8)),
        (ids["p2"], date(2026, 3, 12), ReviewOutcome.ON_TIME, date(2026, 3, 12)),
        (ids["p3"], date(2026, 3, 15), ReviewOutcome.MISSED, None),
        (ids["p4"], date(2026, 3, 22), ReviewOutcome.ON_TIME, date(2026, 3, 22)),
        (ids["p5"], date(2026, 3, 14), ReviewOutcome.MISSED, None),
        (ids["p10"], date(2026, 3, 5), ReviewOutcome.LATE, date(2026, 3, 9)),
    }


def test_referrals(march: MonthReport) -> None:
    assert march.referrals == Referrals(
        sent=3, closed=2, median_days_to_close=45.0, open_past_due=2
    )


def test_time_against_the_thresholds(
    march: MonthReport, march_db: tuple[Path, dict[str, int]]
) -> None:
    ids = march_db[1]
    tm = march.time
    rows = [(b.patient.id, b.patient.mrn, b.minutes, b.met) for b in tm.rows]
    # By name: Díaz, Lee, Moss. Ann's 19 minutes miss CCM 20 (her call at 23:59 on
    # Feb 28 and her message at 00:00 on Apr 1 are other months'); Bob's 20 reach it,
    # Cara's 40 reach CCM 40 though she was discharged on the 15th. Dan is not enrolled,
    # Eve came in April, Fay left in February.
    assert rows == [
        (ids["bob"], "MRN-B2", 20, DEFAULT_THRESHOLDS[0]),
        (ids["ann"], "MRN-A1", 19, None),
        (ids["cara"], "MRN-C3", 40, DEFAULT_THRESHOLDS[1]),
    ]
    assert (tm.total_minutes, tm.under) == (79, 1)
    assert [(t.label, n) for t, n in tm.met] == [("CCM 20", 1), ("CCM 40", 1), ("CCM 60", 0)]


@pytest.mark.parametrize(
    ("minutes", "met"),
    [
        (0, None),
        (19, None),
        (20, "CCM 20"),
        (39, "CCM 20"),
        (40, "CCM 40"),
        (59, "CCM 40"),
        (60, "CCM 60"),
        (600, "CCM 60"),
    ],
)
def test_highest_threshold_met(minutes: int, met: str | None) -> None:
    found = highest_met(minutes, DEFAULT_THRESHOLDS)
    assert (found.label if found else None) == met


def test_thresholds_from_the_settings(march_db: tuple[Path, dict[str, int]]) -> None:
    custom = (Threshold(45, "Complex"), Threshold(19, "Basic"))
    con = Database(march_db[0]).read()
    try:
        report = month_report(con, MARCH, thresholds=custom, now=NOW, tz=NY)
    finally:
        con.close()
    assert [(b.minutes, b.met.label if b.met else None) for b in report.time.rows] == [
        (20, "Basic"),
        (19, "Basic"),
        (40, "Basic"),
    ]
    assert [(t.label, n) for t, n in report.time.met] == [("Basic", 3), ("Complex", 0)]
    assert report.time.under == 0


def test_series(march: MonthReport) -> None:
    months = march.series.months
    assert [m.month for m in months] == [date(2025, m, 1) for m in range(4, 13)] + [
        date(2026, m, 1) for m in (1, 2, 3)
    ]
    assert [m.contacts for m in months] == [0] * 10 + [1, 6]
    assert [(m.kept, m.no_show) for m in months[-2:]] == [(0, 0), (2, 1)]
    assert months[-2].no_show_rate is None
    assert months[-1].no_show_rate == pytest.approx(1 / 3)
    # t15, due in February and done only on Mar 3, was overdue at the end of February.
    assert [m.overdue for m in months] == [0] * 10 + [1, 6]
    weeks = march.series.weeks
    assert (weeks[0].start, weeks[-1].start, len(weeks)) == (
        date(2025, 3, 31),
        date(2026, 3, 30),
        53,
    )
    # Sat Feb 28 23:59 and Sun Mar 1 00:00 fall in the week of Mon Feb 23.
    assert [(w.start, w.contacts) for w in weeks if w.contacts] == [
        (date(2026, 2, 23), 2),
        (date(2026, 3, 2), 1),
        (date(2026, 3, 9), 2),
        (date(2026, 3, 16), 1),
        (date(2026, 3, 30), 1),
    ]


def test_february_sees_its_last_minute(march_db: tuple[Path, dict[str, int]]) -> None:
    con = Database(march_db[0]).read()
    try:
        feb = month_report(con, date(2026, 2, 1), now=NOW, tz=NY)
    finally:
        con.close()
    assert dict(feb.contacts.by_kind)[codes.NoteKind.CALL] == 1  # Ann's call at 23:59 on the 28th
    assert [(b.patient.family_name, b.minutes) for b in feb.time.rows] == [
        ("Lee", 30),
        ("Moss", 0),
        ("Quinn", 0),  # discharged on Feb 10: in February's table
    ]
    assert feb.caseload.discharged == 1
    assert feb.appointments.booked == 1  # Feb 28 23:29, no outcome
    assert feb.tasks.overdue == 1


def test_time_zone_at_midnight(march_db: tuple[Path, dict[str, int]]) -> None:
    """Three records sit at midnight in New York but not in UTC: task t12 saved at
    23:30 on Mar 31 (03:30 UTC on Apr 1), plan p2 reviewed at 22:00 on its due day
    (02:00 UTC the next day), goal g5 last changed at 22:00 on Mar 31."""
    con = Database(march_db[0]).read()
    try:
        utc = month_report(con, MARCH, now=NOW, tz=UTC)
    finally:
        con.close()
    assert utc.tasks.overdue == 5
    assert (utc.care_plans.on_time, utc.care_plans.late) == (2, 2)
    assert utc.care_plans.goals_achieved == 3
    # Local wall-clock times do not move with the zone.
    assert utc.contacts.contacts == 6
    assert utc.tasks.completed == 5


def test_to_utc_follows_daylight_saving() -> None:
    assert to_utc(datetime(2026, 3, 1), NY) == datetime(2026, 3, 1, 5)
    assert to_utc(datetime(2026, 4, 1), NY) == datetime(2026, 4, 1, 4)


def test_empty_month(db: Database) -> None:
    con = db.read()
    try:
        report = month_report(con, MARCH, now=NOW, tz=NY)
    finally:
        con.close()
    assert report.caseload == Caseload(0, 0, 0, 0, 0, ((R.HIGH, 0), (R.MEDIUM, 0), (R.LOW, 0)))
    assert report.contacts.reached_share is None
    assert report.contacts.not_reached == ()
    assert report.appointments.no_show_rate is None
    assert (report.tasks.completed, report.tasks.overdue, report.tasks.by_queue) == (0, 0, ())
    assert report.care_plans.reviews == ()
    assert report.referrals == Referrals(0, 0, None, 0)
    assert (report.time.rows, report.time.total_minutes, report.time.under) == ((), 0, 0)
    assert all(m.contacts == m.overdue == 0 for m in report.series.months)
    assert all(w.contacts == 0 for w in report.series.weeks)


def test_month_in_progress(db: Database, today: date) -> None:
    """Seen at noon on Wed Mar 11: month-end figures are today's. Due yesterday is
    overdue, due today is not; a review due today is still to come, one due yesterday
    and untouched is missed."""
    now = datetime(2026, 3, 11, 12, 0)
    with action(db, "build") as s:
        pid = patients.create_patient(
            s,
            {"given_name": "Ann", "family_name": "Lee", "care_management": True},
            today=date(2026, 1, 1),
        ).id
        for due in ("2026-03-10", "2026-03-11", "2026-03-12"):
            tasks.add_task(
                s,
                {"title": due, "queue": "calls", "due": due},
                today=date(2026, 1, 1),
                queues=DEFAULT_QUEUES,
            )
        for review in ("2026-03-10", "2026-03-11", "2026-03-20"):
            careplans.add_care_plan(
                s, pid, {"title": review, "next_review": review}, today=date(2026, 1, 1)
            )
        notes.log_note(s, pid, kind="call", outcome="reached", minutes=25, occurred_at=now, now=now)
        for due in ("2026-03-10", "2026-03-11"):
            records.create(
                s,
                Referral,
                {
                    "patient_id": pid,
                    "reason": due,
                    "status": "sent",
                    "sent_on": "2026-03-01",
                    "response_due": due,
                },
                today=today,
            )
    db.dispose()
    with sqlite3.connect(db.path) as raw:
        raw.execute("UPDATE task SET created_at = '2026-03-01 12:00:00.000000'")
    raw.close()
    con = db.read()
    try:
        report = month_report(con, MARCH, now=now, tz=NY)
    finally:
        con.close()
    assert not report.complete
    assert report.tasks.overdue == 1
    p = report.care_plans
    assert (p.reviews_due, p.missed, p.upcoming) == (3, 1, 2)
    assert report.referrals.open_past_due == 1
    assert report.caseload.at_end == 1
    assert [b.minutes for b in report.time.rows] == [25]
    assert report.series.months[-1].overdue == 1


# --------------------------------------------------------------------------- pure parts


def _plan(next_review: str | None, plan_id: int = 1, status: str = "active") -> PlanRow:
    return PlanRow(
        plan_id,
        status,
        date.fromisoformat(next_review) if next_review else None,
        datetime(2026, 1, 1),
        datetime(2026, 3, 30),
    )


def _event(at: str, old: str | None, new: str | None, action: str = "update") -> PlanEvent:
    return PlanEvent(
        1,
        datetime.fromisoformat(at),
        action,
        date.fromisoformat(old) if old else None,
        date.fromisoformat(new) if new else None,
    )


def test_review_timeline_from_the_trail() -> None:
    events = [
        _event("2026-01-01 10:00", None, "2026-03-10", "create"),
        _event("2026-03-12 10:00", "2026-03-10", "2026-06-10"),
    ]
    assert review_timeline(_plan("2026-06-10"), events) == [
        Held(date(2026, 3, 10), datetime(2026, 3, 12, 10), date(2026, 6, 10)),
        Held(date(2026, 6, 10), None, None),
    ]
    # No trail (seeded, imported): the current date, held since the plan was made.
    assert review_timeline(_plan("2026-03-10"), []) == [Held(date(2026, 3, 10), None, None)]
    # A change the trail missed is dated by the plan's last change.
    assert review_timeline(_plan("2026-07-01"), events)[-2:] == [
        Held(date(2026, 6, 10), datetime(2026, 3, 30), date(2026, 7, 1)),
        Held(date(2026, 7, 1), None, None),
    ]


def test_an_undone_review_is_judged_by_its_last_holding() -> None:
    events = [
        _event("2026-01-01 10:00", None, "2026-03-10", "create"),
        _event("2026-03-09 10:00", "2026-03-10", "2026-06-10"),  # done early
        _event("2026-03-09 10:05", "2026-06-10", "2026-03-10"),  # undone
    ]
    reviews = plan_reviews(
        [_plan("2026-03-10")], events, date(2026, 3, 1), date(2026, 4, 1), date(2026, 4, 2)
    )
    assert [(r.due, r.outcome) for r in reviews] == [(date(2026, 3, 10), ReviewOutcome.MISSED)]


@pytest.mark.parametrize(
    ("left", "replaced_by", "today", "outcome"),
    [
        (None, None, "2026-03-09", ReviewOutcome.UPCOMING),
        (None, None, "2026-03-10", ReviewOutcome.UPCOMING),
        (None, None, "2026-03-11", ReviewOutcome.MISSED),
        ("2026-03-10 23:59", "2026-06-10", "2026-04-02", ReviewOutcome.ON_TIME),
        ("2026-03-11 00:00", "2026-06-10", "2026-04-02", ReviewOutcome.LATE),
        ("2026-05-20 09:00", "2026-08-20", "2026-06-02", ReviewOutcome.LATE),
        ("2026-03-10 09:00", None, "2026-04-02", None),  # closed on the day: never due
        ("2026-03-08 09:00", "2026-03-09", "2026-04-02", None),  # moved earlier
        ("2026-03-12 09:00", None, "2026-04-02", ReviewOutcome.MISSED),  # closed after
    ],
)
def test_judge_review(
    left: str | None, replaced_by: str | None, today: str, outcome: ReviewOutcome | None
) -> None:
    held = Held(
        date(2026, 3, 10),
        datetime.fromisoformat(left) if left else None,
        date.fromisoformat(replaced_by) if replaced_by else None,
    )
    review = judge_review(held, 1, date.fromisoformat(today))
    assert (review.outcome if review else None) == outcome


def test_drafts_have_no_reviews_due() -> None:
    plans = [_plan("2026-03-10", status="draft")]
    assert plan_reviews(plans, [], date(2026, 3, 1), date(2026, 4, 1), date(2026, 4, 2)) == ()


def test_median_days() -> None:
    d = date(2026, 3, 1)
    assert median_days([]) is None
    assert median_days([CloseSpanRow(d, date(2026, 3, 11), 1)]) == 10
    assert (
        median_days([CloseSpanRow(d, date(2026, 3, 3), 2), CloseSpanRow(d, date(2026, 3, 31), 1)])
        == 2
    )
    assert (
        median_days([CloseSpanRow(d, date(2026, 3, 3), 1), CloseSpanRow(d, date(2026, 3, 6), 1)])
        == 3.5
    )
    # Closed before it was sent (a hand edit): left out.
    assert median_days([CloseSpanRow(d, date(2026, 2, 1), 1)]) is None


def test_window_of_a_month() -> None:
    w = window(date(2026, 3, 17), datetime(2026, 4, 2, 9), NY)
    assert (w.start, w.end, w.complete) == (date(2026, 3, 1), date(2026, 4, 1), True)
    assert w.cut.at == datetime(2026, 4, 1)
    assert (w.cut.due_before, w.cut.dated_before) == (date(2026, 4, 1), date(2026, 4, 1))
    assert len(w.days) == 31
    now = datetime(2026, 3, 11, 12)
    w = window(date(2026, 3, 1), now, NY)
    assert not w.complete
    assert (w.cut.at, w.cut.due_before, w.cut.dated_before) == (
        now,
        date(2026, 3, 11),
        date(2026, 3, 12),
    )
    assert w.month_cuts[-2].at == datetime(2026, 3, 1)


@pytest.mark.parametrize("text", ["2026-03", "2026-3", " 2026-03 "])
def test_parse_month(text: str) -> None:
    assert parse_month(text) == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "'2026-13' is not a month: use YYYY-MM, for example 2026-03"),
        ("2026-00", "'2026-00' is not a month: use YYYY-MM, for example 2026-03"),
        ("march", "'march' is not a month: use YYYY-MM, for example 2026-03"),
        ("2026-03-01", "'2026-03-01' is not a month: use YYYY-MM, for example 2026-03"),
        ("9999-12", "'9999-12' is not a month: use YYYY-MM, for example 2026-03"),
        ("\x1b]0;x\x07", "'\\x1b]0;x\\x07' is not a month: use YYYY-MM, for example 2026-03"),
    ],
)
def test_parse_month_refuses(text: str, message: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_month(text)
    assert str(info.value) == message
