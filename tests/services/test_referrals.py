"""Referrals: every allowed step, every refused one with its message, the dates kept,
the note in the contact log, and the response date counted in business days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from caretui import codes
from caretui.config import ConfigError, parse
from caretui.models.all import Patient, Referral
from caretui.services import appointments, chart, patients, referrals, resources
from caretui.services.unit import action
from caretui.store.database import Database

from .helpers import audit, new_patient, one_row, refused

Status = codes.ReferralStatus
NOW = datetime(2026, 3, 11, 15, 0)  # the tests' Wednesday, mid-afternoon
MONDAY = date(2026, 3, 9)
FRIDAY = date(2026, 3, 13)

#: How to reach each status from a draft, one step at a time.
PATH: dict[Status, tuple[Status, ...]] = {
    Status.DRAFT: (),
    Status.SENT: (Status.SENT,),
    Status.ACCEPTED: (Status.SENT, Status.ACCEPTED),
    Status.SCHEDULED: (Status.SENT, Status.ACCEPTED, Status.SCHEDULED),
    Status.COMPLETED: (Status.SENT, Status.ACCEPTED, Status.SCHEDULED, Status.COMPLETED),
    Status.DECLINED: (Status.SENT, Status.DECLINED),
    Status.CANCELLED: (Status.CANCELLED,),
}
ALLOWED = [(a, b) for a, nexts in referrals.NEXT.items() for b in nexts]
REFUSED = [(a, b) for a in Status for b in Status if (a, b) not in ALLOWED]


def directory_entry(db: Database, today: date, name: str = "Eastside Food Bank") -> int:
    with action(db, "Add resource") as s:
        return resources.add_resource(
            s, {"name": name, "category": "food", "phone": "555-0100"}, today=today
        ).id


def new_referral(
    db: Database, today: date, *, urgency: str = "routine", pid: int | None = None
) -> tuple[int, int]:
    """(patient id, referral id) of a new draft to the food bank."""
    pid = pid or new_patient(db, today)
    rid = directory_entry(db, today)
    with action(db, "Add referral") as s:
        ref = referrals.add_referral(
            s,
            pid,
            {"resource_id": rid, "reason": "Home-delivered meals", "urgency": urgency},
            today=today,
        )
        return pid, ref.id


def step(db: Database, referral_id: int, to: Status | str, **kw: Any) -> referrals.Moved:
    kw.setdefault("now", NOW)
    if to in (Status.COMPLETED, "completed"):
        kw.setdefault("outcome", "seen")
    with action(db, f"Referral {to}") as s:
        return referrals.move(s, s.get_one(Referral, referral_id), to, **kw)


def at(db: Database, today: date, status: Status) -> tuple[int, int]:
    pid, ref_id = new_referral(db, today)
    for to in PATH[status]:
        step(db, ref_id, to)
    return pid, ref_id


def steps(db: Database, referral_id: int) -> list[tuple[str, str, str | None]]:
    con = db.read()
    try:
        return con.execute(
            "SELECT status, taken_on, note FROM referral_step WHERE referral_id = ? ORDER BY id",
            (referral_id,),
        ).fetchall()
    finally:
        con.close()


def referral(db: Database, referral_id: int) -> dict[str, Any]:
    row = one_row(db, "SELECT * FROM referral WHERE id = ?", referral_id)
    assert row is not None
    return row


# -- creating --------------------------------------------------------------------------


def test_a_new_referral_is_a_draft_with_its_first_step(db: Database, today: date) -> None:
    _pid, ref_id = new_referral(db, today)
    row = referral(db, ref_id)
    assert (row["status"], row["sent_on"], row["response_due"]) == ("draft", None, None)
    assert steps(db, ref_id) == [("draft", "2026-03-11", None)]
    entities = [e["entity"] for e in audit(db, "Add referral")]
    assert entities == ["referral", "referral_step"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"reason": "Meals"},
            "Whom is it to? Choose a resource from the directory or one of the patient's contacts",
        ),
        (
            {"reason": "Meals", "resource_id": 1, "contact_id": 1},
            "A referral goes to a directory resource or to a contact, not both",
        ),
        ({"resource_id": 1}, "Reason is required"),
        (
            {"resource_id": 1, "reason": "Meals", "status": "sent"},
            "A new referral starts as a draft; send it with a step",
        ),
        (
            {"resource_id": 1, "reason": "Meals", "urgency": "soon"},
            "Urgency 'soon' is not one of: routine, urgent, asap, stat",
        ),
        ({"resource_id": 99, "reason": "Meals"}, "Resource: no resource with id 99"),
    ],
)
def test_a_new_referral_is_refused_with_a_clear_message(
    db: Database, today: date, fields: dict[str, Any], message: str
) -> None:
    pid = new_patient(db, today)
    with action(db, "Add contact") as s:
        chart.add_contact(s, pid, {"role": "pcp", "name": "Dr Ruiz"}, today=today)
    directory_entry(db, today)
    with refused(db, message), action(db, "Add referral") as s:
        referrals.add_referral(s, pid, fields, today=today)


def test_a_referral_to_a_contact(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    with action(db, "Add contact") as s:
        contact = chart.add_contact(s, pid, {"role": "specialist", "name": "Dr Ruiz"}, today=today)
        ref = referrals.add_referral(
            s, pid, {"contact_id": contact.id, "reason": "Cardiology opinion"}, today=today
        )
        assert referrals.receiver_name(s, ref) == "Dr Ruiz"


# -- every allowed step ------------------------------------------------------------------


@pytest.mark.parametrize(("start", "to"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_every_allowed_step(db: Database, today: date, start: Status, to: Status) -> None:
    _pid, ref_id = at(db, today, start)
    before = steps(db, ref_id)
    moved = step(db, ref_id, to, note="Confirmed with intake")
    row = referral(db, ref_id)
    assert row["status"] == to.value
    assert steps(db, ref_id) == [*before, (to.value, "2026-03-11", "Confirmed with intake")]
    closes = to in codes.REFERRAL_CLOSED
    assert row["closed_on"] == ("2026-03-11" if closes else None)
    assert (row["outcome_code"] == "seen") == (to is Status.COMPLETED)
    # One action: the referral, its step and the note in the contact log.
    events = [(e["entity"], e["action"]) for e in audit(db, f"Referral {to}")][-3:]
    assert events == [("referral", "update"), ("referral_step", "create"), ("note", "create")]
    note = one_row(db, "SELECT kind, text, with_whom FROM note WHERE id = ?", moved.note.id)
    assert note is not None
    assert note["kind"] == "note"
    assert note["with_whom"] == "Eastside Food Bank"
    assert note["text"].startswith(f"Referral {referrals.WORDS[to]}")
    assert note["text"].endswith(
        "Home-delivered meals → Eastside Food Bank. Confirmed with intake"
    ) or ("response expected by" in note["text"])


def test_the_whole_loop_keeps_every_date(db: Database, today: date) -> None:
    _pid, ref_id = new_referral(db, today - timedelta(days=20))
    step(db, ref_id, "sent", on=date(2026, 2, 23), note="Faxed")
    step(db, ref_id, "accepted", on=date(2026, 2, 26), note="Jane at intake")
    step(db, ref_id, "scheduled", on=date(2026, 3, 2))
    step(
        db,
        ref_id,
        "completed",
        on=date(2026, 3, 10),
        outcome="services-started",
        note="First delivery done",
    )
    assert steps(db, ref_id) == [
        ("draft", "2026-02-19", None),
        ("sent", "2026-02-23", "Faxed"),
        ("accepted", "2026-02-26", "Jane at intake"),
        ("scheduled", "2026-03-02", None),
        ("completed", "2026-03-10", "First delivery done"),
    ]
    row = referral(db, ref_id)
    assert (row["sent_on"], row["closed_on"], row["outcome_code"], row["outcome"]) == (
        "2026-02-23",
        "2026-03-10",
        "services-started",
        "First delivery done",
    )
    # A step on an earlier day is logged at noon of that day.
    logged = one_row(db, "SELECT occurred_at FROM note WHERE text LIKE 'Referral completed%'")
    assert logged == {"occurred_at": "2026-03-10 12:00:00.000000"}


# -- every refused step ------------------------------------------------------------------


def _refusal(start: Status, to: Status) -> str:
    if start in codes.REFERRAL_CLOSED:
        return f"This referral is already {referrals.WORDS[start]}; its loop is closed"
    if start is to:
        return f"This referral is already {referrals.WORDS[start]}"
    return {
        Status.DRAFT: f"A draft referral cannot be marked {referrals.WORDS[to]}: "
        "next it can be sent or cancelled",
        Status.SENT: f"A sent referral cannot be marked {referrals.WORDS[to]}: "
        "next it can be accepted, scheduled, declined or cancelled",
        Status.ACCEPTED: f"An accepted referral cannot be marked {referrals.WORDS[to]}: "
        "next it can be scheduled, completed or cancelled",
        Status.SCHEDULED: f"A scheduled referral cannot be marked {referrals.WORDS[to]}: "
        "next it can be completed or cancelled",
    }[start]


@pytest.mark.parametrize(("start", "to"), REFUSED, ids=[f"{a}->{b}" for a, b in REFUSED])
def test_every_refused_step(db: Database, today: date, start: Status, to: Status) -> None:
    _pid, ref_id = at(db, today, start)
    with refused(db, _refusal(start, to)):
        step(db, ref_id, to)


def test_refused_dates_and_fields(db: Database, today: date) -> None:
    _pid, ref_id = at(db, today, Status.SENT)
    with refused(db, "Date 2026-03-12 is in the future; record a step once it has happened"):
        step(db, ref_id, "accepted", on=today + timedelta(days=1))
    with refused(
        db,
        "Date 2026-03-10 is before the referral's last step (sent on 2026-03-11); "
        "steps are recorded in order",
    ):
        step(db, ref_id, "accepted", on=today - timedelta(days=1))
    with refused(db, "A referral is linked to its appointment when it is scheduled"):
        step(db, ref_id, "accepted", appointment_id=1)
    with refused(db, "An outcome is recorded when the referral is completed"):
        step(db, ref_id, "accepted", outcome="seen")
    with refused(
        db,
        "Step 'lost' is not one of: draft, sent, accepted, scheduled, completed, "
        "declined, cancelled",
    ):
        step(db, ref_id, "lost")
    step(db, ref_id, "scheduled")
    with refused(
        db,
        "Completing a referral records its outcome: seen, report received, services started "
        "or other",
    ):
        step(db, ref_id, "completed", outcome="")
    with refused(
        db, "Outcome 'fine' is not one of: seen, report-received, services-started, other"
    ):
        step(db, ref_id, "completed", outcome="fine")


def test_status_changes_only_through_a_step(db: Database, today: date) -> None:
    _pid, ref_id = new_referral(db, today)
    with refused(db, "A referral's status changes only through a step"), action(db, "Edit") as s:
        referrals.update_referral(s, s.get_one(Referral, ref_id), {"status": "sent"}, today=today)
    with action(db, "Edit") as s:
        referrals.update_referral(
            s, s.get_one(Referral, ref_id), {"reason": "Meals on wheels"}, today=today
        )
    assert referral(db, ref_id)["reason"] == "Meals on wheels"


# -- the response date -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("urgency", "sent", "due"),
    [
        # A holiday-free week: Monday + 2 / 5 / 10 business days.
        ("stat", MONDAY, date(2026, 3, 11)),
        ("asap", MONDAY, date(2026, 3, 11)),
        ("urgent", MONDAY, date(2026, 3, 16)),
        ("routine", MONDAY, date(2026, 3, 23)),
        # Sent on a Friday: the weekend does not count.
        ("stat", FRIDAY, date(2026, 3, 17)),
        ("urgent", FRIDAY, date(2026, 3, 20)),
        ("routine", FRIDAY, date(2026, 3, 27)),
        # Sent on a Saturday: Monday is the first business day.
        ("asap", date(2026, 3, 14), date(2026, 3, 17)),
    ],
)
def test_response_due_in_business_days(urgency: str, sent: date, due: date) -> None:
    assert referrals.response_due(urgency, sent) == due


def test_sending_sets_the_response_date_from_the_urgency(db: Database) -> None:
    friday = FRIDAY
    _pid, ref_id = new_referral(db, friday, urgency="urgent")
    step(db, ref_id, "sent", today=friday, now=datetime(2026, 3, 13, 10, 0))
    row = referral(db, ref_id)
    assert (row["sent_on"], row["response_due"]) == ("2026-03-13", "2026-03-20")


def test_the_business_days_come_from_the_config(db: Database, today: date) -> None:
    settings = parse({"referral_response_days": {"routine": 3}})
    assert settings.referral_response_days == {"stat": 2, "asap": 2, "urgent": 5, "routine": 3}
    _pid, ref_id = new_referral(db, today)
    step(db, ref_id, "sent", response_days=settings.referral_response_days)
    assert referral(db, ref_id)["response_due"] == "2026-03-16"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {"soon": 3},
            "config: referral_response_days: 'soon' is not one of: stat, asap, urgent, routine",
        ),
        (
            {"routine": 0},
            "config: referral_response_days: routine must be a whole number of "
            "business days from 1 to 120",
        ),
        (7, "config: referral_response_days must be a table of urgency = business days"),
    ],
)
def test_bad_business_days_in_the_config(value: object, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse({"referral_response_days": value})
    assert str(info.value) == message


def test_the_response_date_is_editable(db: Database, today: date) -> None:
    _pid, ref_id = at(db, today, Status.SENT)
    with action(db, "Change response date") as s:
        referrals.set_response_due(s, s.get_one(Referral, ref_id), date(2026, 4, 1), today=today)
    assert referral(db, ref_id)["response_due"] == "2026-04-01"
    with (
        refused(db, "Response expected by 2026-03-01 is before the referral was sent (2026-03-11)"),
        action(db, "Change response date") as s,
    ):
        referrals.set_response_due(s, s.get_one(Referral, ref_id), date(2026, 3, 1), today=today)
    # Given when sending, it wins over the urgency's.
    _pid, other = new_referral(db, today)
    step(db, other, "sent", response_due_on=date(2026, 3, 30))
    assert referral(db, other)["response_due"] == "2026-03-30"


# -- the linked appointment ----------------------------------------------------------------


def test_scheduling_links_the_appointment(db: Database, today: date) -> None:
    pid, ref_id = at(db, today, Status.ACCEPTED)
    with action(db, "Book") as s:
        appt = appointments.add_appointment(s, pid, {"start": "2026-03-20 10:00"}, today=today)
    step(db, ref_id, "scheduled", appointment_id=appt.id)
    assert referral(db, ref_id)["appointment_id"] == appt.id
    # Another patient's appointment is refused.
    other = new_patient(db, today, family="Other")
    with action(db, "Book") as s:
        theirs = appointments.add_appointment(s, other, {"start": "2026-03-20 11:00"}, today=today)
    with (
        refused(db, "Appointment: that appointment belongs to another patient"),
        action(db, "Link") as s,
    ):
        referrals.link_appointment(s, s.get_one(Referral, ref_id), theirs.id, today=today)
    # A draft is not linked.
    _pid, draft = new_referral(db, today, pid=pid)
    with (
        refused(
            db, "Only a scheduled referral is linked to an appointment; mark it scheduled first"
        ),
        action(db, "Link") as s,
    ):
        referrals.link_appointment(s, s.get_one(Referral, draft), appt.id, today=today)


def test_undo_takes_a_step_back_whole(db: Database, today: date) -> None:
    from caretui.services.undo import undo_last

    _pid, ref_id = at(db, today, Status.SENT)
    assert undo_last(db) == "Referral sent"
    row = referral(db, ref_id)
    assert (row["status"], row["sent_on"], row["response_due"]) == ("draft", None, None)
    assert steps(db, ref_id) == [("draft", "2026-03-11", None)]
    assert one_row(db, "SELECT count(*) AS n FROM note") == {"n": 0}


def test_the_screens_offer_the_same_steps() -> None:
    from caretui.screens import referral_forms

    assert {
        k.value: tuple(s.value for s in v) for k, v in referrals.NEXT.items()
    } == referral_forms.NEXT
    assert {k.value: v.value for k, v in referrals.FORWARD.items()} == referral_forms.FORWARD


def test_purge_takes_the_referrals_and_their_steps(db: Database, today: date) -> None:
    pid, _ref_id = at(db, today, Status.SENT)
    with action(db, "Purge") as s:
        removed = patients.purge(s, s.get_one(Patient, pid), confirm_name="Testfamily")
    assert (removed["referral"], removed["referral_step"]) == (1, 2)
    assert one_row(db, "SELECT count(*) AS n FROM referral_step") == {"n": 0}
