"""Medication ↔ MedicationStatement; MedicationRequest is read too.

The medicine's words (``medicationCodeableConcept.text``, else a coding's display)
are the name; ``dosage[0].text`` (a request's ``dosageInstruction[0].text``) the
instructions, its timing's words the frequency, its route's the route. A request's
``authoredOn`` is the start and its requester's display the prescriber. Statuses
keep FHIR's codes; a request's ``cancelled`` is read as stopped. Dose, prescriber,
refill and reconciliation dates travel as extensions.
"""

from __future__ import annotations

from typing import Any

from caretui.models.all import Medication
from caretui.services.fhir import values as v
from caretui.services.fhir.context import Entry, ExportContext
from caretui.services.fhir.draft import Draft, EntryProblem

READS = ("MedicationStatement", "MedicationRequest")
TYPE = "MedicationStatement"
MODEL = Medication
_REQUEST_STATUS = {"cancelled": "stopped"}


def _dose(dosage: dict[str, Any]) -> str | None:
    rate = v.first(dosage.get("doseAndRate"))
    quantity = rate.get("doseQuantity") if isinstance(rate, dict) else None
    if not isinstance(quantity, dict) or quantity.get("value") is None:
        return None
    unit = quantity.get("unit") or quantity.get("code") or ""
    return f"{quantity['value']} {unit}".strip()


def _frequency(timing: Any) -> str | None:
    if not isinstance(timing, dict):
        return None
    said = v.concept(timing.get("code"), "timing.code")
    if said:
        return said
    repeat = timing.get("repeat")
    if isinstance(repeat, dict) and repeat.get("frequency") and repeat.get("periodUnit"):
        return f"{repeat['frequency']} per {repeat.get('period', 1)} {repeat['periodUnit']}"
    return None


def read(resource: dict[str, Any], entry: Entry) -> list[Draft]:
    d = entry.draft(Medication, TYPE)
    request = entry.resource_type == "MedicationRequest"
    d.link("patient_id", resource.get("subject"), "subject", ("Patient",))
    name = v.concept(resource.get("medicationCodeableConcept"), "medicationCodeableConcept")
    path = "medicationCodeableConcept"
    if name is None and isinstance(resource.get("medicationReference"), dict):
        name, path = resource["medicationReference"].get("display"), "medicationReference"
    d.set("name", path, name)
    dosage_path = "dosageInstruction" if request else "dosage"
    dosage = v.first(v.listed(resource.get(dosage_path), dosage_path))
    if dosage is not None and not isinstance(dosage, dict):
        raise EntryProblem(dosage_path, dosage, "is not a Dosage")
    dosage = dosage or {}
    d.set("instructions", f"{dosage_path}.text", v.text(dosage.get("text"), dosage_path))
    d.set("frequency", f"{dosage_path}.timing", _frequency(dosage.get("timing")))
    d.set("route", f"{dosage_path}.route", v.concept(dosage.get("route"), "route"))
    d.set("dose", "extension", v.ext_value(resource, "dose") or _dose(dosage))
    status = v.code(resource.get("status"), "status")
    if request and status in _REQUEST_STATUS:
        status = _REQUEST_STATUS[status]
    d.set("status", "status", status or "active", raw=resource.get("status"))
    if request:
        start = resource.get("authoredOn")
        d.set("start_date", "authoredOn", v.day_of(start, "authoredOn"), raw=start)
        d.set("end_date", "extension", v.fhir_date(v.ext_value(resource, "end"), "extension"))
        requester = resource.get("requester")
        d.set(
            "prescriber",
            "requester.display",
            requester.get("display") if isinstance(requester, dict) else None,
        )
        reason = resource.get("statusReason")
    else:
        start = resource.get("effectiveDateTime")
        end = None
        if isinstance(resource.get("effectivePeriod"), dict):
            start = resource["effectivePeriod"].get("start")
            end = resource["effectivePeriod"].get("end")
        d.set("start_date", "effectivePeriod.start", v.day_of(start, "effective"), raw=start)
        d.set("end_date", "effectivePeriod.end", v.day_of(end, "effectivePeriod.end"), raw=end)
        d.set("prescriber", "extension", v.ext_value(resource, "prescriber"))
        reason = v.first(resource.get("statusReason"))
    d.set("stop_reason", "statusReason", v.concept(reason, "statusReason"))
    d.set("refill_due", "extension", v.fhir_date(v.ext_value(resource, "refill-due"), "extension"))
    d.set(
        "last_reconciled",
        "extension",
        v.fhir_date(v.ext_value(resource, "last-reconciled"), "extension"),
    )
    return [d]


def write(row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    dosage = {
        "text": row["instructions"],
        "timing": {"code": {"text": row["frequency"]}} if row["frequency"] else None,
        "route": {"text": row["route"]} if row["route"] else None,
    }
    return {
        "resourceType": "MedicationStatement",
        "extension": [
            v.make_extension("dose", "String", row["dose"]) if row["dose"] else None,
            v.make_extension("prescriber", "String", row["prescriber"])
            if row["prescriber"]
            else None,
            v.make_extension("refill-due", "Date", v.write_date(row["refill_due"])),
            v.make_extension("last-reconciled", "Date", v.write_date(row["last_reconciled"])),
        ],
        "status": row["status"],
        "statusReason": [{"text": row["stop_reason"]}] if row["stop_reason"] else None,
        "medicationCodeableConcept": {"text": row["name"]},
        "subject": ctx.reference("patient", row["patient_id"]),
        "effectivePeriod": {
            "start": v.write_date(row["start_date"]),
            "end": v.write_date(row["end_date"]),
        },
        "dosage": [dosage],
    }
