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
from caretui.queries.patients import PaletteEntry, names_exactly, palette_entries, typed_name
from caretui.services.text import fold

MAX_HITS = 20


#: A typed word this close to a name word (rapidfuzz ratio, 0-100) matches it as a
#: typo ("jaun" for "juan", "hernadez" for "hernandez"); words of 3 letters or fewer
#: match only exactly or as the start of a name word.
TYPO_CUTOFF = 75
_TYPO_MIN_LENGTH = 4
#: Scores of a patient every typed word matches lie above this; of one matching only
#: some words (or only the whole line, fuzzily), at or below it.
ALL_WORDS = 0.75


@dataclass(slots=True)
class _WordIndex:
    """The caseload's name words, once per entry list: each distinct word and the
    entries that hold it (a typed word is scored against each distinct word once)."""

    entries: list[PaletteEntry]
    size: int
    holders: dict[str, list[int]]
    #: Each entry's folded names (``PaletteEntry.match``), in order.
    matches: list[str]


_index: _WordIndex | None = None


def _word_index(entries: list[PaletteEntry]) -> _WordIndex:
    """The index of ``entries``, kept while the same list is asked about (the palette's
    and the picker's lists are read once and searched on every keystroke)."""
    global _index
    if _index is not None and _index.entries is entries and _index.size == len(entries):
        return _index
    holders: dict[str, list[int]] = {}
    for position, entry in enumerate(entries):
        for word in set(entry.match.split()):
            holders.setdefault(word, []).append(position)
    _index = _WordIndex(entries, len(entries), holders, [e.match for e in entries])
    return _index


def prepare(entries: list[PaletteEntry]) -> None:
    """Index ``entries`` now (about 13 ms at 5,000 patients; call it in the thread that
    read them) rather than on the first keystroke."""
    _word_index(entries)


def _word_matches(typed: str, vocabulary: list[str]) -> dict[str, float]:
    """The name words ``typed`` matches, with how well (0-1): exactly 1.0; as their start
    0.9-1.0 (the more of the word typed, the higher); as a typo 0.64-0.85."""
    from rapidfuzz import fuzz, process

    found: dict[str, float] = {}
    if len(typed) >= _TYPO_MIN_LENGTH:
        for word, score, _index in process.extract(
            typed, vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF, limit=None
        ):
            found[word] = 0.85 * score / 100
    for word in vocabulary:
        if word.startswith(typed):
            found[word] = 0.9 + 0.1 * len(typed) / len(word)
    return found


def rank_patients(
    entries: list[PaletteEntry], query: str, limit: int = MAX_HITS
) -> list[tuple[PaletteEntry, float]]:
    """The entries best matching ``query``, best first, with a 0–1 score; see ``_ranked``."""
    return [(entry, score) for entry, score, _whole in _ranked(entries, query, limit)]


def _ranked(
    entries: list[PaletteEntry], query: str, limit: int
) -> list[tuple[PaletteEntry, float, float]]:
    """The entries best matching ``query``, best first, with a 0–1 score.

    1.0 for an exact MRN, or for a patient's whole name typed (``names_exactly``).
    Then the patients whose names hold every typed word (each word exactly, as the
    start of a name word, or with a typo) above those holding only some: a score
    above ``ALL_WORDS``. Within each, the typed words' average match, with rapidfuzz's
    WRatio of the whole line against "given preferred family" (which alone ranked
    "De la Cruz, Juan Carlos" above "Hernández, Juan Carlos" for "hernandez juan").

    Each hit is (entry, score, that WRatio 0–1, or 1.0 for an exact MRN or name)."""
    from rapidfuzz import fuzz, process

    folded = fold(query).strip()
    if not folded:
        return []
    exact_mrn = [(e, 1.0, 1.0) for e in entries if e.mrn_match == folded]
    named = [(e, 1.0, 1.0) for e in names_exactly(entries, query)]
    words = typed_name(query).split() or [folded]
    index = _word_index(entries)
    vocabulary = list(index.holders)
    # best[position][k]: how well the entry's best name word matches typed word k.
    best: dict[int, list[float]] = {}
    for k, typed in enumerate(words):
        for word, score in _word_matches(typed, vocabulary).items():
            for position in index.holders[word]:
                scores = best.setdefault(position, [0.0] * len(words))
                if score > scores[k]:
                    scores[k] = score
    whole = {
        position: score / 100
        for _match, score, position in process.extract(
            folded, index.matches, scorer=fuzz.WRatio, score_cutoff=60, limit=None
        )
    }
    ranked: list[tuple[float, int]] = []
    for position in best.keys() | whole.keys():
        matched = best.get(position, [])
        mean = sum(matched) / len(words)
        quality = 0.6 * mean + 0.4 * whole.get(position, 0.0)
        if matched and all(matched):
            ranked.append((ALL_WORDS + (0.99 - ALL_WORDS) * quality, position))
        else:
            ranked.append((ALL_WORDS * quality, position))
    ranked.sort(key=lambda hit: (-hit[0], hit[1]))
    hits = exact_mrn + named
    hits += [(entries[p], score, whole.get(p, 0.0)) for score, p in ranked]
    seen: set[int] = set()
    unique = []
    for hit in hits:
        if hit[0].id not in seen:
            seen.add(hit[0].id)
            unique.append(hit)
            if len(unique) == limit:
                break
    return unique


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
    # In the order of ``rank_patients`` (every typed word first), but scored by the
    # whole-line likeness alone: ``choose`` takes a fuzzy match without asking only
    # when it is clear on that score too, so a typo ("Ramon Quilard") is still asked.
    fuzzy = [
        _candidate(e, whole, exact=False)
        for e, _score, whole in _ranked(current, words, limit + len(named))
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
    "prepare",
    "rank_patients",
]
