"""The schema comes only from the shipped migrations, and equals the models."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from caretui.models.all import Base
from caretui.store import schema
from caretui.store.database import Database
from caretui.store.engine import make_engine
from caretui.store.migrate import alembic_config


def test_empty_to_head_gives_the_models_schema(db: Database) -> None:
    engine = make_engine(db.path)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_database_records_the_head_revision(db: Database) -> None:
    con = sqlite3.connect(db.path)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(schema.HEAD,)]
    finally:
        con.close()


def test_revision_list_matches_the_shipped_scripts() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    shipped = [rev.revision for rev in reversed(list(scripts.walk_revisions()))]
    assert tuple(shipped) == schema.REVISIONS
    assert scripts.get_current_head() == schema.HEAD


def test_no_create_all_in_the_package() -> None:
    package = Path(__file__).resolve().parents[2] / "caretui"
    offenders = [
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if "create_all(" in p.read_text("utf-8")
    ]
    assert offenders == []


def test_opening_twice_does_not_migrate_again(db_path: Path) -> None:
    Database.open(db_path).dispose()
    before = db_path.stat().st_mtime_ns
    Database.open(db_path).dispose()
    assert db_path.stat().st_mtime_ns == before


def test_ids_are_never_reused(db: Database) -> None:
    """AUTOINCREMENT on every table: a deleted record's id is never given to a new one,
    so the audit trail's record ids always name one record."""
    con = sqlite3.connect(db.path)
    try:
        tables = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
            "AND name NOT IN ('alembic_version', 'sqlite_sequence')"
        ).fetchall()
    finally:
        con.close()
    assert tables
    assert [name for name, sql in tables if "AUTOINCREMENT" not in sql] == []
