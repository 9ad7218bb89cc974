"""The Patient screen: opened with enter or the palette, every tab, its keys, checked
on screen and in the database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from textual.widgets import Select, Static, Tree

from caretui.app import CaretuiApp
from caretui.config import DEFAULT_QUEUES
from caretui.screens.patient import PatientScreen
from caretui.screens.patients import PatientsScreen
from caretui.services import appointments, careplans, medications, notes, patients, tasks
from caretui.services import chart as chart_service
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.records import RecordTable
from tests.tui.helpers import SIZE, make_app, rows, settle, table_text


def build_chart(db: Database, today: date, **names: str) -> dict[str, int]:
    """One patient with something in every tab; returns label -> record id."""
    ids: dict[str, int] = {}
    with action(db, "Build chart") as s:
        pid = patients.create_patient(
            s,
            {
                "given_name": names.get("given", "Ana María"),
                "family_name": names.get("family", "Núñez"),
                "birth_date": "1950-02-28",
                "phone": "555-0101",
                "address": "12 Elm Street",
                "language": "Spanish",
                "interpreter_needed": True,
                "risk": "high",
            },
            today=today,
        ).id
        ids["patient"] = pid
        chart_service.add_contact(
            s,
            pid,
            {
                "role": "caregiver",
                "name": names.get("contact", "Lucía Núñez"),
                "relationship": "daughter",
                "phone": "555-0199",
                "emergency": True,
            },
            today=today,
        )
        chart_service.add_problem(s, pid, {"name": "Type 2 diabetes"}, today=today)
        chart_service.add_allergy(
            s,
            pid,
            {"substance": "Penicillin", "reaction": "anaphylaxis", "criticality": "high"},
            today=today,
        )
        ids["metformin"] = medications.add_medication(
            s, pid, {"name": "Metformin", "dose": "500 mg", "refill_due": "2026-03-20"}, today=today
        ).id
        old = medications.add_medication(s, pid, {"name": "Lisinopril"}, today=today)
        medications.stop_medication(s, old, reason="dry cough", on=today, today=today)
        plan = careplans.add_care_plan(
            s, pid, {"title": "Diabetes self-management", "next_review": "2026-04-01"}, today=today
        )
        ids["plan"] = plan.id
        goal = careplans.add_goal(
            s, pid, {"description": "A1c below 8", "care_plan_id": plan.id}, today=today
        )
        careplans.add_intervention(
            s,
            pid,
            {"description": "Weekly glucose call", "care_plan_id": plan.id, "goal_id": goal.id},
            today=today,
        )
        appointments.add_appointment(
            s,
            pid,
            {"start": datetime(2026, 3, 13, 9, 0), "with_whom": "Dr. Patel", "purpose": "Review"},
            today=today,
        )
        ids["past_appt"] = appointments.add_appointment(
            s, pid, {"start": datetime(2026, 3, 10, 10, 0), "with_whom": "Podiatry"}, today=today
        ).id
        ids["task"] = tasks.add_task(
            s,
            {
                "patient_id": pid,
                "title": "Call pharmacy about refill",
                "queue": "calls",
                "due": today,
            },
            today=today,
            queues=DEFAULT_QUEUES,
        ).id
        notes.log_note(
            s,
            pid,
            kind="call",
            text=names.get("note", "Discussed diet"),
            with_whom="Patient",
            outcome="reached",
            minutes=10,
            occurred_at=datetime(2026, 3, 9, 10, 0),
            now=datetime(2026, 3, 11, 12, 0),
        )
    return ids


def text_of(app: CaretuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def select_row(app: CaretuiApp, table: str, key: str) -> None:
    widget = app.screen.query_one(table, RecordTable)
    widget.move_cursor(row=widget.get_row_index(key), animate=False)


def notifications(app: CaretuiApp) -> list[str]:
    return [n.message for n in app._notifications]


def tree_labels(app: CaretuiApp) -> list[str]:
    tree: Tree[Any] = app.screen.query_one("#careplan-tree", Tree)
    out: list[str] = []

    def walk(node: Any) -> None:
        for child in node.children:
            out.append(str(child.label))
            walk(child)

    walk(tree.root)
    return out


async def open_chart(app: CaretuiApp, pilot: Any, patient_id: int, tab: str = "overview") -> None:
    app.open_patient(patient_id, tab)
    await settle(pilot)
    assert isinstance(app.screen, PatientScreen)


async def test_open_with_enter_from_patients_and_from_the_palette(
    db: Database, today: date
) -> None:
    ids = build_chart(db, today)
    with action(db, "Add patient") as s:
        patients.create_patient(s, {"given_name": "John", "family_name": "Okafor"}, today=today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
        assert app.screen.patient_id == ids["patient"]
        assert text_of(app, "#patient-header").startswith("Núñez, Ana María")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PatientsScreen)

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"ana nunes")
        await settle(pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
        assert app.screen.patient_id == ids["patient"]


async def test_every_tab_shows_its_data_and_its_own_keys(db: Database, today: date) -> None:
    ids = build_chart(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_chart(app, pilot, ids["patient"])
        header = text_of(app, "#patient-header")
        assert "76 y" in header and "high risk" in header
        assert "Spanish · interpreter needed" in header
        assert "Lucía Núñez (daughter)" in text_of(app, "#ov-contacts")
        assert "EMERGENCY" in text_of(app, "#ov-contacts")
        assert "HIGH Penicillin  anaphylaxis" in text_of(app, "#ov-allergies")
        assert "Type 2 diabetes" in text_of(app, "#ov-problems")
        assert "Metformin  500 mg" in text_of(app, "#ov-meds")
        assert "Lisinopril" not in text_of(app, "#ov-meds")
        upcoming = text_of(app, "#ov-next")
        assert "Fri 2026-03-13 09:00  Dr. Patel" in upcoming
        assert "Open tasks: 1" in upcoming and "Call pharmacy about refill" in upcoming
        assert "Last contact: 2026-03-09 10:00  call  reached" in upcoming
        assert app.screen.active_bindings["e"].binding.action == "edit_patient"
        assert "s" not in app.screen.active_bindings

        await pilot.press("right_square_bracket")
        await settle(pilot)
        labels = tree_labels(app)
        assert labels[0].startswith("Diabetes self-management  active  review 2026-04-01")
        assert labels[1].startswith("Goal: A1c below 8")
        assert labels[2].startswith("▸ Weekly glucose call")

        await pilot.press("right_square_bracket")
        await settle(pilot)
        meds = table_text(app, "#medications-table")
        assert meds[0].startswith("Active — 1")
        assert meds[1].startswith("Metformin | 500 mg | active | 2026-03-20")
        assert meds[2].startswith("Past — 1")
        assert meds[3].startswith("Lisinopril") and "dry cough" in meds[3]
        assert app.screen.active_bindings["s"].binding.action == "med_stop"

        await pilot.press("right_square_bracket")
        await settle(pilot)
        appts = table_text(app, "#appointments-table")
        assert appts[1].startswith("Fri 2026-03-13 09:00 | Dr. Patel")
        assert appts[3].startswith("Tue 2026-03-10 10:00 | Podiatry")
        assert "no outcome" in appts[3]

        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert table_text(app, "#tasks-table")[1].startswith("Call pharmacy about refill | calls")
        assert app.screen.active_bindings["s"].binding.action == "task_snooze"

        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert table_text(app, "#referrals-tab-table") == []  # no referrals yet
        assert app.screen.active_bindings["x"].binding.action == "step"

        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert table_text(app, "#notes-table") == [
            "2026-03-09 10:00 | call | Patient | reached | 10 | Discussed diet"
        ]
        assert "Discussed diet" in text_of(app, "#note-detail")
        assert set(app.screen.active_bindings) >= {"n", "escape"}
        assert "x" not in app.screen.active_bindings


async def test_add_a_medication_refusing_feb_30_then_stop_and_reconcile(
    db: Database, today: date
) -> None:
    ids = build_chart(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_chart(app, pilot, ids["patient"], "medications")
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Atorvastatin", "tab", *"20 mg")
        app.screen.query_one("#field-refill_due").value = "2026-02-30"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "'2026-02-30' is not a real date" in str(
            app.screen.query_one("#error-refill_due", Static).content
        )
        assert rows(db, "SELECT count(*) FROM medication") == [(2,)]
        app.screen.query_one("#field-refill_due").value = "+30d"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PatientScreen)
        added = rows(
            db, "SELECT id, dose, status, refill_due FROM medication WHERE name = ?", "Atorvastatin"
        )
        assert [r[1:] for r in added] == [("20 mg", "active", "2026-04-10")]
        assert any(
            r.startswith("Atorvastatin | 20 mg") for r in table_text(app, "#medications-table")
        )

        select_row(app, "#medications-table", f"med:{ids['metformin']}")
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#field-stop_reason").value = "side effects"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(
            db,
            "SELECT status, stop_reason, end_date, refill_due FROM medication WHERE id = ?",
            ids["metformin"],
        ) == [("stopped", "side effects", "2026-03-11", None)]
        shown = table_text(app, "#medications-table")
        past = shown.index(next(r for r in shown if r.startswith("Past")))
        assert any(r.startswith("Metformin") for r in shown[past:])

        select_row(app, "#medications-table", f"med:{added[0][0]}")
        await pilot.press("r")
        await settle(pilot)
        assert rows(db, "SELECT last_reconciled FROM medication WHERE id = ?", added[0][0]) == [
            ("2026-03-11",)
        ]


async def test_no_show_adds_a_follow_up_task_and_a_task_is_completed(
    db: Database, today: date
) -> None:
    ids = build_chart(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_chart(app, pilot, ids["patient"], "appointments")
        select_row(app, "#appointments-table", f"appt:{ids['past_appt']}")
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("2")  # no-show
        await pilot.pause()
        await pilot.press(*"No ride", "enter")  # the short note it offers next
        await settle(pilot)
        assert rows(
            db, "SELECT status, outcome_note FROM appointment WHERE id = ?", ids["past_appt"]
        ) == [("noshow", "No ride")]
        assert rows(
            db, "SELECT origin, queue, status FROM task WHERE appointment_id = ?", ids["past_appt"]
        ) == [("follow-up", "follow-up", "requested")]
        assert any("follow-up task" in m for m in notifications(app))
        assert "no-show" in next(
            r for r in table_text(app, "#appointments-table") if "Podiatry" in r
        )

        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert any(
            r.startswith("Follow up missed appointment") for r in table_text(app, "#tasks-table")
        )
        select_row(app, "#tasks-table", f"task:{ids['task']}")
        await pilot.press("x")
        await settle(pilot)
        assert rows(db, "SELECT status FROM task WHERE id = ?", ids["task"]) == [("completed",)]
        done = table_text(app, "#tasks-table")
        assert done.index(next(r for r in done if r.startswith("Call pharmacy"))) > done.index(
            next(r for r in done if r.startswith("Done"))
        )


async def test_log_a_call_with_minutes_and_a_visit_without(db: Database, today: date) -> None:
    ids = build_chart(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_chart(app, pilot, ids["patient"], "notes")
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("tab", *"Son", "tab", "tab", *"15", "tab", *"Said [/ ok")
        await pilot.press("ctrl+s")  # a call says how it went: refused, nothing written
        await settle(pilot)
        assert rows(db, "SELECT count(*) FROM note WHERE with_whom = 'Son'") == [(0,)]
        app.screen.query_one("#field-outcome", Select).value = "reached"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(
            db, "SELECT kind, with_whom, outcome, minutes, text FROM note WHERE with_whom = 'Son'"
        ) == [("call", "Son", "reached", 15, "Said [/ ok")]
        assert "call | Son | reached | 15 | Said [/ ok" in table_text(app, "#notes-table")[0]

        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#field-kind", Select).value = "visit"
        app.screen.query_one("#field-text").text = "Home visit"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(db, "SELECT kind, minutes FROM note WHERE text = 'Home visit'") == [
            ("visit", None)
        ]


async def test_overview_adds_an_allergy_and_refuses_an_emergency_contact_without_phone(
    db: Database, today: date
) -> None:
    ids = build_chart(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_chart(app, pilot, ids["patient"])
        await pilot.press("l")
        await pilot.pause()
        await pilot.press(*"Latex")
        app.screen.query_one("#field-criticality", Select).value = "low"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Latex" in text_of(app, "#ov-allergies")
        assert rows(db, "SELECT criticality FROM allergy WHERE substance = 'Latex'") == [("low",)]

        before = rows(db, "SELECT count(*) FROM contact")
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("tab", *"Sam")
        app.screen.query_one("#field-emergency").value = True  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(app.screen.query_one("#error-phone", Static).content) == (
            "An emergency contact needs a phone number"
        )
        assert rows(db, "SELECT count(*) FROM contact") == before


async def test_care_plan_status_from_the_tree(db: Database, today: date) -> None:
    ids = build_chart(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_chart(app, pilot, ids["patient"], "careplan")
        assert app.screen.focused is app.screen.query_one("#careplan-tree")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("5")  # completed
        await settle(pilot)
        assert rows(db, "SELECT status, next_review FROM care_plan WHERE id = ?", ids["plan"]) == [
            ("completed", None)
        ]
        assert tree_labels(app)[0].startswith("Diabetes self-management  completed")


async def test_notes_are_paged_and_more_loads_the_next_page(db: Database, today: date) -> None:
    ids = build_chart(db, today)
    with action(db, "Log notes") as s:
        for n in range(51):
            notes.log_note(
                s,
                ids["patient"],
                kind="note",
                text=f"note {n}",
                occurred_at=datetime(2026, 1, 1, 8, 0) + timedelta(hours=n),
                now=datetime(2026, 3, 11, 12, 0),
            )
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_chart(app, pilot, ids["patient"], "notes")
        shown = table_text(app, "#notes-table")
        assert len(shown) == 51 and shown[-1].startswith("… 2 more")
        select_row(app, "#notes-table", "more:notes:50")
        await pilot.press("enter")
        await settle(pilot)
        shown = table_text(app, "#notes-table")
        assert len(shown) == 52 and shown[-1].endswith("note 0")


async def test_markup_in_data_is_shown_literally(db: Database, today: date) -> None:
    ids = build_chart(
        db,
        today,
        given="[@click=app.quit]x",
        family="[bold red]Robert[/]",
        contact="[/]",
        note="note: [/",
    )
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_chart(app, pilot, ids["patient"])
        assert text_of(app, "#patient-header").startswith("[bold red]Robert[/], [@click=app.quit]x")
        assert "[/] (daughter)" in text_of(app, "#ov-contacts")
        await pilot.click("#patient-header", offset=(2, 0))
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert table_text(app, "#notes-table")[0].endswith("note: [/")
        assert "note: [/" in text_of(app, "#note-detail")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.is_running
        assert isinstance(app.screen, PatientScreen)


async def test_redaction_hides_birth_date_phone_and_address(db: Database, today: date) -> None:
    ids = build_chart(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_chart(app, pilot, ids["patient"])
        assert "1950-02-28" in text_of(app, "#ov-patient")
        await pilot.press("ctrl+r")
        await pilot.pause()
        header = text_of(app, "#patient-header")
        assert header.startswith("A.N.") and "Ana" not in header and "76 y" not in header
        shown = text_of(app, "#ov-patient") + text_of(app, "#ov-contacts")
        for secret in ("1950-02-28", "555-0101", "12 Elm Street", "555-0199", "Lucía"):
            assert secret not in shown
        assert "hidden" in text_of(app, "#ov-patient")


async def test_redaction_hides_who_a_note_was_with(db: Database, today: date) -> None:
    ids = build_chart(db, today)
    with action(db, "Log a call") as s:
        notes.log_note(
            s,
            ids["patient"],
            kind="call",
            text="Talked it over",
            with_whom="Lucía Núñez",
            outcome="reached",
            minutes=5,
            occurred_at=datetime(2026, 3, 10, 10, 0),
            now=datetime(2026, 3, 11, 12, 0),
        )
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await open_chart(app, pilot, ids["patient"], "notes")
        assert "Lucía Núñez" in table_text(app, "#notes-table")[0]
        assert "Lucía Núñez" in text_of(app, "#note-detail")
        await pilot.press("ctrl+r")
        await settle(pilot)
        shown = " ".join(table_text(app, "#notes-table")) + text_of(app, "#note-detail")
        assert "Lucía" not in shown and "Núñez" not in shown
        assert "call | L. | reached" in table_text(app, "#notes-table")[0]  # as contacts show
