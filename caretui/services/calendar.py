"""``caretui export ics``: appointments as an iCalendar file (RFC 5545).

Each appointment is one VEVENT with a stable UID (``appointment-<id>@caretui``),
so a calendar that imports the file again updates its events instead of
doubling them; SEQUENCE and LAST-MODIFIED follow the record's version. A
recurring appointment keeps its RRULE. Times are the local wall-clock times
caretui stores, written in this computer's time zone (its IANA name, with a
VTIMEZONE), or in UTC when the zone has no name caretui can find.

A calendar file is often synced to a phone or a cloud service. So by default
an event names the patient by initials only (``names="initials"``; "full" for
the whole name, "none" for nothing), and it never carries notes, outcomes,
phone numbers, addresses from the patient's record or dates of birth: only the
purpose, the place and the person the appointment is with, as entered.
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, vRecur

from caretui.errors import DomainError
from caretui.services.text import initials, one_line
from caretui.store.database import Database

NAMES = ("initials", "full", "none")
_STATUS = {"proposed": "TENTATIVE", "cancelled": "CANCELLED"}

_QUERY = """
SELECT a.id, a.start, a."end", a.with_whom, a.location, a.purpose, a.status,
       a.transport, a.transport_details, a.rrule, a.updated_at, a.version,
       p.given_name, p.family_name
FROM appointment a JOIN patient p ON p.id = a.patient_id
WHERE (? IS NULL OR substr(a.start, 1, 10) >= ? OR a.rrule IS NOT NULL)
  AND (? IS NULL OR substr(a.start, 1, 10) <= ?)
ORDER BY a.start, a.id
"""


def local_zone() -> tzinfo:
    """This computer's time zone: by IANA name (``TZ``, ``/etc/localtime``, ``/etc/timezone``)
    where one is found, else the fixed offset it has now."""
    name = os.environ.get("TZ", "").lstrip(":") or None
    if name is None:
        try:
            link = os.readlink("/etc/localtime")
            if "zoneinfo/" in link:
                name = link.split("zoneinfo/", 1)[1]
        except OSError:
            pass
    if name is None:
        with contextlib.suppress(OSError):
            name = Path("/etc/timezone").read_text("utf-8").strip() or None
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    found = datetime.now().astimezone().tzinfo
    return found if found is not None else UTC


def _moment(stored: str, zone: tzinfo) -> datetime:
    local = datetime.fromisoformat(stored)
    if isinstance(zone, ZoneInfo):
        return local.replace(tzinfo=zone)
    return local.astimezone().astimezone(UTC)  # no named zone: the same instant in UTC


def export_ics(
    db: Database,
    *,
    first: date | None = None,
    last: date | None = None,
    names: str = "initials",
    zone: tzinfo | None = None,
) -> bytes:
    """Appointments starting from ``first`` to ``last`` (inclusive; either may be open),
    and every recurring one that starts by ``last``, as iCalendar bytes."""
    if names not in NAMES:
        raise DomainError(f"Names {names!r} is not one of: {', '.join(NAMES)}")
    if first is not None and last is not None and last < first:
        raise DomainError(f"--to {last.isoformat()} is before --from {first.isoformat()}")
    zone = zone or local_zone()
    cal = Calendar()
    cal.add("prodid", "-//caretui//appointments//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "caretui appointments")
    lo = first.isoformat() if first else None
    hi = last.isoformat() if last else None
    con = db.read()
    try:
        rows = con.execute(_QUERY, (lo, lo, hi, hi)).fetchall()
    finally:
        con.close()
    for (
        record_id,
        start,
        end,
        with_whom,
        location,
        purpose,
        status,
        transport,
        transport_details,
        rrule,
        updated_at,
        version,
        given,
        family,
    ) in rows:
        event = Event()
        event.add("uid", f"appointment-{record_id}@caretui")
        changed = datetime.fromisoformat(updated_at).replace(tzinfo=UTC)
        event.add("dtstamp", changed)
        event.add("last-modified", changed)
        event.add("sequence", max(int(version) - 1, 0))
        event.add("dtstart", _moment(start, zone))
        if end is not None:
            event.add("dtend", _moment(end, zone))
        summary = one_line(purpose) if purpose else "Appointment"
        who = {
            "initials": initials(given, family),
            "full": one_line(f"{given} {family}"),
            "none": "",
        }[names]
        event.add("summary", f"{summary} — {who}" if who else summary)
        if location:
            event.add("location", one_line(location))
        details = []
        if with_whom:
            details.append(f"With: {one_line(with_whom)}")
        if transport and transport != "not-needed":
            line = f"Transport: {transport}"
            if transport_details:
                line += f" ({one_line(transport_details)})"
            details.append(line)
        if details:
            event.add("description", "\n".join(details))
        event.add("status", _STATUS.get(status, "CONFIRMED"))
        if rrule:
            event.add("rrule", vRecur.from_ical(rrule))
        cal.add_component(event)
    if isinstance(zone, ZoneInfo) and rows:
        cal.add_missing_timezones()
    return bytes(cal.to_ical())
