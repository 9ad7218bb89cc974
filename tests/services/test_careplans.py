"""Care plans, goals and interventions: saved and audited; a plan's pieces stay together."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from caretui.models.all import CarePlan, Goal, Intervention
from caretui.services import careplans, records
from caretui.services.unit import action
from caretui.store.database import Database

from .helpers import ANSI, TOO_LONG, audit, new_patient, one_row, refused


def plan_of(db: Database, today: date, pid: int, **fields: Any) -> int:
    with action(db, "Add care plan") as s:
        return careplans.add_care_plan(s, pid, {"title": "Diabetes", **fields}, today=today).id


# --- care plans ---------------------------------------------------------------------


def test_add_and_update_care_plan_are_audited(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    plan_id = plan_of(db, today, pid, next_review="2026-04-01")
    with action(db, "Edit care plan") as s:
        careplans.update_care_plan(
            s, records.get(s, CarePlan, plan_id), {"description": "Keep A1c under 8"}, today=today
        )
    [created] = audit(db, "Add care plan")
    assert created["changes"]["status"] == [None, "active"]
    assert created["changes"]["period_start"] == [None, "2026-03-11"]  # today by default
    assert created["changes"]["next_review"] == [None, "2026-04-01"]
    [edited] = audit(db, "Edit care plan")
    assert edited["changes"] == {"description": [None, "Keep A1c under 8"]}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Title is required"),
        ({"title": TOO_LONG}, "Title is longer than 200 characters"),
        ({"title": f"{ANSI}Plan"}, "Title contains a control character"),
        (
            {"title": "Plan", "period_end": "2026-03-01"},
            "End 2026-03-01 is before start 2026-03-11",
        ),
        ({"title": "Plan", "period_start": "2026-02-30"}, "Start 2026-02-30 is not a real date"),
        ({"title": "Plan", "next_review": "2026-03-10"}, "Next review 2026-03-10 is in the past"),
        (
            {"title": "Plan", "status": "finished"},
            "Status 'finished' is not one of: draft, active, on-hold, revoked, completed",
        ),
        (
            {"title": "Plan", "status": "completed", "next_review": "2026-04-01"},
            "A completed care plan has no next review; clear the review date",
        ),
    ],
)
def test_bad_care_plan_is_refused(
    db: Database, today: date, fields: dict[str, Any], message: str
) -> None:
    pid = new_patient(db, today)
    with refused(db, message), action(db, "Add care plan") as s:
        careplans.add_care_plan(s, pid, fields, today=today)


def test_an_old_review_date_can_stay_while_other_fields_change(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    plan_id = plan_of(db, date(2026, 1, 5), pid, next_review="2026-02-01")  # now overdue
    with action(db, "Edit care plan") as s:
        careplans.update_care_plan(s, records.get(s, CarePlan, plan_id), {"title": "Diabetes 2"})
    message = "Next review 2026-03-01 is in the past"
    with refused(db, message), action(db, "Edit care plan") as s:
        careplans.update_care_plan(
            s, records.get(s, CarePlan, plan_id), {"next_review": "2026-03-01"}, today=today
        )


def test_closing_a_plan_ends_it_and_clears_the_review(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    plan_id = plan_of(db, date(2026, 1, 5), pid, next_review="2026-04-01")
    with action(db, "Complete care plan") as s:
        careplans.set_plan_status(s, records.get(s, CarePlan, plan_id), "completed", today=today)
    [event] = audit(db, "Complete care plan")
    assert event["changes"] == {
        "status": ["active", "completed"],
        "next_review": ["2026-04-01", None],
        "period_end": [None, "2026-03-11"],
    }
    message = "This care plan is completed; it has no next review"
    with refused(db, message), action(db, "Review") as s:
        careplans.set_next_review(s, records.get(s, CarePlan, plan_id), today, today=today)
    with action(db, "Reopen care plan") as s:
        careplans.set_plan_status(s, records.get(s, CarePlan, plan_id), "active", today=today)
    assert one_row(db, "SELECT status, period_end FROM care_plan WHERE id = ?", plan_id) == {
        "status": "active",
        "period_end": None,
    }
    message = "Status 'done' is not one of: draft, active, on-hold, revoked, completed"
    with refused(db, message), action(db, "Status") as s:
        careplans.set_plan_status(s, records.get(s, CarePlan, plan_id), "done", today=today)


def test_closing_a_plan_in_an_edit_clears_the_review(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    plan_id = plan_of(db, today, pid, next_review="2026-04-01")
    message = "A revoked care plan has no next review; clear the review date"
    with refused(db, message), action(db, "Edit care plan") as s:
        careplans.update_care_plan(
            s,
            records.get(s, CarePlan, plan_id),
            {"status": "revoked", "next_review": "2026-04-02"},
            today=today,
        )
    with action(db, "Edit care plan") as s:
        careplans.update_care_plan(
            s, records.get(s, CarePlan, plan_id), {"status": "revoked"}, today=today
        )
    assert audit(db, "Edit care plan")[0]["changes"] == {
        "status": ["active", "revoked"],
        "next_review": ["2026-04-01", None],
    }


def test_set_next_review(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    plan_id = plan_of(db, today, pid)
    with action(db, "Review") as s:
        careplans.set_next_review(s, records.get(s, CarePlan, plan_id), today, today=today)
    assert audit(db, "Review")[0]["changes"] == {"next_review": [None, "2026-03-11"]}
    with refused(db, "Next review 2026-03-10 is in the past"), action(db, "Review") as s:
        careplans.set_next_review(
            s, records.get(s, CarePlan, plan_id), date(2026, 3, 10), today=today
        )


# --- goals --------------------------------------------------------------------------


def test_add_and_update_goal_are_audited(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    plan_id = plan_of(db, today, pid)
    with action(db, "Add goal") as s:
        goal_id = careplans.add_goal(
            s,
            pid,
            {"care_plan_id": plan_id, "description": "A1c below 8", "target_date": "2026-09-01"},
            today=today,
        ).id
    with action(db, "Edit goal") as s:
        careplans.update_goal(
            s, records.get(s, Goal, goal_id), {"achievement_status": "improving"}, today=today
        )
    [created] = audit(db, "Add goal")
    assert created["changes"]["care_plan_id"] == [None, plan_id]
    assert created["changes"]["lifecycle_status"] == [None, "active"]
    [edited] = audit(db, "Edit goal")
    assert edited["changes"] == {"achievement_status": [None, "improving"]}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": ""}, "Goal is required"),
        ({"description": "x" * 501}, "Goal is longer than 500 characters"),
        ({"description": f"Walk{ANSI}"}, "Goal contains a control character"),
        (
            {"description": "Walk", "target_date": "2026-02-30"},
            "Target date 2026-02-30 is not a real date",
        ),
        (
            {"description": "Walk", "achievement_status": "great"},
            "Achievement 'great' is not one of: in-progress, improving, worsening, no-change, "
            "achieved, sustaining, not-achieved, no-progress, not-attainable",
        ),
        ({"description": "Walk", "care_plan_id": 999}, "Care plan: no care plan with id 999"),
        (
            {"description": "Walk", "care_plan_id": "OTHER"},
            "Care plan: that care plan belongs to another patient",
        ),
        (
            {"description": "Walk", "care_plan_id": "CLOSED"},
            "That care plan is revoked; reopen it to add goals",
        ),
    ],
)
def test_bad_goal_is_refused(
    db: Database, today: date, fields: dict[str, Any], message: str
) -> None:
    pid = new_patient(db, today)
    other = new_patient(db, today, family="Otherfamily")
    plans = {
        "OTHER": plan_of(db, today, other),
        "CLOSED": plan_of(db, today, pid, status="revoked"),
    }
    fields = {k: plans.get(v, v) if isinstance(v, str) else v for k, v in fields.items()}
    with refused(db, message), action(db, "Add goal") as s:
        careplans.add_goal(s, pid, fields, today=today)


def test_goal_cannot_be_moved_to_another_patients_plan(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    other = new_patient(db, today, family="Otherfamily")
    theirs = plan_of(db, today, other)
    with action(db, "Add goal") as s:
        goal_id = careplans.add_goal(s, pid, {"description": "Walk daily"}, today=today).id
    message = "Care plan: that care plan belongs to another patient"
    with refused(db, message), action(db, "Edit goal") as s:
        careplans.update_goal(s, records.get(s, Goal, goal_id), {"care_plan_id": theirs})
    with refused(db, "A goal cannot be moved to another patient"), action(db, "Edit goal") as s:
        careplans.update_goal(s, records.get(s, Goal, goal_id), {"patient_id": other})


# --- interventions ------------------------------------------------------------------


def test_add_and_update_intervention_are_audited(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    plan_id = plan_of(db, today, pid)
    with action(db, "Add intervention") as s:
        goal_id = careplans.add_goal(s, pid, {"care_plan_id": plan_id, "description": "A1c"}).id
        iid = careplans.add_intervention(
            s,
            pid,
            {"care_plan_id": plan_id, "goal_id": goal_id, "description": "Diabetes education"},
            today=today,
        ).id
    with action(db, "Edit intervention") as s:
        careplans.update_intervention(
            s, records.get(s, Intervention, iid), {"status": "scheduled"}, today=today
        )
    created = audit(db, "Add intervention")
    assert [(e["entity"], e["action"]) for e in created] == [
        ("goal", "create"),
        ("intervention", "create"),
    ]
    assert created[1]["changes"]["goal_id"] == [None, goal_id]
    [edited] = audit(db, "Edit intervention")
    assert edited["changes"] == {"status": ["not-started", "scheduled"]}


def test_bad_intervention_is_refused(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    other = new_patient(db, today, family="Otherfamily")
    plan_a = plan_of(db, today, pid)
    plan_b = plan_of(db, today, pid)
    theirs = plan_of(db, today, other)
    with action(db, "Add goal") as s:
        goal_b = careplans.add_goal(s, pid, {"care_plan_id": plan_b, "description": "B"}).id
        loose = careplans.add_goal(s, pid, {"description": "No plan"}).id
    cases: list[tuple[dict[str, Any], str]] = [
        ({"description": "Visit"}, "Care plan is required"),
        ({"care_plan_id": plan_a, "description": ""}, "What is required"),
        (
            {"care_plan_id": theirs, "description": "Visit"},
            "Care plan: that care plan belongs to another patient",
        ),
        (
            {"care_plan_id": plan_a, "goal_id": goal_b, "description": "Visit"},
            "Goal: that goal is not part of this care plan",
        ),
        (
            {"care_plan_id": plan_a, "goal_id": loose, "description": "Visit"},
            "Goal: that goal is not part of this care plan",
        ),
        (
            {"care_plan_id": plan_a, "description": "Visit", "performer": TOO_LONG},
            "By whom is longer than 100 characters",
        ),
        (
            {"care_plan_id": plan_a, "description": "Visit", "scheduled_on": "2026-02-29"},
            "Date 2026-02-29 is not a real date",
        ),
        (
            {"care_plan_id": plan_a, "description": "Visit", "status": "doing"},
            "Status 'doing' is not one of: not-started, scheduled, in-progress, on-hold, "
            "completed, cancelled",
        ),
    ]
    for fields, message in cases:
        with refused(db, message), action(db, "Add intervention") as s:
            careplans.add_intervention(s, pid, fields, today=today)


def test_a_goal_with_interventions_stays_in_its_plan(db: Database, today: date) -> None:
    pid = new_patient(db, today)
    plan_a = plan_of(db, today, pid)
    plan_b = plan_of(db, today, pid)
    with action(db, "Add") as s:
        goal = careplans.add_goal(s, pid, {"care_plan_id": plan_a, "description": "A"})
        careplans.add_intervention(
            s, pid, {"care_plan_id": plan_a, "goal_id": goal.id, "description": "Call"}
        )
        goal_id = goal.id
    message = "Interventions of its care plan work towards this goal; unlink them before moving it"
    with refused(db, message), action(db, "Move goal") as s:
        careplans.update_goal(s, records.get(s, Goal, goal_id), {"care_plan_id": plan_b})
