"""iCalendar export: stable UIDs, the local time zone by name, RRULE, names as chosen."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from caretui.models.all import Appointment
from caretui.services import patients, records
from caretui.services.calendar import export_ics, local_zone
from caretui.services.unit import action
from caretui.store.database import Database
from tests.interchange.helpers import cli

TODAY = date(2026, 3, 11)


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _caseload(db: Database) -> list[int]:
    with action(db, "Add") as s:
        p = patients.create_patient(
            s, {"given_name": "Avery", "family_name": "Testwood"}, today=TODAY
        )
        ids = []
        for fields in (
            {
                "start": "2026-03-12T10:00",
                "end": "2026-03-12T10:30",
                "purpose": "Cardiology",
                "location": "Clinic 4",
                "with_whom": "Dr. Example",
                "transport": "arranged",
                "transport_details": "Van at 9:15",
            },
            {
                "start": "2026-01-05T09:00",
                "purpose": "Weekly check-in",
                "rrule": "FREQ=WEEKLY;INTERVAL=2",
            },
            {"start": "2026-05-01T09:00", "purpose": "Later visit", "status": "cancelled"},
        ):
            ids.append(
                records.create(s, Appointment, {"patient_id": p.id, **fields}, today=TODAY).id
            )
        return ids


def events(data: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(data)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_events_uids_timezone_rrule(db: Database, new_york: None) -> None:
    first, recurring, cancelled = _caseload(db)
    data = export_ics(db)
    assert local_zone() == ZoneInfo("America/New_York")
    found = events(data)
    assert sorted(found) == sorted(
        f"appointment-{i}@caretui" for i in (first, recurring, cancelled)
    )
    visit = found[f"appointment-{first}@caretui"]
    assert visit.decoded("DTSTART") == datetime(
        2026, 3, 12, 10, 0, tzinfo=ZoneInfo("America/New_York")
    )
    assert visit["DTSTART"].params["TZID"] == "America/New_York"
    assert str(visit["SUMMARY"]) == "Cardiology — A.T."
    assert str(visit["LOCATION"]) == "Clinic 4"
    assert str(visit["DESCRIPTION"]) == "With: Dr. Example\nTransport: arranged (Van at 9:15)"
    weekly = found[f"appointment-{recurring}@caretui"]
    assert weekly["RRULE"].to_ical() == b"FREQ=WEEKLY;INTERVAL=2"
    assert "DTEND" not in weekly
    assert str(found[f"appointment-{cancelled}@caretui"]["STATUS"]) == "CANCELLED"
    assert b"BEGIN:VTIMEZONE" in data and b"TZID:America/New_York" in data
    assert b"Avery" not in data and b"Testwood" not in data
    assert export_ics(db) == data  # stable: the same file for the same records


def test_names_and_date_range(db: Database, new_york: None) -> None:
    first, recurring, _cancelled = _caseload(db)
    full = events(export_ics(db, names="full"))
    assert str(full[f"appointment-{first}@caretui"]["SUMMARY"]) == "Cardiology — Avery Testwood"
    none = events(export_ics(db, names="none"))
    assert str(none[f"appointment-{first}@caretui"]["SUMMARY"]) == "Cardiology"
    march = events(export_ics(db, first=date(2026, 3, 1), last=date(2026, 3, 31)))
    # the recurring one started in January but repeats into March
    assert sorted(march) == sorted(f"appointment-{i}@caretui" for i in (first, recurring))


def test_cli_ics(db: Database, new_york: None, tmp_path: object) -> None:
    _caseload(db)
    result = cli(
        "export", "ics", "--db", str(db.path), "--from", "2026-03-01", "--to", "2026-03-31"
    )
    assert result.exit_code == 0, result.output
    assert len(events(result.stdout_bytes)) == 2
    bad = cli("export", "ics", "--db", str(db.path), "--from", "someday")
    assert bad.exit_code == 1 and bad.stderr.startswith("caretui: --from: 'someday' is not a date")
