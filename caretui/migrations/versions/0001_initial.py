"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 03:59:44.594848
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action_id", sa.String(length=36), nullable=False),
        sa.Column("action_label", sa.String(length=100), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "create",
                "update",
                "delete",
                name="audit_action",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("reverts", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action_id"), ["action_id"], unique=False)
        batch_op.create_index("ix_audit_event_entity_record", ["entity", "record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_reverts"), ["reverts"], unique=False)

    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("preferred_name", sa.String(length=100), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column(
            "gender",
            sa.Enum(
                "male",
                "female",
                "other",
                "unknown",
                name="gender",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=60), nullable=True),
        sa.Column("interpreter_needed", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "on-hold",
                "discharged",
                name="patient_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "risk",
            sa.Enum(
                "high", "medium", "low", name="risk", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("mrn", sa.String(length=60), nullable=True),
        sa.Column("insurance_member_id", sa.String(length=60), nullable=True),
        sa.Column("enrolled_on", sa.Date(), nullable=True),
        sa.Column("discharged_on", sa.Date(), nullable=True),
        sa.Column("care_management", sa.Boolean(), nullable=False),
        sa.Column("unable_to_reach_since", sa.Date(), nullable=True),
        sa.Column("search_key", sa.String(length=600), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patient_family_given", ["family_name", "given_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_patient_mrn"), ["mrn"], unique=False)
        batch_op.create_index(batch_op.f("ix_patient_status"), ["status"], unique=False)

    op.create_table(
        "resource",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "food",
                "housing",
                "transport",
                "home-health",
                "mental-health",
                "financial",
                "specialist",
                "pharmacy",
                "other",
                name="resource_category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("hours", sa.String(length=200), nullable=True),
        sa.Column("eligibility", sa.Text(), nullable=True),
        sa.Column("languages", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("last_verified", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "allergy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("substance", sa.String(length=200), nullable=False),
        sa.Column("reaction", sa.String(length=200), nullable=True),
        sa.Column(
            "criticality",
            sa.Enum(
                "low",
                "high",
                "unable-to-assess",
                name="criticality",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "clinical_status",
            sa.Enum(
                "active",
                "inactive",
                "resolved",
                name="allergy_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_allergy_patient_id_patient"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allergy")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("allergy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allergy_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=True),
        sa.Column("with_whom", sa.String(length=200), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("purpose", sa.String(length=500), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "booked",
                "arrived",
                "fulfilled",
                "cancelled",
                "noshow",
                name="appointment_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "transport",
            sa.Enum(
                "not-needed",
                "needed",
                "arranged",
                name="transport",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("transport_details", sa.String(length=200), nullable=True),
        sa.Column("rrule", sa.String(length=300), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_appointment_patient_id_patient"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointment_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index("ix_appointment_start", ["start"], unique=False)

    op.create_table(
        "care_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "active",
                "on-hold",
                "revoked",
                "completed",
                name="care_plan_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("next_review", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_care_plan_patient_id_patient"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plan")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("care_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_plan_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index("ix_care_plan_status_review", ["status", "next_review"], unique=False)

    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "caregiver",
                "pcp",
                "specialist",
                "pharmacy",
                "home-health",
                "social-worker",
                "other",
                name="contact_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("relationship", sa.String(length=100), nullable=True),
        sa.Column("organization", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_contact_patient_id_patient"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "medication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("dose", sa.String(length=100), nullable=True),
        sa.Column("route", sa.String(length=60), nullable=True),
        sa.Column("frequency", sa.String(length=100), nullable=True),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.Column("prescriber", sa.String(length=100), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "on-hold",
                "stopped",
                "completed",
                "entered-in-error",
                name="medication_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("stop_reason", sa.String(length=200), nullable=True),
        sa.Column("refill_due", sa.Date(), nullable=True),
        sa.Column("last_reconciled", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_medication_patient_id_patient"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medication")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("medication", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_medication_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index("ix_medication_status_refill", ["status", "refill_due"], unique=False)

    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "call",
                "visit",
                "message",
                "note",
                name="note_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("with_whom", sa.String(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "reached",
                "voicemail",
                "no-answer",
                "wrong-number",
                "declined",
                name="outreach_outcome",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_note_patient_id_patient"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index("ix_note_patient_when", ["patient_id", "occurred_at"], unique=False)

    op.create_table(
        "problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "clinical_status",
            sa.Enum(
                "active",
                "recurrence",
                "relapse",
                "inactive",
                "remission",
                "resolved",
                name="condition_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("onset_date", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_problem_patient_id_patient"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("care_plan_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column(
            "lifecycle_status",
            sa.Enum(
                "proposed",
                "planned",
                "accepted",
                "active",
                "on-hold",
                "completed",
                "cancelled",
                "entered-in-error",
                "rejected",
                name="goal_lifecycle",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "achievement_status",
            sa.Enum(
                "in-progress",
                "improving",
                "worsening",
                "no-change",
                "achieved",
                "sustaining",
                "not-achieved",
                "no-progress",
                "not-attainable",
                name="goal_achievement",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("measure", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["care_plan_id"],
            ["care_plan.id"],
            name=op.f("fk_goal_care_plan_id_care_plan"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_goal_patient_id_patient"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_care_plan_id"), ["care_plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_goal_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(
            "ix_goal_status_target", ["lifecycle_status", "target_date"], unique=False
        )

    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column(
            "urgency",
            sa.Enum(
                "routine",
                "urgent",
                "asap",
                "stat",
                name="referral_urgency",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "sent",
                "accepted",
                "scheduled",
                "completed",
                "declined",
                "cancelled",
                name="referral_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("response_due", sa.Date(), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_referral_appointment_id_appointment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_referral_contact_id_contact"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_referral_patient_id_patient"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resource.id"],
            name=op.f("fk_referral_resource_id_resource"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_resource_id"), ["resource_id"], unique=False)
        batch_op.create_index("ix_referral_status_due", ["status", "response_due"], unique=False)

    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("queue", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "requested",
                "received",
                "accepted",
                "rejected",
                "ready",
                "cancelled",
                "in-progress",
                "on-hold",
                "failed",
                "completed",
                "entered-in-error",
                name="task_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "priority",
            sa.Enum(
                "routine",
                "urgent",
                "asap",
                "stat",
                name="priority",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("wait_until", sa.Date(), nullable=True),
        sa.Column("rrule", sa.String(length=300), nullable=True),
        sa.Column(
            "origin",
            sa.Enum(
                "manual",
                "follow-up",
                "plan-review",
                "refill",
                "referral",
                "outreach",
                "import",
                name="task_origin",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_task_appointment_id_appointment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_task_patient_id_patient"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_appointment_id"), ["appointment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_task_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index("ix_task_status_due", ["status", "due"], unique=False)

    op.create_table(
        "intervention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("care_plan_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("performer", sa.String(length=100), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "not-started",
                "scheduled",
                "in-progress",
                "on-hold",
                "completed",
                "cancelled",
                name="intervention_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("scheduled_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["care_plan_id"],
            ["care_plan.id"],
            name=op.f("fk_intervention_care_plan_id_care_plan"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goal.id"], name=op.f("fk_intervention_goal_id_goal"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_intervention_patient_id_patient"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervention")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("intervention", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intervention_care_plan_id"), ["care_plan_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_intervention_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_intervention_patient_id"), ["patient_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("intervention", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intervention_patient_id"))
        batch_op.drop_index(batch_op.f("ix_intervention_goal_id"))
        batch_op.drop_index(batch_op.f("ix_intervention_care_plan_id"))

    op.drop_table("intervention")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_status_due")
        batch_op.drop_index(batch_op.f("ix_task_patient_id"))
        batch_op.drop_index(batch_op.f("ix_task_appointment_id"))

    op.drop_table("task")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_status_due")
        batch_op.drop_index(batch_op.f("ix_referral_resource_id"))
        batch_op.drop_index(batch_op.f("ix_referral_patient_id"))
        batch_op.drop_index(batch_op.f("ix_referral_contact_id"))

    op.drop_table("referral")
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_index("ix_goal_status_target")
        batch_op.drop_index(batch_op.f("ix_goal_patient_id"))
        batch_op.drop_index(batch_op.f("ix_goal_care_plan_id"))

    op.drop_table("goal")
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_patient_id"))

    op.drop_table("problem")
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_index("ix_note_patient_when")
        batch_op.drop_index(batch_op.f("ix_note_patient_id"))

    op.drop_table("note")
    with op.batch_alter_table("medication", schema=None) as batch_op:
        batch_op.drop_index("ix_medication_status_refill")
        batch_op.drop_index(batch_op.f("ix_medication_patient_id"))

    op.drop_table("medication")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_patient_id"))

    op.drop_table("contact")
    with op.batch_alter_table("care_plan", schema=None) as batch_op:
        batch_op.drop_index("ix_care_plan_status_review")
        batch_op.drop_index(batch_op.f("ix_care_plan_patient_id"))

    op.drop_table("care_plan")
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_start")
        batch_op.drop_index(batch_op.f("ix_appointment_patient_id"))

    op.drop_table("appointment")
    with op.batch_alter_table("allergy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allergy_patient_id"))

    op.drop_table("allergy")
    op.drop_table("resource")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_status"))
        batch_op.drop_index(batch_op.f("ix_patient_mrn"))
        batch_op.drop_index("ix_patient_family_given")

    op.drop_table("patient")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_reverts"))
        batch_op.drop_index(batch_op.f("ix_audit_event_patient_id"))
        batch_op.drop_index("ix_audit_event_entity_record")
        batch_op.drop_index(batch_op.f("ix_audit_event_action_id"))

    op.drop_table("audit_event")
