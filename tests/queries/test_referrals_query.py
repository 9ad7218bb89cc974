"""Referrals and the directory on the read side: filters, order, paging, stale entries,
bad stored dates, and an index behind each list."""

from __future__ import annotations

import sqlite3
from datetime import date

from caretui.queries import referrals as rq
from caretui.queries import resources as sq
from caretui.services import patients, referrals, resources
from caretui.services.unit import action
from caretui.store.database import Database

TODAY = date(2026, 3, 11)


def build(db: Database) -> dict[str, int]:
    ids: dict[str, int] = {}
    with action(db, "Build") as s:
        ann = patients.create_patient(s, {"given_name": "Ann", "family_name": "Lee"}, today=TODAY)
        gone = patients.create_patient(s, {"given_name": "Dan", "family_name": "Gone"}, today=TODAY)
        food = resources.add_resource(
            s,
            {
                "name": "Núñez Food Pantry",
                "category": "food",
                "languages": "English, Spanish",
                "eligibility": "Over 60",
                "last_verified": "2025-09-12",
            },
            today=TODAY,
        )
        ride = resources.add_resource(
            s,
            {
                "name": "Dial-a-Ride",
                "category": "transport",
                "languages": "English",
                "last_verified": "2025-09-13",
            },
            today=TODAY,
        )
        resources.add_resource(s, {"name": "Never checked"}, today=TODAY)
        ids.update(food=food.id, ride=ride.id, ann=ann.id)
        for label, res, day, urgency in (
            ("old", food.id, date(2026, 1, 5), "urgent"),
            ("new", ride.id, date(2026, 3, 1), "routine"),
            ("mid", food.id, date(2026, 2, 1), "stat"),
        ):
            ref = referrals.add_referral(
                s, ann.id, {"resource_id": res, "reason": label, "urgency": urgency}, today=day
            )
            ids[label] = ref.id
        referrals.move(s, s.get_one(referrals.Referral, ids["mid"]), "sent", today=TODAY)  # type: ignore[attr-defined]
        done = referrals.add_referral(
            s, ann.id, {"resource_id": ride.id, "reason": "done"}, today=TODAY
        )
        referrals.move(s, done, "cancelled", today=TODAY)
        ids["done"] = done.id
        theirs = referrals.add_referral(
            s, gone.id, {"resource_id": food.id, "reason": "gone"}, today=TODAY
        )
        ids["gone"] = theirs.id
        patients.discharge(s, gone, today=TODAY)
    return ids


def test_open_referrals_oldest_first_filtered_and_paged(db: Database) -> None:
    ids = build(db)
    con = db.read()
    try:
        every = rq.list_referrals(con, rq.ReferralFilter())
        assert [r.reason for r in every] == ["old", "mid", "new"]
        assert rq.count_referrals(con, rq.ReferralFilter()) == 3
        assert [
            r.reason for r in rq.list_referrals(con, rq.ReferralFilter(), limit=1, offset=1)
        ] == ["mid"]
        assert [
            r.reason for r in rq.list_referrals(con, rq.ReferralFilter(statuses=("sent",)))
        ] == ["mid"]
        assert [
            r.reason
            for r in rq.list_referrals(con, rq.ReferralFilter(urgencies=("urgent", "stat")))
        ] == ["old", "mid"]
        assert [
            r.reason for r in rq.list_referrals(con, rq.ReferralFilter(resource_id=ids["ride"]))
        ] == ["new"]
        closed = rq.ReferralFilter(statuses=rq.CLOSED_STATUSES)
        assert [r.reason for r in rq.list_referrals(con, closed)] == ["done"]
        with_gone = rq.ReferralFilter(active_patients=False)
        assert "gone" in [r.reason for r in rq.list_referrals(con, with_gone)]
        mid = rq.referral_detail(con, ids["mid"])
        assert mid is not None
        assert (mid.receiver, mid.sent_on, mid.response_due, mid.last_step_on) == (
            "Núñez Food Pantry",
            TODAY,
            date(2026, 3, 13),
            TODAY,
        )
        assert [r.reason for r in rq.patient_referrals(con, ids["ann"])] == [
            "old",
            "mid",
            "new",
            "done",
        ]
        assert [s.status for s in rq.referral_steps(con, ids["mid"])] == ["draft", "sent"]
        plan = [
            r[3]
            for r in con.execute(
                "EXPLAIN QUERY PLAN "
                + rq._SELECT
                + " WHERE r.status IN (?, ?) ORDER BY opened LIMIT 5",
                ("draft", "sent"),
            )
        ]
        assert plan[0].startswith("SEARCH r USING INDEX ix_referral_status_due"), plan
    finally:
        con.close()


def test_a_bad_stored_date_is_flagged_not_raised(db: Database) -> None:
    ids = build(db)
    raw = sqlite3.connect(db.path)
    raw.execute("UPDATE referral SET response_due = '2026-02-30' WHERE id = ?", (ids["mid"],))
    raw.execute("UPDATE resource SET last_verified = 'soon' WHERE id = ?", (ids["ride"],))
    raw.commit()
    raw.close()
    con = db.read()
    try:
        mid = rq.referral_detail(con, ids["mid"])
        assert mid is not None and mid.bad_date and mid.response_due is None
        ride = sq.resource_detail(con, ids["ride"], today=TODAY)
        assert ride is not None and ride.bad_date and ride.stale
    finally:
        con.close()


def test_the_directory_filters_search_and_stale(db: Database) -> None:
    build(db)
    con = db.read()
    try:

        def names(flt: sq.ResourceFilter, **kw: int) -> list[str]:
            return [r.name for r in sq.list_resources(con, flt, today=TODAY, **kw)]

        assert names(sq.ResourceFilter()) == ["Dial-a-Ride", "Never checked", "Núñez Food Pantry"]
        assert names(sq.ResourceFilter(category="food")) == ["Núñez Food Pantry"]
        assert names(sq.ResourceFilter(language="spanish")) == ["Núñez Food Pantry"]
        assert names(sq.ResourceFilter(search="over 60")) == ["Núñez Food Pantry"]
        assert names(sq.ResourceFilter(search="ride dial")) == ["Dial-a-Ride"]
        assert names(sq.ResourceFilter(search="50%_")) == []
        # 180 days before 2026-03-11 is 2025-09-12: verified that day is not stale yet.
        assert names(sq.ResourceFilter(stale_only=True)) == ["Never checked"]
        assert names(sq.ResourceFilter(stale_only=True), stale_days=179) == [
            "Never checked",
            "Núñez Food Pantry",
        ]
        assert [r.stale for r in sq.list_resources(con, sq.ResourceFilter(), today=TODAY)] == [
            False,
            True,
            False,
        ]
        assert sq.count_resources(con, sq.ResourceFilter(stale_only=True), today=TODAY) == 1
        assert [
            r.name
            for r in sq.list_resources(con, sq.ResourceFilter(), today=TODAY, limit=1, offset=2)
        ] == ["Núñez Food Pantry"]
        assert sq.languages(con) == ["English", "Spanish"]
        assert [e.match for e in sq.palette_resources(con)] == [
            "dial-a-ride",
            "never checked",
            "nunez food pantry",
        ]
    finally:
        con.close()
