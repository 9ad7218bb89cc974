"""The triage ranking: an explainable urgency score for every item on Today.

Modelled on Taskwarrior's ``urgency``: a sum of factors, each a coefficient
times a value between 0 and 1, so a coordinator can read why an item sits
where it does ("priority asap  ×6.0  = 6.0"). Pure and standard library only:
the CLI and the TUI rank alike, and importing this pulls in no SQLAlchemy.
Nothing here reads the clock; ``today`` (and ``now``) are given.

Coefficients live in ``Weights``; the config file's ``[urgency]`` table
overrides any of them by name (``Weights.from_config``).
"""

from __future__ import annotations

import dataclasses
import heapq
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter

from caretui import codes
from caretui.config import ConfigError
from caretui.queries.today import KIND_LABELS, ItemKind, TodayItem


@dataclass(frozen=True, slots=True)
class Weights:
    """Urgency coefficients. Each field is a name in the config's ``[urgency]`` table.

    With the defaults, for a patient of medium risk (high adds 2.0 more), roughly::

        26.0  stat task due today
        25.9  appointment today, transport not arranged (up to 29.9 as it nears)
        23.8  refill a week overdue (the patient may be out of medicine)
        22.0  asap task a week overdue
        17.8  refill due today; routine task a week overdue
        15.7  appointment yesterday with no outcome recorded
        13.8  care-plan review due today
        11.8  routine task due today
         7.2  refill due in 3 days
         6.8  goal past its target date (a target, not a deadline)

    and for the loops others must close (urgency is the referral's own)::

        16.4  routine referral, no answer 3 days past its response date
        14.7  routine referral, appointment yesterday, outcome not recorded
        11.8  patient unable to reach (three missed calls; medium risk)
         9.8  routine referral drafted 3 days ago and not sent

    and for care-management time (an enrolled patient under the first threshold)::

        11.8  on the month's last day (medium risk)
         4.9  with 7 days of the month left
    """

    #: Priority of the item (FHIR request-priority). Taskwarrior's H/M/L are
    #: 6.0/3.9/1.8; FHIR's stat ("immediately") sits well above asap.
    priority_stat: float = 16.0
    priority_asap: float = 6.0
    priority_urgent: float = 3.9
    priority_routine: float = 1.8
    #: Due today or earlier (tasks, refills, reviews, appointments).
    due: float = 8.0
    #: Days overdue, ramped from 0 to 1 over ``overdue_cap_days`` and capped there.
    overdue: float = 6.0
    overdue_cap_days: float = 7.0
    #: The patient's risk level (a task about no patient has none).
    risk_high: float = 4.0
    risk_medium: float = 2.0
    risk_low: float = 0.0
    #: Kind of item.
    task: float = 0.0
    appointment_not_ready: float = 12.0
    #: A not-ready appointment starting soon: 1 at its start, 0 this many hours before.
    starts_soon: float = 4.0
    starts_soon_hours: float = 4.0
    appointment_no_outcome: float = 3.0
    #: A refill: 1 when due today or overdue, down to 0 ``refill_ramp_days`` ahead.
    refill: float = 6.0
    refill_ramp_days: float = 7.0
    plan_review: float = 2.0
    goal_overdue: float = 3.0
    #: A sent referral past its response-expected-by date (dated: due and overdue add).
    referral_overdue: float = 2.0
    #: A referral drafted more than two days ago and not sent (undated: the draft has
    #: no deadline of its own, so this carries it).
    referral_draft: float = 6.0
    #: A scheduled referral whose appointment has passed with no outcome recorded (dated
    #: by the appointment).
    referral_no_outcome: float = 2.0
    #: A patient marked unable to reach by the outreach rule (undated).
    unable_to_reach: float = 8.0
    #: An enrolled patient under the first care-management threshold near the month's
    #: end (undated): 1 on its last day, down to 1/7 with ``care_minutes_ramp_days`` left.
    care_minutes: float = 8.0
    care_minutes_ramp_days: float = 7.0

    @classmethod
    def from_config(cls, mapping: Mapping[str, object] | None) -> Weights:
        """Defaults overridden by the config's ``[urgency]`` table; an unknown name
        or a value that is not a finite number is a ``ConfigError``."""
        if not mapping:
            return cls()
        known = {f.name for f in dataclasses.fields(cls)}
        values: dict[str, float] = {}
        for raw_name, value in mapping.items():
            name = str(raw_name).strip().replace("-", "_")
            if name not in known:
                raise ConfigError(
                    f"urgency: unknown coefficient {raw_name!r} (known: {', '.join(sorted(known))})"
                )
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"urgency: {raw_name} must be a number")
            number = float(value)
            if not math.isfinite(number):
                raise ConfigError(f"urgency: {raw_name} must be a finite number")
            if name.endswith(("_days", "_hours")) and number <= 0:
                raise ConfigError(f"urgency: {raw_name} must be more than 0")
            values[name] = number
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Factor:
    """One term of a score: ``contribution = coefficient × scale`` (scale in 0..1)."""

    #: What it is about, as a coordinator reads it: "priority", "overdue", "refill".
    name: str
    #: Its value for this item: "asap", "3 days", "high", "due in 2 days"; may be "".
    value: str
    coefficient: float
    contribution: float
    #: The ``Weights`` field (config name) the coefficient comes from.
    weight: str

    @property
    def label(self) -> str:
        return f"{self.name} {self.value}" if self.value else self.name


@dataclass(frozen=True, slots=True)
class Ranked:
    item: TodayItem
    score: float
    explanation: tuple[Factor, ...]


_KIND_ORDER = {kind: i for i, kind in enumerate(ItemKind)}
#: -score, day, kind, start, id: unique per item, so the order is total.
_SortKey = tuple[float, date, int, datetime, int]
_KIND_WEIGHT = {
    ItemKind.TASK: "task",
    ItemKind.APPOINTMENT_NOT_READY: "appointment_not_ready",
    ItemKind.APPOINTMENT_NO_OUTCOME: "appointment_no_outcome",
    ItemKind.REFILL: "refill",
    ItemKind.PLAN_REVIEW: "plan_review",
    ItemKind.GOAL_OVERDUE: "goal_overdue",
    ItemKind.REFERRAL_OVERDUE: "referral_overdue",
    ItemKind.REFERRAL_DRAFT: "referral_draft",
    ItemKind.REFERRAL_NO_OUTCOME: "referral_no_outcome",
    ItemKind.UNABLE_TO_REACH: "unable_to_reach",
    ItemKind.CARE_MINUTES: "care_minutes",
}
#: A goal's target date is a target, not a deadline: it gets no due/overdue terms; nor
#: does the day a draft was made or a patient was marked unable to reach.
_DATED_KINDS = frozenset(ItemKind) - {
    ItemKind.GOAL_OVERDUE,
    ItemKind.REFERRAL_DRAFT,
    ItemKind.UNABLE_TO_REACH,
    ItemKind.CARE_MINUTES,
}


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _clamp(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


_Key = tuple[str, object]
_MISSING = object()


class _Scorer:
    """Builds the factors of each item. Equal factors are shared: 10,000 tasks hold a
    few dozen distinct ones, so each is built once and the ranking stays cheap."""

    def __init__(self, weights: Weights, today: date, now: datetime | None) -> None:
        self.w = weights
        self.today = today
        self.now = now
        self._cache: dict[_Key, Factor | None] = {}

    def factors(self, item: TodayItem) -> tuple[Factor, ...]:
        kind = item.kind
        keys: list[_Key] = [("priority", item.priority)]
        if kind in _DATED_KINDS:
            late = (self.today - item.when).days
            if late >= 0:
                keys.append(("due", late))
            if late > 0:
                keys.append(("overdue", late))
        if item.risk is not None:
            keys.append(("risk", item.risk))
        if kind is ItemKind.REFILL:
            keys.append(("refill", (item.when - self.today).days))
        elif kind is ItemKind.CARE_MINUTES:
            keys.append(("month_end", (item.when - self.today).days))
        else:
            keys.append(("kind", kind))
        if kind is ItemKind.APPOINTMENT_NOT_READY and self.now is not None and item.at is not None:
            keys.append(("starts", int((item.at - self.now).total_seconds() // 60)))
        out: list[Factor] = []
        cache = self._cache
        for key in keys:
            factor = cache.get(key, _MISSING)
            if factor is _MISSING:
                factor = cache[key] = self._make(*key)
            if factor is not None:
                assert isinstance(factor, Factor)
                out.append(factor)
        return tuple(out)

    def _make(self, what: str, arg: object) -> Factor | None:
        w = self.w
        if what == "priority":
            assert isinstance(arg, codes.Priority)
            return self._factor("priority", arg.value, f"priority_{arg.value}", 1.0)
        if what == "risk":
            assert isinstance(arg, codes.RiskLevel)
            return self._factor("risk", arg.value, f"risk_{arg.value}", 1.0)
        if what == "kind":
            assert isinstance(arg, ItemKind)
            name = "goal past target" if arg is ItemKind.GOAL_OVERDUE else KIND_LABELS[arg]
            return self._factor(name, "", _KIND_WEIGHT[arg], 1.0)
        assert isinstance(arg, int)
        if what == "due":
            return self._factor("due", "today" if arg == 0 else f"{_days(arg)} ago", "due", 1.0)
        if what == "overdue":
            return self._factor("overdue", _days(arg), "overdue", _clamp(arg / w.overdue_cap_days))
        if what == "month_end":
            value = f"{_days(max(arg, 0) + 1)} left"  # today included
            scale = _clamp(1 - arg / w.care_minutes_ramp_days)
            return self._factor("under threshold", value, "care_minutes", scale)
        if what == "refill":
            value = "due in " + _days(arg) if arg > 0 else "due today" if arg == 0 else "past due"
            return self._factor("refill", value, "refill", _clamp(1 - arg / w.refill_ramp_days))
        # "starts": minutes until a not-ready appointment starts.
        if arg <= 0:
            value = "now" if arg == 0 else "started"
        elif arg < 60:
            value = f"in {arg} min"
        else:
            value = f"in {arg // 60} h {arg % 60:02d} min"
        scale = _clamp(1 - arg / (60 * w.starts_soon_hours))
        return self._factor("starts", value, "starts_soon", scale)

    def _factor(self, name: str, value: str, weight: str, scale: float) -> Factor | None:
        """A factor, or None when it adds nothing (kept out of the explanation)."""
        coefficient = float(getattr(self.w, weight))
        contribution = coefficient * scale
        if contribution == 0.0:
            return None
        return Factor(name, value, coefficient, contribution, weight)


def rank(
    items: Iterable[TodayItem],
    today: date,
    weights: Weights | None = None,
    now: datetime | None = None,
    *,
    limit: int | None = None,
) -> list[Ranked]:
    """``items`` ordered most urgent first, each with its score and the factors
    that make it. Equal scores fall back to the day, the kind, the start time and
    the record id, so the order never depends on the order given.

    ``now`` (the clock, for appointments starting soon) is optional: without it
    that factor is left out and the function stays pure. With ``limit``, only the
    ``limit`` most urgent are returned, the same as ``rank(...)[:limit]`` but
    picked with a heap (O(n log limit)), for a screen or a report that shows the top.
    """
    scorer = _Scorer(weights or Weights(), today, now)
    # Items alike in everything the score reads share one explanation and score.
    scored: dict[tuple[object, ...], tuple[tuple[Factor, ...], float]] = {}
    not_ready = ItemKind.APPOINTMENT_NOT_READY

    def keyed_items() -> Iterator[tuple[_SortKey, TodayItem, tuple[tuple[Factor, ...], float]]]:
        for item in items:
            kind = item.kind
            at = item.at
            signature = (
                kind,
                item.priority,
                item.risk,
                item.when,
                at if kind is not_ready else None,
            )
            made = scored.get(signature)
            if made is None:
                explanation = scorer.factors(item)
                made = (explanation, round(math.fsum(f.contribution for f in explanation), 6))
                scored[signature] = made
            key = (-made[1], item.when, _KIND_ORDER[kind], at or datetime.min, item.record_id)
            yield key, item, made  # key: see sort_key

    first = itemgetter(0)
    # With a limit, a heap of that many: a lazy ``items`` is never held whole.
    keyed = (
        heapq.nsmallest(max(limit, 0), keyed_items(), key=first)
        if limit is not None
        else sorted(keyed_items(), key=first)
    )
    return [Ranked(item, score, explanation) for _, item, (explanation, score) in keyed]


def scores(
    items: Iterable[TodayItem],
    today: date,
    weights: Weights | None = None,
    now: datetime | None = None,
) -> list[float]:
    """Each item's score, exactly as ``rank`` computes it."""
    scorer = _Scorer(weights or Weights(), today, now)
    return [round(math.fsum(f.contribution for f in scorer.factors(i)), 6) for i in items]


def sort_key(item: TodayItem, score: float) -> _SortKey:
    """Where ``rank`` puts an item of this score: smaller comes first."""
    return (-score, item.when, _KIND_ORDER[item.kind], item.at or datetime.min, item.record_id)


def _num(x: float) -> str:
    text = f"{x:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def explain(ranked: Ranked) -> list[str]:
    """How the score was made, one factor a line, then the total, in aligned columns::

    priority asap   ×6.0         = 6.0
    overdue 3 days  ×6.0 × 0.43  = 2.6
    score                        = 8.6
    """
    rows: list[tuple[str, str, str]] = []
    for f in ranked.explanation:
        times = f"×{_num(f.coefficient)}"
        if f.coefficient and not math.isclose(f.contribution, f.coefficient):
            times += f" × {f.contribution / f.coefficient:.2f}"
        rows.append((f.label, times, f"= {f.contribution:.1f}"))
    rows.append(("score", "", f"= {ranked.score:.1f}"))
    width = max(len(label) for label, _, _ in rows)
    times_width = max(len(times) for _, times, _ in rows)
    return [
        f"{label.ljust(width)}  {times.ljust(times_width)}  {total}" for label, times, total in rows
    ]


__all__ = ["Factor", "Ranked", "Weights", "explain", "rank", "scores", "sort_key"]
