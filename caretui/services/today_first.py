"""Today's first read, started before the TUI is imported.

Importing Textual and the screens takes longer than reading the top of Today
(~120 ms of imports at any size; at 5,000 patients the read is ~120 ms too, most
of it in SQLite, which lets go of the GIL). ``caretui.launch`` starts this read in
a thread as soon as the database is open, and the Today screen's first load takes
its result instead of reading again, so the two overlap. Standard library only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime

from caretui import config
from caretui.errors import CaretuiError
from caretui.queries.today import count_items, default_now
from caretui.queries.today_refresh import audit_mark
from caretui.services.triage import Ranked, Weights
from caretui.services.triage_top import top_items
from caretui.store.database import Database

#: How many of the most urgent items Today shows at first (``screens.today_list.PAGE``).
FIRST_PAGE = 200


@dataclass(frozen=True, slots=True)
class FirstRead:
    """What Today's first load reads: for ``day`` as of ``now``, the top ``limit``."""

    day: date
    now: datetime
    limit: int
    weights: Weights
    mark: int
    ranked: tuple[Ranked, ...]
    overdue: int
    due_today: int
    total: int


def read_first(db: Database, settings: config.Config, day: date, limit: int) -> FirstRead:
    """Today's top ``limit`` items, its counts and the audit mark, as the screen reads them."""
    try:
        weights = Weights.from_config(settings.urgency)
    except CaretuiError:
        weights = Weights()  # the screen says so, and ranks with the defaults too
    now = default_now(day)
    window = settings.refill_window_days
    threshold = settings.care_management_thresholds[0].minutes
    con = db.read()
    try:
        mark = audit_mark(con)  # first: what is read next is at least this new
        ranked, total = top_items(
            con,
            day,
            limit=limit,
            weights=weights,
            now=now,
            refill_window_days=window,
            care_threshold=threshold,
        )
        overdue, due_today = (
            count_items(
                con, day, what, refill_window_days=window, now=now, care_threshold=threshold
            )
            for what in ("overdue", "today")
        )
    finally:
        con.close()
    return FirstRead(day, now, limit, weights, mark, tuple(ranked), overdue, due_today, total)


class Prefetch:
    """``read_first`` running in a daemon thread; ``take`` waits for it once."""

    def __init__(self, db: Database, settings: config.Config, day: date, limit: int) -> None:
        self.day = day
        self.limit = limit
        self._result: FirstRead | None = None
        self._thread = threading.Thread(
            target=self._run, args=(db, settings), name="caretui-today-first", daemon=True
        )
        self._taken = False
        self._thread.start()

    def _run(self, db: Database, settings: config.Config) -> None:
        try:
            self._result = read_first(db, settings, self.day, self.limit)
        except Exception:  # the screen reads again and reports it as usual
            self._result = None

    def take(self, day: date, limit: int, weights: Weights) -> FirstRead | None:
        """The read, if it was for this day, limit and weights and not taken before;
        None otherwise (the caller reads for itself). Waits for the thread."""
        if self._taken:
            return None
        self._taken = True
        self._thread.join()
        found = self._result
        self._result = None
        if found is None or (found.day, found.limit, found.weights) != (day, limit, weights):
            return None
        return found


__all__ = ["FIRST_PAGE", "FirstRead", "Prefetch", "read_first"]
