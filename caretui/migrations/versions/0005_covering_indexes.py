"""covering indexes for the Today, day-sheet and count filters

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 06:20:00

At 5,000 patients and 200,000 tasks, ``caretui count`` spent most of its
time looking up a table row for each of ~50,000 open tasks and ~50,000 past
appointments after finding them in an index. Widening the indexes with the
other columns those filters read lets SQLite answer from the index alone
(about 110 ms → 23 ms for the whole count). The task index also holds the
priority and the queue, so Today can count its open tasks by urgency group
(``queries.today_top``) and the day sheet pick each queue's most pressing
tasks from the index alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_status_due")
        batch_op.create_index(
            "ix_task_status_due",
            ["status", "due", "wait_until", "patient_id", "priority", "queue"],
            unique=False,
        )
    with op.batch_alter_table("medication", schema=None) as batch_op:
        batch_op.drop_index("ix_medication_status_refill")
        batch_op.create_index(
            "ix_medication_status_refill", ["status", "refill_due", "patient_id"], unique=False
        )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_appointment_status_start",
            ["status", "start", "end", "patient_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_status_start")
    with op.batch_alter_table("medication", schema=None) as batch_op:
        batch_op.drop_index("ix_medication_status_refill")
        batch_op.create_index("ix_medication_status_refill", ["status", "refill_due"], unique=False)
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_status_due")
        batch_op.create_index("ix_task_status_due", ["status", "due"], unique=False)
