"""Appointment ↔ Appointment.

Participants: the Patient is the patient, a Practitioner or PractitionerRole is
*with whom* (its display), a Location is *where* (its display). ``description`` is
the purpose; start and end are read as local wall-clock time. Transport, repeats
and outcome travel as extensions. A few FHIR statuses caretui has no room for are
read as the nearest one (``checked-in`` as arrived, ``pending`` and ``waitlist`` as
proposed).
"""

from __future__ import annotations

from typing import Any

from caretui.models.all import Appointment
from caretui.services.fhir import values as v
from caretui.services.fhir.context import (
    Entry,
    ExportContext,
    Names,
    reference_display,
    reference_type,
)
from caretui.services.fhir.draft import Draft, EntryProblem

READS = ("Appointment",)
TYPE = "Appointment"
MODEL = Appointment
WITH = ("Practitioner", "PractitionerRole")
WHERE = ("Location",)
_STATUS = {"checked-in": "arrived", "pending": "proposed", "waitlist": "proposed"}


def read(resource: dict[str, Any], entry: Entry) -> list[Draft]:
    d = entry.draft(Appointment, TYPE)
    actors: list[tuple[str, dict[str, Any]]] = []
    for i, participant in enumerate(v.listed(resource.get("participant"), "participant")):
        actor = participant.get("actor") if isinstance(participant, dict) else None
        if isinstance(actor, dict):
            actors.append((f"participant[{i}].actor", actor))
    d.set("with_whom", "participant.actor.display", None)
    d.set("location", "participant.actor.display", None)
    d.values["patient_id"] = None
    d.paths["patient_id"] = ("participant", None)

    def classify(names: Names) -> None:
        """Who is who, once the whole bundle is known (an actor may be a later entry)."""
        for path, actor in actors:
            kind = reference_type(actor, names)
            if kind == "Patient" and "patient_id" not in d.links:
                d.link("patient_id", actor, path, ("Patient",))
            elif kind in WITH and d.values["with_whom"] is None:
                d.set("with_whom", f"{path}.display", reference_display(actor, names))
            elif kind in WHERE and d.values["location"] is None:
                d.set("location", f"{path}.display", reference_display(actor, names))

    d.later.append(classify)
    d.set("purpose", "description", v.text(resource.get("description"), "description"))
    status = v.code(resource.get("status"), "status")
    d.set("status", "status", _STATUS.get(status or "", status), raw=status)
    start = resource.get("start")
    if start is None:
        raise EntryProblem("start", None, "an appointment needs a start")
    d.set("start", "start", v.fhir_datetime(start, "start"), raw=start)
    end = None if v.ext_value(resource, "no-end") is True else resource.get("end")
    d.set("end", "end", v.fhir_datetime(end, "end"), raw=end)
    d.set("transport", "extension", v.ext_value(resource, "transport", "not-needed"))
    d.set("transport_details", "extension", v.ext_value(resource, "transport-details"))
    d.set("rrule", "extension", v.ext_value(resource, "rrule"))
    d.set("outcome_note", "extension", v.ext_value(resource, "outcome"))
    return [d]


def write(row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    participants: list[dict[str, Any]] = [
        {"actor": ctx.reference("patient", row["patient_id"]), "status": "accepted"}
    ]
    if row["with_whom"]:
        participants.append(
            {"actor": {"type": "Practitioner", "display": row["with_whom"]}, "status": "accepted"}
        )
    if row["location"]:
        participants.append(
            {"actor": {"type": "Location", "display": row["location"]}, "status": "accepted"}
        )
    start = v.write_datetime(row["start"])
    return {
        "resourceType": "Appointment",
        "extension": [
            v.make_extension("transport", "Code", row["transport"]),
            v.make_extension("transport-details", "String", row["transport_details"]),
            v.make_extension("rrule", "String", row["rrule"]),
            v.make_extension("outcome", "String", row["outcome_note"]),
            v.make_extension("no-end", "Boolean", True) if row["end"] is None else None,
        ],
        "status": row["status"],
        "description": row["purpose"],
        "start": start,
        # FHIR wants an end with every start; an appointment with no end ends as it starts.
        "end": v.write_datetime(row["end"]) if row["end"] is not None else start,
        "participant": participants,
    }
