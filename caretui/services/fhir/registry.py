"""Which module maps which FHIR resource type. Adding a type is one module and one line here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from caretui.models.all import Intervention, Patient, Record, ReferralStep
from caretui.services.fhir.context import Entry, ExportContext
from caretui.services.fhir.draft import Draft
from caretui.services.fhir.maps import (
    allergy,
    appointment,
    care_plan,
    communication,
    condition,
    goal,
    healthcare_service,
    medication,
    patient,
    related_person,
    service_request,
    task,
)


class ResourceMap(Protocol):
    """What a module in ``maps`` provides."""

    @property
    def READS(self) -> tuple[str, ...]: ...

    @property
    def TYPE(self) -> str: ...

    @property
    def MODEL(self) -> type[Record]: ...

    def read(self, resource: dict[str, Any], entry: Entry) -> list[Draft]: ...

    def write(self, row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]: ...


#: Every mapped type, in the order an export writes them (patients first).
MAPS: tuple[ResourceMap, ...] = (
    patient,
    related_person,
    condition,
    allergy,
    medication,
    care_plan,
    goal,
    appointment,
    task,
    communication,
    healthcare_service,
    service_request,
)

#: FHIR resource type read -> its module.
BY_TYPE: dict[str, ResourceMap] = {t: m for m in MAPS for t in m.READS}

#: caretui table -> the FHIR type its records are exported as (and their ids kept under).
TYPE_OF: dict[str, str] = {
    **{m.MODEL.__tablename__: m.TYPE for m in MAPS},
    Intervention.__tablename__: care_plan.ACTIVITY,
    ReferralStep.__tablename__: service_request.STEP,
}

#: Types caretui does not keep but reads for the name a reference may borrow (an
#: appointment's practitioner and location): accepted without --skip-unknown.
NAMED = frozenset({"Practitioner", "PractitionerRole", "Location", "Organization"})

#: Rules over a whole record before it is written, beyond validation, by model.
COMPLETE: dict[type[Record], Callable[[dict[str, Any], date], None]] = {
    Patient: patient.complete,
}


def canonical(resource_type: str) -> str:
    """The type ids are kept under (MedicationRequest's are kept as MedicationStatement's)."""
    found = BY_TYPE.get(resource_type)
    return found.TYPE if found is not None else resource_type
