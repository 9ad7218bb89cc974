"""Task ↔ Task.

``Task.for`` is the patient (none for the coordinator's own tasks); the due date is
``restriction.period.end``, else ``executionPeriod.end``; ``description`` is the
title; status and priority keep FHIR's codes; the first note is the details; a
``focus`` on an Appointment links it. Queue, snooze, repeats, origin and completion
time travel as extensions; a task from elsewhere goes to the follow-up queue (or
the first configured queue) with origin "import".

What a task waits on travels as ``basedOn``, one Reference (typed ``Task``) per
task it waits on, the dependency's own id as the reference element's ``id`` so a
re-import updates it. ``basedOn`` rather than ``partOf``: ``partOf`` makes the
other task a composite this one is a step of (a parent that finishes after its
parts, "usually 0..1"), while ``basedOn`` names what this task follows from, comes
first, and allows many (0..*). On import, only ``basedOn`` entries that name a Task
are dependencies; one naming an order or a plan (a ServiceRequest, a CarePlan) is
what the task fulfils, which caretui does not keep.
"""

from __future__ import annotations

import re
from typing import Any

from caretui.models.all import Task, TaskDependency
from caretui.services.fhir import values as v
from caretui.services.fhir.context import Entry, ExportContext, Names
from caretui.services.fhir.draft import Draft

READS = ("Task",)
TYPE = "Task"
MODEL = Task
#: The ref type a dependency's id is kept under (it is part of its Task).
WAITS_ON = "Task.basedOn"
_TYPED = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/[^/]+(?:/_history/[^/]*)?$")


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
    return [d, *_waits_on(resource, entry, d)]


def _waits_on(resource: dict[str, Any], entry: Entry, task: Draft) -> list[Draft]:
    """A dependency draft for each ``basedOn`` that names a Task (see the module docstring)."""
    out = []
    for i, ref in enumerate(v.listed(resource.get("basedOn"), "basedOn")):
        reference = ref.get("reference") if isinstance(ref, dict) else None
        if not isinstance(reference, str) or not reference.strip() or reference.startswith("#"):
            continue  # a logical or contained reference: nothing here to link to
        said = ref.get("type")
        typed = _TYPED.search(reference)
        kind = said.rsplit("/", 1)[-1] if isinstance(said, str) else None
        if (kind or (typed.group(1) if typed else "Task")) != "Task":
            continue
        local = ref.get("id") if isinstance(ref.get("id"), str) else f"based-on:{reference}"
        d = entry.child(TaskDependency, WAITS_ON, local)
        d.targets["task_id"] = task
        d.values["task_id"] = 0
        d.paths["task_id"] = ("id", entry.resource_id)
        d.link("blocked_by_id", ref, f"basedOn[{i}]", ("Task",))

        def not_a_task(names: Names, d: Draft = d, reference: str = reference) -> None:
            """A urn: reference names its type only through the bundle."""
            if names.kind_of(reference) not in (None, "Task"):
                d.skip = True

        d.later.append(not_a_task)
        out.append(d)
    return out


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
        "basedOn": [
            {
                "id": ctx.local_id("task_dependency", link["id"]),
                **(ctx.reference("task", link["blocked_by_id"]) or {}),
                "type": "Task",
            }
            for link in ctx.children("task_dependency", "task_id", row["id"])
        ],
        "focus": ctx.reference("appointment", row["appointment_id"]),
        "for": ctx.reference("patient", row["patient_id"]),
        "restriction": {"period": {"end": v.write_date(row["due"])}} if row["due"] else None,
        "note": [{"text": row["description"]}] if row["description"] else None,
    }
