"""Today's first read made before the app is imported (``caretui.launch``) is the
read Today shows; one made for another day or size is not used."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

import caretui.screens.today_list as today_list
from caretui import config
from caretui.app import CaretuiApp
from caretui.services.seed import seed_caseload
from caretui.services.today_first import FIRST_PAGE, Prefetch
from caretui.store.database import Database
from tests.tui.helpers import SIZE, make_app, settle, table_text


@pytest.fixture
def seeded(db: Database, today: date) -> Database:
    seed_caseload(db, patients=12, seed=7, today=today)
    db.dispose()
    return db


async def shown(app: CaretuiApp) -> list[str]:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        return table_text(app, "#today-table")


async def test_the_read_made_ahead_is_what_today_shows(
    seeded: Database, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = await shown(make_app(seeded, today))
    assert len(expected) > 10
    settings = config.Config()
    first = Prefetch(seeded, settings, today, FIRST_PAGE)

    def no_second_read(*_: object, **__: object) -> None:
        raise AssertionError("Today read again")

    monkeypatch.setattr(today_list, "top_items", no_second_read)
    app = CaretuiApp(seeded, today=today, settings=settings, first_read=first)
    assert await shown(app) == expected
    assert app.first_read is None


@pytest.mark.parametrize("other", ["day", "limit"])
async def test_a_read_made_for_something_else_is_not_used(
    seeded: Database, today: date, other: str
) -> None:
    expected = await shown(make_app(seeded, today))
    settings = config.Config()
    day = today - timedelta(days=3) if other == "day" else today
    limit = FIRST_PAGE if other == "day" else 5
    first = Prefetch(seeded, settings, day, limit)
    app = CaretuiApp(seeded, today=today, settings=settings, first_read=first)
    assert await shown(app) == expected
