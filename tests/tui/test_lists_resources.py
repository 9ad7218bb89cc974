"""The Resources directory (`6`): the detail line under the list shows the phone (with
its extension) and the hours in full, which the list's narrow columns cut."""

from __future__ import annotations

import io
from datetime import date

from rich.console import Console
from textual.widgets import Static

from caretui.queries.resources import ResourceRow
from caretui.screens.resources import detail_text
from caretui.services import resources
from caretui.services.unit import action
from caretui.store.database import Database
from tests.tui.helpers import SIZE, make_app, settle, table_text

PHONE = "(617) 555-0179 ext. 85"
HOURS = "Tue & Thu 13:00–17:00, Sat 09:00–12:00 by appointment"


def plain(text: object, width: int = 118) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(text)
    return console.export_text()


def entry(**fields: object) -> ResourceRow:
    values: dict[str, object] = {
        "id": 1,
        "version": 1,
        "name": "Harbor Food Pantry",
        "category": "food",
        "phone": None,
        "address": None,
        "hours": None,
        "eligibility": None,
        "languages": None,
        "notes": None,
        "last_verified": None,
        "stale": False,
    }
    values.update(fields)
    return ResourceRow(**values)  # type: ignore[arg-type]


def test_the_detail_has_the_phone_and_hours_first_then_the_rest() -> None:
    text = detail_text(
        entry(phone=PHONE, hours=HOURS, address="1 Pier Rd", eligibility="Anyone", notes="")
    )
    assert text.plain.splitlines() == [
        f"Phone: {PHONE}  ·  Hours: {HOURS}",
        "Address: 1 Pier Rd  ·  Eligibility: Anyone",
    ]
    assert detail_text(entry(hours=HOURS)).plain == f"Hours: {HOURS}"
    assert detail_text(entry(notes="Call first")).plain == "Notes: Call first"
    assert detail_text(entry()).plain == "No phone, hours, address, eligibility or notes recorded."


async def test_the_screen_shows_the_full_phone_and_hours_of_the_highlighted_entry(
    db: Database, today: date
) -> None:
    with action(db, "Directory") as s:
        resources.add_resource(
            s,
            {
                "name": "Harbor Food Pantry",
                "category": "food",
                "phone": PHONE,
                "hours": HOURS,
                "address": "1 Pier Rd",
                "last_verified": today.isoformat(),
            },
            today=today,
        )
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        [line] = table_text(app, "#resources-table")
        assert line.startswith("Harbor Food Pantry")
        detail = plain(app.screen.query_one("#resources-detail", Static).content)
        assert PHONE in detail and HOURS in detail and "1 Pier Rd" in detail
