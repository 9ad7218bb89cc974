"""Patients (`2`): the minutes column says what it means ("CM min"; the status line:
a number is this month's care-management minutes, "—" a patient not in care
management), and a patient saved whom a filter hides is said to be hidden, and by
which filter."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Static

from caretui.app import CaretuiApp
from caretui.queries.patients import PatientDetail, PatientFilter
from caretui.screens.patients import MINUTES_LEGEND, hidden_by
from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database
from tests.tui.helpers import SIZE, make_app, settle, table_text


def seed(db: Database, today: date) -> None:
    with action(db, "Seed") as s:
        for given, family, risk, enrolled in (
            ("Ann", "Avery", "high", True),
            ("Bob", "Brook", "high", False),
        ):
            patients.create_patient(
                s,
                {
                    "given_name": given,
                    "family_name": family,
                    "risk": risk,
                    "care_management": enrolled,
                },
                today=today,
            )


def messages(app: CaretuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def status(app: CaretuiApp) -> str:
    return str(app.screen.query_one("#patients-status", Static).render())


async def test_the_minutes_column_says_what_it_means(db: Database, today: date) -> None:
    seed(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one("#patients-table", DataTable)
        assert [str(c.label) for c in table.ordered_columns][5] == "CM min"
        assert [line.split(" | ")[5] for line in table_text(app, "#patients-table")] == ["0", "—"]
        assert status(app).endswith(MINUTES_LEGEND)
        assert "CM min: minutes this month" in MINUTES_LEGEND
        assert "—: not in care mgmt" in MINUTES_LEGEND


async def test_a_new_patient_the_risk_filter_hides_is_said_to_be_hidden(
    db: Database, today: date
) -> None:
    seed(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("r")  # high risk only
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Zoë", "tab", *"Ünal")  # medium risk, the form's default
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Saved; not shown: the risk filter is high risk — r changes it" in messages(app)
        assert not any(line.startswith("Ünal") for line in table_text(app, "#patients-table"))
        await pilot.press("r")  # medium risk: there they are
        await settle(pilot)
        assert table_text(app, "#patients-table")[0].startswith("Ünal, Zoë")


async def test_a_new_patient_shown_gets_the_cursor(db: Database, today: date) -> None:
    seed(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Cy", "tab", *"Cole")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert messages(app)[-1] == "Saved"
        table = app.screen.query_one("#patients-table", DataTable)
        assert table_text(app, "#patients-table")[table.cursor_row].startswith("Cole, Cy")


def detail(**fields: object) -> PatientDetail:
    values = {name: None for name in PatientDetail.__dataclass_fields__}
    values.update(id=7, given_name="Zoë", family_name="Ünal", status="active", risk="low")
    values.update(interpreter_needed=False, care_management=False)
    values.update(fields)
    return PatientDetail(**values)  # type: ignore[arg-type]


def test_hidden_by_names_the_filter() -> None:
    low = detail()
    assert hidden_by(low, PatientFilter(), shown=True, complete=True) is None
    assert (
        hidden_by(low, PatientFilter(risks=("high",)), shown=False, complete=True)
        == "the risk filter is high risk — r changes it"
    )
    assert (
        hidden_by(low, PatientFilter(statuses=("discharged",)), shown=False, complete=True)
        == "the status filter is discharged — f changes it"
    )
    searched = PatientFilter(search="moss")
    assert (
        hidden_by(low, searched, shown=False, complete=True)
        == "the search does not find them — escape clears it"
    )
    # Not among the rows read, but the list goes on: it cannot be told.
    assert hidden_by(low, searched, shown=False, complete=False) is None
