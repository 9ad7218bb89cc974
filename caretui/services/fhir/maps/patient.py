"""Patient ↔ Patient.

``active = false`` (or a ``deceased`` date) means discharged; caretui's own fields
(risk, on-hold, enrolment, discharge date, care management) travel as extensions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from caretui.errors import DomainError
from caretui.models.all import Patient
from caretui.services.fhir import values as v
from caretui.services.fhir.context import Entry, ExportContext
from caretui.services.fhir.draft import Draft, EntryProblem

READS = ("Patient",)
TYPE = "Patient"
MODEL = Patient

V2 = "http://terminology.hl7.org/CodeSystem/v2-0203"
INTERPRETER = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
#: caretui field -> (extension name, value type)
EXTRAS = {
    "status": ("status", "Code"),
    "risk": ("risk", "Code"),
    "enrolled_on": ("enrolled-on", "Date"),
    "discharged_on": ("discharged-on", "Date"),
    "care_management": ("care-management", "Boolean"),
    "unable_to_reach_since": ("unable-to-reach-since", "Date"),
}


def _pick_name(names: list[Any], *uses: str | None) -> Any:
    for use in uses:
        for name in names:
            if isinstance(name, dict) and name.get("use") == use:
                return name
    return None


def _identifier(resource: dict[str, Any], code: str) -> str | None:
    for ident in v.listed(resource.get("identifier"), "identifier"):
        if isinstance(ident, dict) and v.code_of(ident.get("type"), "identifier.type", V2) == code:
            return v.text(ident.get("value"), "identifier.value")
    return None


def read(resource: dict[str, Any], entry: Entry) -> list[Draft]:
    d = entry.draft(Patient, TYPE)
    names = v.listed(resource.get("name"), "name")
    official = _pick_name(names, "official", "usual", None) or v.first(names)
    given, family = v.human_name(official, "name")
    d.set("given_name", "name.given", given)
    d.set("family_name", "name.family", family)
    nickname = _pick_name(names, "nickname")
    d.set("preferred_name", "name.given", v.human_name(nickname, "name")[0] if nickname else None)
    d.set("birth_date", "birthDate", v.fhir_date(resource.get("birthDate"), "birthDate"))
    d.set("gender", "gender", v.code(resource.get("gender"), "gender"))
    d.set("phone", "telecom", v.telecom(resource.get("telecom"), "telecom", "phone"))
    d.set("email", "telecom", v.telecom(resource.get("telecom"), "telecom", "email"))
    d.set("address", "address", v.address_text(v.first(resource.get("address")), "address"))
    language = v.first(resource.get("communication"))
    d.set(
        "language",
        "communication.language",
        v.concept(language.get("language"), "communication.language")
        if isinstance(language, dict)
        else None,
    )
    interpreter = False
    for ext in v.listed(resource.get("extension"), "extension"):
        if isinstance(ext, dict) and ext.get("url") == INTERPRETER:
            interpreter = ext.get("valueBoolean") is True
    d.set("interpreter_needed", "extension", interpreter)
    d.set("mrn", "identifier", _identifier(resource, "MR"))
    d.set("insurance_member_id", "identifier", _identifier(resource, "MB"))

    active = resource.get("active")
    if active is not None and not isinstance(active, bool):
        raise EntryProblem("active", active, "is not true or false")
    deceased = resource.get("deceasedDateTime")
    dead = deceased is not None or resource.get("deceasedBoolean") is True
    status = v.ext_value(resource, "status")
    if status is None:
        status = "discharged" if active is False or dead else "active"
    d.set("status", "active", status, raw=v.ext_value(resource, "status", active))
    discharged = v.fhir_date(v.ext_value(resource, "discharged-on"), "extension")
    if discharged is None and status == "discharged" and deceased is not None:
        discharged = v.day_of(deceased, "deceasedDateTime")
    if discharged is not None or status != "discharged":
        d.set("discharged_on", "deceasedDateTime", discharged, raw=deceased)
    d.set("risk", "extension", v.ext_value(resource, "risk", "medium"))
    enrolled = v.fhir_date(v.ext_value(resource, "enrolled-on"), "extension")
    if enrolled is not None:
        d.set("enrolled_on", "extension", enrolled)
    d.set("care_management", "extension", v.ext_value(resource, "care-management") is True)
    d.set(
        "unable_to_reach_since",
        "extension",
        v.fhir_date(v.ext_value(resource, "unable-to-reach-since"), "extension"),
    )
    return [d]


def complete(values: dict[str, Any], today: date) -> None:
    """The rules ``services.patients`` keeps, on a patient's values before they are written:
    a discharged patient has a discharge date (today if the source gave none), a new
    patient an enrolment date (today, or the discharge date if that is earlier), and
    neither is before the date of birth."""
    if values.get("status") == "discharged" and values.get("discharged_on") is None:
        values["discharged_on"] = today
    if values.get("enrolled_on") is None:
        discharged = values.get("discharged_on")
        values["enrolled_on"] = min(today, discharged) if discharged else today
    born = values.get("birth_date")
    for key, what in (("enrolled_on", "Enrolled"), ("discharged_on", "Discharged")):
        day = values.get(key)
        if born is not None and day is not None and day < born:
            raise DomainError(f"{what} {day.isoformat()} is before the date of birth", field=key)


def write(row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    names: list[dict[str, Any]] = [
        {"use": "official", "family": row["family_name"], "given": [row["given_name"]]}
    ]
    if row["preferred_name"]:
        names.append({"use": "nickname", "given": [row["preferred_name"]]})
    identifiers = []
    if row["mrn"]:
        identifiers.append(
            {"type": {"coding": [{"system": V2, "code": "MR"}]}, "value": row["mrn"]}
        )
    if row["insurance_member_id"]:
        identifiers.append(
            {
                "type": {"coding": [{"system": V2, "code": "MB"}]},
                "value": row["insurance_member_id"],
            }
        )
    extensions = [
        v.make_extension(name, kind, _plain(row[field], kind))
        for field, (name, kind) in EXTRAS.items()
        if row[field] is not None
    ]
    if row["interpreter_needed"]:
        extensions.append({"url": INTERPRETER, "valueBoolean": True})
    telecom = []
    if row["phone"]:
        telecom.append({"system": "phone", "value": row["phone"]})
    if row["email"]:
        telecom.append({"system": "email", "value": row["email"]})
    return {
        "resourceType": "Patient",
        "extension": extensions,
        "identifier": identifiers,
        "active": row["status"] != "discharged",
        "name": names,
        "telecom": telecom,
        "gender": row["gender"],
        "birthDate": v.write_date(row["birth_date"]),
        "address": [{"text": row["address"]}] if row["address"] else None,
        "communication": [{"language": {"text": row["language"]}}] if row["language"] else None,
    }


def _plain(value: Any, kind: str) -> Any:
    if kind == "Date" and isinstance(value, date):
        return value.isoformat()
    return value
