"""The Patient screen's header line and Overview tab, as plain ``Text``.

Demographics, contacts, problems, allergies (high criticality stands out), active
medications, and what comes next: the next appointment, open tasks, the last
contact. Redaction hides birth date, phone, address and identifiers here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text

from caretui.config import DEFAULT_THRESHOLDS, Threshold
from caretui.queries import chart
from caretui.queries.patients import PatientDetail
from caretui.queries.sql import age
from caretui.screens.care_time import care_time_text
from caretui.screens.common import (
    RISK_STYLE,
    code,
    day,
    due_cell,
    hidden,
    instant,
    shown_name,
    when,
)
from caretui.services.text import initials, one_line, plural, visible

#: The Overview's panels, in the order shown: (id suffix, border title).
PANELS: tuple[tuple[str, str], ...] = (
    ("patient", "Patient"),
    ("contacts", "Contacts"),
    ("problems", "Problems"),
    ("allergies", "Allergies"),
    ("meds", "Active medications"),
    ("next", "Next"),
    ("outreach", "Outreach"),
)


def header_line(p: PatientDetail, today: date, *, redact: bool) -> Text:
    text = Text(shown_name(p, redact=redact))
    text.stylize("bold")
    years = age(p.birth_date, today)
    parts: list[Text] = [
        Text("age hidden" if redact else (f"{years} y" if years is not None else "age unknown")),
        Text(f"{p.risk} risk", style=RISK_STYLE.get(p.risk, "")),
        Text(code(p.status)),
    ]
    if p.language or p.interpreter_needed:
        lang = Text(one_line(p.language or "language not recorded"))
        if p.interpreter_needed:
            lang.append(" · interpreter needed", style="bold yellow")
        parts.append(lang)
    if p.unable_to_reach_since is not None:
        parts.append(
            Text(f"unable to reach since {p.unable_to_reach_since.isoformat()}", style="bold red")
        )
    for part in parts:
        text.append("  ·  ", style="dim")
        text.append_text(part)
    return text


def field_lines(pairs: list[tuple[str, Text | str | None]]) -> Text:
    out = Text()
    for label, value in pairs:
        if out:
            out.append("\n")
        out.append(f"{label}: ", style="dim")
        if isinstance(value, Text):
            out.append_text(value)
        else:
            out.append(one_line(value) if value else "—")
    return out


def demographics(
    p: PatientDetail,
    *,
    redact: bool,
    minutes: int | None = None,
    thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS,
) -> Text:
    def secret(value: str | None) -> Text | str | None:
        return hidden() if redact else value

    address = None if redact or not p.address else Text(visible(p.address))
    return field_lines(
        [
            ("Date of birth", secret(day(p.birth_date))),
            ("Gender", p.gender),
            ("Phone", secret(p.phone)),
            ("Email", secret(p.email)),
            ("Address", hidden() if redact else address),
            (
                "Language",
                Text(one_line(p.language or "not recorded")).append(
                    " · interpreter needed" if p.interpreter_needed else "",
                    style="bold yellow",
                ),
            ),
            ("MRN", secret(p.mrn)),
            ("Insurance member id", secret(p.insurance_member_id)),
            ("Enrolled", day(p.enrolled_on)),
            ("Care management", care_time_text(p.care_management, minutes, thresholds)),
            ("Unable to reach since", day(p.unable_to_reach_since) or None),
        ]
    )


def contact_lines(contacts: tuple[chart.ContactRow, ...], *, redact: bool) -> Text:
    if not contacts:
        return Text("No contacts yet — c adds one", style="dim")
    out = Text()
    for c in contacts:
        if out:
            out.append("\n")
        out.append(code(c.role), style="bold")
        out.append("  ")
        out.append(initials(c.name, "") if redact else one_line(c.name))
        if c.relationship:
            out.append(f" ({one_line(c.relationship)})", style="dim")
        if c.organization:
            out.append(f"  {one_line(c.organization)}")
        if c.phone:
            out.append("  ")
            out.append_text(hidden() if redact else Text(one_line(c.phone)))
        if c.emergency:
            out.append("  EMERGENCY", style="bold red")
    return out


def problem_lines(problems: tuple[chart.ProblemRow, ...]) -> Text:
    if not problems:
        return Text("No problems recorded — p adds one", style="dim")
    out = Text()
    for p in problems:
        if out:
            out.append("\n")
        current = p.clinical_status in ("active", "recurrence", "relapse")
        out.append(one_line(p.name), style="" if current else "dim")
        out.append(f"  {code(p.clinical_status)}", style="dim")
        if p.onset_date:
            out.append(f"  since {p.onset_date.isoformat()}", style="dim")
    return out


def high_allergy(allergies: tuple[chart.AllergyRow, ...]) -> bool:
    """Whether an active allergy of high criticality is on record."""
    return any(a.criticality == "high" and a.clinical_status == "active" for a in allergies)


def allergy_lines(allergies: tuple[chart.AllergyRow, ...]) -> Text:
    if not allergies:
        return Text("No allergies recorded — l adds one", style="dim")
    out = Text()
    for a in allergies:
        if out:
            out.append("\n")
        active = a.clinical_status == "active"
        high = a.criticality == "high" and active
        if high:
            out.append("⚠ HIGH ", style="bold white on red")
        out.append(one_line(a.substance), style="bold red" if high else "" if active else "dim")
        if a.reaction:
            out.append(f"  {one_line(a.reaction)}")
        if a.criticality and not high:
            out.append(f"  criticality {code(a.criticality)}", style="dim")
        if not active:
            out.append(f"  {code(a.clinical_status)}", style="dim")
    return out


def medication_lines(meds: tuple[chart.MedicationRow, ...], today: date) -> Text:
    if not meds:
        return Text("No active medications", style="dim")
    out = Text()
    for m in meds:
        if out:
            out.append("\n")
        out.append(one_line(m.name), style="bold")
        how = " ".join(one_line(p) for p in (m.dose, m.route, m.frequency) if p)
        if how:
            out.append(f"  {how}")
        if m.status != "active":
            out.append(f"  {code(m.status)}", style="yellow")
        if m.refill_due:
            out.append("  refill ")
            out.append_text(due_cell(m.refill_due, today))
    return out


def next_lines(o: chart.Overview, today: date) -> Text:
    out = Text()
    out.append("Next appointment: ", style="dim")
    a = o.next_appointment
    if a is None:
        out.append("none booked")
    else:
        out.append(when(a.start), style="bold")
        for part in (a.with_whom, a.location, a.purpose):
            if part:
                out.append(f"  {one_line(part)}")
        if a.transport == "needed":
            out.append("  transport not arranged", style="bold yellow")
    out.append("\nOpen tasks: ", style="dim")
    out.append(str(o.open_task_count), style="bold")
    for t in o.open_tasks:
        out.append("\n  • ")
        out.append(one_line(t.title))
        if t.due:
            out.append("  due ")
            out.append_text(due_cell(t.due, today, soon_days=0))
    if o.open_task_count > len(o.open_tasks):
        out.append(f"\n  … {o.open_task_count - len(o.open_tasks)} more in Tasks", style="dim")
    out.append("\nLast contact: ", style="dim")
    n = o.last_contact
    if n is None:
        out.append("none logged")
    else:
        out.append(instant(n.occurred_at), style="bold")
        out.append(f"  {n.kind}")
        if n.outcome:
            out.append(f"  {code(n.outcome)}")
        if n.occurred_at:
            days = (today - n.occurred_at.date()).days
            if days > 0:
                out.append(f"  ({plural(days, 'day')} ago)", style="dim")
    return out


def overview_panels(
    o: chart.Overview,
    today: date,
    *,
    redact: bool,
    thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS,
) -> dict[str, Text]:
    """Each Overview panel's text, by the id suffix of ``PANELS``."""
    return {
        "patient": demographics(
            o.patient, redact=redact, minutes=o.month_minutes, thresholds=thresholds
        ),
        "contacts": contact_lines(o.contacts, redact=redact),
        "problems": problem_lines(o.problems),
        "allergies": allergy_lines(o.allergies),
        "meds": medication_lines(o.medications, today),
        "next": next_lines(o, today),
    }
