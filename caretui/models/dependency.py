"""Tasks that wait on other tasks ("book the appointment" waits on "referral accepted")."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from caretui.models.base import TABLE_OPTIONS, Record, label


class TaskDependency(Record):
    """``task_id`` waits on ``blocked_by_id``: it is not on Today while that task is open.

    A ``Record``, so adding or removing a dependency is audited and undoable. Both
    links restrict: a task that others wait on (or that waits) is not deleted from
    under them. The unique index on the pair also serves "what does this task wait
    on" (Today's ``NOT EXISTS``); the one on ``blocked_by_id`` serves "what does it
    block" and the foreign-key check when a task is deleted.
    """

    __tablename__ = "task_dependency"
    __label__ = "task dependency"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="RESTRICT"), nullable=False, info=label("Task")
    )
    blocked_by_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
        info=label("Waits on"),
    )

    __table_args__ = (
        Index("ix_task_dependency_task_blocker", "task_id", "blocked_by_id", unique=True),
        TABLE_OPTIONS,
    )
