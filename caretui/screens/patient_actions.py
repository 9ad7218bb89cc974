"""What the Patient screen's keys do, tab by tab.

Each action opens a form (``patient_forms``, ``chart_forms``, ``medication_forms``,
``care_plan_forms``, ``work_forms``, ``patient_notes``) or a small dialog, or runs a
one-step change in a thread worker; once saved, it says what it did and reads again
the tabs the change touched (``changed``). The screen itself (``patient.PatientScreen``)
lays the tabs out, reads them, and hides the keys of the other tabs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from caretui.queries import chart
from caretui.queries.patients import PatientDetail
from caretui.screens.base import CaseloadScreen
from caretui.screens.common import code, shown_name, when
from caretui.screens.patient_careplan import CarePlanTree
from caretui.widgets.records import RecordTable

if TYPE_CHECKING:
    from caretui.store.database import Database


class ChartActions(CaseloadScreen):
    """The Patient screen's actions; the screen supplies what is declared here."""

    patient_id: int
    #: The bundle each tab last showed ("header" too), as read.
    _data: dict[str, object]
    #: Row key -> the frozen row it shows, for the table tabs.
    _rows: dict[str, object]
    #: Table tab -> the row key the cursor goes to when the tab is next shown ("": the
    #: first record), after a change that moves the selected record elsewhere.
    _land: dict[str, str]

    def changed(self, *tabs: str) -> None:
        """A write touched ``tabs``: the screen reads them again."""
        raise NotImplementedError

    @property
    def db(self) -> Database:
        return self.caretui.db

    @property
    def today(self) -> date:
        return self.caretui.today

    @property
    def plan_tree(self) -> CarePlanTree:
        return self.query_one("#careplan-tree", CarePlanTree)

    def _form(self, form: Any, *tabs: str) -> None:
        """Open ``form``; when it saves, say what it did and read ``tabs`` again."""
        self.app.push_screen(form, partial(self._saved, tabs))

    def _saved(self, tabs: tuple[str, ...], result: object | None) -> None:
        from caretui.screens.chart_forms import Saved

        if result is None:
            return
        self.notify(result.message if isinstance(result, Saved) else "Saved", markup=False)
        self.changed(*tabs)

    def _run(self, job: Callable[[], object], *tabs: str) -> None:
        """Run a one-step change (it writes through a service) in a thread worker."""
        self.run_change(job, lambda result: self.app.call_from_thread(self._saved, tabs, result))

    def _selected(self, tab: str, kind: type[Any]) -> Any:
        """The record under the table's cursor, or None (with a hint) on a heading."""
        key = self.query_one(f"#{tab}-table", RecordTable).selected_key or ""
        row = self._rows.get(key)
        if isinstance(row, kind):
            return row
        self.notify("Select a row first (up/down)", severity="warning", markup=False)
        return None

    def _shown_name(self) -> str:
        """The patient's name as this screen shows it (initials when redacted)."""
        p = self._data.get("header")
        return shown_name(p, redact=self.caretui.redact) if isinstance(p, PatientDetail) else ""

    # -- overview ------------------------------------------------------------------------

    def action_edit_patient(self) -> None:
        from caretui.screens.patient_forms import edit_patient_form

        current = self._data.get("header")
        if isinstance(current, PatientDetail):
            self._form(edit_patient_form(self.db, current, self.today), "header", "overview")

    def action_add_contact(self) -> None:
        from caretui.screens.chart_forms import contact_form

        self._form(contact_form(self.db, self.today, self.patient_id), "overview")

    def action_add_problem(self) -> None:
        from caretui.screens.chart_forms import problem_form

        self._form(problem_form(self.db, self.today, self.patient_id), "overview")

    def action_add_allergy(self) -> None:
        from caretui.screens.chart_forms import allergy_form

        self._form(allergy_form(self.db, self.today, self.patient_id), "overview")

    # -- care plan -----------------------------------------------------------------------

    def _plans(self) -> chart.CarePlans:
        data = self._data.get("careplan")
        return data if isinstance(data, chart.CarePlans) else chart.CarePlans((), (), ())

    def action_plan_add(self) -> None:
        from caretui.screens.care_plan_forms import care_plan_form

        self._form(care_plan_form(self.db, self.today, self.patient_id), "careplan")

    def action_goal_add(self) -> None:
        from caretui.screens.care_plan_forms import goal_form

        plan = self.plan_tree.selected_plan()
        plans = self._plans().plans
        form = goal_form(
            self.db, self.today, self.patient_id, plans, plan_id=plan.id if plan else None
        )
        self._form(form, "careplan")

    def action_intervention_add(self) -> None:
        from caretui.screens.care_plan_forms import intervention_form

        plans = self._plans()
        if not plans.plans:
            self.notify("Add a care plan first (n)", severity="warning", markup=False)
            return
        plan = self.plan_tree.selected_plan()
        selection = self.plan_tree.selection()
        goal_id = None
        if selection is not None:
            _kind, row = selection
            goal_id = row.id if isinstance(row, chart.GoalRow) else getattr(row, "goal_id", None)
        form = intervention_form(
            self.db,
            self.today,
            self.patient_id,
            plans.plans,
            plans.goals,
            plan_id=plan.id if plan else plans.plans[0].id,
            goal_id=goal_id,
        )
        self._form(form, "careplan")

    def action_plan_edit(self) -> None:
        from caretui.screens import care_plan_forms as f

        selection = self.plan_tree.selection()
        if selection is None:
            self.notify("Select a plan, goal or intervention first", markup=False)
            return
        _kind, row = selection
        plans, db, today, pid = self._plans(), self.db, self.today, self.patient_id
        if isinstance(row, chart.CarePlanRow):
            form = f.care_plan_form(db, today, pid, row)
        elif isinstance(row, chart.GoalRow):
            form = f.goal_form(db, today, pid, plans.plans, current=row)
        else:
            form = f.intervention_form(db, today, pid, plans.plans, plans.goals, current=row)
        self._form(form, "careplan")

    def action_plan_status(self) -> None:
        from caretui.screens.care_plan_forms import STATUS_CODES
        from caretui.widgets.dialogs import ChoiceDialog

        selection = self.plan_tree.selection()
        if selection is None:
            self.notify("Select a plan, goal or intervention first", markup=False)
            return
        kind, row = selection
        current = row.lifecycle_status if isinstance(row, chart.GoalRow) else row.status
        choices = [(code(value), value) for value in STATUS_CODES[kind]]
        dialog = ChoiceDialog(f"Status of this {kind}", choices, current=current)
        self.app.push_screen(dialog, partial(self._set_plan_status, kind, row, current))

    def _set_plan_status(self, kind: str, row: Any, current: str, status: str | None) -> None:
        from caretui.screens.care_plan_forms import plan_item_status

        if status is not None and status != current:
            db, today = self.db, self.today
            self._run(
                lambda: plan_item_status(db, today, kind, row.id, row.version, status), "careplan"
            )

    def action_plan_review(self) -> None:
        from caretui.screens.care_plan_forms import next_review_form

        plan = self.plan_tree.selected_plan()
        if plan is None:
            self.notify("Select a care plan first", markup=False)
            return
        self._form(next_review_form(self.db, self.today, plan), "careplan")

    # -- medications ---------------------------------------------------------------------

    def action_med_add(self) -> None:
        from caretui.screens.medication_forms import medication_form

        form = medication_form(self.db, self.today, self.patient_id)
        self._form(form, "medications", "overview")

    def action_med_edit(self) -> None:
        from caretui.screens.medication_forms import medication_form

        med = self._selected("medications", chart.MedicationRow)
        if med is not None:
            form = medication_form(self.db, self.today, self.patient_id, med)
            self._form(form, "medications", "overview")

    def action_med_stop(self) -> None:
        from caretui.screens.medication_forms import stop_medication_form

        med = self._selected("medications", chart.MedicationRow)
        if med is not None:
            self._form(stop_medication_form(self.db, self.today, med), "medications", "overview")

    def action_med_refill(self) -> None:
        from caretui.screens.medication_forms import refill_due_form

        med = self._selected("medications", chart.MedicationRow)
        if med is not None:
            self._form(refill_due_form(self.db, self.today, med), "medications", "overview")

    def action_med_reconcile(self) -> None:
        from caretui.screens.medication_forms import medication_reconciled

        med = self._selected("medications", chart.MedicationRow)
        if med is not None:
            db, today = self.db, self.today
            self._run(
                lambda: medication_reconciled(db, today, med.id, med.version, med.name),
                "medications",
                "overview",
            )

    # -- appointments --------------------------------------------------------------------

    def action_appt_add(self) -> None:
        from caretui.screens.work_forms import appointment_form

        form = appointment_form(
            self.db, self.today, patient_id=self.patient_id, patient=self._shown_name()
        )
        self._form(form, "appointments", "overview")

    def action_appt_edit(self) -> None:
        appt = self._selected("appointments", chart.AppointmentRow)
        if appt is not None:
            self.edit_work(
                "appointment", appt.id, partial(self._saved, ("appointments", "overview"))
            )

    def action_appt_cancel(self) -> None:
        from caretui.widgets.dialogs import TextDialog

        appt = self._selected("appointments", chart.AppointmentRow)
        if appt is not None:
            dialog = TextDialog(
                f"Cancel the appointment of {when(appt.start)}",
                label="Reason",
                placeholder="e.g. patient in hospital",
            )
            self.app.push_screen(dialog, partial(self._cancel_appointment, appt))

    def _cancel_appointment(self, appt: chart.AppointmentRow, reason: str | None) -> None:
        from caretui.screens.work_forms import appointment_cancel

        if reason is not None:
            db, today = self.db, self.today
            self._run(
                lambda: appointment_cancel(db, today, appt.id, appt.version, reason or None),
                "appointments",
                "overview",
            )

    def action_appt_outcome(self) -> None:
        from caretui.screens.common import now_on
        from caretui.screens.work_forms import ask_outcome

        appt = self._selected("appointments", chart.AppointmentRow)
        if appt is not None:
            ask_outcome(
                self.app.push_screen,
                f"What happened at {when(appt.start)}?",
                appt.start,
                now_on(self.today),
                partial(self._record_outcome, appt),
            )

    def _record_outcome(self, appt: chart.AppointmentRow, outcome: str, note: str | None) -> None:
        from caretui.screens.work_forms import appointment_outcome

        db, today = self.db, self.today
        self._run(
            lambda: appointment_outcome(db, today, appt.id, appt.version, outcome, note),
            "appointments",
            "overview",
            "tasks",
        )

    def action_appt_transport(self) -> None:
        from caretui.screens.chart_forms import transport_form

        appt = self._selected("appointments", chart.AppointmentRow)
        if appt is not None:
            self._form(transport_form(self.db, self.today, appt), "appointments", "overview")

    # -- tasks ---------------------------------------------------------------------------

    def action_task_add(self) -> None:
        from caretui.screens.work_forms import task_form

        form = task_form(
            self.db,
            self.today,
            patient_id=self.patient_id,
            queues=self.caretui.settings.queues,
            patient=self._shown_name(),
        )
        self._form(form, "tasks", "overview")

    def action_task_edit(self) -> None:
        task = self._selected("tasks", chart.TaskRow)
        if task is not None:
            self.edit_work("task", task.id, partial(self._saved, ("tasks", "overview")))

    def action_task_snooze(self) -> None:
        from caretui.widgets.dialogs import DateDialog

        task = self._selected("tasks", chart.TaskRow)
        if task is None:
            return
        today = self.today
        dialog = DateDialog(
            "Snooze until",
            today=today,
            initial=task.wait_until,
            check=lambda day: None if day > today else "Choose a date after today",
        )
        self.app.push_screen(dialog, partial(self._snooze, task))

    def _snooze(self, task: chart.TaskRow, until: date | None) -> None:
        from caretui.screens.work_forms import task_snooze

        if until is not None:
            db, today = self.db, self.today
            self._run(
                lambda: task_snooze(db, today, task.id, task.version, until), "tasks", "overview"
            )

    def action_task_done(self) -> None:
        from caretui.screens.work_forms import task_done

        task = self._selected("tasks", chart.TaskRow)
        if task is not None:
            db, today = self.db, self.today
            land = self._open_task_near(task.id)
            self.run_change(
                lambda: task_done(db, today, task.id, task.version),
                lambda result: self.app.call_from_thread(self._task_done, land, result),
            )

    def _task_done(self, land: str, result: object) -> None:
        self._land["tasks"] = land
        self._saved(("tasks", "overview"), result)

    def _open_task_near(self, task_id: int) -> str:
        """The open task the cursor goes to once ``task_id`` is done (and so moves under
        "Done"): the next open one, else the one before, else "" (the first record)."""
        table = self.query_one("#tasks-table", RecordTable)
        keys = [str(row.key.value) for row in table.ordered_rows]
        open_keys = [
            key for key in keys if isinstance(t := self._rows.get(key), chart.TaskRow) and t.open
        ]
        me = f"task:{task_id}"
        if me not in open_keys:
            return ""
        index = open_keys.index(me)
        if index + 1 < len(open_keys):
            return open_keys[index + 1]
        return open_keys[index - 1] if index else ""

    # -- notes ---------------------------------------------------------------------------

    def action_note_add(self) -> None:
        from caretui.screens.chart_forms import note_form

        self._form(note_form(self.db, self.today, self.patient_id), "notes", "overview")

    def action_note_edit(self) -> None:
        from caretui.screens.patient_notes import edit_note_form

        note = self._selected("notes", chart.NoteRow)
        if note is not None:
            self._form(edit_note_form(self.db, self.today, note), "notes", "overview")
