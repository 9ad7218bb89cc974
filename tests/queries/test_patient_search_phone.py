"""Patients search (and the picker): a query that looks like a phone number matches the
phone's digits as one run, in the forms the app shows and people type. Synthetic
patients only."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date

import pytest

from caretui.queries.patients import (
    OPEN_STATUSES,
    PatientFilter,
    count_patients,
    find_patients,
    list_patients,
    phone_digits,
)
from caretui.services import patients
from caretui.services.unit import action
from caretui.store.database import Database

PEOPLE = [
    ("Aldo", "Brevik", "(508) 555-0153", "SYN-100"),
    ("Bea", "Brevik", "+1 508 555 0153", "SYN-101"),  # stored with the country code
    ("Cato", "Quell", "(555) 508-0153", "SYN-102"),  # the same three groups, reordered
    ("Dina", "Quell", "(617) 555-0199", "SYN-508"),
    ("Emil", "Sarno", None, "SYN-103"),
]


@pytest.fixture
def con(db: Database, today: date) -> Iterator[sqlite3.Connection]:
    with action(db, "Add patients") as s:
        for given, family, phone, mrn in PEOPLE:
            values = {"given_name": given, "family_name": family, "mrn": mrn}
            if phone:
                values["phone"] = phone
            patients.create_patient(s, values, today=today)
    connection = db.read()
    yield connection
    connection.close()


def found(con: sqlite3.Connection, query: str) -> list[str]:
    flt = PatientFilter(search=query)
    names = [row.given_name for row in list_patients(con, flt)]
    assert count_patients(con, flt) == len(names)
    picked, total = find_patients(con, query, statuses=OPEN_STATUSES)
    assert sorted(row.given_name for row in picked) == sorted(names)  # the picker agrees
    assert total == len(names)
    return sorted(names)


@pytest.mark.parametrize(
    "query",
    [
        "(508) 555-0153",  # as the app shows it
        "508-555-0153",
        "508.555.0153",
        "508 555 0153",  # not three words each matching somewhere
        "+1 508 555 0153",
        "+1 (508) 555-0153",
        "1-508-555-0153",
        "5085550153",
        " (508)555-0153 ",
    ],
)
def test_a_phone_number_in_any_usual_form(con: sqlite3.Connection, query: str) -> None:
    assert found(con, query) == ["Aldo", "Bea"]


def test_an_area_code_alone(con: sqlite3.Connection) -> None:
    assert found(con, "(508)") == ["Aldo", "Bea", "Cato", "Dina"]  # Dina: MRN SYN-508
    assert found(con, "+1 617") == ["Dina"]


def test_names_and_mrns_still_match_word_by_word(con: sqlite3.Connection) -> None:
    assert found(con, "brevik") == ["Aldo", "Bea"]
    assert found(con, "quell dina") == ["Dina"]
    assert found(con, "syn-103") == ["Emil"]
    assert found(con, "quell 0153") == ["Cato"]  # a name and some digits: each a word


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("(508) 555-0153", "5085550153"),
        ("+1 508 555 0153", "5085550153"),
        ("+44 20 7946 0958", "442079460958"),
        ("(508)", "508"),
        ("12", None),
        ("ana 508", None),
        ("", None),
        ("()-", None),
    ],
)
def test_phone_digits(typed: str, digits: str | None) -> None:
    assert phone_digits(typed) == digits


def test_a_birth_date_in_the_picker_is_still_a_birth_date(db: Database, today: date) -> None:
    with action(db, "Add") as s:
        patients.create_patient(
            s,
            {"given_name": "Fenna", "family_name": "Olt", "birth_date": date(1975, 12, 17)},
            today=today,
        )
    con = db.read()
    try:
        picked, _total = find_patients(con, "1975-12-17", statuses=OPEN_STATUSES)
    finally:
        con.close()
    assert [row.given_name for row in picked] == ["Fenna"]
