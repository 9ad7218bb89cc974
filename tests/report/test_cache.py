"""Reports kept by month (``ReportCache``): given back only at the key of the data they
were read from, never older than the database; and the read transaction that makes
the key describe the very rows read."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import date, datetime
from pathlib import Path

import pytest

from caretui.config import DEFAULT_THRESHOLDS, Threshold
from caretui.queries.common import snapshot
from caretui.queries.report import appointments_series_sql, window, window_params
from caretui.services import notes
from caretui.services import report as report_module
from caretui.services.report import (
    MonthReport,
    ReportCache,
    ReportKey,
    month_report,
    report_key,
    same_figures,
)
from caretui.services.unit import action
from caretui.store.database import Database
from tests.report.builders import MARCH, NOW, NY

FEBRUARY = date(2026, 2, 1)


@pytest.fixture
def march_copy(march_db: tuple[Path, dict[str, int]], tmp_path: Path) -> tuple[Database, int]:
    """A copy of the March caseload to write to, and Ann's id."""
    path = tmp_path / "caseload.db"
    shutil.copyfile(march_db[0], path)
    return Database(path), march_db[1]["ann"]


def read(db: Database, cache: ReportCache, month: date, now: datetime = NOW) -> MonthReport:
    """The report as the Reports screen gets it: the kept one if the key is the same."""
    con = db.read()
    try:
        with snapshot(con):
            key = report_key(con, now)
            kept = cache.get(month, key)
            return kept if kept is not None else cache.read(con, month, key, now=now, tz=NY)
    finally:
        con.close()


def key_of(db: Database, now: datetime = NOW) -> ReportKey:
    con = db.read()
    try:
        return report_key(con, now)
    finally:
        con.close()


def log_call(db: Database, patient_id: int) -> None:
    """A reached call in March, through the services (so with its audit event)."""
    with action(db, "call") as s:
        notes.log_note(
            s,
            patient_id,
            kind="call",
            outcome="reached",
            minutes=5,
            occurred_at=datetime(2026, 3, 20, 10),
            now=NOW,
        )


def test_a_kept_report_comes_back_while_nothing_changes(march_copy: tuple[Database, int]) -> None:
    db, _ = march_copy
    cache = ReportCache()
    first = read(db, cache, MARCH)
    assert read(db, cache, MARCH) is first
    assert first == month_report(db.read(), MARCH, now=NOW, tz=NY)


def test_a_write_makes_every_kept_report_unusable(march_copy: tuple[Database, int]) -> None:
    db, ann = march_copy
    cache = ReportCache()
    before = read(db, cache, MARCH)
    read(db, cache, FEBRUARY)
    old_key = key_of(db)
    log_call(db, ann)
    new_key = key_of(db)
    assert new_key != old_key
    assert cache.get(MARCH, new_key) is None and cache.get(FEBRUARY, new_key) is None
    after = read(db, cache, MARCH)
    assert after is not before
    assert after.contacts.contacts == before.contacts.contacts + 1
    assert after == month_report(db.read(), MARCH, now=NOW, tz=NY)


def test_the_key_is_read_with_the_rows_in_one_snapshot(march_copy: tuple[Database, int]) -> None:
    """A write committed between the key and the last query is in neither: the kept
    report is exactly the data its key names."""
    db, ann = march_copy
    cache = ReportCache()
    con = db.read()
    try:
        with snapshot(con):
            key = report_key(con, NOW)
            log_call(db, ann)  # another connection commits while this one reads
            report = cache.read(con, MARCH, key, now=NOW, tz=NY)
            assert report_key(con, NOW) == key
    finally:
        con.close()
    assert key_of(db) != key
    fresh = read(db, cache, MARCH)
    assert fresh.contacts.contacts == report.contacts.contacts + 1


def test_the_key_tells_a_restored_database_and_another_day(
    march_copy: tuple[Database, int],
) -> None:
    db, _ = march_copy
    key = key_of(db)
    assert key.mark[0] > 0 and key.today == NOW.date()
    assert key_of(db, datetime(2026, 4, 3, 9)) != key  # the next day
    assert key_of(db, datetime(2026, 4, 2, 17)) == key  # later the same day
    con = sqlite3.connect(db.path)
    try:  # a restored backup whose newest event has the same id, from another action
        with con:
            con.execute(
                "UPDATE audit_event SET action_id = 'restored' WHERE id = ?", (key.mark[0],)
            )
    finally:
        con.close()
    assert key_of(db) != key


def test_other_thresholds_are_another_key(march_copy: tuple[Database, int]) -> None:
    db, _ = march_copy
    con = db.read()
    try:
        other = (Threshold(30, "CCM 30"),)
        assert report_key(con, NOW, other) != report_key(con, NOW, DEFAULT_THRESHOLDS)
    finally:
        con.close()


def test_a_reader_waits_for_the_same_month_being_read(
    march_copy: tuple[Database, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen asking for a month its neighbour reader is reading gets that report,
    rather than reading the month a second time."""
    db, _ = march_copy
    cache = ReportCache()
    started, release = threading.Event(), threading.Event()
    calls: list[date] = []
    real = report_module.month_report

    def slow(*args: object, **kw: object) -> MonthReport:
        calls.append(MARCH)
        started.set()
        assert release.wait(10)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(report_module, "month_report", slow)
    got: list[MonthReport] = []
    reader = threading.Thread(target=lambda: got.append(read(db, cache, MARCH)))
    reader.start()
    assert started.wait(10)
    key = key_of(db)
    assert not cache.wanted(MARCH, key)  # being read: the neighbour reader leaves it
    waiter = threading.Thread(target=lambda: got.append(read(db, cache, MARCH)))
    waiter.start()
    release.set()
    reader.join(10)
    waiter.join(10)
    assert len(got) == 2 and got[0] is got[1]
    assert calls == [MARCH]
    assert not cache.wanted(MARCH, key)


def test_the_months_used_last_are_kept(march_copy: tuple[Database, int]) -> None:
    db, _ = march_copy
    cache = ReportCache(size=2)
    january = date(2026, 1, 1)
    for month in (january, FEBRUARY, MARCH):
        read(db, cache, month)
    key = key_of(db)
    assert len(cache) == 2
    assert cache.get(january, key) is None
    assert cache.get(FEBRUARY, key) is not None and cache.get(MARCH, key) is not None


def test_same_figures_ignores_only_the_time_of_day(march_copy: tuple[Database, int]) -> None:
    db, ann = march_copy
    con = db.read()
    try:
        morning = month_report(con, MARCH, now=NOW, tz=NY)
        evening = month_report(con, MARCH, now=datetime(2026, 4, 2, 18), tz=NY)
        next_day = month_report(con, MARCH, now=datetime(2026, 4, 3, 9), tz=NY)
    finally:
        con.close()
    assert morning != evening and same_figures(morning, evening)
    assert not same_figures(morning, next_day)
    log_call(db, ann)
    con = db.read()
    try:
        changed = month_report(con, MARCH, now=NOW, tz=NY)
    finally:
        con.close()
    assert not same_figures(morning, changed)


def test_the_no_show_chart_reads_the_covering_index(march_db: tuple[Path, dict[str, int]]) -> None:
    """Kept and no-show appointments by month come from ix_appointment_status_start alone."""
    con = Database(march_db[0]).read()
    try:
        w = window(MARCH, NOW, NY)
        sql, extra = appointments_series_sql(w)
        plan = " ".join(
            str(row[3])
            for row in con.execute("EXPLAIN QUERY PLAN " + sql, {**window_params(w), **extra})
        )
    finally:
        con.close()
    assert "COVERING INDEX ix_appointment_status_start" in plan
