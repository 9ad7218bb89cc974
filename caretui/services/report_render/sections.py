"""The monthly report laid out once for every format: titled sections of figures and tables.

Text here is raw: names, identifiers, queue names and threshold labels exactly
as stored. Each renderer makes every piece safe for its format (control
characters made visible, then Markdown, HTML or CSV escaping), so nothing here
escapes anything. Redaction happens here: initials instead of names, and no
identifier column at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from caretui.services.dates import MONTHS
from caretui.services.report import MonthReport


@dataclass(frozen=True, slots=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: Indexes of the columns holding numbers (aligned right).
    numeric: frozenset[int]
    #: Shown in place of the rows when there are none.
    empty: str = "None."


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    figures: tuple[Figure, ...]
    tables: tuple[Table, ...] = ()


NONE = "—"


def month_name(report: MonthReport) -> str:
    """ "March 2026" (English whatever the locale, so outputs compare exactly)."""
    return f"{MONTHS[report.month.month - 1].capitalize()} {report.month.year}"


def short_month(month: int) -> str:
    return MONTHS[month - 1][:3].capitalize()


def title(report: MonthReport) -> str:
    return f"The month in numbers: {month_name(report)}"


def stamp(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def subtitle(report: MonthReport, *, redact: bool) -> str:
    """What the figures cover: a complete month or the month so far, and when they were read."""
    state = "Complete month" if report.complete else "Month in progress"
    line = f"{state}; figures as of {stamp(report.as_of)}."
    if redact:
        line += " Redacted: initials only, no identifiers."
    return line


def pct(value: float | None) -> str:
    return NONE if value is None else f"{value * 100:.1f}%"


def of(part: int, whole: int, what: str = "") -> str:
    """ "41 of 66 (62.1%)", "41 of 66 with a due date (62.1%)"."""
    tail = f" {what}" if what else ""
    if not whole:
        return f"{part} of {whole}{tail}"
    return f"{part} of {whole}{tail} ({pct(part / whole)})"


def days(value: float | None) -> str:
    if value is None:
        return NONE
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def sections(
    report: MonthReport, *, redact: bool = False, billing: bool = True
) -> tuple[Section, ...]:
    """The report's sections, in reading order. ``billing`` False: the time section
    without the biller's table (a line per patient: the Reports screen draws its own)."""
    end = "at month end" if report.complete else "today"
    c, k, a, t = report.caseload, report.contacts, report.appointments, report.tasks
    p, r, tm = report.care_plans, report.referrals, report.time

    caseload = Section(
        "caseload",
        "Caseload",
        (
            Figure("On the caseload at month start", str(c.at_start)),
            Figure(f"On the caseload {end}", str(c.at_end)),
            Figure("New this month", str(c.new)),
            Figure("Discharged this month", str(c.discharged)),
            Figure(f"In care management {end}", str(c.enrolled)),
            *(Figure(f"{risk.value.capitalize()} risk {end}", str(n)) for risk, n in c.by_risk),
        ),
    )

    kind_labels = {
        "call": "Calls",
        "visit": "Visits",
        "message": "Messages",
        "note": "Notes (no contact)",
    }
    outcome_labels = {
        "voicemail": "Left a voicemail",
        "no-answer": "No answer",
        "wrong-number": "Wrong number",
        "declined": "Declined",
    }
    contacts = Section(
        "contacts",
        "Contacts",
        (
            *(Figure(kind_labels[kind.value], str(n)) for kind, n in k.by_kind),
            Figure("Contacts (calls, visits, messages)", str(k.contacts)),
            Figure("Outreach attempts (calls and messages with an outcome)", str(k.attempts)),
            Figure("Attempts that reached the patient", of(k.reached, k.attempts)),
            *(
                Figure(f"Attempts: {outcome_labels[o.value].lower()}", str(n))
                for o, n in k.outcomes
                if o.value in outcome_labels
            ),
            Figure(f"On the caseload {end}, not reached this month", str(len(k.not_reached))),
        ),
    )

    appointments = Section(
        "appointments",
        "Appointments",
        (
            Figure("Booked for this month, cancelled included", str(a.booked)),
            Figure("Kept", str(a.kept)),
            Figure("No-show", str(a.no_show)),
            Figure("Cancelled", str(a.cancelled)),
            Figure("No outcome recorded yet", str(a.no_outcome)),
            Figure("No-show rate (of kept and no-show)", pct(a.no_show_rate)),
            Figure("Transport arranged", of(a.transport_arranged, a.transport_needed, "needed")),
        ),
    )

    tasks = Section(
        "tasks",
        "Tasks",
        (
            Figure("Completed this month", str(t.completed)),
            Figure("Completed on time", of(t.on_time, t.with_due, "with a due date")),
            Figure(f"Still overdue {end}, snoozed and waiting too", str(t.overdue)),
        ),
        (
            Table(
                "Tasks by queue",
                ("Queue", "Completed", "On time", f"Overdue {end}"),
                tuple(
                    (q.queue, str(q.completed), f"{q.on_time} of {q.with_due}", str(q.overdue))
                    for q in t.by_queue
                ),
                frozenset({1, 2, 3}),
                "No task completed or overdue.",
            ),
        ),
    )

    plan_figures = [
        Figure("Reviews due", str(p.reviews_due)),
        Figure("Done on time", str(p.on_time)),
        Figure("Done late", str(p.late)),
        Figure("Missed", str(p.missed)),
    ]
    if p.upcoming or not report.complete:
        plan_figures.append(Figure("Still to come this month", str(p.upcoming)))
    plan_figures.append(Figure("Goals achieved", str(p.goals_achieved)))
    care_plans = Section("care_plans", "Care plans", tuple(plan_figures))

    referrals = Section(
        "referrals",
        "Referrals",
        (
            Figure("Sent", str(r.sent)),
            Figure("Closed", str(r.closed)),
            Figure("Median days to close", days(r.median_days_to_close)),
            Figure(f"Open past their response date {end}", str(r.open_past_due)),
        ),
    )

    time_figures = [
        Figure("Patients in care management this month", str(len(tm.rows))),
        Figure("Minutes logged for them", str(tm.total_minutes)),
    ]
    if tm.thresholds:
        first = tm.thresholds[0]
        time_figures.append(Figure(f"Under {first.label} ({first.minutes} min)", str(tm.under)))
    time_figures.extend(
        Figure(f"Highest threshold met: {threshold.label} ({threshold.minutes} min)", str(n))
        for threshold, n in tm.met
    )
    if redact:
        columns: tuple[str, ...] = ("Patient", "Minutes", "Highest threshold met")
        numeric = frozenset({1})
    else:
        columns = ("Patient", "MRN", "Minutes", "Highest threshold met")
        numeric = frozenset({2})
    billing_rows: list[tuple[str, ...]] = []
    for row in tm.rows if billing else ():
        met = row.met.label if row.met is not None else NONE
        name = row.patient.name(redact=redact)
        if redact:
            billing_rows.append((name, str(row.minutes), met))
        else:
            billing_rows.append((name, row.patient.mrn or NONE, str(row.minutes), met))
    time = Section(
        "time",
        "Time spent (care management)",
        tuple(time_figures),
        (
            Table(
                "Time per patient (for billing)",
                columns,
                tuple(billing_rows),
                numeric,
                "No patient in care management this month.",
            ),
        )
        if billing
        else (),
    )

    months = report.series.months
    history = Section(
        "history",
        "The last 12 months",
        (),
        (
            Table(
                "By month",
                ("Month", "Contacts", "Kept", "No-show", "No-show rate", "Overdue at month end"),
                tuple(
                    (
                        f"{m.month:%Y-%m}",
                        str(m.contacts),
                        str(m.kept),
                        str(m.no_show),
                        pct(m.no_show_rate),
                        str(m.overdue),
                    )
                    for m in months
                ),
                frozenset({1, 2, 3, 4, 5}),
            ),
        ),
    )
    return (caseload, contacts, appointments, tasks, care_plans, referrals, time, history)
