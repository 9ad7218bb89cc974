"""How a patient's name is shown: in full, or as initials in redaction mode."""

from __future__ import annotations

from caretui.services.text import initials, one_line


def patient_name(
    given: str, family: str, preferred: str | None = None, *, redact: bool = False
) -> str:
    """ "Núñez, Ana María (Ana)", or "A.N." when redacted. Control characters made visible."""
    if redact:
        return initials(given, family)
    name = f"{one_line(family)}, {one_line(given)}"
    if preferred and preferred.strip() and preferred.strip() != given.strip():
        name += f" ({one_line(preferred)})"
    return name
