"""A small hand-built caseload whose March 2026 has known answers.

Every record goes in through the services. What a service cannot set (the
time a record was saved, the time an audit event was written, both UTC) is
then set with plain sqlite3, as an older caseload would have it. Each expected
figure is written beside the records that make it, in ``EXPECTED`` (with the
local zone America/New_York, where 2026-04-01 04:00 UTC is local midnight).
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from caretui.config import DEFAULT_QUEUES
from caretui.models.all import Appointment, CarePlan, Goal, Patient, Referral, Task
from caretui.services import appointments, careplans, notes, patients, records, tasks
from caretui.services.unit import action
from caretui.store.database import Database

NY = ZoneInfo("America/New_York")
MARCH = date(2026, 3, 1)
#: When the report on March is made (local time): the month is over.
NOW = datetime(2026, 4, 2, 9, 0)
#: When a task or record was saved, unless said otherwise (UTC, before March's end).
SAVED = "2026-03-01 12:00:00.000000"


def _utc(text: str) -> str:
    """ "2026-03-08 15:00" -> the stored form of that UTC instant."""
    return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M:%S.%f")


def build_march(db: Database) -> dict[str, int]:
    """The caseload; returns name -> record id."""
    ids: dict[str, int] = {}
    plan_times: dict[str, str] = {}  # action label -> UTC time of its audit events
    day = date(2026, 4, 2)

    def patient(name: str, **fields: Any) -> None:
        with action(db, f"patient {name}") as s:
            ids[name] = patients.create_patient(s, fields, today=day).id

    # Caseload. On the caseload at the start of March: ann, cara, dan (3).
    # At its end: ann, bob, dan (3). New: bob. Discharged: cara (on the 15th).
    # In care management at the end: ann, bob. eve comes in April, fay left in February.
    patient(
        "ann",
        given_name="Ann",
        family_name="Lee",
        risk="high",
        mrn="MRN-A1",
        enrolled_on="2025-06-01",
        care_management=True,
    )
    patient(
        "bob",
        given_name="Roberto",
        family_name="Díaz",
        preferred_name="Bob",
        risk="medium",
        mrn="MRN-B2",
        enrolled_on="2026-03-10",
        care_management=True,
    )
    patient(
        "cara",
        given_name="Cara",
        family_name="Moss",
        risk="low",
        mrn="MRN-C3",
        enrolled_on="2025-01-01",
        care_management=True,
    )
    patient(
        "dan",
        given_name="Dan",
        family_name="Osei",
        risk="medium",
        mrn="MRN-D4",
        enrolled_on="2025-02-01",
        care_management=False,
    )
    patient(
        "eve",
        given_name="Eve",
        family_name="Park",
        risk="high",
        mrn="MRN-E5",
        enrolled_on="2026-04-01",
        care_management=True,
    )
    patient(
        "fay",
        given_name="Fay",
        family_name="Quinn",
        risk="low",
        mrn="MRN-F6",
        enrolled_on="2024-01-01",
        care_management=True,
    )
    with action(db, "discharge") as s:
        patients.discharge(s, records.get(s, Patient, ids["cara"]), on=date(2026, 3, 15), today=day)
        patients.discharge(s, records.get(s, Patient, ids["fay"]), on=date(2026, 2, 10), today=day)

    # Notes. Month boundaries: 23:59 on Feb 28 and 00:00 on Apr 1 are out, 00:00 on
    # Mar 1 and 23:59 on Mar 31 are in. Minutes: ann 10 + 9 = 19 (under CCM 20),
    # bob 20 (CCM 20 exactly), cara 25 + 15 = 40 (CCM 40 exactly); dan is not in care
    # management.
    with action(db, "notes") as s:

        def log(who: str, when: str, kind: str, **fields: Any) -> None:
            notes.log_note(
                s, ids[who], kind=kind, occurred_at=datetime.fromisoformat(when), now=NOW, **fields
            )

        log("ann", "2026-02-28 23:59", "call", outcome="reached", minutes=30)
        log("ann", "2026-03-01 00:00", "call", outcome="reached", minutes=10)
        log("ann", "2026-03-31 23:59", "visit", minutes=9)
        log("ann", "2026-04-01 00:00", "message", outcome="reached", minutes=30)
        log("bob", "2026-03-12 10:00", "call", outcome="no-answer", minutes=20)
        log("bob", "2026-03-13 10:00", "message", outcome="voicemail")
        log("cara", "2026-03-05 10:00", "call", outcome="reached", minutes=25)
        log("cara", "2026-03-06 10:00", "note", text="Faxed the forms", minutes=15)
        log("dan", "2026-03-20 10:00", "call", outcome="declined", minutes=45)

    # Appointments starting in March: booked 5 (a1 a2 a3 a4 a8), kept 2 (a1 fulfilled,
    # a8 arrived), no-show 1 (a2), cancelled 1 (a3), no outcome 1 (a4), proposed 1 (a7).
    # Transport: needed 2 (a1 arranged, a2 not), the cancelled a3 left out.
    def appt(name: str, who: str, start: str, **fields: Any) -> None:
        with action(db, f"appointment {name}") as s:
            ids[name] = appointments.add_appointment(
                s,
                ids[who],
                {"start": start, "purpose": f"Visit {name}", **fields},
                today=date(2026, 2, 1),
            ).id

    appt("a1", "ann", "2026-03-03 10:00", transport="arranged", transport_details="Ride at 9")
    appt("a2", "bob", "2026-03-16 10:00", transport="needed")
    appt("a3", "dan", "2026-03-20 09:00", transport="needed")
    appt("a4", "ann", "2026-03-31 23:30")
    appt("a5", "ann", "2026-04-01 00:00")
    appt("a6", "ann", "2026-02-28 23:29")
    appt("a7", "bob", "2026-03-25 10:00", status="proposed")
    appt("a8", "cara", "2026-03-10 11:00")
    with action(db, "outcomes") as s:
        appointments.record_outcome(s, records.get(s, Appointment, ids["a1"]), "fulfilled", now=NOW)
        missed = appointments.record_outcome(
            s, records.get(s, Appointment, ids["a2"]), "noshow", today=date(2026, 3, 16), now=NOW
        )
        assert missed.follow_up is not None
        ids["t11"] = missed.follow_up.id  # follow-up queue, due Tue Mar 17
        appointments.record_outcome(s, records.get(s, Appointment, ids["a3"]), "cancelled", now=NOW)
        appointments.update_appointment(
            s, records.get(s, Appointment, ids["a8"]), {"status": "arrived"}, today=day
        )

    # Tasks. Completed in March: t1 (on time), t2 (late), t3 (no due date), t4 (on time,
    # at 23:59 on the 31st), t15 (late, due in February): 5, 4 with a due date, 2 on time.
    # Overdue at the end of March: t5 (done only at 00:00 on Apr 1), t6, t7 (due the
    # 31st), t10 (cancelled only in April), t11, t12 (saved at 23:30 local on the 31st):
    # 6. Not: t8 (due Apr 1), t9 (cancelled in March), t13 (its patient discharged),
    # t14 (entered in error). At the end of February: t15 only.
    def task(name: str, queue: str, due: str | None, who: str | None = None) -> None:
        with action(db, f"task {name}") as s:
            fields = {
                "title": f"Task {name}",
                "queue": queue,
                "due": due,
                "patient_id": ids[who] if who else None,
            }
            ids[name] = tasks.add_task(s, fields, today=date(2026, 2, 1), queues=DEFAULT_QUEUES).id

    task("t1", "calls", "2026-03-10", "ann")
    task("t2", "calls", "2026-03-10", "bob")
    task("t3", "paperwork", None)
    task("t4", "paperwork", "2026-03-31")
    task("t5", "calls", "2026-03-25", "dan")
    task("t6", "insurance", "2026-03-05")
    task("t7", "insurance", "2026-03-31", "ann")
    task("t8", "insurance", "2026-04-01")
    task("t9", "calls", "2026-03-20")
    task("t10", "calls", "2026-03-20")
    task("t12", "calls", "2026-03-30")
    task("t13", "paperwork", "2026-03-10", "cara")
    task("t14", "calls", "2026-03-15")
    task("t15", "insurance", "2026-02-15")
    done_at = {
        "t1": "2026-03-10 17:00",
        "t2": "2026-03-11 08:00",
        "t3": "2026-03-20 12:00",
        "t4": "2026-03-31 23:59",
        "t5": "2026-04-01 00:00",
        "t15": "2026-03-03 09:00",
    }
    with action(db, "close tasks") as s:
        for name, when in done_at.items():
            tasks.complete_task(
                s, records.get(s, Task, ids[name]), now=datetime.fromisoformat(when)
            )
        tasks.cancel_task(s, records.get(s, Task, ids["t9"]), today=day)
        tasks.cancel_task(s, records.get(s, Task, ids["t10"]), today=day)

    # Care plans. Due in March: p1 (done early: on time), p2 (done at 22:00 local on its
    # day: on time in New York, late in UTC), p3 (untouched: missed), p4's 22nd (moved
    # there from the 25th, then done on the 22nd: on time; the 25th never fell due), p5
    # (closed after its date: missed), p10 (done late). Not due: p6 (closed before its
    # date), p7 (April), p8 (a draft).
    def plan(name: str, who: str, review: str, made: str, **fields: Any) -> None:
        label = f"plan {name}"
        with action(db, label) as s:
            ids[name] = careplans.add_care_plan(
                s,
                ids[who],
                {"title": f"Plan {name}", "next_review": review, **fields},
                today=date.fromisoformat(made[:10]),
            ).id
        plan_times[label] = made

    def review(name: str, to: str | None, when: str, status: str | None = None) -> None:
        label = f"review {name} {when}"
        with action(db, label) as s:
            obj = records.get(s, CarePlan, ids[name])
            today = date.fromisoformat(when[:10])
            if status is not None:
                careplans.set_plan_status(s, obj, status, today=today)
            else:
                careplans.set_next_review(
                    s, obj, date.fromisoformat(to) if to else None, today=today
                )
        plan_times[label] = when

    plan("p1", "ann", "2026-03-10", "2026-01-05 15:00")
    review("p1", "2026-06-10", "2026-03-08 15:00")
    plan("p2", "bob", "2026-03-12", "2026-03-10 15:00")
    review("p2", "2026-06-12", "2026-03-13 02:00")
    plan("p3", "dan", "2026-03-15", "2026-01-05 15:00")
    plan("p4", "ann", "2026-03-25", "2026-01-05 15:00")
    review("p4", "2026-03-22", "2026-03-20 15:00")
    review("p4", "2026-09-22", "2026-03-22 15:00")
    plan("p5", "cara", "2026-03-14", "2026-01-05 15:00")
    review("p5", None, "2026-03-16 15:00", status="completed")
    plan("p6", "dan", "2026-03-28", "2026-01-05 15:00")
    review("p6", None, "2026-03-27 15:00", status="revoked")
    plan("p7", "ann", "2026-04-05", "2026-01-05 15:00")
    plan("p8", "bob", "2026-03-20", "2026-03-10 15:00", status="draft")
    plan("p10", "dan", "2026-03-05", "2026-01-05 15:00")
    review("p10", "2026-06-05", "2026-03-09 15:00")

    # Goals achieved in March: g1 (moved to achieved), g2 (created achieved), g4 (achieved,
    # then sustaining: once), g5 (no audit trail; last change at 22:00 local on the 31st):
    # 4 in New York. Not: g3 (February).
    def goal(name: str, who: str, made: str, achievement: str) -> None:
        label = f"goal {name}"
        with action(db, label) as s:
            ids[name] = careplans.add_goal(
                s,
                ids[who],
                {"description": f"Goal {name}", "achievement_status": achievement},
                today=date.fromisoformat(made[:10]),
            ).id
        plan_times[label] = made

    def achieve(name: str, achievement: str, when: str) -> None:
        label = f"achieve {name} {when}"
        with action(db, label) as s:
            careplans.update_goal(
                s,
                records.get(s, Goal, ids[name]),
                {"achievement_status": achievement},
                today=date.fromisoformat(when[:10]),
            )
        plan_times[label] = when

    goal("g1", "ann", "2026-02-01 15:00", "in-progress")
    achieve("g1", "achieved", "2026-03-18 15:00")
    goal("g2", "bob", "2026-03-05 15:00", "achieved")
    goal("g3", "dan", "2026-02-01 15:00", "in-progress")
    achieve("g3", "achieved", "2026-02-20 15:00")
    goal("g4", "ann", "2026-02-01 15:00", "improving")
    achieve("g4", "achieved", "2026-03-10 15:00")
    achieve("g4", "sustaining", "2026-03-20 15:00")
    goal("g5", "cara", "2026-02-01 15:00", "achieved")

    # Referrals. Sent in March: r1, r3, r5 (3). Closed: r1 (10 days), r4 (80 days):
    # median 45. Open past their response date at month end: r2, r5 (closed only on
    # Apr 1). Not: r3 (due in April), r6 (a draft), r7 (cancelled, no closed date).
    def referral(name: str, who: str, **fields: Any) -> None:
        with action(db, f"referral {name}") as s:
            ids[name] = records.create(
                s,
                Referral,
                {"patient_id": ids[who], "reason": f"Referral {name}", **fields},
                today=day,
            ).id

    referral(
        "r1",
        "ann",
        status="completed",
        sent_on="2026-03-02",
        response_due="2026-03-09",
        closed_on="2026-03-12",
    )
    referral("r2", "bob", status="sent", sent_on="2026-02-20", response_due="2026-03-01")
    referral("r3", "dan", status="sent", sent_on="2026-03-25", response_due="2026-04-05")
    referral("r4", "ann", status="declined", sent_on="2026-01-10", closed_on="2026-03-31")
    referral(
        "r5",
        "cara",
        status="completed",
        sent_on="2026-03-01",
        response_due="2026-03-08",
        closed_on="2026-04-01",
    )
    referral("r6", "dan", status="draft")
    referral("r7", "dan", status="cancelled", sent_on="2026-02-01", response_due="2026-02-10")

    db.dispose()
    with sqlite3.connect(db.path) as raw:
        raw.execute("UPDATE task SET created_at = ?, updated_at = ?", (SAVED, SAVED))
        raw.execute(
            "UPDATE task SET created_at = ? WHERE id = ?", (_utc("2026-04-01 03:30"), ids["t12"])
        )
        raw.execute(
            "UPDATE task SET created_at = ? WHERE id = ?", (_utc("2026-02-01 12:00"), ids["t15"])
        )
        raw.execute(
            "UPDATE task SET updated_at = ? WHERE id = ?", (_utc("2026-03-21 12:00"), ids["t9"])
        )
        raw.execute(
            "UPDATE task SET updated_at = ? WHERE id = ?", (_utc("2026-04-03 12:00"), ids["t10"])
        )
        raw.execute("UPDATE task SET status = 'entered-in-error' WHERE id = ?", (ids["t14"],))
        for label, when in plan_times.items():
            raw.execute("UPDATE audit_event SET at = ? WHERE action_label = ?", (_utc(when), label))
        raw.execute("DELETE FROM audit_event WHERE entity = 'goal' AND record_id = ?", (ids["g5"],))
        raw.execute(
            "UPDATE goal SET updated_at = ? WHERE id = ?", (_utc("2026-04-01 02:00"), ids["g5"])
        )
        raw.execute("UPDATE referral SET closed_on = NULL WHERE id = ?", (ids["r7"],))
    raw.close()
    return ids
