"""task dependencies: a task waits on other tasks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 04:26:23.595642
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_dependency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("blocked_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["blocked_by_id"],
            ["task.id"],
            name=op.f("fk_task_dependency_blocked_by_id_task"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["task.id"],
            name=op.f("fk_task_dependency_task_id_task"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_dependency")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("task_dependency", schema=None) as batch_op:
        # The pair is unique, and its index (task first) answers "what does this task
        # wait on" for Today; the other answers "what does it block".
        batch_op.create_index(
            "ix_task_dependency_task_blocker", ["task_id", "blocked_by_id"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_task_dependency_blocked_by_id"), ["blocked_by_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("task_dependency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_dependency_blocked_by_id"))
        batch_op.drop_index("ix_task_dependency_task_blocker")

    op.drop_table("task_dependency")
