"""The patient's Referrals tab, as a widget on its own: the list, the steps, and the keys
to add, move, link and close, each checked in the database."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from caretui.screens.patient_referrals import ReferralsTab
from caretui.services import appointments, patients, referrals, resources
from caretui.services.unit import action
from caretui.store.database import Database
from tests.tui.helpers import SIZE, make_app, rows, settle, table_text

MARKUP = "[b]Bold[/b] Clinic"


class Host(Screen[None]):
    def __init__(self, patient_id: int) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.changes = 0

    def compose(self) -> ComposeResult:
        yield ReferralsTab(self.patient_id, id="tab")

    def on_mount(self) -> None:
        tab = self.query_one(ReferralsTab)
        tab.load()
        tab.focus_list()

    def on_referrals_tab_changed(self) -> None:
        self.changes += 1


def build(db: Database, today: date) -> int:
    with action(db, "Build") as s:
        pid = patients.create_patient(
            s, {"given_name": "Ana", "family_name": "Núñez"}, today=today
        ).id
        clinic = resources.add_resource(
            s, {"name": MARKUP, "category": "specialist"}, today=today
        ).id
        appointments.add_appointment(
            s, pid, {"start": "2026-03-20 09:00", "with_whom": "Dr Lee"}, today=today
        )
        ref = referrals.add_referral(
            s, pid, {"resource_id": clinic, "reason": "Cardiology"}, today=date(2026, 3, 2)
        )
        referrals.move(s, ref, "sent", today=date(2026, 3, 3), note="Faxed [/]")
        done = referrals.add_referral(
            s, pid, {"resource_id": clinic, "reason": "Old one"}, today=date(2026, 1, 5)
        )
        referrals.move(s, done, "cancelled", today=date(2026, 1, 6), note="Not needed")
    return pid


async def test_the_tab_lists_steps_and_moves_them(db: Database, today: date) -> None:
    pid = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        host = Host(pid)
        await app.push_screen(host)
        await settle(pilot)
        lines = table_text(app, "#referrals-tab-table")
        assert lines[0].startswith(f"2026-03-02 | {MARKUP} | Cardiology | routine | sent")
        assert "closed 2026-01-06" in lines[1]
        steps = str(host.query_one("#referrals-tab-steps", Static).render())
        assert "draft 2026-03-02  →  sent 2026-03-03 (Faxed [/])" in steps
        status = str(host.query_one("#referrals-tab-status", Static).render())
        assert status == "1 open, 1 closed"

        # x: accepted, with a note; the tab reads again and says so.
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("shift+tab", "shift+tab", "shift+tab")  # from the step: up to the note
        assert app.focused is not None and app.focused.id == "field-note"
        await pilot.press(*"Portal", "enter")
        await settle(pilot)
        assert rows(db, "SELECT status FROM referral WHERE reason = 'Cardiology'") == [
            ("accepted",)
        ]
        assert host.changes == 1
        assert "accepted" in table_text(app, "#referrals-tab-table")[0]

        # x: scheduled; then l links the appointment (the first choice).
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        [(status_now, linked)] = rows(
            db, "SELECT status, appointment_id FROM referral WHERE reason = 'Cardiology'"
        )
        assert status_now == "scheduled" and linked is not None

        # c: close, completed with its outcome (seen).
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("tab", "enter", "down", "enter", "ctrl+s")  # step → outcome
        await settle(pilot)
        assert rows(
            db, "SELECT status, outcome_code, closed_on FROM referral WHERE reason = 'Cardiology'"
        ) == [("completed", "seen", today.isoformat())]
        # A closed referral is not moved again.
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, Host)


async def test_a_new_referral_from_the_tab(db: Database, today: date) -> None:
    pid = build(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        host = Host(pid)
        await app.push_screen(host)
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("tab", *"Pulmonology", "ctrl+s")
        await settle(pilot)
        assert rows(db, "SELECT status, reason FROM referral ORDER BY id DESC LIMIT 1") == [
            ("draft", "Pulmonology")
        ]
        assert len(table_text(app, "#referrals-tab-table")) == 3
