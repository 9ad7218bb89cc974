"""Contact ↔ RelatedPerson: the people and services around a patient.

The relationship's words go to ``relationship``; the v2-0131 code ``C`` (emergency
contact) sets the emergency flag; caretui's role, organisation and notes travel as
extensions.
"""

from __future__ import annotations

from typing import Any

from caretui.models.all import Contact
from caretui.services.fhir import values as v
from caretui.services.fhir.context import Entry, ExportContext
from caretui.services.fhir.draft import Draft

READS = ("RelatedPerson",)
TYPE = "RelatedPerson"
MODEL = Contact
V2_0131 = "http://terminology.hl7.org/CodeSystem/v2-0131"


def read(resource: dict[str, Any], entry: Entry) -> list[Draft]:
    d = entry.draft(Contact, TYPE)
    d.link("patient_id", resource.get("patient"), "patient", ("Patient",))
    name = v.first(v.listed(resource.get("name"), "name"))
    given, family = v.human_name(name, "name")
    full = (
        name.get("text") if isinstance(name, dict) and isinstance(name.get("text"), str) else None
    )
    d.set("name", "name", full or " ".join(p for p in (given, family) if p) or None)
    emergency = False
    words = None
    for relation in v.listed(resource.get("relationship"), "relationship"):
        if v.code_of(relation, "relationship", V2_0131) == "C":
            emergency = True
        elif words is None:
            words = v.concept(relation, "relationship")
    d.set("relationship", "relationship", words)
    d.set("emergency", "relationship", emergency)
    d.set("phone", "telecom", v.telecom(resource.get("telecom"), "telecom", "phone"))
    d.set("role", "extension", v.ext_value(resource, "contact-role", "caregiver"))
    d.set("organization", "extension", v.ext_value(resource, "organization"))
    d.set("notes", "extension", v.ext_value(resource, "notes"))
    return [d]


def write(row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    relationship: list[dict[str, Any]] = []
    if row["relationship"]:
        relationship.append({"text": row["relationship"]})
    if row["emergency"]:
        relationship.append(
            {"coding": [{"system": V2_0131, "code": "C", "display": "Emergency Contact"}]}
        )
    return {
        "resourceType": "RelatedPerson",
        "extension": [
            v.make_extension("contact-role", "Code", row["role"]),
            v.make_extension("organization", "String", row["organization"])
            if row["organization"]
            else None,
            v.make_extension("notes", "String", row["notes"]) if row["notes"] else None,
        ],
        "patient": ctx.reference("patient", row["patient_id"]),
        "relationship": relationship,
        "name": [{"text": row["name"]}],
        "telecom": [{"system": "phone", "value": row["phone"]}] if row["phone"] else None,
    }
