"""Task ↔ Task.

``Task.for`` is the patient (none for the coordinator's own tasks); the due date is
``restriction.period.end``, else ``executionPeriod.end``; ``description`` is the
title; status and priority keep FHIR's codes; the first note is the details; a
``focus`` on an Appointment links it. Queue, snooze, repeats, origin and completion
time travel as extensions; a task from elsewhere goes to the follow-up queue (or
the first configured queue) with origin "import".
"""

from __future__ import annotations

from typing import Any

from caretui.models.all import Task
from caretui.services.fhir import values as v
from caretui.services.fhir.context import Entry, ExportContext
from caretui.services.fhir.draft import Draft

READS = ("Task",)
TYPE = "Task"
MODEL = Task


def read(resource: dict[str, Any], entry: Entry) -> list[Draft]:
    d = entry.draft(Task, TYPE)
    d.link("patient_id", resource.get("for"), "for", ("Patient",))
    title = v.text(resource.get("description"), "description")
    path = "description"
    if title is None:
        title, path = v.concept(resource.get("code"), "code"), "code"
    d.set("title", path, title)
    note = v.first(v.listed(resource.get("note"), "note"))
    d.set("description", "note", note.get("text") if isinstance(note, dict) else None)
    d.set("status", "status", v.code(resource.get("status"), "status"))
    d.set("priority", "priority", v.code(resource.get("priority"), "priority") or "routine")
    due, due_path = None, "restriction.period.end"
    restriction = resource.get("restriction")
    if isinstance(restriction, dict) and isinstance(restriction.get("period"), dict):
        due = restriction["period"].get("end")
    if due is None and isinstance(resource.get("executionPeriod"), dict):
        due, due_path = resource["executionPeriod"].get("end"), "executionPeriod.end"
    d.set("due", due_path, v.day_of(due, due_path), raw=due)
    d.link("appointment_id", resource.get("focus"), "focus", ("Appointment",))
    queue = v.ext_value(resource, "queue")
    if queue is not None:
        d.set("queue", "extension", queue)
    else:
        d.initial["queue"] = None  # filled with the default queue on create
    d.set("wait_until", "extension", v.fhir_date(v.ext_value(resource, "wait-until"), "extension"))
    d.set("rrule", "extension", v.ext_value(resource, "rrule"))
    d.set("origin", "extension", v.ext_value(resource, "origin", "import"))
    d.set(
        "completed_at",
        "extension",
        v.fhir_datetime(v.ext_value(resource, "completed-at"), "extension"),
    )
    return [d]


def write(row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    return {
        "resourceType": "Task",
        "extension": [
            v.make_extension("queue", "String", row["queue"]),
            v.make_extension("wait-until", "Date", v.write_date(row["wait_until"])),
            v.make_extension("rrule", "String", row["rrule"]),
            v.make_extension("origin", "Code", row["origin"]),
            v.make_extension("completed-at", "DateTime", v.write_datetime(row["completed_at"])),
        ],
        "status": row["status"],
        "intent": "order",
        "priority": row["priority"],
        "description": row["title"],
        "focus": ctx.reference("appointment", row["appointment_id"]),
        "for": ctx.reference("patient", row["patient_id"]),
        "restriction": {"period": {"end": v.write_date(row["due"])}} if row["due"] else None,
        "note": [{"text": row["description"]}] if row["description"] else None,
    }
