"""Fixtures for encrypted databases (SQLCipher through sqlcipher3)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from caretui.services import patients
from caretui.services.seed import seed_caseload
from caretui.services.unit import action
from caretui.store import cipher
from caretui.store.database import Database
from caretui.store.encrypt import encrypt_database

KEY = "correct horse battery staple"
#: A family name no seeded caseload holds: if these bytes are in a file, it leaked.
SECRET_NAME = "Quillfeatherstonehaugh"


def add_patient(db: Database, family: str) -> None:
    with action(db, "Add patient") as s:
        patients.create_patient(
            s, {"given_name": "Test", "family_name": family}, today=date(2026, 3, 11)
        )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The key in ``CARETUI_DB_KEY``; no key kept from another test."""
    cipher.forget()
    monkeypatch.setenv(cipher.ENV_KEY, KEY)
    yield KEY
    cipher.forget()


@pytest.fixture
def plain_caseload(db_path: Path) -> Path:
    """A small plain caseload holding ``SECRET_NAME``, closed."""
    db = Database.open(db_path)
    try:
        seed_caseload(db, patients=5, seed=1, today=date(2026, 3, 11))
        add_patient(db, SECRET_NAME)
    finally:
        db.dispose()
    return db_path


@pytest.fixture
def encrypted(plain_caseload: Path, key: str) -> Path:
    """The same caseload, encrypted with ``key``."""
    encrypt_database(plain_caseload)
    return plain_caseload
