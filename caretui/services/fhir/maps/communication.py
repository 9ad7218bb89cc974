"""Note ↔ Communication: the contact log.

``subject`` is the patient, ``sent`` (else ``received``) when, the payloads' strings
the text, the first recipient's display with whom. Kind, outreach outcome and
minutes travel as extensions.
"""

from __future__ import annotations

from typing import Any

from caretui.models.all import Note
from caretui.services.fhir import values as v
from caretui.services.fhir.context import Entry, ExportContext
from caretui.services.fhir.draft import Draft

READS = ("Communication",)
TYPE = "Communication"
MODEL = Note


def read(resource: dict[str, Any], entry: Entry) -> list[Draft]:
    d = entry.draft(Note, TYPE)
    d.link("patient_id", resource.get("subject"), "subject", ("Patient",))
    when, path = resource.get("sent"), "sent"
    if when is None:
        when, path = resource.get("received"), "received"
    d.set("occurred_at", path, v.fhir_datetime(when, path), raw=when)
    texts = [
        p["contentString"]
        for p in v.listed(resource.get("payload"), "payload")
        if isinstance(p, dict) and isinstance(p.get("contentString"), str)
    ]
    d.set("text", "payload.contentString", "\n\n".join(texts) or None)
    recipient = v.first(v.listed(resource.get("recipient"), "recipient"))
    d.set(
        "with_whom",
        "recipient.display",
        recipient.get("display") if isinstance(recipient, dict) else None,
    )
    d.set("kind", "extension", v.ext_value(resource, "note-kind", "note"))
    d.set("outcome", "extension", v.ext_value(resource, "outreach-outcome"))
    d.set("minutes", "extension", v.ext_value(resource, "minutes"))
    return [d]


def write(row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    return {
        "resourceType": "Communication",
        "extension": [
            v.make_extension("note-kind", "Code", row["kind"]),
            v.make_extension("outreach-outcome", "Code", row["outcome"]),
            v.make_extension("minutes", "Integer", row["minutes"]),
        ],
        "status": "completed",
        "subject": ctx.reference("patient", row["patient_id"]),
        "sent": v.write_datetime(row["occurred_at"]),
        "recipient": [{"display": row["with_whom"]}] if row["with_whom"] else None,
        "payload": [{"contentString": row["text"]}] if row["text"] else None,
    }
