"""Goal ↔ Goal: description, lifecycle and achievement status, first target's due date
and measure. The care plan comes from ``CarePlan.goal``."""

from __future__ import annotations

from typing import Any

from caretui.models.all import Goal
from caretui.services.fhir import values as v
from caretui.services.fhir.context import Entry, ExportContext
from caretui.services.fhir.draft import Draft

READS = ("Goal",)
TYPE = "Goal"
MODEL = Goal
ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"


def read(resource: dict[str, Any], entry: Entry) -> list[Draft]:
    d = entry.draft(Goal, TYPE)
    d.link("patient_id", resource.get("subject"), "subject", ("Patient",))
    d.set("description", "description", v.concept(resource.get("description"), "description"))
    d.set(
        "lifecycle_status",
        "lifecycleStatus",
        v.code(resource.get("lifecycleStatus"), "lifecycleStatus"),
    )
    d.set(
        "achievement_status",
        "achievementStatus",
        v.code_of(resource.get("achievementStatus"), "achievementStatus"),
    )
    target = v.first(v.listed(resource.get("target"), "target"))
    target = target if isinstance(target, dict) else {}
    d.set("target_date", "target.dueDate", v.fhir_date(target.get("dueDate"), "target.dueDate"))
    d.set("measure", "target.measure", v.concept(target.get("measure"), "target.measure"))
    return [d]


def write(row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    achievement = row["achievement_status"]
    return {
        "resourceType": "Goal",
        "lifecycleStatus": row["lifecycle_status"],
        "achievementStatus": {"coding": [{"system": ACHIEVEMENT, "code": achievement}]}
        if achievement
        else None,
        "description": {"text": row["description"]},
        "subject": ctx.reference("patient", row["patient_id"]),
        "target": [
            {
                "measure": {"text": row["measure"]} if row["measure"] else None,
                "dueDate": v.write_date(row["target_date"]),
            }
        ],
    }
