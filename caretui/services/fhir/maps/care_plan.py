"""CarePlan ↔ CarePlan, with its activities ↔ Interventions.

The title is ``title``, else the first category's words, else the description. An
activity's ``detail`` gives the intervention: its code's words (or description)
what, its performer's display by whom, its status, its scheduled date, its goal.
``CarePlan.goal`` links each listed Goal to the plan. The next review date travels
as an extension. Activities keep their ``id``, so a re-import updates them.
"""

from __future__ import annotations

from typing import Any

from caretui.models.all import CarePlan, Intervention
from caretui.services.fhir import values as v
from caretui.services.fhir.context import Entry, ExportContext
from caretui.services.fhir.draft import Draft, EntryProblem, Link

READS = ("CarePlan",)
TYPE = "CarePlan"
MODEL = CarePlan
ACTIVITY = "CarePlan.activity"


def _title(resource: dict[str, Any]) -> tuple[str | None, str]:
    title = v.text(resource.get("title"), "title")
    if title:
        return title, "title"
    for category in v.listed(resource.get("category"), "category"):
        said = v.concept(category, "category")
        if said and said != "assess-plan":
            return said, "category"
    return v.text(resource.get("description"), "description"), "description"


def read(resource: dict[str, Any], entry: Entry) -> list[Draft]:
    plan = entry.draft(CarePlan, TYPE)
    plan.link("patient_id", resource.get("subject"), "subject", ("Patient",))
    title, path = _title(resource)
    plan.set("title", path, title)
    plan.set("description", "description", v.text(resource.get("description"), "description"))
    plan.set("status", "status", v.code(resource.get("status"), "status"))
    period = v.obj(resource.get("period"))
    plan.set("period_start", "period.start", v.day_of(period.get("start"), "period.start"))
    plan.set("period_end", "period.end", v.day_of(period.get("end"), "period.end"))
    plan.set(
        "next_review", "extension", v.fhir_date(v.ext_value(resource, "next-review"), "extension")
    )
    for i, goal in enumerate(v.listed(resource.get("goal"), "goal")):
        reference = goal.get("reference") if isinstance(goal, dict) else None
        if not isinstance(reference, str):
            raise EntryProblem(f"goal[{i}]", goal, "is not a reference")
        plan.assign.append((Link(reference, f"goal[{i}]", ("Goal",)), "care_plan_id"))
    drafts = [plan]
    for i, activity in enumerate(v.listed(resource.get("activity"), "activity")):
        drafts.append(_activity(activity, i, entry, plan))
    return drafts


def _activity(activity: Any, i: int, entry: Entry, plan: Draft) -> Draft:
    path = f"activity[{i}]"
    if not isinstance(activity, dict):
        raise EntryProblem(path, activity, "is not a CarePlan activity")
    local = activity["id"] if isinstance(activity.get("id"), str) else f"activity-{i}"
    d = entry.child(Intervention, ACTIVITY, local)
    detail = v.obj(activity.get("detail"))
    if "patient_id" in plan.links:
        d.links["patient_id"] = plan.links["patient_id"]
        d.paths["patient_id"] = plan.paths["patient_id"]
    else:
        d.values["patient_id"] = None
    d.targets["care_plan_id"] = plan
    d.values["care_plan_id"] = 0
    what = v.concept(detail.get("code"), f"{path}.detail.code") or v.text(
        detail.get("description"), f"{path}.detail.description"
    )
    d.set("description", f"{path}.detail.code", what)
    performer = v.first(v.listed(detail.get("performer"), f"{path}.detail.performer"))
    d.set(
        "performer",
        f"{path}.detail.performer",
        performer.get("display") if isinstance(performer, dict) else None,
    )
    d.set("status", f"{path}.detail.status", v.code(detail.get("status"), f"{path}.detail.status"))
    when = detail.get("scheduledString")
    if isinstance(detail.get("scheduledPeriod"), dict):
        when = detail["scheduledPeriod"].get("start")
    d.set(
        "scheduled_on",
        f"{path}.detail.scheduled",
        v.day_of(when, f"{path}.detail.scheduled"),
        raw=when,
    )
    goal = v.first(v.listed(detail.get("goal"), f"{path}.detail.goal"))
    d.link("goal_id", goal, f"{path}.detail.goal", ("Goal",))
    return d


def write(row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    activities = []
    for item in ctx.children("intervention", "care_plan_id", row["id"]):
        activities.append(
            {
                "id": ctx.local_id("intervention", item["id"]),
                "detail": {
                    "status": item["status"],
                    "description": item["description"],
                    "performer": [{"display": item["performer"]}] if item["performer"] else None,
                    "scheduledPeriod": {"start": v.write_date(item["scheduled_on"])},
                    "goal": [ctx.reference("goal", item["goal_id"])] if item["goal_id"] else None,
                },
            }
        )
    goals = [
        ctx.reference("goal", g["id"]) for g in ctx.children("goal", "care_plan_id", row["id"])
    ]
    return {
        "resourceType": "CarePlan",
        "extension": [v.make_extension("next-review", "Date", v.write_date(row["next_review"]))],
        "status": row["status"],
        "intent": "plan",
        "title": row["title"],
        "description": row["description"],
        "subject": ctx.reference("patient", row["patient_id"]),
        "period": {
            "start": v.write_date(row["period_start"]),
            "end": v.write_date(row["period_end"]),
        },
        "goal": goals,
        "activity": activities,
    }
