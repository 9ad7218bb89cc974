"""Quick add takes a whole name that is one patient's, however like it others are, and
still asks when two patients share it or the match is only a near tie.

The caseload is synthetic and built here: namesakes sharing a family name, a preferred
name between given and family (which made an exact name score like a namesake), and
two patients of the same whole name.
"""

from __future__ import annotations

from datetime import date

import pytest

from caretui.config import DEFAULT_QUEUES
from caretui.queries.patient_match import match_patients, patient_candidates
from caretui.queries.patients import PaletteEntry, full_names, match_text, names_exactly
from caretui.services import patients
from caretui.services.quick_add import QuickAdd, parse
from caretui.services.unit import action
from caretui.store.database import Database

WED = date(2026, 3, 11)

#: (given, family, preferred): many Testvolds, a preferred name in the middle, twins in name.
PEOPLE = [
    ("Ronel", "Testvold", "Ro"),
    ("Ronald", "Testvold", None),
    ("Ronella", "Testvold", None),
    ("Marta", "Testvold", None),
    ("Ramón", "Quillard", "Moncho"),
    ("Ramón", "Zemblak", "Moncho"),
    ("Ramón", "Arbeck", None),
    ("Ramón", "Borlind", None),
    ("Ramón", "Cestrel", None),
    ("Ramón", "Dunmore", None),
    ("Ramón", "Elvane", None),
    ("Dolores", "Quillard", "Lola"),
    ("Kit", "Palvers", None),
    ("Kit", "Palvers", "Kitty"),
    ("Dimitris", "Oranoulou", None),
    ("Dimitra", "Oranoulou", None),
    ("强", "刘", None),
    ("丽", "刘", None),
]


def entries() -> list[PaletteEntry]:
    return [
        PaletteEntry(
            n,
            given,
            family,
            preferred,
            f"SYN{n:03d}",
            "active",
            match_text(given, family, preferred),
        )
        for n, (given, family, preferred) in enumerate(PEOPLE, start=1)
    ]


def read(line: str, caseload: list[PaletteEntry] | None = None) -> QuickAdd:
    caseload = entries() if caseload is None else caseload
    return parse(
        line,
        today=WED,
        queues=DEFAULT_QUEUES,
        resolve=lambda term: patient_candidates(caseload, term),
    )


def chosen(line: str) -> tuple[str, str] | None:
    draft = read(line)
    assert draft.patient is not None
    pick = draft.patient.chosen
    return None if pick is None else (pick.given_name, pick.family_name)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('Call @"Ronel Testvold" fri', ("Ronel", "Testvold")),  # quoted, preferred name too
        ("Call @ronel_testvold", ("Ronel", "Testvold")),
        ('Call @"RONEL  TESTVOLD"', ("Ronel", "Testvold")),  # case and spaces
        ('Call @"Ro Testvold"', ("Ronel", "Testvold")),  # preferred and family
        ('Call @"Testvold, Ronel"', ("Ronel", "Testvold")),  # as lists show it
        ('Call @"Ramon Quillard"', ("Ramón", "Quillard")),  # accents folded
        ('Call @"Ramón Zemblak"', ("Ramón", "Zemblak")),  # cut off at five before
        ('Call @"Dimitris Oranoulou"', ("Dimitris", "Oranoulou")),  # a near name beside it
        ('Call @"强 刘"', ("强", "刘")),
        ("Call @刘强", ("强", "刘")),  # written as it is, family first, no space
    ],
)
def test_a_whole_name_that_is_one_patients_goes_straight_through(
    line: str, expected: tuple[str, str]
) -> None:
    assert chosen(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        'Call @"Kit Palvers"',  # two patients of this whole name (one has a preferred name)
        "Call @kit_palvers",
        "Call @testvold",  # a family name alone is never a whole name
        'Call @"Ramon Quilard"',  # a typo: a fuzzy near tie with Dolores Quillard, asked
        "Call @ramon",
    ],
)
def test_namesakes_and_near_ties_are_still_asked_about(line: str) -> None:
    draft = read(line)
    assert draft.patient is not None
    assert draft.patient.state == "ambiguous", draft.patient.candidates


def test_every_patient_of_a_shared_whole_name_is_offered() -> None:
    draft = read('Call @"Kit Palvers"')
    assert draft.patient is not None
    offered = {c.id for c in draft.patient.candidates if c.named}
    assert offered == {13, 14}


def test_a_discharged_namesake_does_not_make_a_current_patient_ambiguous() -> None:
    caseload = entries()
    gone = caseload[12]
    caseload[12] = PaletteEntry(
        gone.id, gone.given_name, gone.family_name, None, gone.mrn, "discharged", gone.match
    )
    draft = read('Call @"Kit Palvers"', caseload)
    assert draft.patient is not None and draft.patient.chosen is not None
    assert draft.patient.chosen.id == 14


def test_whole_names_are_the_ways_a_name_is_typed() -> None:
    assert full_names("Ana María", "Núñez", "Ana") >= {
        "ana maria nunez",
        "nunez ana maria",
        "ana nunez",
        "ana maria ana nunez",
    }
    assert "刘强" in full_names("强", "刘", None)
    assert names_exactly(entries(), "testvold") == []


def test_the_cli_resolver_over_a_database_takes_the_exact_name(db: Database) -> None:
    with action(db, "Add patients") as s:
        for given, family, preferred in PEOPLE:
            patients.create_patient(
                s,
                {"given_name": given, "family_name": family, "preferred_name": preferred},
                today=WED,
            )
    con = db.read()
    try:
        for line, want in (('@"Ramón Zemblak"', "Zemblak"), ('@"Ronel Testvold"', "Testvold")):
            draft = parse(
                f"Call {line}",
                today=WED,
                queues=DEFAULT_QUEUES,
                resolve=lambda term: match_patients(con, term),
            )
            assert draft.patient is not None and draft.patient.chosen is not None
            assert draft.patient.chosen.family_name == want
        draft = parse(
            'Call @"Kit Palvers"',
            today=WED,
            queues=DEFAULT_QUEUES,
            resolve=lambda term: match_patients(con, term),
        )
        assert draft.patient is not None and draft.patient.state == "ambiguous"
    finally:
        con.close()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ramon zemblak", ("Ramón", "Zemblak")),  # a preferred name between: 0.855 alone
        ("Ro Testvold", ("Ronel", "Testvold")),
        ("dimitris oranoulou", ("Dimitris", "Oranoulou")),
    ],
)
def test_the_palette_ranks_a_whole_name_first(query: str, expected: tuple[str, str]) -> None:
    from caretui.queries.patient_match import rank_patients

    ranked = rank_patients(entries(), query)
    first, score = ranked[0]
    assert (first.given_name, first.family_name) == expected and score == 1.0
    assert len({e.id for e, _ in ranked}) == len(ranked)  # listed once, not again fuzzily
