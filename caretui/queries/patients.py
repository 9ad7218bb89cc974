"""Patients as the lists and the palette read them: filtered, sorted and paged in SQL."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from caretui.queries.sql import like_pattern, to_date
from caretui.services.text import fold

SORTS = {
    "name": "family_name, given_name, id",
    "risk": "CASE risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, family_name, "
    "given_name, id",
    "age": "birth_date IS NULL, birth_date, id",
    "newest": "id DESC",
}
OPEN_STATUSES = ("active", "on-hold")


@dataclass(frozen=True, slots=True)
class PatientRow:
    id: int
    given_name: str
    family_name: str
    preferred_name: str | None
    birth_date: date | None
    phone: str | None
    status: str
    risk: str
    mrn: str | None
    language: str | None
    interpreter_needed: bool
    version: int


@dataclass(frozen=True, slots=True)
class PatientFilter:
    search: str = ""
    statuses: tuple[str, ...] = OPEN_STATUSES
    risks: tuple[str, ...] = ()
    sort: str = "name"


#: A typed phone number: digits with spaces, parentheses, dashes or dots, maybe a "+".
_PHONE = re.compile(r"^\+?[\d\s().\-]+$")


def phone_digits(query: str) -> str | None:
    """The digits of a query typed as a phone number, as one run, or None if it is not
    one: "(508) 555-0153", "(508)", "+1 508 555 0153", "508.555.0153", "508 555 0153"
    give "5085550153" / "508". A leading country code 1 ("+1", or 11 digits starting
    with 1) is dropped, so a number stored with or without it is found (``search_key``
    holds the stored phone's digits). At least three digits; a lone word of digits
    is left to the word search, which finds the same."""
    text = query.strip()
    if not _PHONE.match(text):
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < 3:
        return None
    if text.startswith("+1") or (len(digits) == 11 and digits.startswith("1")):
        digits = digits[1:]  # the country code: phones are stored with or without it
    return digits or None


def _where(flt: PatientFilter) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if flt.statuses:
        clauses.append(f"status IN ({', '.join('?' for _ in flt.statuses)})")
        params.extend(flt.statuses)
    if flt.risks:
        clauses.append(f"risk IN ({', '.join('?' for _ in flt.risks)})")
        params.extend(flt.risks)
    phone = phone_digits(flt.search)
    terms = [phone] if phone is not None else fold(flt.search).split()
    for term in terms:
        digits = "".join(ch for ch in term if ch.isdigit())
        if digits and len(digits) == len(term.replace("-", "").replace(".", "")):
            term = digits  # a phone number typed with dashes still matches
        clauses.append("search_key LIKE ? ESCAPE '\\'")
        params.append(like_pattern(term))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def list_patients(
    con: sqlite3.Connection, flt: PatientFilter, *, limit: int = 100, offset: int = 0
) -> list[PatientRow]:
    where, params = _where(flt)
    order = SORTS.get(flt.sort, SORTS["name"])
    rows = con.execute(
        "SELECT id, given_name, family_name, preferred_name, birth_date, phone, status, risk, "
        f"mrn, language, interpreter_needed, version FROM patient{where} ORDER BY {order} "
        "LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [
        PatientRow(
            r[0], r[1], r[2], r[3], to_date(r[4]), r[5], r[6], r[7], r[8], r[9], bool(r[10]), r[11]
        )
        for r in rows
    ]


def count_patients(con: sqlite3.Connection, flt: PatientFilter) -> int:
    where, params = _where(flt)
    return int(con.execute(f"SELECT count(*) FROM patient{where}", params).fetchone()[0])


@dataclass(frozen=True, slots=True)
class PaletteEntry:
    id: int
    given_name: str
    family_name: str
    preferred_name: str | None
    mrn: str | None
    status: str
    #: Folded names for fuzzy matching ("ana maria nunez").
    match: str
    #: The MRN folded, once, for an exact match ("" without one): folding 5,000 MRNs on
    #: every palette keystroke cost 4.9 ms of its 8.
    mrn_match: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.mrn and not self.mrn_match:
            object.__setattr__(self, "mrn_match", fold(self.mrn))


def palette_entries(con: sqlite3.Connection, statuses: Sequence[str] = ()) -> list[PaletteEntry]:
    """Every patient's names for the palette: a few columns, one query, no ORM."""
    where = f" WHERE status IN ({', '.join('?' for _ in statuses)})" if statuses else ""
    rows = con.execute(
        "SELECT id, given_name, family_name, preferred_name, mrn, status FROM patient"
        f"{where} ORDER BY family_name, given_name, id",
        list(statuses),
    ).fetchall()
    return [
        PaletteEntry(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            match_text(r[1], r[2], r[3]),
        )
        for r in rows
    ]


def _written_without_spaces(text: str) -> bool:
    """Chinese, Japanese and Korean names are written family first with no space."""
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


def match_text(given: str, family: str, preferred: str | None) -> str:
    """The folded names a typed term is matched against: "ana maria nunez"; for a
    name in a script written without spaces also family then given, run together,
    as it is written ("李华" for family 李, given 华)."""
    text = fold(" ".join(p for p in (given, preferred or "", family) if p))
    if _written_without_spaces(family + given):
        text += " " + fold(family + given)
    return text


def typed_name(term: str) -> str:
    """A typed name as ``full_names`` holds them: folded, ``_`` and ``,`` read as spaces
    (``@ana_nunez``, "Núñez, Ana"), runs of spaces made one."""
    return " ".join(fold(term).replace("_", " ").replace(",", " ").split())


def full_names(given: str, family: str, preferred: str | None) -> frozenset[str]:
    """Every way a patient's whole name is typed, folded: given family, preferred
    family, given preferred family, family given (and, for a name written without
    spaces, family and given run together)."""
    given, family = typed_name(given), typed_name(family)
    forms = {f"{given} {family}", f"{family} {given}"}
    if preferred and preferred.strip():
        pref = typed_name(preferred)
        forms |= {f"{pref} {family}", f"{given} {pref} {family}", f"{family} {pref}"}
    if _written_without_spaces(family + given):
        forms.add(family.replace(" ", "") + given.replace(" ", ""))
    return frozenset(" ".join(form.split()) for form in forms if form.strip())


def names_exactly(entries: Sequence[PaletteEntry], term: str) -> list[PaletteEntry]:
    """The entries whose whole name is ``term`` (see ``full_names``), in their order.

    A cheap test on the folded names first (every typed word is in them), so only a
    handful of the caseload's names are folded again per keystroke."""
    wanted = typed_name(term)
    words = wanted.split()
    if len(words) < 2 and not (words and _written_without_spaces(wanted)):
        return []  # one word is a family or a given name, never a whole one
    return [
        e
        for e in entries
        if all(w in e.match for w in words)
        and wanted in full_names(e.given_name, e.family_name, e.preferred_name)
    ]


@dataclass(frozen=True, slots=True)
class PickRow:
    """A patient as the picker lists one: enough to tell namesakes apart."""

    id: int
    given_name: str
    family_name: str
    preferred_name: str | None
    birth_date: date | None
    mrn: str | None
    status: str


#: A typed date of birth: 1950, 1950-03, 1950-03-07, 03/07/1950, 3/7/50.
_ISO_DAY = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_US_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")


def birth_pattern(word: str) -> str | None:
    """The LIKE pattern a typed date of birth matches on ``birth_date`` (stored as
    YYYY-MM-DD), or None if the word is not one."""
    m = _ISO_DAY.match(word)
    if m:
        year, month, day = m.group(1), m.group(2), m.group(3)
        if month is None:
            return f"{year}-%"
        if day is None:
            return f"{year}-{int(month):02d}-%"
        return f"{year}-{int(month):02d}-{int(day):02d}%"
    m = _US_DAY.match(word)
    if m:
        month, day, year = m.group(1), m.group(2), m.group(3)
        if len(year) == 2:
            return f"%{year}-{int(month):02d}-{int(day):02d}%"
        return f"{year}-{int(month):02d}-{int(day):02d}%"
    return None


def _pick_where(query: str, statuses: Sequence[str]) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if statuses:
        clauses.append(f"status IN ({', '.join('?' for _ in statuses)})")
        params.extend(statuses)
    words = typed_name(query).split()
    phone = phone_digits(query)
    if phone is not None and not all(birth_pattern(word) for word in words):
        words = [phone]  # "(508) 555-0153": one run of digits, not three words
    for word in words:
        born = birth_pattern(word)
        if born is not None:  # "1975" may also be the end of a phone number or an MRN
            clauses.append("(birth_date LIKE ? OR search_key LIKE ? ESCAPE '\\')")
            params.extend((born, like_pattern(word)))
        else:
            clauses.append("search_key LIKE ? ESCAPE '\\'")
            params.append(like_pattern(word))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def find_patients(
    con: sqlite3.Connection, query: str, *, statuses: Sequence[str] = (), limit: int = 200
) -> tuple[list[PickRow], int]:
    """The patients every typed word matches (a name, MRN, member id or phone digits
    within ``search_key``; a date of birth such as 1950, 1950-03-07 or 03/07/1950),
    by name, at most ``limit`` of them; and how many match in all."""
    where, params = _pick_where(query, statuses)
    rows = con.execute(
        "SELECT id, given_name, family_name, preferred_name, birth_date, mrn, status "
        f"FROM patient{where} ORDER BY family_name, given_name, id LIMIT ?",
        [*params, limit],
    ).fetchall()
    found = [PickRow(r[0], r[1], r[2], r[3], to_date(r[4]), r[5], r[6]) for r in rows]
    if len(found) < limit:
        return found, len(found)
    total = int(con.execute(f"SELECT count(*) FROM patient{where}", params).fetchone()[0])
    return found, total


@dataclass(frozen=True, slots=True)
class PatientDetail:
    """Every field of one patient, as the overview and the edit form show them."""

    id: int
    given_name: str
    family_name: str
    preferred_name: str | None
    birth_date: date | None
    gender: str | None
    phone: str | None
    email: str | None
    address: str | None
    language: str | None
    interpreter_needed: bool
    status: str
    risk: str
    mrn: str | None
    insurance_member_id: str | None
    enrolled_on: date | None
    discharged_on: date | None
    care_management: bool
    unable_to_reach_since: date | None
    version: int


def patient_detail(con: sqlite3.Connection, patient_id: int) -> PatientDetail | None:
    r = con.execute(
        "SELECT id, given_name, family_name, preferred_name, birth_date, gender, phone, email, "
        "address, language, interpreter_needed, status, risk, mrn, insurance_member_id, "
        "enrolled_on, discharged_on, care_management, unable_to_reach_since, version "
        "FROM patient WHERE id = ?",
        (patient_id,),
    ).fetchone()
    if r is None:
        return None
    return PatientDetail(
        r[0],
        r[1],
        r[2],
        r[3],
        to_date(r[4]),
        r[5],
        r[6],
        r[7],
        r[8],
        r[9],
        bool(r[10]),
        r[11],
        r[12],
        r[13],
        r[14],
        to_date(r[15]),
        to_date(r[16]),
        bool(r[17]),
        to_date(r[18]),
        r[19],
    )
