"""Which patient a typed name or identifier means: the palette's fuzzy match, and the
candidates quick add chooses from.

Names are matched folded ("Nunez" finds "Núñez") and fuzzily ("Jonh" finds "John")
with rapidfuzz; an exact MRN wins outright. Standard library and rapidfuzz only (no
SQLAlchemy, no Textual), so the CLI and the TUI match alike.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from caretui.queries.names import patient_name
from caretui.queries.patients import PaletteEntry, names_exactly, palette_entries
from caretui.services.text import fold

MAX_HITS = 20


def rank_patients(
    entries: list[PaletteEntry], query: str, limit: int = MAX_HITS
) -> list[tuple[PaletteEntry, float]]:
    """The entries best matching ``query``, best first, with a 0–1 score (1.0 for an
    exact MRN, or for a patient's whole name typed: ``names_exactly``, which the fuzzy
    score alone ranks no higher than a namesake sharing one word when the patient has
    a preferred name)."""
    from rapidfuzz import fuzz, process

    folded = fold(query).strip()
    if not folded:
        return []
    exact_mrn = [(e, 1.0) for e in entries if e.mrn_match == folded]
    named = [(e, 1.0) for e in names_exactly(entries, query)]
    found = process.extract(
        folded, [e.match for e in entries], scorer=fuzz.WRatio, limit=limit, score_cutoff=60
    )
    hits = exact_mrn + named + [(entries[index], score / 100) for _match, score, index in found]
    seen: set[int] = set()
    unique = []
    for entry, score in hits:
        if entry.id not in seen:
            seen.add(entry.id)
            unique.append((entry, score))
    return unique[:limit]


@dataclass(frozen=True, slots=True)
class PatientCandidate:
    """A patient a typed term may mean, with how well it matched (0–1)."""

    id: int
    given_name: str
    family_name: str
    preferred_name: str | None
    mrn: str | None
    score: float
    #: The term is this patient's MRN, exactly (folded).
    exact: bool
    #: The term is this patient's whole name, exactly (folded; see ``full_names``).
    named: bool = False

    def name(self, *, redact: bool = False) -> str:
        """ "Núñez, Ana María (Ana)", control characters made visible (initials if redacted)."""
        return patient_name(self.given_name, self.family_name, self.preferred_name, redact=redact)


def patient_candidates(
    entries: list[PaletteEntry], term: str, limit: int = 5
) -> tuple[PatientCandidate, ...]:
    """The patients ``term`` may mean, best first: an exact MRN (any patient), else
    names of patients not discharged. ``_`` in a term is a space (``@ana_nunez``)."""
    mrn = fold(term).strip()
    exact = [e for e in entries if e.mrn_match and e.mrn_match == mrn]
    if exact:
        return tuple(_candidate(e, 1.0, exact=True) for e in exact[:limit])
    current = [e for e in entries if e.status != "discharged"]
    words = " ".join(term.replace("_", " ").split())
    # Every patient whose whole name this is comes first, however the fuzzy score
    # ranks them: a preferred name between given and family scores an exact full
    # name no higher than a namesake sharing one word ("ramon ramirez" against
    # "ramon moncho ramirez" is 0.855, like "ramon gonzalez"), and a tie at the
    # limit could leave a second patient of the same name out of the choice.
    named = [_candidate(e, 1.0, exact=False, named=True) for e in names_exactly(current, term)]
    seen = {c.id for c in named}
    fuzzy = [
        _candidate(e, s, exact=False)
        for e, s in rank_patients(current, words, limit + len(named))
        if e.id not in seen
    ]
    return tuple(named + fuzzy[: max(0, limit - len(named))])


def _candidate(
    entry: PaletteEntry, score: float, *, exact: bool, named: bool = False
) -> PatientCandidate:
    return PatientCandidate(
        entry.id,
        entry.given_name,
        entry.family_name,
        entry.preferred_name,
        entry.mrn,
        score,
        exact,
        named,
    )


def match_patients(
    con: sqlite3.Connection, term: str, limit: int = 5
) -> tuple[PatientCandidate, ...]:
    """``patient_candidates`` over every patient in the database (one small query)."""
    return patient_candidates(palette_entries(con), term, limit)


__all__ = [
    "PatientCandidate",
    "match_patients",
    "patient_candidates",
    "rank_patients",
]
