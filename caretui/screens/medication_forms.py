"""The Patient screen's medication forms: add or edit, stop (with the reason), the
refill due date; and marking one reconciled today, a one-step change.

See ``chart_forms`` for what the forms share. SQLAlchemy and the services are
imported inside function bodies only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from caretui import codes
from caretui.queries.chart import MedicationRow
from caretui.screens.chart_forms import Saved, add_or_edit, fresh
from caretui.screens.common import short
from caretui.screens.patient_forms import choices
from caretui.services import dates
from caretui.store.database import Database
from caretui.widgets.form import Field, FormScreen
from caretui.widgets.stale_edit import edited


def medication_form(
    db: Database, today: date, patient_id: int, current: MedicationRow | None = None
) -> FormScreen:
    """Add a medication (active), or edit one: its status, end and reason are editable
    there too (to correct a record); stopping has its own form."""
    fields = [
        Field("name", "Medication", required=True, initial=current and current.name),
        Field("dose", "Dose", initial=current and current.dose, placeholder="e.g. 500 mg"),
        Field("route", "Route", initial=current and current.route, placeholder="e.g. oral"),
        Field(
            "frequency",
            "Frequency",
            initial=current and current.frequency,
            placeholder="e.g. twice daily",
        ),
        Field("prescriber", "Prescriber", initial=current and current.prescriber),
        Field("start_date", "Start", "date", initial=current and current.start_date),
        Field("refill_due", "Refill due", "date", initial=current and current.refill_due),
        Field(
            "instructions", "Instructions", "multiline", initial=current and current.instructions
        ),
    ]
    if current is not None:
        fields += [
            Field(
                "status",
                "Status",
                "choice",
                required=True,
                choices=choices(codes.MedicationStatus),
                initial=current.status,
            ),
            Field("end_date", "End", "date", initial=current.end_date),
            Field("stop_reason", "Reason stopped", initial=current.stop_reason),
        ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Medication
        from caretui.services.medications import add_medication, update_medication

        return add_or_edit(
            db,
            today,
            patient_id,
            current,
            "medication",
            values,
            Medication,
            add_medication,
            update_medication,
        )

    title = "Edit medication" if current else "New medication"
    return FormScreen(title, fields, save, today=today, edited=edited("medication", current))


def stop_medication_form(db: Database, today: date, med: MedicationRow) -> FormScreen:
    fields = [
        Field("stop_reason", "Why was it stopped?", required=True, placeholder="e.g. side effects"),
        Field("end_date", "Stopped on", "date", required=True, initial=today),
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Medication
        from caretui.services.medications import stop_medication
        from caretui.services.unit import action

        with action(db, "Stop medication") as session:
            obj = fresh(session, Medication, med.id, med.version)
            stop_medication(
                session, obj, reason=values["stop_reason"], on=values["end_date"], today=today
            )
            return Saved(obj.id, "Medication stopped")

    return FormScreen("Stop " + short(med.name), fields, save, today=today)


def refill_due_form(db: Database, today: date, med: MedicationRow) -> FormScreen:
    fields = [
        Field(
            "refill_due",
            "Refill due (empty clears it)",
            "date",
            initial=med.refill_due,
            placeholder="e.g. +30d, 2026-12-01",
        )
    ]

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Medication
        from caretui.services.medications import set_refill_due
        from caretui.services.unit import action

        due: date | None = values["refill_due"]
        with action(db, "Set refill due") as session:
            obj = fresh(session, Medication, med.id, med.version)
            set_refill_due(session, obj, due, today=today)
        shown = dates.describe(due, today) if due else "none"
        return Saved(med.id, f"Refill due: {shown}")

    return FormScreen("Refill due — " + short(med.name), fields, save, today=today)


def medication_reconciled(db: Database, today: date, med_id: int, version: int, name: str) -> Saved:
    """Mark the medication reconciled today (call from a thread worker)."""
    from caretui.models.all import Medication
    from caretui.services.medications import mark_reconciled
    from caretui.services.unit import action

    with action(db, "Mark medication reconciled") as session:
        mark_reconciled(session, fresh(session, Medication, med_id, version), today=today)
    return Saved(med_id, f"{short(name)} reconciled today")
