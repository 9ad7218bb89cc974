"""The day sheet's "Referrals to chase": what is on it, in what order, redacted or not;
and no section at all when there is nothing to chase."""

from __future__ import annotations

from datetime import date

from caretui.services import chart, referrals
from caretui.services.day_sheet import ReferralToChase, build_day_sheet
from caretui.services.day_sheet_render import render, sections
from caretui.services.unit import action
from caretui.store.database import Database
from tests.queries.test_today_loops import NOON, TODAY, build


def sheet_of(db: Database, *, redact: bool = False):  # type: ignore[no-untyped-def]
    con = db.read()
    try:
        return build_day_sheet(con, TODAY, redact=redact)
    finally:
        con.close()


def test_the_referrals_to_chase(db: Database) -> None:
    ids = build(db)
    with action(db, "Contact") as s:
        dr = chart.add_contact(
            s,
            ids["ann"],
            {"role": "specialist", "name": "Dr Maria Ruiz", "phone": "555-0199"},
            today=TODAY,
        )
        ref = referrals.add_referral(
            s, ids["ann"], {"contact_id": dr.id, "reason": "Cardiology"}, today=date(2026, 3, 1)
        )
        referrals.move(
            s,
            ref,
            "sent",
            on=date(2026, 3, 1),
            today=TODAY,
            now=NOON,
            response_due_on=date(2026, 3, 4),
        )
    sheet = sheet_of(db)
    bank = "Food [bold]Bank[/]"
    # Most urgent first, then the longest open.
    assert [
        (r.urgency, r.reason, r.receiver, r.phone, r.status, r.since) for r in sheet.referrals
    ] == [
        ("stat", "Reason in_overdue_stat", bank, None, "sent", date(2026, 3, 9)),
        ("urgent", "Reason in_overdue_urgent", bank, None, "sent", date(2026, 3, 2)),
        ("routine", "Reason in_scheduled_no_outcome", bank, None, "scheduled", date(2026, 3, 10)),
        ("routine", "Cardiology", "Dr Maria Ruiz", "555-0199", "sent", date(2026, 3, 4)),
        ("routine", "Reason in_draft_3_days", bank, None, "draft", date(2026, 3, 8)),
    ]
    assert sheet.referrals[0] == ReferralToChase(
        "Ray, Bob", "stat", "Reason in_overdue_stat", bank, None, "sent", date(2026, 3, 9)
    )
    redacted = sheet_of(db, redact=True)
    assert [(r.patient, r.receiver, r.phone) for r in redacted.referrals][2:4] == [
        ("A.L.", bank, None),
        ("A.L.", "D.R.", None),  # a contact is a person: initials, no number
    ]
    text = render(sheet, "txt").decode("utf-8")
    assert "REFERRALS TO CHASE" in text
    assert "Reason in_overdue_urgent → Food [bold]Bank[/]" in text
    assert "no answer; expected Mon 2 Mar (9 days ago)" in text
    assert "outcome not recorded; appointment Tue 10 Mar (1 day ago)" in text
    assert "not sent; drafted Sun 8 Mar (3 days ago)" in text
    assert "5 referrals to chase" in text
    html = render(sheet, "html").decode("utf-8")
    assert "Food [bold]Bank[/]" in html and "<b>" not in html


def test_nothing_to_chase_leaves_the_section_out(db: Database) -> None:
    sheet = sheet_of(db)
    assert sheet.referrals == () and sheet.referrals_more == 0
    assert "referrals" not in [s.key for s in sections(sheet)]
    assert "Referrals to chase" not in render(sheet, "md").decode("utf-8")
