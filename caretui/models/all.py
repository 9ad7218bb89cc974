"""Every model, imported once so ``Base.metadata`` knows every table."""

from caretui.models.audit import AuditEvent
from caretui.models.base import Base, Record
from caretui.models.clinical import CarePlan, Goal, Intervention, Medication
from caretui.models.interchange import ExternalRef
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

#: Every audited record class by table name (the domain records and the
#: identifiers imports keep), so undo can revert any audit event.
_AUDITED: tuple[type[Record], ...] = (*RECORDS, ExternalRef)
BY_TABLE: dict[str, type[Record]] = {m.__tablename__: m for m in _AUDITED}

__all__ = [
    "BY_TABLE",
    "RECORDS",
    "Allergy",
    "Appointment",
    "AuditEvent",
    "Base",
    "CarePlan",
    "Contact",
    "ExternalRef",
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
