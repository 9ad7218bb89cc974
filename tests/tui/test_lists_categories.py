"""A resource category reads the same everywhere ("home health", never "home-health"):
the Referrals screen's resource filter, the directory's list, status and filter, and
the referral forms' choices all label it with ``screens.common.code``."""

from __future__ import annotations

from datetime import date

from textual.widgets import OptionList, Static

from caretui.screens import referral_forms
from caretui.services import resources
from caretui.services.unit import action
from caretui.store.database import Database
from tests.tui.helpers import SIZE, make_app, settle, table_text


def seed(db: Database, today: date) -> None:
    with action(db, "Directory") as s:
        for name, category in (
            ("Visiting Nurses North", "home-health"),
            ("Calm Minds", "mental-health"),
        ):
            resources.add_resource(
                s,
                {"name": name, "category": category, "last_verified": today.isoformat()},
                today=today,
            )


def options(app: object) -> list[str]:
    listing = app.screen.query_one("#dialog-choices", OptionList)  # type: ignore[attr-defined]
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_the_referrals_resource_filter_says_home_health(db: Database, today: date) -> None:
    seed(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        shown = options(app)
        assert "2  Calm Minds (mental health)" in shown
        assert "3  Visiting Nurses North (home health)" in shown
        assert not any("-health" in line for line in shown)


async def test_the_directory_says_home_health(db: Database, today: date) -> None:
    seed(db, today)
    app = make_app(db, today)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        assert [line.split(" | ")[1] for line in table_text(app, "#resources-table")] == [
            "mental health",
            "home health",
        ]
        await pilot.press("c")
        await settle(pilot)
        assert "5  home health" in options(app)
        await pilot.press("5")
        await settle(pilot)
        status = str(app.screen.query_one("#resources-status", Static).render())
        assert "home health" in status and "home-health" not in status


def test_the_referral_forms_choices_say_home_health() -> None:
    labels = dict((value, label) for label, value in referral_forms.CATEGORY_CHOICES)
    assert labels["home-health"] == "home health"
    assert labels["mental-health"] == "mental health"
