"""Allergy ↔ AllergyIntolerance: ``code.text``, criticality, the reaction's manifestations."""

from __future__ import annotations

from typing import Any

from caretui.models.all import Allergy
from caretui.services.fhir import values as v
from caretui.services.fhir.context import Entry, ExportContext
from caretui.services.fhir.draft import Draft

READS = ("AllergyIntolerance",)
TYPE = "AllergyIntolerance"
MODEL = Allergy
CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"


def read(resource: dict[str, Any], entry: Entry) -> list[Draft]:
    d = entry.draft(Allergy, TYPE)
    d.link("patient_id", resource.get("patient"), "patient", ("Patient",))
    d.set("substance", "code", v.concept(resource.get("code"), "code"))
    d.set("criticality", "criticality", v.code(resource.get("criticality"), "criticality"))
    status = v.code_of(resource.get("clinicalStatus"), "clinicalStatus")
    d.set("clinical_status", "clinicalStatus", status or "active")
    manifestations: list[str] = []
    for reaction in v.listed(resource.get("reaction"), "reaction"):
        if not isinstance(reaction, dict):
            continue
        for item in v.listed(reaction.get("manifestation"), "reaction.manifestation"):
            said = v.concept(item, "reaction.manifestation")
            if said and said not in manifestations:
                manifestations.append(said)
    d.set("reaction", "reaction.manifestation", "; ".join(manifestations) or None)
    return [d]


def write(row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    return {
        "resourceType": "AllergyIntolerance",
        "clinicalStatus": {"coding": [{"system": CLINICAL, "code": row["clinical_status"]}]},
        "criticality": row["criticality"],
        "code": {"text": row["substance"]},
        "patient": ctx.reference("patient", row["patient_id"]),
        "reaction": [{"manifestation": [{"text": row["reaction"]}]}] if row["reaction"] else None,
    }
