"""The resource directory as the Resources screen and the palette read it.

Standard library only: filtered by category, language and search words, ordered
by name and paged in SQL. An entry is *stale* when it was never verified or not
for ``stale_days`` (the config's ``resource_stale_days``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from caretui.queries.sql import like_pattern, to_date
from caretui.services.text import fold

DEFAULT_STALE_DAYS = 180


def is_stale(last_verified: date | None, today: date, stale_days: int) -> bool:
    """Never verified, or not in the last ``stale_days`` days."""
    return last_verified is None or last_verified < today - timedelta(days=stale_days)


@dataclass(frozen=True, slots=True)
class ResourceFilter:
    """Which entries a list shows: a category code (empty for any), a language and search
    words (each must appear; any case)."""

    category: str = ""
    language: str = ""
    search: str = ""
    stale_only: bool = False


@dataclass(frozen=True, slots=True)
class ResourceRow:
    id: int
    version: int
    name: str
    category: str
    phone: str | None
    address: str | None
    hours: str | None
    eligibility: str | None
    languages: str | None
    notes: str | None
    last_verified: date | None
    stale: bool
    #: The stored verification date was not a real date (it reads as None).
    bad_date: bool = False


_COLUMNS = (
    "id, version, name, category, phone, address, hours, eligibility, languages, notes, "
    "last_verified"
)
#: Text a search word may match.
_SEARCHED = ("name", "eligibility", "notes", "address", "hours")


def _where(flt: ResourceFilter, today: date, stale_days: int) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if flt.category:
        clauses.append("category = ?")
        params.append(flt.category)
    if flt.language.strip():
        clauses.append("languages LIKE ? ESCAPE '\\'")
        params.append(like_pattern(flt.language.strip()))
    for word in flt.search.split():
        pattern = like_pattern(word)
        clauses.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in _SEARCHED) + ")")
        params.extend([pattern] * len(_SEARCHED))
    if flt.stale_only:
        clauses.append("(last_verified IS NULL OR last_verified < ?)")
        params.append((today - timedelta(days=stale_days)).isoformat())
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _row(r: Sequence[Any], today: date, stale_days: int) -> ResourceRow:
    verified = to_date(r[10])
    return ResourceRow(
        r[0],
        r[1],
        r[2] or "",
        r[3] or "other",
        r[4],
        r[5],
        r[6],
        r[7],
        r[8],
        r[9],
        verified,
        is_stale(verified, today, stale_days),
        verified is None and r[10] is not None,
    )


def list_resources(
    con: sqlite3.Connection,
    flt: ResourceFilter,
    *,
    today: date,
    stale_days: int = DEFAULT_STALE_DAYS,
    limit: int = 100,
    offset: int = 0,
) -> list[ResourceRow]:
    """Entries matching ``flt``, by name."""
    where, params = _where(flt, today, stale_days)
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM resource{where} ORDER BY lower(name), id LIMIT ? OFFSET ?",
        [*params, max(limit, 0), max(offset, 0)],
    ).fetchall()
    return [_row(r, today, stale_days) for r in rows]


def count_resources(
    con: sqlite3.Connection, flt: ResourceFilter, *, today: date, stale_days: int = 180
) -> int:
    where, params = _where(flt, today, stale_days)
    return int(con.execute(f"SELECT count(*) FROM resource{where}", params).fetchone()[0])


def resource_detail(
    con: sqlite3.Connection, resource_id: int, *, today: date, stale_days: int = 180
) -> ResourceRow | None:
    row = con.execute(f"SELECT {_COLUMNS} FROM resource WHERE id = ?", (resource_id,)).fetchone()
    return _row(row, today, stale_days) if row is not None else None


def languages(con: sqlite3.Connection, *, limit: int = 500) -> list[str]:
    """The languages the directory names ("English, Spanish" counts as two), sorted."""
    seen: dict[str, str] = {}
    for (text,) in con.execute(
        "SELECT DISTINCT languages FROM resource WHERE languages IS NOT NULL LIMIT ?", (limit,)
    ):
        for part in str(text).replace(";", ",").split(","):
            word = part.strip()
            # "Haitian Creole" is a language; "interpreter line for others" is a note.
            if word and len(word) <= 30 and word[0].isupper():
                seen.setdefault(fold(word), word)
    return sorted(seen.values(), key=fold)


@dataclass(frozen=True, slots=True)
class ResourceEntry:
    """A directory entry for the palette: its name, folded for fuzzy matching."""

    id: int
    name: str
    category: str
    match: str


def palette_resources(con: sqlite3.Connection, *, limit: int = 5000) -> list[ResourceEntry]:
    """Names of the directory's entries, by name (a few columns, one query)."""
    rows = con.execute(
        "SELECT id, name, category FROM resource ORDER BY lower(name), id LIMIT ?", (limit,)
    ).fetchall()
    return [ResourceEntry(r[0], r[1] or "", r[2] or "other", fold(r[1] or "")) for r in rows]


@dataclass(frozen=True, slots=True)
class ResourceChoice:
    id: int
    name: str
    category: str


def resource_choices(
    con: sqlite3.Connection, *, category: str = "", limit: int = 500
) -> list[ResourceChoice]:
    """Entries to refer to, by name (a form's list)."""
    where, params = ("WHERE category = ? ", [category]) if category else ("", [])
    rows = con.execute(
        f"SELECT id, name, category FROM resource {where}ORDER BY lower(name), id LIMIT ?",
        [*params, limit],
    ).fetchall()
    return [ResourceChoice(r[0], r[1] or "", r[2] or "other") for r in rows]
