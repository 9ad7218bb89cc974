"""Care plans, their goals and interventions (FHIR CarePlan, Goal, CarePlan.activity).

A goal or intervention names its care plan; ``records`` refuses a plan of another
patient. The rules added here keep the plan's pieces together: an intervention's
goal is in the intervention's plan, nothing new is added to a closed plan, and a
closed plan has no review due.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caretui import codes
from caretui.errors import DomainError
from caretui.models.all import CarePlan, Goal, Intervention
from caretui.services import common, records

Status = codes.CarePlanStatus

#: Statuses of a plan that is over: no review falls due, nothing new is added.
CLOSED = frozenset({Status.COMPLETED, Status.REVOKED})


# --- care plans ---------------------------------------------------------------------


def _plan_check(current: Mapping[str, Any] | None, today: date) -> common.Check:
    def check(values: Mapping[str, Any]) -> None:
        review = values.get("next_review")
        status = values.get("status")
        if review is not None and status in CLOSED:
            raise DomainError(
                f"A {status.value} care plan has no next review; clear the review date",
                field="next_review",
            )
        changed = current is None or current.get("next_review") != review
        if review is not None and changed and review < today:
            raise DomainError(
                f"Next review {review.isoformat()} is in the past", field="next_review"
            )

    return check


def add_care_plan(
    session: Session, patient_id: int, fields: Mapping[str, Any], *, today: date | None = None
) -> CarePlan:
    """A new care plan, active and starting today unless the fields say otherwise."""
    today = today or date.today()
    fields = {"period_start": today, **fields}
    return common.add_for_patient(
        session, CarePlan, patient_id, fields, today=today, check=_plan_check(None, today)
    )


def update_care_plan(
    session: Session,
    plan: CarePlan,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> CarePlan:
    """Edit a care plan. Closing it here clears its next review (unless one is given,
    which is then refused); ``set_plan_status`` also ends its period."""
    today = today or date.today()
    fields = dict(fields)
    closing = bool(fields.get("status")) and (
        common.as_code(Status, fields["status"], "Status") in CLOSED
    )
    if closing and "next_review" not in fields:
        fields["next_review"] = None
    return common.edit(
        session,
        plan,
        fields,
        today=today,
        expected_version=expected_version,
        check=_plan_check(records.current_values(plan), today),
    )


def set_plan_status(
    session: Session, plan: CarePlan, status: Status | str, *, today: date | None = None
) -> CarePlan:
    """Move the plan to ``status``. Closing it (completed, revoked) ends its period today
    and clears its next review; reopening a closed plan clears its end."""
    today = today or date.today()
    new = common.as_code(Status, status, "Status")
    if new is plan.status:
        return plan
    fields: dict[str, Any] = {"status": new}
    if new in CLOSED:
        fields["next_review"] = None
        if plan.period_end is None and (plan.period_start is None or plan.period_start <= today):
            fields["period_end"] = today
    elif plan.status in CLOSED:
        fields["period_end"] = None
    return records.update(session, plan, fields, today=today)


def set_next_review(
    session: Session, plan: CarePlan, on: date | None, *, today: date | None = None
) -> CarePlan:
    """When the plan is next reviewed (today or later; None clears it)."""
    today = today or date.today()
    if on is not None and plan.status in CLOSED:
        raise DomainError(f"This care plan is {plan.status.value}; it has no next review")
    if on is not None and on < today:
        raise DomainError(f"Next review {on.isoformat()} is in the past", field="next_review")
    return records.update(session, plan, {"next_review": on}, today=today)


def _open_plan(session: Session, values: Mapping[str, Any], what: str) -> None:
    """Refuse adding ``what`` to a closed plan (a plan of another patient, or none,
    is left to ``records``, which names the problem)."""
    plan_id = values.get("care_plan_id")
    plan = session.get(CarePlan, plan_id) if plan_id is not None else None
    if plan is not None and plan.patient_id == values.get("patient_id") and plan.status in CLOSED:
        raise DomainError(
            f"That care plan is {plan.status.value}; reopen it to add {what}",
            field="care_plan_id",
        )


# --- goals --------------------------------------------------------------------------


def add_goal(
    session: Session, patient_id: int, fields: Mapping[str, Any], *, today: date | None = None
) -> Goal:
    """A goal, in one of the patient's open care plans or in none."""

    def check(values: Mapping[str, Any]) -> None:
        _open_plan(session, values, "goals")

    return common.add_for_patient(
        session, Goal, patient_id, fields, today=today or date.today(), check=check
    )


def update_goal(
    session: Session,
    goal: Goal,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> Goal:
    """Edit a goal. It can move to another of the patient's plans only while no
    intervention of its current plan works towards it."""

    def check(values: Mapping[str, Any]) -> None:
        if values.get("care_plan_id") == goal.care_plan_id:
            return
        _open_plan(session, values, "goals")
        linked = session.scalar(
            select(func.count()).select_from(Intervention).where(Intervention.goal_id == goal.id)
        )
        if linked:
            raise DomainError(
                "Interventions of its care plan work towards this goal; "
                "unlink them before moving it",
                field="care_plan_id",
            )

    return common.edit(
        session,
        goal,
        fields,
        today=today or date.today(),
        expected_version=expected_version,
        check=check,
    )


# --- interventions ------------------------------------------------------------------


def _goal_in_plan(session: Session, values: Mapping[str, Any]) -> None:
    goal_id = values.get("goal_id")
    goal = session.get(Goal, goal_id) if goal_id is not None else None
    if (
        goal is not None
        and goal.patient_id == values.get("patient_id")
        and goal.care_plan_id != values.get("care_plan_id")
    ):
        raise DomainError("Goal: that goal is not part of this care plan", field="goal_id")


def add_intervention(
    session: Session, patient_id: int, fields: Mapping[str, Any], *, today: date | None = None
) -> Intervention:
    """What will be done, by whom, in one of the patient's open care plans."""

    def check(values: Mapping[str, Any]) -> None:
        _open_plan(session, values, "interventions")
        _goal_in_plan(session, values)

    return common.add_for_patient(
        session, Intervention, patient_id, fields, today=today or date.today(), check=check
    )


def update_intervention(
    session: Session,
    intervention: Intervention,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> Intervention:
    def check(values: Mapping[str, Any]) -> None:
        if values.get("care_plan_id") != intervention.care_plan_id:
            _open_plan(session, values, "interventions")
        _goal_in_plan(session, values)

    return common.edit(
        session,
        intervention,
        fields,
        today=today or date.today(),
        expected_version=expected_version,
        check=check,
    )
