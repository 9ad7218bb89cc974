"""What undo would take back: the newest action not yet undone.

Read through a plain connection for the Today screen's "u undo …" hint after every
refresh, so showing it imports neither SQLAlchemy nor the models; ``services.undo``
asks the same question inside its own transaction before it takes anything back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

#: The newest event before ``:before``: where the walk back through the actions is.
_NEWEST_BEFORE = """
SELECT action_id, action_label, reverts IS NOT NULL FROM audit_event
WHERE id < :before ORDER BY id DESC LIMIT 1
"""
#: Can a coordinator take the action back: not a seeded caseload (one summary event
#: about the whole "caseload") and not undone already? And where does it begin?
_UNDOABLE = """
SELECT
  EXISTS (SELECT 1 FROM audit_event WHERE action_id = :action AND entity <> 'caseload')
  AND NOT EXISTS (SELECT 1 FROM audit_event WHERE reverts = :action),
  (SELECT min(id) FROM audit_event WHERE action_id = :action)
"""
#: The first event of an action.
_FIRST = "SELECT min(id) FROM audit_event WHERE action_id = :action"
#: Actions looked at before giving up (each an undo or an action undone).
_WALK = 10_000


def newest_undoable(run: Callable[[str, dict[str, Any]], Any]) -> tuple[str, str] | None:
    """The newest action not yet undone: (action_id, label). ``run(sql, params)`` gives the
    first row of a query. Walks back an action at a time (an action's events are written
    in one transaction, so they follow each other): a few indexed lookups each, however
    many events an undone import left on top."""
    before = 2**62
    for _ in range(_WALK):
        row = run(_NEWEST_BEFORE, {"before": before})
        if row is None:
            return None
        action_id, label, an_undo = str(row[0]), str(row[1]), bool(row[2])
        if an_undo:  # every event of an undo carries what it reverts
            before = int(run(_FIRST, {"action": action_id})[0])
            continue
        undoable, first = run(_UNDOABLE, {"action": action_id})
        if undoable:
            return action_id, label
        before = int(first)
    return None


def last_undoable(con: sqlite3.Connection) -> str | None:
    """The label of the action undo would take back ("Complete task"), if any."""
    found = newest_undoable(lambda sql, params: con.execute(sql, params).fetchone())
    return found[1] if found else None


__all__ = ["last_undoable", "newest_undoable"]
