"""The Patient screen's Care plan tab: plans → goals → interventions, in a tree.

``CarePlanTree`` shows a ``chart.CarePlans`` bundle and answers "what is
selected" with the frozen row behind the cursor; the screen's keys act on it.
Nothing is ever dropped: goals outside a plan, and interventions whose goal is
in another plan, are shown at the root.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from caretui.queries import chart
from caretui.screens.common import code, day, due_cell
from caretui.services.text import one_line, plural

#: What a tree node stands for: (kind, record id), kind one of plan / goal / intervention.
PlanNode = tuple[str, int]
PlanItem = chart.CarePlanRow | chart.GoalRow | chart.InterventionRow


def plan_label(p: chart.CarePlanRow, today: date) -> Text:
    closed = p.status in ("completed", "revoked")
    text = Text(one_line(p.title), style="dim" if closed else "bold")
    text.append(f"  {code(p.status)}", style="dim")
    if p.next_review:
        text.append("  review ")
        text.append_text(due_cell(p.next_review, today))
    elif not closed:
        text.append("  no review date", style="dim italic")
    return text


def goal_label(g: chart.GoalRow, today: date) -> Text:
    text = Text.assemble(("Goal: ", "cyan"), one_line(g.description))
    text.append(f"  {code(g.lifecycle_status)}", style="dim")
    if g.achievement_status:
        text.append(f" · {code(g.achievement_status)}", style="dim")
    if g.target_date:
        text.append("  target ")
        open_goal = g.lifecycle_status not in ("completed", "cancelled", "entered-in-error")
        text.append_text(due_cell(g.target_date, today) if open_goal else Text(day(g.target_date)))
    if g.measure:
        text.append(f"  ({one_line(g.measure)})", style="dim")
    return text


def intervention_label(i: chart.InterventionRow) -> Text:
    text = Text.assemble(("▸ ", "magenta"), one_line(i.description))
    if i.performer:
        text.append(f"  by {one_line(i.performer)}", style="dim")
    text.append(f"  {code(i.status)}", style="dim")
    if i.scheduled_on:
        text.append(f"  {i.scheduled_on.isoformat()}")
    return text


def care_plan_status(data: chart.CarePlans) -> Text:
    """The line above the tree: how many plans are open, goals, interventions."""
    if not data.plans:
        return Text("No care plan yet — n adds one")
    open_plans = sum(1 for p in data.plans if p.status not in ("completed", "revoked"))
    return Text(
        f"{open_plans} open of {plural(len(data.plans), 'plan')}"
        f" · {plural(len(data.goals), 'goal')}"
        f" · {plural(len(data.interventions), 'intervention')}"
    )


def _walk(node: TreeNode[PlanNode]) -> list[TreeNode[PlanNode]]:
    out = []
    for child in node.children:
        out.append(child)
        out.extend(_walk(child))
    return out


class CarePlanTree(Tree[PlanNode]):
    """Plans, their goals, and the interventions towards each; the cursor stays on the
    same item when the tree is shown again after a change."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("Care plans"), id=id)
        self.show_root = False
        #: "kind:id" -> the frozen row each node shows.
        self.records: dict[str, PlanItem] = {}

    def show(self, data: chart.CarePlans, today: date) -> None:
        keep = self.cursor_node.data if self.cursor_node else None
        self.clear()
        goals_by_plan: dict[int | None, list[chart.GoalRow]] = {}
        for g in data.goals:
            goals_by_plan.setdefault(g.care_plan_id, []).append(g)
        loose: dict[int, list[chart.InterventionRow]] = {}
        by_goal: dict[int, list[chart.InterventionRow]] = {}
        for i in data.interventions:
            if i.goal_id is None:
                loose.setdefault(i.care_plan_id, []).append(i)
            else:
                by_goal.setdefault(i.goal_id, []).append(i)
        self.records.update({f"plan:{p.id}": p for p in data.plans})
        self.records.update({f"goal:{g.id}": g for g in data.goals})
        self.records.update({f"intervention:{i.id}": i for i in data.interventions})

        def add_goal(parent: TreeNode[PlanNode], g: chart.GoalRow) -> None:
            node = parent.add(goal_label(g, today), data=("goal", g.id), expand=True)
            for i in by_goal.pop(g.id, []):
                node.add_leaf(intervention_label(i), data=("intervention", i.id))

        for p in data.plans:
            node = self.root.add(plan_label(p, today), data=("plan", p.id), expand=True)
            for g in goals_by_plan.pop(p.id, []):
                add_goal(node, g)
            for i in loose.pop(p.id, []):
                node.add_leaf(intervention_label(i), data=("intervention", i.id))
        orphans = goals_by_plan.pop(None, [])
        if orphans:
            node = self.root.add(Text("Goals outside a care plan", style="italic"), expand=True)
            for g in orphans:
                add_goal(node, g)
        for rest in by_goal.values():  # goals of another plan: shown, never lost
            for i in rest:
                self.root.add_leaf(intervention_label(i), data=("intervention", i.id))
        nodes = _walk(self.root)
        target = next((n for n in nodes if keep is not None and n.data == keep), None)
        if target is None and nodes:
            target = nodes[0]
        if target is not None:
            self.call_after_refresh(self.move_cursor, target)

    def selection(self) -> tuple[str, Any] | None:
        """(kind, row) of the item under the cursor, or None on a heading."""
        node = self.cursor_node
        if node is None or node.data is None:
            return None
        kind, record_id = node.data
        row = self.records.get(f"{kind}:{record_id}")
        return (kind, row) if row is not None else None

    def selected_plan(self) -> chart.CarePlanRow | None:
        """The plan of whatever is selected (a plan, goal or intervention)."""
        selection = self.selection()
        if selection is None:
            return None
        _kind, row = selection
        if isinstance(row, chart.CarePlanRow):
            return row
        plan = self.records.get(f"plan:{getattr(row, 'care_plan_id', None)}")
        return plan if isinstance(plan, chart.CarePlanRow) else None
