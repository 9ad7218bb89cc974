"""Code values shared by every layer, FHIR R4 codes where FHIR has the concept.

Plain ``StrEnum`` classes with no third-party import, so the read side and the
CLI can use them without paying for SQLAlchemy. Each member's value is the code
stored in the database and exchanged with other systems.
"""

from __future__ import annotations

from enum import StrEnum


class PatientStatus(StrEnum):
    ACTIVE = "active"
    ON_HOLD = "on-hold"
    DISCHARGED = "discharged"


class RiskLevel(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Gender(StrEnum):
    """FHIR AdministrativeGender."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


class ContactRole(StrEnum):
    CAREGIVER = "caregiver"
    PCP = "pcp"
    SPECIALIST = "specialist"
    PHARMACY = "pharmacy"
    HOME_HEALTH = "home-health"
    SOCIAL_WORKER = "social-worker"
    OTHER = "other"


class ConditionClinicalStatus(StrEnum):
    """FHIR condition-clinical."""

    ACTIVE = "active"
    RECURRENCE = "recurrence"
    RELAPSE = "relapse"
    INACTIVE = "inactive"
    REMISSION = "remission"
    RESOLVED = "resolved"


class AllergyCriticality(StrEnum):
    """FHIR allergy-intolerance-criticality."""

    LOW = "low"
    HIGH = "high"
    UNABLE_TO_ASSESS = "unable-to-assess"


class AllergyClinicalStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    RESOLVED = "resolved"


class MedicationStatus(StrEnum):
    """FHIR medication-statement-status (the subset a coordinator keeps)."""

    ACTIVE = "active"
    ON_HOLD = "on-hold"
    STOPPED = "stopped"
    COMPLETED = "completed"
    ENTERED_IN_ERROR = "entered-in-error"


class CarePlanStatus(StrEnum):
    """FHIR request-status as used by CarePlan."""

    DRAFT = "draft"
    ACTIVE = "active"
    ON_HOLD = "on-hold"
    REVOKED = "revoked"
    COMPLETED = "completed"


class GoalLifecycleStatus(StrEnum):
    PROPOSED = "proposed"
    PLANNED = "planned"
    ACCEPTED = "accepted"
    ACTIVE = "active"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered-in-error"
    REJECTED = "rejected"


class GoalAchievementStatus(StrEnum):
    IN_PROGRESS = "in-progress"
    IMPROVING = "improving"
    WORSENING = "worsening"
    NO_CHANGE = "no-change"
    ACHIEVED = "achieved"
    SUSTAINING = "sustaining"
    NOT_ACHIEVED = "not-achieved"
    NO_PROGRESS = "no-progress"
    NOT_ATTAINABLE = "not-attainable"


class InterventionStatus(StrEnum):
    """FHIR care-plan-activity-status (the subset a coordinator keeps)."""

    NOT_STARTED = "not-started"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in-progress"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class AppointmentStatus(StrEnum):
    PROPOSED = "proposed"
    BOOKED = "booked"
    ARRIVED = "arrived"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"


class Transport(StrEnum):
    NOT_NEEDED = "not-needed"
    NEEDED = "needed"
    ARRANGED = "arranged"


class TaskStatus(StrEnum):
    """FHIR task-status, every code, so imported tasks keep theirs."""

    DRAFT = "draft"
    REQUESTED = "requested"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    READY = "ready"
    CANCELLED = "cancelled"
    IN_PROGRESS = "in-progress"
    ON_HOLD = "on-hold"
    FAILED = "failed"
    COMPLETED = "completed"
    ENTERED_IN_ERROR = "entered-in-error"


#: Task statuses that mean nothing more is to be done.
TASK_CLOSED = frozenset(
    {
        TaskStatus.CANCELLED,
        TaskStatus.COMPLETED,
        TaskStatus.FAILED,
        TaskStatus.REJECTED,
        TaskStatus.ENTERED_IN_ERROR,
    }
)


class Priority(StrEnum):
    """FHIR request-priority, lowest first."""

    ROUTINE = "routine"
    URGENT = "urgent"
    ASAP = "asap"
    STAT = "stat"


class TaskOrigin(StrEnum):
    MANUAL = "manual"
    FOLLOW_UP = "follow-up"
    PLAN_REVIEW = "plan-review"
    REFILL = "refill"
    REFERRAL = "referral"
    OUTREACH = "outreach"
    IMPORT = "import"


class NoteKind(StrEnum):
    CALL = "call"
    VISIT = "visit"
    MESSAGE = "message"
    NOTE = "note"


class OutreachOutcome(StrEnum):
    REACHED = "reached"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no-answer"
    WRONG_NUMBER = "wrong-number"
    DECLINED = "declined"


class ResourceCategory(StrEnum):
    FOOD = "food"
    HOUSING = "housing"
    TRANSPORT = "transport"
    HOME_HEALTH = "home-health"
    MENTAL_HEALTH = "mental-health"
    FINANCIAL = "financial"
    SPECIALIST = "specialist"
    PHARMACY = "pharmacy"
    OTHER = "other"


class ReferralStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


#: Referral statuses that end the loop: nothing more is expected of the receiver.
REFERRAL_CLOSED = frozenset(
    {ReferralStatus.COMPLETED, ReferralStatus.DECLINED, ReferralStatus.CANCELLED}
)


class ReferralOutcome(StrEnum):
    """What came of a completed referral."""

    SEEN = "seen"
    REPORT_RECEIVED = "report-received"
    SERVICES_STARTED = "services-started"
    OTHER = "other"


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
