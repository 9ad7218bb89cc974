"""Referral ↔ ServiceRequest (category referral, intent order).

``subject`` is the patient; the first ``performer`` the receiver (a
HealthcareService is a directory resource, a RelatedPerson a contact); the first
reason's words the reason; ``priority`` the urgency; ``authoredOn`` the day it was
sent. FHIR's request status is written from caretui's (sent, accepted and
scheduled are active; declined and cancelled revoked) and caretui's own status
travels as an extension, with the response date, outcome, closing date and the
linked appointment.
"""

from __future__ import annotations

from typing import Any

from caretui.models.all import Referral
from caretui.services.fhir import values as v
from caretui.services.fhir.context import Entry, ExportContext, Names, reference_type
from caretui.services.fhir.draft import Draft

READS = ("ServiceRequest",)
TYPE = "ServiceRequest"
MODEL = Referral
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
    d.set("closed_on", "extension", v.fhir_date(v.ext_value(resource, "closed-on"), "extension"))
    d.link("appointment_id", v.ext_value(resource, "appointment"), "extension", ("Appointment",))
    return [d]


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
            v.make_extension("closed-on", "Date", v.write_date(row["closed_on"])),
            v.make_extension(
                "appointment", "Reference", ctx.reference("appointment", row["appointment_id"])
            ),
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
