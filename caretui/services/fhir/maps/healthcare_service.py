"""Resource ↔ HealthcareService: the coordinator's directory of services.

``name``, the first phone, ``communication`` (languages, as words) and
``eligibility[0].comment``; the category is a code of caretui's own; address,
hours, notes and the date last verified travel as extensions.
"""

from __future__ import annotations

from typing import Any

from caretui.models.all import Resource
from caretui.services.fhir import values as v
from caretui.services.fhir.context import Entry, ExportContext
from caretui.services.fhir.draft import Draft

READS = ("HealthcareService",)
TYPE = "HealthcareService"
MODEL = Resource
CATEGORY = v.CODES + "resource-category"


def read(resource: dict[str, Any], entry: Entry) -> list[Draft]:
    d = entry.draft(Resource, TYPE)
    d.set("name", "name", v.text(resource.get("name"), "name"))
    category = None
    for item in v.listed(resource.get("category"), "category"):
        category = category or v.code_of(item, "category", CATEGORY)
    d.set("category", "category", category or "other")
    d.set("phone", "telecom", v.telecom(resource.get("telecom"), "telecom", "phone"))
    languages = [
        v.concept(c, "communication")
        for c in v.listed(resource.get("communication"), "communication")
    ]
    d.set("languages", "communication", ", ".join(x for x in languages if x) or None)
    eligibility = v.first(v.listed(resource.get("eligibility"), "eligibility"))
    d.set(
        "eligibility",
        "eligibility.comment",
        eligibility.get("comment") if isinstance(eligibility, dict) else None,
    )
    d.set("address", "extension", v.ext_value(resource, "address"))
    d.set("hours", "extension", v.ext_value(resource, "hours"))
    d.set("notes", "extension", v.ext_value(resource, "notes"))
    d.set(
        "last_verified",
        "extension",
        v.fhir_date(v.ext_value(resource, "last-verified"), "extension"),
    )
    return [d]


def write(row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    return {
        "resourceType": "HealthcareService",
        "extension": [
            v.make_extension("address", "String", row["address"]),
            v.make_extension("hours", "String", row["hours"]),
            v.make_extension("notes", "String", row["notes"]),
            v.make_extension("last-verified", "Date", v.write_date(row["last_verified"])),
        ],
        "category": [{"coding": [{"system": CATEGORY, "code": row["category"]}]}],
        "name": row["name"],
        "telecom": [{"system": "phone", "value": row["phone"]}] if row["phone"] else None,
        "communication": [{"text": row["languages"]}] if row["languages"] else None,
        "eligibility": [{"comment": row["eligibility"]}] if row["eligibility"] else None,
    }
