"""Every model, imported once so ``Base.metadata`` knows every table."""

from caretui.models.audit import AuditEvent
from caretui.models.base import Base, Record
from caretui.models.clinical import CarePlan, Goal, Intervention, Medication
from caretui.models.dependency import TaskDependency
from caretui.models.interchange import ExternalRef
from caretui.models.patient import Allergy, Contact, Patient, Problem
from caretui.models.referrals import ReferralStep
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
    ReferralStep,
)

#: Records that link two domain records (a task waiting on another), written after
#: every domain record. Not in ``RECORDS``: a caseload need not have any.
LINKS: tuple[type[Record], ...] = (TaskDependency,)

#: Every audited record class by table name (the domain records, their links and
#: the identifiers imports keep), so undo can revert any audit event.
_AUDITED: tuple[type[Record], ...] = (*RECORDS, *LINKS, ExternalRef)
BY_TABLE: dict[str, type[Record]] = {m.__tablename__: m for m in _AUDITED}

__all__ = [
    "BY_TABLE",
    "LINKS",
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
    "ReferralStep",
    "Resource",
    "Task",
    "TaskDependency",
]
