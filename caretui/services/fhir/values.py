"""Reading FHIR's data types into plain Python values, and writing them back.

Every reader raises ``EntryProblem`` naming the FHIR field and the value when
the value is not what R4 allows (a date like 1950-02-30, a code that is not
text). Codes are checked against caretui's own lists later, by validation.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from caretui.services.fhir.draft import EntryProblem

#: Extensions caretui writes for fields FHIR has no element for.
EXTENSION = "urn:caretui:fhir:extension:"
#: Code systems of caretui's own codes.
CODES = "urn:caretui:fhir:code:"

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATETIME = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?"
    r"(Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


def text(value: Any, path: str) -> str | None:
    """A FHIR string (or None when absent)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise EntryProblem(path, value, "is not text")
    return value


def _real_date(year: str, month: str | None, day: str | None, path: str, raw: Any) -> date:
    try:
        return date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise EntryProblem(path, raw, "is not a real date") from None


def fhir_date(value: Any, path: str) -> date | None:
    """A FHIR ``date`` (YYYY, YYYY-MM or YYYY-MM-DD; a partial date is its first day)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise EntryProblem(path, value, "is not a date")
    m = _DATE.match(value)
    if m is None:
        if _DATETIME.match(value):
            moment = fhir_datetime(value, path)
            return moment.date() if moment is not None else None
        raise EntryProblem(path, value, "is not a date (YYYY-MM-DD)")
    return _real_date(m.group(1), m.group(2), m.group(3), path, value)


def fhir_datetime(value: Any, path: str) -> datetime | None:
    """A FHIR ``dateTime`` or ``instant`` as local wall-clock time (no tzinfo)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise EntryProblem(path, value, "is not a date and time")
    m = _DATETIME.match(value)
    if m is None:
        raise EntryProblem(path, value, "is not a date and time (YYYY-MM-DDThh:mm:ss+zz:zz)")
    day = _real_date(m.group(1), m.group(2), m.group(3), path, value)
    if m.group(4) is None:
        return datetime.combine(day, time())
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EntryProblem(path, value, "is not a real time") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment


def day_of(value: Any, path: str) -> date | None:
    """The local date of a FHIR ``date`` or ``dateTime``."""
    return fhir_date(value, path)


def concept(value: Any, path: str) -> str | None:
    """The words of a CodeableConcept: its text, else its first coding's display, else code."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise EntryProblem(path, value, "is not a CodeableConcept")
    said = value.get("text")
    if isinstance(said, str) and said.strip():
        return said
    for coding in value.get("coding") or ():
        if isinstance(coding, dict):
            for key in ("display", "code"):
                part = coding.get(key)
                if isinstance(part, str) and part.strip():
                    return part
    return None


def code_of(value: Any, path: str, system: str | None = None) -> str | None:
    """The first coding's code of a CodeableConcept (from ``system`` if given)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise EntryProblem(path, value, "is not a CodeableConcept")
    for coding in value.get("coding") or ():
        if isinstance(coding, dict) and (system is None or coding.get("system") == system):
            code = coding.get("code")
            if isinstance(code, str):
                return code
    return None


def code(value: Any, path: str) -> str | None:
    """A FHIR ``code``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise EntryProblem(path, value, "is not a code")
    return value


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (for optional parts)."""
    return value if isinstance(value, dict) else {}


def first(value: Any) -> Any:
    """The first element of a FHIR list (or None)."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def listed(value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise EntryProblem(path, value, "is not a list")
    return value


def human_name(value: Any, path: str) -> tuple[str | None, str | None]:
    """(given names, family name) of a HumanName; given names joined by spaces."""
    if value is None:
        return None, None
    if not isinstance(value, dict):
        raise EntryProblem(path, value, "is not a HumanName")
    given = [g for g in listed(value.get("given"), f"{path}.given") if isinstance(g, str)]
    family = text(value.get("family"), f"{path}.family")
    if not given and family is None and isinstance(value.get("text"), str):
        words = value["text"].rsplit(" ", 1)
        return (words[0], words[1]) if len(words) == 2 else (None, words[0])
    return (" ".join(given) if given else None), family


def telecom(values: Any, path: str, system: str) -> str | None:
    """The first ContactPoint of ``system`` (phone, email …)."""
    for point in listed(values, path):
        if isinstance(point, dict) and point.get("system") == system:
            return text(point.get("value"), f"{path}.value")
    return None


def address_text(value: Any, path: str) -> str | None:
    """An Address as lines of text: its ``text``, else its lines, city, state and code."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise EntryProblem(path, value, "is not an Address")
    if isinstance(value.get("text"), str):
        return str(value["text"])
    lines = [x for x in listed(value.get("line"), f"{path}.line") if isinstance(x, str)]
    place = " ".join(
        p
        for p in (
            ", ".join(v for v in (value.get("city"), value.get("state")) if isinstance(v, str)),
            value.get("postalCode") if isinstance(value.get("postalCode"), str) else None,
        )
        if p
    )
    if place:
        lines.append(place)
    country = value.get("country")
    if isinstance(country, str) and country not in ("US", "USA"):
        lines.append(country)
    return "\n".join(lines) or None


# -- extensions ------------------------------------------------------------------------------


def extension(resource: dict[str, Any], name: str) -> tuple[bool, Any]:
    """(present, value) of caretui's extension ``name`` on ``resource``."""
    url = EXTENSION + name
    for ext in resource.get("extension") or ():
        if isinstance(ext, dict) and ext.get("url") == url:
            for key, value in ext.items():
                if key.startswith("value"):
                    return True, value
            return True, None
    return False, None


def ext_value(resource: dict[str, Any], name: str, default: Any = None) -> Any:
    present, value = extension(resource, name)
    return value if present else default


def make_extension(name: str, kind: str, value: Any) -> dict[str, Any] | None:
    """caretui's extension ``name`` with ``value`` of FHIR type ``kind``; None for None."""
    if value is None:
        return None
    return {"url": EXTENSION + name, f"value{kind}": value}


# -- writing ---------------------------------------------------------------------------------


def write_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def write_datetime(value: datetime | None) -> str | None:
    """Local wall-clock time as a FHIR dateTime with this machine's offset on that day."""
    if value is None:
        return None
    return value.astimezone().isoformat(timespec="seconds" if not value.microsecond else "auto")


def prune(value: Any) -> Any:
    """``value`` without None, empty lists and empty objects (FHIR allows none of them)."""
    if isinstance(value, dict):
        out = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        items = [prune(v) for v in value]
        return [v for v in items if v is not None and v != [] and v != {}]
    return value
