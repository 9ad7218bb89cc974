"""Referral ↔ ServiceRequest (category referral, intent order).

``subject`` is the patient; the first ``performer`` the receiver (a
HealthcareService is a directory resource, a RelatedPerson a contact); the first
reason's words the reason; ``priority`` the urgency; ``authoredOn`` the day it was
sent. FHIR's request status is written from caretui's (sent, accepted and
scheduled are active; declined and cancelled revoked) and caretui's own status
travels as an extension, with the response date, the outcome (its code and its
words), the closing date and the linked appointment.

Each step (``ReferralStep``) travels as a complex extension ``referral-step`` with
``status``, ``date`` and ``note``, in the order taken; the extension's ``id`` is
the step's, so a re-import updates the steps instead of adding them again.
"""

from __future__ import annotations

from typing import Any

from caretui.models.all import Referral, ReferralStep
from caretui.services.fhir import values as v
from caretui.services.fhir.context import Entry, ExportContext, Names, reference_type
from caretui.services.fhir.draft import Draft, EntryProblem

READS = ("ServiceRequest",)
TYPE = "ServiceRequest"
MODEL = Referral
#: The ref type a step's id is kept under (it is part of its ServiceRequest).
STEP = "ServiceRequest.step"
SNOMED = "http://snomed.info/sct"
_TO_FHIR = {
    "draft": "draft",
    "sent": "active",
    "accepted": "active",
    "scheduled": "active",
    "completed": "completed",
    "declined": "revoked",
    "cancelled": "revoked",
}
_FROM_FHIR = {"draft": "draft", "active": "sent", "completed": "completed", "revoked": "cancelled"}


def read(resource: dict[str, Any], entry: Entry) -> list[Draft]:
    d = entry.draft(Referral, TYPE)
    d.link("patient_id", resource.get("subject"), "subject", ("Patient",))
    performer = v.first(v.listed(resource.get("performer"), "performer"))
    d.set("resource_id", "performer", None)
    d.set("contact_id", "performer", None)
    if isinstance(performer, dict):

        def receiver(names: Names) -> None:
            """A contact or a directory resource, once the bundle says which it is."""
            if reference_type(performer, names) == "RelatedPerson":
                d.link("contact_id", performer, "performer[0]", ("RelatedPerson",))
            else:
                d.link("resource_id", performer, "performer[0]", ("HealthcareService",))

        d.later.append(receiver)
    reason = v.first(v.listed(resource.get("reasonCode"), "reasonCode"))
    d.set(
        "reason",
        "reasonCode",
        v.concept(reason, "reasonCode") or v.concept(resource.get("code"), "code"),
    )
    d.set("urgency", "priority", v.code(resource.get("priority"), "priority") or "routine")
    fhir_status = v.code(resource.get("status"), "status")
    status = v.ext_value(resource, "referral-status") or _FROM_FHIR.get(
        fhir_status or "", fhir_status
    )
    d.set("status", "status", status, raw=fhir_status)
    sent = resource.get("authoredOn")
    d.set("sent_on", "authoredOn", v.day_of(sent, "authoredOn"), raw=sent)
    d.set(
        "response_due",
        "extension",
        v.fhir_date(v.ext_value(resource, "response-due"), "extension"),
    )
    d.set("outcome", "extension", v.ext_value(resource, "outcome"))
    d.set("outcome_code", "extension", v.ext_value(resource, "outcome-code"))
    d.set("closed_on", "extension", v.fhir_date(v.ext_value(resource, "closed-on"), "extension"))
    d.link("appointment_id", v.ext_value(resource, "appointment"), "extension", ("Appointment",))
    return [d, *_steps(resource, entry, d)]


def _steps(resource: dict[str, Any], entry: Entry, referral: Draft) -> list[Draft]:
    out = []
    steps = [
        ext
        for ext in v.listed(resource.get("extension"), "extension")
        if isinstance(ext, dict) and ext.get("url") == v.EXTENSION + "referral-step"
    ]
    for i, ext in enumerate(steps):
        path = f"extension[referral-step][{i}]"
        parts = {
            part.get("url"): next(
                (val for key, val in part.items() if key.startswith("value")), None
            )
            for part in v.listed(ext.get("extension"), path)
            if isinstance(part, dict)
        }
        if not parts:
            raise EntryProblem(path, ext, "a referral step needs its status and date")
        local = ext["id"] if isinstance(ext.get("id"), str) else f"step-{i}"
        d = entry.child(ReferralStep, STEP, local)
        if "patient_id" in referral.links:
            d.links["patient_id"] = referral.links["patient_id"]
            d.paths["patient_id"] = referral.paths["patient_id"]
        else:
            d.values["patient_id"] = None
        d.targets["referral_id"] = referral
        d.values["referral_id"] = 0
        d.set("status", f"{path}.status", parts.get("status"))
        d.set("taken_on", f"{path}.date", v.fhir_date(parts.get("date"), f"{path}.date"))
        d.set("note", f"{path}.note", parts.get("note"))
        out.append(d)
    return out


def _step(row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    return {
        "id": ctx.local_id("referral_step", row["id"]),
        "url": v.EXTENSION + "referral-step",
        "extension": [
            {"url": "status", "valueCode": row["status"]},
            {"url": "date", "valueDate": v.write_date(row["taken_on"])},
            {"url": "note", "valueString": row["note"]} if row["note"] else None,
        ],
    }


def write(row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    performer = ctx.reference("resource", row["resource_id"]) or ctx.reference(
        "contact", row["contact_id"]
    )
    return {
        "resourceType": "ServiceRequest",
        "extension": [
            v.make_extension("referral-status", "Code", row["status"]),
            v.make_extension("response-due", "Date", v.write_date(row["response_due"])),
            v.make_extension("outcome", "String", row["outcome"]),
            v.make_extension("outcome-code", "Code", row["outcome_code"]),
            v.make_extension("closed-on", "Date", v.write_date(row["closed_on"])),
            v.make_extension(
                "appointment", "Reference", ctx.reference("appointment", row["appointment_id"])
            ),
            *(_step(step, ctx) for step in ctx.children("referral_step", "referral_id", row["id"])),
        ],
        "status": _TO_FHIR[row["status"]],
        "intent": "order",
        "category": [
            {"coding": [{"system": SNOMED, "code": "3457005", "display": "Patient referral"}]}
        ],
        "priority": row["urgency"],
        "subject": ctx.reference("patient", row["patient_id"]),
        "authoredOn": v.write_date(row["sent_on"]),
        "performer": [performer] if performer else None,
        "reasonCode": [{"text": row["reason"]}],
    }
