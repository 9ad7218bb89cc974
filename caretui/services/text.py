"""Text at the boundary: what may be stored, and how names are folded for search.

Standard library only; the read side and the palette use ``fold`` too.
"""

from __future__ import annotations

import unicodedata

_ALLOWED_CONTROLS_MULTILINE = frozenset("\n\t")


def first_control(value: str, *, multiline: bool) -> str | None:
    """The first control character (Unicode Cc) not allowed in the field, if any.

    Terminal escape sequences (ESC, CSI, OSC), NUL, DEL and C1 controls are all Cc;
    they would reach a terminal through any widget, so they are refused at entry.
    """
    allowed = _ALLOWED_CONTROLS_MULTILINE if multiline else frozenset()
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch not in allowed:
            return ch
    return None


def visible(value: str) -> str:
    """``value`` with every control character but newline and tab made visible (for display
    and export of data that came from outside, and as a second line of defence)."""
    out = []
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch not in "\n\t":
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def one_line(value: str) -> str:
    """``visible(value)`` on a single line: newlines and tabs become spaces."""
    return " ".join(visible(value).split())


def plural(n: int, one: str, many: str | None = None, *, count: str | None = None) -> str:
    """ "1 patient", "2 patients", "1,204 entries" (``many`` when adding "s" is wrong).
    ``count``: the number as shown instead of ``n`` (e.g. "50 of 1,204")."""
    shown = f"{n:,}" if count is None else count
    return f"{shown} {one if n == 1 else (many or one + 's')}"


#: Latin letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ŀ": "l",
        "ŧ": "t",
    }
)


def fold(value: str) -> str:
    """Lower-case ASCII-ish form for matching: "Núñez", "NUNEZ" give "nunez", "Łukasz" "lukasz".

    Scripts other than Latin are kept as they are (lower-cased), so "李华" still matches "李华".
    """
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_UNDECOMPOSED)


def initials(given: str, family: str) -> str:
    """Initials for redacted screens and sheets: "Ana María Núñez" -> "A.N.".

    A name part of one character (common in Chinese, Korean and Japanese names)
    would be the whole name, so it shows as "•" instead of itself.
    """
    parts = []
    for part in (given.strip(), family.strip()):
        if not part:
            continue
        parts.append(part[0].upper() if len(part) > 1 else "•")
    return "".join(f"{p}." for p in parts) or "?"
