"""Task dependencies: a task that waits on others is not on Today until they are done.

"Book the appointment" waits on "referral accepted". A closed blocker (completed,
cancelled…) blocks nothing, so completing the last one puts the waiting task back
on Today the same day: the Today query checks for open blockers, nothing here has
to remember to. A dependency that would make tasks wait on each other in a circle
(A waits on B waits on A, or a task on itself) is refused, and nothing is written.

Messages name tasks by their id, never by title: a title is the user's text.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from caretui import codes
from caretui.errors import DomainError, NotFound
from caretui.models.all import Task, TaskDependency
from caretui.services import records

CLOSED = codes.TASK_CLOSED


def _circle(session: Session, task_id: int, blocked_by_id: int) -> list[int] | None:
    """The chain of waits from ``blocked_by_id`` back to ``task_id``, if there is one:
    the new dependency would close it into a circle."""
    came_from: dict[int, int] = {}
    frontier = [blocked_by_id]
    seen = {blocked_by_id}
    while frontier:
        rows = session.execute(
            select(TaskDependency.task_id, TaskDependency.blocked_by_id).where(
                TaskDependency.task_id.in_(frontier)
            )
        ).all()
        frontier = []
        for waiting, blocker in rows:
            if blocker in seen:
                continue
            seen.add(blocker)
            came_from[blocker] = waiting
            if blocker == task_id:
                chain = [task_id]
                while chain[-1] != blocked_by_id:
                    chain.append(came_from[chain[-1]])
                return list(reversed(chain))
            frontier.append(blocker)
    return None


def add_dependency(session: Session, task: Task, blocked_by: Task) -> TaskDependency:
    """Make ``task`` wait on ``blocked_by``. Refused: waiting on itself, on a closed
    task, a closed task waiting, the same dependency twice, and any circle."""
    if task.id == blocked_by.id:
        raise DomainError("A task cannot wait on itself")
    if task.status in CLOSED:
        raise DomainError(f"Task {task.id} is already {task.status.value}; it waits on nothing")
    if blocked_by.status in CLOSED:
        raise DomainError(
            f"Task {blocked_by.id} is already {blocked_by.status.value}; there is nothing to "
            "wait for"
        )
    existing = session.scalar(
        select(TaskDependency.id).where(
            TaskDependency.task_id == task.id, TaskDependency.blocked_by_id == blocked_by.id
        )
    )
    if existing is not None:
        raise DomainError(f"Task {task.id} already waits on task {blocked_by.id}")
    chain = _circle(session, task.id, blocked_by.id)
    if chain is not None:
        steps = " waits on ".join(f"task {i}" for i in chain)
        raise DomainError(
            f"Task {task.id} cannot wait on task {blocked_by.id}: {steps} already, and tasks "
            "that wait on each other in a circle could never be done; nothing was saved"
        )
    return records.create(
        session, TaskDependency, {"task_id": task.id, "blocked_by_id": blocked_by.id}
    )


def remove_dependency(session: Session, task: Task, blocked_by_id: int) -> None:
    """``task`` no longer waits on the task ``blocked_by_id``."""
    found = session.scalar(
        select(TaskDependency).where(
            TaskDependency.task_id == task.id, TaskDependency.blocked_by_id == blocked_by_id
        )
    )
    if found is None:
        raise NotFound(f"Task {task.id} does not wait on task {blocked_by_id}")
    session.delete(found)
    session.flush()


def find_circle(edges: list[tuple[int, int]]) -> list[int] | None:
    """A circle among ``(task_id, blocked_by_id)`` edges, as the task ids along it
    (first and last the same), or None."""
    waits: dict[int, list[int]] = {}
    for task_id, blocked_by_id in edges:
        waits.setdefault(task_id, []).append(blocked_by_id)
    done: set[int] = set()
    for start in sorted(waits):
        if start in done:
            continue
        path: list[int] = [start]
        on_path = {start}
        stack = [iter(sorted(waits.get(start, ())))]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                continue
            if step in on_path:
                return [*path[path.index(step) :], step]
            if step in done:
                continue
            path.append(step)
            on_path.add(step)
            stack.append(iter(sorted(waits.get(step, ()))))
    return None


def refuse_circles(session: Session, what: str) -> None:
    """Raise if the dependencies written so far hold a circle (an import checks this
    before its transaction commits, so a refused bundle leaves nothing behind)."""
    edges = [
        (int(a), int(b))
        for a, b in session.execute(select(TaskDependency.task_id, TaskDependency.blocked_by_id))
    ]
    circle = find_circle(edges)
    if circle is not None:
        steps = " waits on ".join(f"task {i}" for i in circle)
        raise DomainError(
            f"{what}: tasks would wait on each other in a circle ({steps}), so none could "
            "ever be done; nothing was imported"
        )


def open_blockers(session: Session, task: Task) -> list[Task]:
    """The open tasks ``task`` waits on, oldest first (empty: it can be done now)."""
    return list(
        session.scalars(
            select(Task)
            .join(TaskDependency, TaskDependency.blocked_by_id == Task.id)
            .where(TaskDependency.task_id == task.id, Task.status.not_in(CLOSED))
            .order_by(Task.id)
        )
    )


__all__ = ["add_dependency", "open_blockers", "remove_dependency"]
