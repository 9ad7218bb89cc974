"""Quick add with a crowded family name: every patient of it can be reached in the
picker (a scrolling list, not the five closest), typing a given name, a date of birth
or an MRN narrows it, and a whole name that is one patient's needs no picker at all.

The caseload is synthetic, built here: 28 patients of one made-up family name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.widgets import Input, OptionList, Static

from caretui.app import CaretuiApp
from caretui.screens.quick_add import QuickAddScreen
from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database
from caretui.widgets.patient_picker import PatientPicker
from tests.tui.helpers import SIZE, held, make_app, rows, settle

FAMILY = "Vendrakis"
GIVEN = [f"Given{chr(ord('A') + n // 10)}{n % 10}" for n in range(28)]


def crowd(db: Database, today: date) -> dict[str, int]:
    ids = {}
    with action(db, "Add patients") as s:
        for n, given in enumerate(GIVEN):
            ids[given] = patients.create_patient(
                s,
                {
                    "given_name": given,
                    "family_name": FAMILY,
                    "mrn": f"SYN{n:04d}",
                    "birth_date": date(1940 + n, 1 + n % 12, 1 + n % 28),
                },
                today=today,
            ).id
        patients.create_patient(s, {"given_name": "Other", "family_name": "Person"}, today=today)
    return ids


def labels(app: CaretuiApp) -> list[str]:
    return [str(o.prompt) for o in app.screen.query_one(OptionList).options]


def status(app: CaretuiApp) -> str:
    return str(app.screen.query_one("#dialog-status", Static).render())


async def open_picker(pilot: Any, line: str) -> None:
    await pilot.press("a")
    await pilot.pause()
    assert isinstance(pilot.app.screen, QuickAddScreen)
    pilot.app.screen.query_one(Input).value = line
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PatientPicker)


async def test_every_patient_of_a_crowded_family_name_can_be_picked(
    db: Database, today: date
) -> None:
    ids = crowd(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_picker(pilot, f"Call re forms @{FAMILY.lower()}")
        shown = labels(app)
        assert len(shown) == 28 and all(FAMILY in label for label in shown)
        assert status(app).startswith("28 patients")
        # The last one is reached by scrolling down the list (the first Down keeps
        # the first row).
        for _ in range(28):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, (PatientPicker, QuickAddScreen))
        assert rows(db, "SELECT patient_id, title FROM task") == [(ids[GIVEN[-1]], "Call re forms")]


async def test_typing_a_given_name_birth_date_or_mrn_narrows_the_picker(
    db: Database, today: date
) -> None:
    ids = crowd(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_picker(pilot, f"Fax @{FAMILY}")
        field = app.screen.query_one(Input)
        await pilot.press(*" GivenB")  # typed on after the term, not over it
        await settle(pilot)
        assert field.value == f"{FAMILY} GivenB"
        assert len(labels(app)) == 10
        field.value = f"{FAMILY} 1957"  # born 1957: GivenB7
        await settle(pilot)
        assert len(labels(app)) == 1 and "GivenB7" in labels(app)[0]
        assert "b. 1957-06-18" in labels(app)[0]
        field.value = "SYN0003"
        await settle(pilot)
        assert len(labels(app)) == 1 and "GivenA3" in labels(app)[0]
        await pilot.press("enter")
        await settle(pilot)
        assert rows(db, "SELECT patient_id FROM task") == [(ids["GivenA3"],)]


async def test_escape_in_the_picker_saves_nothing_and_returns_to_the_line(
    db: Database, today: date
) -> None:
    crowd(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_picker(pilot, f"Fax @{FAMILY}")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QuickAddScreen)
        assert rows(db, "SELECT count(*) FROM task") == [(0,)]


async def test_a_whole_name_that_is_one_patients_needs_no_picker(db: Database, today: date) -> None:
    ids = crowd(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one(Input).value = f'Fax @"GivenC4 {FAMILY}"'
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, (PatientPicker, QuickAddScreen))
        assert rows(db, "SELECT patient_id FROM task") == [(ids["GivenC4"],)]


async def test_enter_before_the_narrowed_list_is_read_picks_from_that_list(
    db: Database, today: date, monkeypatch: Any
) -> None:
    """Each key's list is read in a worker: enter pressed before it is shown waits for
    it, and never picks the first row of the wider list shown before."""
    from caretui.queries import patients as patient_queries

    ids = crowd(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_picker(pilot, f"Fax @{FAMILY}")
        slow_find, release = held(patient_queries.find_patients)
        monkeypatch.setattr(patient_queries, "find_patients", slow_find)
        await pilot.press(*" GivenC5", "enter")  # no pause: the list shown is the wide one
        assert isinstance(app.screen, PatientPicker)
        release.set()
        for _ in range(200):  # (each key's read cancels the one before: no settle here)
            await pilot.pause(0.02)
            if rows(db, "SELECT patient_id FROM task"):
                break
        assert rows(db, "SELECT patient_id FROM task") == [(ids["GivenC5"],)]


async def test_redacted_the_picker_tells_namesakes_apart_by_age_not_identity(
    db: Database, today: date
) -> None:
    """With ctrl+r on, each row is initials and an age in years (90 and over as one),
    never a birth date or an MRN: namesakes can still be told apart."""
    crowd(db, today)
    with action(db, "Add patient") as s:
        patients.create_patient(
            s,
            {"given_name": "Eldest", "family_name": FAMILY, "birth_date": date(1930, 5, 1)},
            today=today,
        )
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.redact = True
        await pilot.pause()
        await open_picker(pilot, f"Fax @{FAMILY}")
        shown = labels(app)
        assert all(label.endswith(" y") for label in shown) and shown[0] == "E.V.  90+ y"
        ages = {label.split()[-2] for label in shown}
        assert len(ages) > 20 and "90+" in ages  # (1930: 95 years old, shown as 90+)
        assert not any("SYN" in label or "b. " in label for label in shown)
