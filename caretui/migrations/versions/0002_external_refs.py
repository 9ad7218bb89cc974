"""external references: the ids imported records had in the system they came from

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 04:05:15.701708
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "external_ref",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("resource_type", sa.String(length=60), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_ref")),
        sa.UniqueConstraint(
            "source", "resource_type", "external_id", name=op.f("uq_external_ref_source")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("external_ref", schema=None) as batch_op:
        batch_op.create_index(
            "ix_external_ref_entity_record", ["entity", "record_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("external_ref", schema=None) as batch_op:
        batch_op.drop_index("ix_external_ref_entity_record")

    op.drop_table("external_ref")
