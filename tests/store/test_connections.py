"""Every connection runs with the settings that keep data safe."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from caretui.store.database import Database
from caretui.store.engine import make_engine

EXPECTED = {
    "foreign_keys": 1,
    "journal_mode": "wal",
    "synchronous": 2,  # FULL
    "secure_delete": 1,
    "busy_timeout": 5000,
}


def test_plain_read_connection_settings(db: Database) -> None:
    con = db.read()
    try:
        for pragma, value in EXPECTED.items():
            assert con.execute(f"PRAGMA {pragma}").fetchone()[0] == value, pragma
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only|query_only"):
            con.execute("DELETE FROM patient")
    finally:
        con.close()


def test_engine_connection_settings(db: Database) -> None:
    with db.engine.connect() as conn:
        for pragma, value in EXPECTED.items():
            assert conn.exec_driver_sql(f"PRAGMA {pragma}").scalar() == value, pragma


def test_write_transactions_take_the_write_lock_at_once(db: Database) -> None:
    """BEGIN IMMEDIATE: while one transaction is open, another writer is refused."""
    other = sqlite3.connect(db.path, isolation_level=None, timeout=0)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("SELECT count(*) FROM patient")).scalar()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()


def test_errors_do_not_carry_the_values_written(db: Database) -> None:
    with pytest.raises(IntegrityError) as info, db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO contact (patient_id, role, name, emergency, created_at, "
                "updated_at, version) VALUES (424242, 'pcp', :name, 0, '2026-01-01', "
                "'2026-01-01', 1)"
            ),
            {"name": "Zyxwvut Secretname"},
        )
    assert "Secretname" not in str(info.value)
    assert "FOREIGN KEY" in str(info.value)


def test_foreign_keys_are_on_in_migration_engine_only_when_not_migrating(db: Database) -> None:
    engine = make_engine(db.path, migrating=True)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
    finally:
        engine.dispose()
