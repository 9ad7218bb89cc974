"""The triage ranking: the order of a known set, each score's explanation, the weights."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import date, datetime

import pytest

from caretui import config
from caretui.codes import Priority, RiskLevel
from caretui.config import ConfigError
from caretui.queries.today import ItemKind, TodayItem
from caretui.services.triage import Factor, Ranked, Weights, explain, rank

TODAY = date(2026, 3, 11)
NOON = datetime(2026, 3, 11, 12, 0)

_ENTITY = {
    ItemKind.TASK: "task",
    ItemKind.APPOINTMENT_NOT_READY: "appointment",
    ItemKind.APPOINTMENT_NO_OUTCOME: "appointment",
    ItemKind.REFILL: "medication",
    ItemKind.PLAN_REVIEW: "care_plan",
    ItemKind.GOAL_OVERDUE: "goal",
}


def item(
    kind: ItemKind,
    record_id: int,
    when: date,
    *,
    priority: Priority = Priority.ROUTINE,
    risk: RiskLevel | None = RiskLevel.MEDIUM,
    at: datetime | None = None,
) -> TodayItem:
    return TodayItem(
        kind=kind,
        entity=_ENTITY[kind],
        record_id=record_id,
        version=1,
        patient_id=None if risk is None else record_id,
        given_name=None if risk is None else "Given",
        family_name=None if risk is None else "Family",
        preferred_name=None,
        risk=risk,
        what=f"{kind} {record_id}",
        detail="",
        when=when,
        at=at,
        priority=priority,
        queue="calls" if kind is ItemKind.TASK else None,
    )


D = date
#: A known set, named by the letter the expected order refers to.
KNOWN: dict[str, TodayItem] = {
    "A": item(ItemKind.TASK, 1, D(2026, 3, 8), priority=Priority.ASAP, risk=RiskLevel.HIGH),
    "B": item(
        ItemKind.APPOINTMENT_NOT_READY,
        7,
        TODAY,
        priority=Priority.URGENT,
        at=datetime(2026, 3, 11, 14, 0),
    ),
    "C": item(ItemKind.TASK, 2, TODAY, priority=Priority.STAT, risk=None),
    "D": item(ItemKind.REFILL, 3, D(2026, 3, 14), risk=RiskLevel.LOW),
    "E": item(ItemKind.GOAL_OVERDUE, 4, D(2026, 3, 1)),
    "F": item(ItemKind.PLAN_REVIEW, 5, TODAY),
    "G": item(
        ItemKind.APPOINTMENT_NO_OUTCOME,
        6,
        D(2026, 3, 10),
        risk=RiskLevel.HIGH,
        at=datetime(2026, 3, 10, 10, 0),
    ),
    "H": item(ItemKind.TASK, 8, TODAY),
    "I": item(ItemKind.TASK, 9, TODAY),
    "K": item(ItemKind.PLAN_REVIEW, 1, TODAY, risk=RiskLevel.LOW),
}


def order(ranked: list[Ranked]) -> list[str]:
    names = {v: k for k, v in KNOWN.items()}
    return [names[r.item] for r in ranked]


def test_the_order_of_a_known_set() -> None:
    ranked = rank(KNOWN.values(), TODAY, now=NOON)
    assert order(ranked) == ["B", "C", "A", "G", "F", "H", "I", "K", "E", "D"]
    assert [r.score for r in ranked] == [
        27.9,
        24.0,
        20.571429,
        17.657143,
        13.8,
        11.8,
        11.8,
        11.8,
        6.8,
        5.228571,
    ]


def test_the_order_does_not_depend_on_the_input_order() -> None:
    expected = order(rank(KNOWN.values(), TODAY, now=NOON))
    items = list(KNOWN.values())
    for seed in range(20):
        random.Random(seed).shuffle(items)
        assert order(rank(items, TODAY, now=NOON)) == expected


def test_ties_fall_back_to_day_then_kind_then_time_then_id() -> None:
    flat = Weights(due=0, overdue=0, plan_review=0, appointment_no_outcome=0)
    items = {
        "late task": item(ItemKind.TASK, 9, D(2026, 3, 9)),
        "task": item(ItemKind.TASK, 2, TODAY),
        "task, lower id": item(ItemKind.TASK, 1, TODAY),
        "no outcome 10:00": item(
            ItemKind.APPOINTMENT_NO_OUTCOME, 3, TODAY, at=datetime(2026, 3, 11, 10)
        ),
        "no outcome 09:00": item(
            ItemKind.APPOINTMENT_NO_OUTCOME, 8, TODAY, at=datetime(2026, 3, 11, 9)
        ),
        "plan review": item(ItemKind.PLAN_REVIEW, 0, TODAY),
    }
    ranked = rank(reversed(list(items.values())), TODAY, flat)
    assert {r.score for r in ranked} == {3.8}
    names = {v: k for k, v in items.items()}
    assert [names[r.item] for r in ranked] == [
        "late task",
        "task, lower id",
        "task",
        "no outcome 09:00",
        "no outcome 10:00",
        "plan review",
    ]


def factors(ranked: Ranked) -> list[tuple[str, str, float, float, str]]:
    return [
        (f.name, f.value, f.coefficient, round(f.contribution, 4), f.weight)
        for f in ranked.explanation
    ]


def test_each_score_is_explained() -> None:
    by_name = {
        k: r for r in rank(KNOWN.values(), TODAY, now=NOON) for k, v in KNOWN.items() if v == r.item
    }
    assert factors(by_name["A"]) == [
        ("priority", "asap", 6.0, 6.0, "priority_asap"),
        ("due", "3 days ago", 8.0, 8.0, "due"),
        ("overdue", "3 days", 6.0, 2.5714, "overdue"),
        ("risk", "high", 4.0, 4.0, "risk_high"),
    ]
    assert factors(by_name["B"]) == [
        ("priority", "urgent", 3.9, 3.9, "priority_urgent"),
        ("due", "today", 8.0, 8.0, "due"),
        ("risk", "medium", 2.0, 2.0, "risk_medium"),
        ("appt not ready", "", 12.0, 12.0, "appointment_not_ready"),
        ("starts", "in 2 h 00 min", 4.0, 2.0, "starts_soon"),
    ]
    assert factors(by_name["C"]) == [
        ("priority", "stat", 16.0, 16.0, "priority_stat"),
        ("due", "today", 8.0, 8.0, "due"),
    ]
    assert factors(by_name["D"]) == [
        ("priority", "routine", 1.8, 1.8, "priority_routine"),
        ("refill", "due in 3 days", 6.0, 3.4286, "refill"),
    ]
    assert factors(by_name["E"]) == [
        ("priority", "routine", 1.8, 1.8, "priority_routine"),
        ("risk", "medium", 2.0, 2.0, "risk_medium"),
        ("goal past target", "", 3.0, 3.0, "goal_overdue"),
    ]
    assert factors(by_name["G"]) == [
        ("priority", "routine", 1.8, 1.8, "priority_routine"),
        ("due", "1 day ago", 8.0, 8.0, "due"),
        ("overdue", "1 day", 6.0, 0.8571, "overdue"),
        ("risk", "high", 4.0, 4.0, "risk_high"),
        ("no outcome", "", 3.0, 3.0, "appointment_no_outcome"),
    ]
    for ranked in by_name.values():
        assert ranked.score == pytest.approx(sum(f.contribution for f in ranked.explanation))


def test_explain_lines() -> None:
    a = next(r for r in rank(KNOWN.values(), TODAY) if r.item == KNOWN["A"])
    assert explain(a) == [
        "priority asap   ×6.0         = 6.0",
        "due 3 days ago  ×8.0         = 8.0",
        "overdue 3 days  ×6.0 × 0.43  = 2.6",
        "risk high       ×4.0         = 4.0",
        "score                        = 20.6",
    ]
    only = Ranked(KNOWN["C"], 6.0, (Factor("priority", "asap", 6.0, 6.0, "priority_asap"),))
    assert explain(only) == ["priority asap  ×6.0  = 6.0", "score                = 6.0"]


def test_overdue_ramps_and_caps() -> None:
    def overdue(days: int) -> float:
        late = item(ItemKind.TASK, 1, date.fromordinal(TODAY.toordinal() - days))
        ranked = rank([late], TODAY)[0]
        return sum(f.contribution for f in ranked.explanation if f.name == "overdue")

    assert overdue(0) == 0
    assert overdue(1) < overdue(3) < overdue(7)
    assert overdue(7) == overdue(30) == 6.0


def test_refills_ramp_up_as_they_come_due() -> None:
    def score(days_ahead: int) -> float:
        refill = item(ItemKind.REFILL, 1, date.fromordinal(TODAY.toordinal() + days_ahead))
        return rank([refill], TODAY)[0].score

    assert score(7) < score(3) < score(0) < score(-2)
    assert score(7) == 3.8  # routine + medium risk only


def test_starts_soon_needs_now() -> None:
    appt = KNOWN["B"]
    without = rank([appt], TODAY)[0]
    assert "starts" not in [f.name for f in without.explanation]
    assert rank([appt], TODAY, now=datetime(2026, 3, 11, 14, 30))[0].explanation[-1].value == (
        "started"
    )
    soon = rank([appt], TODAY, now=datetime(2026, 3, 11, 13, 45))[0].explanation[-1]
    assert (soon.value, round(soon.contribution, 2)) == ("in 15 min", 3.75)
    far = rank([appt], TODAY, now=datetime(2026, 3, 11, 8, 0))[0]
    assert "starts" not in [f.name for f in far.explanation]


def test_weights_from_config() -> None:
    weights = Weights.from_config({"refill": 100.0, "risk-high": 0, "overdue_cap_days": 14})
    assert (weights.refill, weights.risk_high, weights.overdue_cap_days) == (100.0, 0.0, 14.0)
    assert weights.priority_asap == Weights().priority_asap
    assert Weights.from_config({}) == Weights() == Weights.from_config(None)

    ranked = rank(KNOWN.values(), TODAY, weights, now=NOON)
    assert order(ranked)[0] == "D"
    a = next(r for r in ranked if r.item == KNOWN["A"])
    assert "risk" not in [f.name for f in a.explanation]  # zero contributions are left out


def test_weights_from_the_config_file_table() -> None:
    settings = config.parse({"urgency": {"priority_stat": 1, "goal_overdue": 50}})
    weights = Weights.from_config(settings.urgency)
    assert order(rank(KNOWN.values(), TODAY, weights, now=NOON))[0] == "E"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"priorty_asap": 1.0}, "urgency: unknown coefficient 'priorty_asap' (known: "),
        ({"due": "high"}, "urgency: due must be a number"),
        ({"due": True}, "urgency: due must be a number"),
        ({"due": float("nan")}, "urgency: due must be a finite number"),
        ({"overdue_cap_days": 0}, "urgency: overdue_cap_days must be more than 0"),
        ({"starts_soon_hours": -1}, "urgency: starts_soon_hours must be more than 0"),
    ],
)
def test_bad_weights_are_a_clear_config_error(mapping: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        Weights.from_config(mapping)
    assert err.value.message.startswith(message)
    assert "\n" not in err.value.message


def test_negative_weights_are_allowed_and_explained() -> None:
    weights = Weights(goal_overdue=-10.0)
    goal = rank([KNOWN["E"]], TODAY, weights)[0]
    assert goal.score == pytest.approx(-6.2)
    assert explain(goal)[-2:] == [
        "goal past target  ×-10.0  = -10.0",
        "score" + " " * 21 + "= -6.2",
    ]


def test_ranking_10000_items_is_fast_enough_to_print() -> None:
    """Not a timing test: a guard that equal factors are shared, not rebuilt per item."""
    items = [
        item(
            ItemKind.TASK,
            i,
            date.fromordinal(TODAY.toordinal() - i % 40),
            priority=list(Priority)[i % 4],
        )
        for i in range(10_000)
    ]
    ranked = rank(items, TODAY)
    distinct = {id(f) for r in ranked for f in r.explanation}
    assert len(distinct) < 100
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)


def test_importing_triage_loads_no_sqlalchemy() -> None:
    code = (
        "import sys, caretui.services.triage\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic', "
        "'textual', 'rich')]\n"
        "print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("limit", [0, 1, 3, 9, 10, 50])
def test_limit_is_the_head_of_the_full_ranking(limit: int) -> None:
    full = rank(KNOWN.values(), TODAY, now=NOON)
    assert rank(KNOWN.values(), TODAY, now=NOON, limit=limit) == full[:limit]
