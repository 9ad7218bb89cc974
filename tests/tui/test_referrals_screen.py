"""`5` Referrals and `6` Resources from the keyboard: send, schedule and close a referral,
each checked in the database; the directory's filters and forms; markup shown literally."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.widgets import Select, Static

from caretui.app import CaretuiApp
from caretui.services import appointments, patients, referrals, resources
from caretui.services.unit import action
from caretui.store.database import Database
from tests.tui.helpers import SIZE, make_app, rows, settle, table_text

MARKUP = "[bold red]Food[/] [@click=app.quit]Bank[/]"


def caseload(db: Database, today: date) -> dict[str, int]:
    with action(db, "Build") as s:
        pid = patients.create_patient(
            s, {"given_name": "Ana", "family_name": "Núñez", "risk": "high"}, today=today
        ).id
        bank = resources.add_resource(
            s,
            {
                "name": MARKUP,
                "category": "food",
                "phone": "555-0100",
                "languages": "Spanish",
                "last_verified": "2025-01-02",
            },
            today=today,
        ).id
        resources.add_resource(
            s,
            {
                "name": "Dial-a-Ride",
                "category": "transport",
                "languages": "English",
                "last_verified": today.isoformat(),
            },
            today=today,
        )
        appt = appointments.add_appointment(
            s, pid, {"start": "2026-03-18 10:00", "with_whom": "Intake"}, today=today
        ).id
        ref = referrals.add_referral(
            s, pid, {"resource_id": bank, "reason": "Meals [/]", "urgency": "urgent"}, today=today
        ).id
    return {"patient": pid, "bank": bank, "appt": appt, "referral": ref}


def notifications(app: CaretuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def referral(db: Database, rid: int) -> tuple[Any, ...]:
    [row] = rows(
        db,
        "SELECT status, sent_on, response_due, appointment_id, outcome_code, closed_on "
        "FROM referral WHERE id = ?",
        rid,
    )
    return row


def steps(db: Database, rid: int) -> list[tuple[Any, ...]]:
    return rows(
        db,
        "SELECT status, taken_on, note FROM referral_step WHERE referral_id = ? ORDER BY id",
        rid,
    )


async def test_send_schedule_and_close_a_referral_from_the_keyboard(
    db: Database, today: date
) -> None:
    ids = caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        [line] = table_text(app, "#referrals-table")
        assert "Núñez, Ana" in line and "[bold red]Food[/] [@click=app.quit]Bank" in line
        assert "Meals [/]" in line
        assert "draft" in line

        # x: the usual next step (sent), the cursor on it, the first field; tab down to
        # the note (past the response date and the day): type it, enter saves.
        await pilot.press("x")
        await settle(pilot)
        assert app.focused is app.screen.query_one("#field-to", Select)
        await pilot.press("tab", "tab", "tab", *"Faxed to intake", "enter")
        await settle(pilot)
        # Sent on Wed 2026-03-11, urgent: 5 business days, Wed 2026-03-18.
        assert referral(db, ids["referral"]) == (
            "sent",
            "2026-03-11",
            "2026-03-18",
            None,
            None,
            None,
        )
        assert steps(db, ids["referral"])[-1] == ("sent", "2026-03-11", "Faxed to intake")
        [note] = rows(db, "SELECT kind, text FROM note WHERE patient_id = ?", ids["patient"])
        assert note[0] == "note" and note[1].startswith("Referral sent: Meals [/] → ")
        assert any(
            "Referral sent; response expected by Wed 2026-03-18" in n for n in notifications(app)
        )
        assert "sent" in table_text(app, "#referrals-table")[0]

        # x again: accepted; then x: scheduled, choosing the appointment in the form.
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("tab", "tab", "tab", *"Jane at intake", "enter")
        await settle(pilot)
        assert referral(db, ids["referral"])[0] == "accepted"
        await pilot.press("x")
        await settle(pilot)
        form = app.screen
        assert form.query_one("#field-to", Select).value == "scheduled"
        await pilot.press("tab", "tab")  # step → outcome → appointment
        assert app.focused is form.query_one("#field-appointment_id", Select)
        await pilot.press("enter", "down", "enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert referral(db, ids["referral"])[:4] == (
            "scheduled",
            "2026-03-11",
            "2026-03-18",
            ids["appt"],
        )

        # c: close it; tab from the step to the outcome: choose "report received", save.
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        await pilot.press("tab")
        assert app.focused is form.query_one("#field-outcome_code", Select)
        await pilot.press("enter", "down", "down", "enter", "ctrl+s")
        await settle(pilot)
        assert referral(db, ids["referral"]) == (
            "completed",
            "2026-03-11",
            "2026-03-18",
            ids["appt"],
            "report-received",
            "2026-03-11",
        )
        assert [s[0] for s in steps(db, ids["referral"])] == [
            "draft",
            "sent",
            "accepted",
            "scheduled",
            "completed",
        ]
        assert rows(db, "SELECT count(*) FROM note")[0][0] == 4
        # A closed loop leaves the open list.
        assert table_text(app, "#referrals-table") == []


async def test_a_refused_step_shows_why_beside_the_field(db: Database, today: date) -> None:
    ids = caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("tab", "tab")  # step → response expected by → the date
        await pilot.press(*"tomorrow")
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = app.screen.query_one("#error-taken_on", Static)
        assert "is in the future; record a step once it has happened" in str(error.render())
        assert referral(db, ids["referral"])[0] == "draft"
        await pilot.press("escape")  # the form was edited: it asks first
        await pilot.pause()
        await pilot.press("2")  # discard
        await settle(pilot)
        # Completing needs an outcome: refused beside the outcome field.
        with action(db, "Move") as s:
            ref = s.get_one(referrals.Referral, ids["referral"])  # type: ignore[attr-defined]
            for step in ("sent", "accepted"):
                referrals.move(s, ref, step, today=today)
        await pilot.press("f", "f", "f")  # every open → draft → sent → accepted only
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = app.screen.query_one("#error-outcome_code", Static)
        assert "Completing a referral records its outcome" in str(error.render())
        assert referral(db, ids["referral"])[0] == "accepted"


async def test_filters_and_enter_opens_the_patient_at_referrals(db: Database, today: date) -> None:
    ids = caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("u")  # any → stat
        await settle(pilot)
        assert table_text(app, "#referrals-table") == []
        await pilot.press("u", "u")  # asap → urgent
        await settle(pilot)
        assert len(table_text(app, "#referrals-table")) == 1
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("3")  # Dial-a-Ride (sorted by name, after "any")
        await settle(pilot)
        assert table_text(app, "#referrals-table") == []
        status = str(app.screen.query_one("#referrals-status", Static).render())
        assert "to Dial-a-Ride" in status
        await pilot.press("r", "1")  # any resource
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        from caretui.screens.patient import PatientScreen

        assert isinstance(app.screen, PatientScreen)
        assert app.screen.patient_id == ids["patient"]


async def test_new_referral_picks_the_patient_then_the_form(db: Database, today: date) -> None:
    ids = caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"nunez", "enter")
        await settle(pilot)
        # The form: to (choose Dial-a-Ride, the first by name), the reason, save.
        await pilot.press("enter", "down", "enter", "tab", *"Rides to dialysis", "ctrl+s")
        await settle(pilot)
        made = rows(db, "SELECT status, reason, resource_id, urgency FROM referral ORDER BY id")
        assert made[-1][:2] == ("draft", "Rides to dialysis")
        assert made[-1][2] != ids["bank"] and made[-1][3] == "routine"
        assert len(table_text(app, "#referrals-table")) == 2


async def test_the_directory_filters_search_and_stale_mark(db: Database, today: date) -> None:
    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        lines = table_text(app, "#resources-table")
        assert len(lines) == 2
        # Markup in a name is shown literally; the old verification is marked stale.
        [bank] = [line for line in lines if "Food" in line]
        assert bank.startswith(MARKUP) and "stale: 2025-01-02" in bank
        [ride] = [line for line in lines if "Dial-a-Ride" in line]
        assert "stale" not in ride
        await pilot.press("t")  # stale only
        await settle(pilot)
        assert len(table_text(app, "#resources-table")) == 1
        await pilot.press("t", "l")
        await settle(pilot)
        await pilot.press("3")  # any, English, Spanish
        await settle(pilot)
        assert [line.split(" | ")[0] for line in table_text(app, "#resources-table")] == [MARKUP]
        await pilot.press("l", "1", "c", "4")  # any language; category transport
        await settle(pilot)
        assert [line.split(" | ")[0] for line in table_text(app, "#resources-table")] == [
            "Dial-a-Ride"
        ]
        await pilot.press("c", "1", "slash", *"bank")
        await settle(pilot)
        assert [line.split(" | ")[0] for line in table_text(app, "#resources-table")] == [MARKUP]
        await pilot.press("enter")  # back to the list
        # v: verified today; the stale mark goes.
        await pilot.press("v")
        await settle(pilot)
        assert rows(db, "SELECT last_verified FROM resource WHERE name = ?", MARKUP) == [
            (today.isoformat(),)
        ]
        assert "stale" not in table_text(app, "#resources-table")[0]


async def test_add_and_edit_a_directory_entry(db: Database, today: date) -> None:
    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(
            # the category: from "other", down wraps to food, then housing
            *"Tenant [b]Help[/b]",
            "tab",
            "enter",
            "down",
            "down",
            "enter",
            "tab",
            *"555-0102",
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(db, "SELECT name, category, phone FROM resource ORDER BY id DESC LIMIT 1") == [
            ("Tenant [b]Help[/b]", "housing", "555-0102")
        ]
        assert any(
            line.startswith("Tenant [b]Help[/b]") for line in table_text(app, "#resources-table")
        )
        # A bad phone is refused beside its field; nothing saved.
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-phone").focus()
        await pilot.press("end", *" call me", "ctrl+s")
        await settle(pilot)
        assert "Phone has characters a phone number does not" in str(
            form.query_one("#error-phone", Static).render()
        )
        await pilot.press("escape")


async def test_the_palette_finds_a_resource_by_fuzzy_name(db: Database, today: date) -> None:
    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"dial a rid")
        await settle(pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        from caretui.screens.resources import ResourcesScreen
        from caretui.widgets.form import FormScreen

        assert isinstance(app.screen, FormScreen)
        assert isinstance(app.screen_stack[-2], ResourcesScreen)
        assert app.screen.query_one("#field-name").value == "Dial-a-Ride"  # type: ignore[attr-defined]


async def test_escape_leaves_the_directory_search(db: Database, today: date) -> None:
    from caretui.screens.reports import ReportsScreen

    caseload(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("slash", *"bank")
        await settle(pilot)
        assert len(table_text(app, "#resources-table")) == 1
        await pilot.press("escape")
        await settle(pilot)
        assert len(table_text(app, "#resources-table")) == 2  # the search is cleared
        assert app.focused is not None and app.focused.id == "resources-table"
        await pilot.press("7")  # a key, not more search text
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
