"""The Patient screen's care plan forms: plans, goals and interventions (add or
edit), the next review date; and changing an item's status, a one-step change.

See ``chart_forms`` for what the forms share. SQLAlchemy and the services are
imported inside function bodies only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from caretui import codes
from caretui.queries.chart import CarePlanRow, GoalRow, InterventionRow
from caretui.screens.chart_forms import Saved, add_or_edit, fresh
from caretui.screens.common import short
from caretui.screens.patient_forms import choices
from caretui.services import dates
from caretui.store.database import Database
from caretui.widgets.form import Field, FormScreen
from caretui.widgets.stale_edit import edited


def care_plan_form(
    db: Database, today: date, patient_id: int, current: CarePlanRow | None = None
) -> FormScreen:
    fields = [
        Field("title", "Title", required=True, initial=current and current.title),
        Field("description", "Description", "multiline", initial=current and current.description),
        Field(
            "status",
            "Status",
            "choice",
            required=True,
            choices=choices(codes.CarePlanStatus),
            initial=current.status if current else codes.CarePlanStatus.ACTIVE.value,
        ),
        Field(
            "period_start",
            "Start",
            "date",
            initial=current.period_start if current else today,
        ),
        Field("period_end", "End", "date", initial=current and current.period_end),
        Field(
            "next_review",
            "Next review",
            "date",
            initial=current and current.next_review,
            placeholder="e.g. +3m, next month",
        ),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import CarePlan
        from caretui.services.careplans import add_care_plan, update_care_plan

        return add_or_edit(
            db,
            today,
            patient_id,
            current,
            "care plan",
            values,
            CarePlan,
            add_care_plan,
            update_care_plan,
        )

    title = "Edit care plan" if current else "New care plan"
    return FormScreen(title, fields, save, today=today, edited=edited("care_plan", current))


def next_review_form(db: Database, today: date, plan: CarePlanRow) -> FormScreen:
    fields = [
        Field(
            "next_review",
            "Next review (empty clears it)",
            "date",
            initial=plan.next_review,
            placeholder="e.g. +3m, next month, 2026-12-01",
        )
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import CarePlan
        from caretui.services.careplans import set_next_review
        from caretui.services.unit import action

        on: date | None = values["next_review"]
        with action(db, "Set next review") as session:
            obj = fresh(session, CarePlan, plan.id, plan.version)
            set_next_review(session, obj, on, today=today)
        return Saved(plan.id, f"Next review: {dates.describe(on, today) if on else 'none'}")

    return FormScreen("Next review — " + short(plan.title), fields, save, today=today)


#: The statuses ``s`` offers for each kind of care plan item.
STATUS_CODES: dict[str, tuple[str, ...]] = {
    "plan": tuple(m.value for m in codes.CarePlanStatus),
    "goal": tuple(m.value for m in codes.GoalLifecycleStatus),
    "intervention": tuple(m.value for m in codes.InterventionStatus),
}


def plan_item_status(
    db: Database, today: date, kind: str, record_id: int, version: int, status: str
) -> Saved:
    """Give a care plan, goal or intervention ``status`` (call from a thread worker).
    Closing a plan ends it today and clears its review (the service does it)."""
    from caretui.models.all import CarePlan, Goal, Intervention
    from caretui.services import careplans
    from caretui.services.unit import action

    shown = status.replace("-", " ")
    with action(db, f"Change {kind} status") as session:
        if kind == "plan":
            plan = fresh(session, CarePlan, record_id, version)
            careplans.set_plan_status(session, plan, status, today=today)
            return Saved(record_id, f"Care plan {shown}")
        if kind == "goal":
            goal = fresh(session, Goal, record_id, None)
            careplans.update_goal(
                session, goal, {"lifecycle_status": status}, expected_version=version, today=today
            )
            return Saved(record_id, f"Goal {shown}")
        item = fresh(session, Intervention, record_id, None)
        careplans.update_intervention(
            session, item, {"status": status}, expected_version=version, today=today
        )
        return Saved(record_id, f"Intervention {shown}")


def _plan_choices(plans: tuple[CarePlanRow, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((f"{short(p.title)} ({p.status})", str(p.id)) for p in plans)


def _as_id(value: object) -> int | None:
    return int(str(value)) if value not in (None, "") else None


def goal_form(
    db: Database,
    today: date,
    patient_id: int,
    plans: tuple[CarePlanRow, ...],
    *,
    plan_id: int | None = None,
    current: GoalRow | None = None,
) -> FormScreen:
    plan = current.care_plan_id if current else plan_id
    fields = [
        Field("description", "Goal", required=True, initial=current and current.description),
        Field(
            "care_plan_id",
            "Care plan",
            "choice",
            choices=_plan_choices(plans),
            initial=str(plan) if plan is not None else None,
        ),
        Field(
            "lifecycle_status",
            "Status",
            "choice",
            required=True,
            choices=choices(codes.GoalLifecycleStatus),
            initial=current.lifecycle_status if current else codes.GoalLifecycleStatus.ACTIVE.value,
        ),
        Field(
            "achievement_status",
            "Achievement",
            "choice",
            choices=choices(codes.GoalAchievementStatus),
            initial=current and current.achievement_status,
        ),
        Field("target_date", "Target date", "date", initial=current and current.target_date),
        Field(
            "measure",
            "Measure",
            initial=current and current.measure,
            placeholder="e.g. A1c below 8%",
        ),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Goal
        from caretui.services.careplans import add_goal, update_goal

        values = {**values, "care_plan_id": _as_id(values["care_plan_id"])}
        return add_or_edit(
            db, today, patient_id, current, "goal", values, Goal, add_goal, update_goal
        )

    title = "Edit goal" if current else "New goal"
    return FormScreen(title, fields, save, today=today, edited=edited("goal", current))


def intervention_form(
    db: Database,
    today: date,
    patient_id: int,
    plans: tuple[CarePlanRow, ...],
    goals: tuple[GoalRow, ...],
    *,
    plan_id: int | None = None,
    goal_id: int | None = None,
    current: InterventionRow | None = None,
) -> FormScreen:
    plan = current.care_plan_id if current else plan_id
    goal = current.goal_id if current else goal_id
    # The goals of the plan the intervention starts in (the service refuses a goal
    # of another plan, beside this field, if the plan is changed).
    goals = tuple(g for g in goals if plan is None or g.care_plan_id == plan)
    fields = [
        Field("description", "What", required=True, initial=current and current.description),
        Field(
            "care_plan_id",
            "Care plan",
            "choice",
            required=True,
            choices=_plan_choices(plans),
            initial=str(plan) if plan is not None else None,
        ),
        Field(
            "goal_id",
            "Towards goal",
            "choice",
            choices=tuple((short(g.description), str(g.id)) for g in goals),
            initial=str(goal) if goal is not None else None,
        ),
        Field(
            "performer",
            "By whom",
            initial=current and current.performer,
            placeholder="e.g. coordinator, home health",
        ),
        Field(
            "status",
            "Status",
            "choice",
            required=True,
            choices=choices(codes.InterventionStatus),
            initial=current.status if current else codes.InterventionStatus.NOT_STARTED.value,
        ),
        Field("scheduled_on", "Date", "date", initial=current and current.scheduled_on),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Intervention
        from caretui.services.careplans import add_intervention, update_intervention

        values = {
            **values,
            "care_plan_id": _as_id(values["care_plan_id"]),
            "goal_id": _as_id(values["goal_id"]),
        }
        return add_or_edit(
            db,
            today,
            patient_id,
            current,
            "intervention",
            values,
            Intervention,
            add_intervention,
            update_intervention,
        )

    title = "Edit intervention" if current else "New intervention"
    return FormScreen(title, fields, save, today=today, edited=edited("intervention", current))
