"""Every model, imported once so ``Base.metadata`` knows every table."""

from caretui.models.audit import AuditEvent
from caretui.models.base import Base, Record
from caretui.models.clinical import CarePlan, Goal, Intervention, Medication
from caretui.models.patient import Allergy, Contact, Patient, Problem
from caretui.models.work import Appointment, Note, Referral, Resource, Task

#: Every domain record class, in an order that respects foreign keys.
RECORDS: tuple[type[Record], ...] = (
    Patient,
    Contact,
    Problem,
    Allergy,
    Medication,
    CarePlan,
    Goal,
    Intervention,
    Appointment,
    Task,
    Note,
    Resource,
    Referral,
)

BY_TABLE: dict[str, type[Record]] = {m.__tablename__: m for m in RECORDS}

__all__ = [
    "BY_TABLE",
    "RECORDS",
    "Allergy",
    "Appointment",
    "AuditEvent",
    "Base",
    "CarePlan",
    "Contact",
    "Goal",
    "Intervention",
    "Medication",
    "Note",
    "Patient",
    "Problem",
    "Record",
    "Referral",
    "Resource",
    "Task",
]
