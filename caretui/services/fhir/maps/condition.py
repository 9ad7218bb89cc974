"""Problem ↔ Condition: the code's words, the clinical status, the onset, the notes."""

from __future__ import annotations

from typing import Any

from caretui.models.all import Problem
from caretui.services.fhir import values as v
from caretui.services.fhir.context import Entry, ExportContext
from caretui.services.fhir.draft import Draft

READS = ("Condition",)
TYPE = "Condition"
MODEL = Problem
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"


def notes_text(resource: dict[str, Any]) -> str | None:
    """Annotation texts, one paragraph each."""
    texts = [
        n["text"]
        for n in v.listed(resource.get("note"), "note")
        if isinstance(n, dict) and isinstance(n.get("text"), str)
    ]
    return "\n\n".join(texts) or None


def read(resource: dict[str, Any], entry: Entry) -> list[Draft]:
    d = entry.draft(Problem, TYPE)
    d.link("patient_id", resource.get("subject"), "subject", ("Patient",))
    d.set("name", "code", v.concept(resource.get("code"), "code"))
    status = v.code_of(resource.get("clinicalStatus"), "clinicalStatus")
    d.set("clinical_status", "clinicalStatus", status or "active")
    onset = resource.get("onsetDateTime")
    path = "onsetDateTime"
    if onset is None and isinstance(resource.get("onsetPeriod"), dict):
        onset, path = resource["onsetPeriod"].get("start"), "onsetPeriod.start"
    d.set("onset_date", path, v.day_of(onset, path), raw=onset)
    d.set("notes", "note", notes_text(resource))
    return [d]


def write(row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"system": CLINICAL, "code": row["clinical_status"]}]},
        "code": {"text": row["name"]},
        "subject": ctx.reference("patient", row["patient_id"]),
        "onsetDateTime": v.write_date(row["onset_date"]),
        "note": [{"text": row["notes"]}] if row["notes"] else None,
    }
