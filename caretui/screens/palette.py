"""The command palette's providers: any patient by fuzzy name, and the app's commands.

Names are matched folded ("Nunez" finds "Núñez") and fuzzily ("Jonh" finds
"John") with rapidfuzz. The patient list is read once per palette opening, in
a thread, through the plain read side. Hits show names as ``Text``; a hit's
help line is parsed as markup by Textual, so it carries only our own words.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from caretui.queries.names import patient_name
from caretui.queries.patients import PaletteEntry, palette_entries
from caretui.services.text import fold

if TYPE_CHECKING:
    from caretui.app import CaretuiApp

MAX_HITS = 20


def rank_patients(
    entries: list[PaletteEntry], query: str, limit: int = MAX_HITS
) -> list[tuple[PaletteEntry, float]]:
    """The entries best matching ``query``, best first, with a 0–1 score."""
    folded = fold(query).strip()
    if not folded:
        return []
    exact_mrn = [(e, 1.0) for e in entries if e.mrn and fold(e.mrn) == folded]
    found = process.extract(
        folded, [e.match for e in entries], scorer=fuzz.WRatio, limit=limit, score_cutoff=60
    )
    hits = exact_mrn + [(entries[index], score / 100) for _match, score, index in found]
    seen: set[int] = set()
    unique = []
    for entry, score in hits:
        if entry.id not in seen:
            seen.add(entry.id)
            unique.append((entry, score))
    return unique[:limit]


class PatientProvider(Provider):
    """Jump to any patient by name or MRN."""

    _entries: list[PaletteEntry]

    @property
    def caretui(self) -> CaretuiApp:
        return self.app  # type: ignore[return-value]

    async def startup(self) -> None:
        app = self.caretui

        def load() -> list[PaletteEntry]:
            with app.reading() as con:
                return palette_entries(con)

        self._entries = await asyncio.to_thread(load)

    def _display(self, entry: PaletteEntry) -> Text:
        text = Text(
            patient_name(
                entry.given_name,
                entry.family_name,
                entry.preferred_name,
                redact=self.caretui.redact,
            )
        )
        if entry.status == "discharged":
            text.append("  discharged", style="dim italic")
        if entry.mrn and not self.caretui.redact:
            text.append(f"  {entry.mrn}", style="dim")
        return text

    async def search(self, query: str) -> Hits:
        app = self.caretui
        for entry, score in rank_patients(self._entries, query):
            yield Hit(
                score,
                self._display(entry),
                partial(app.open_patient, entry.id),
                text=f"patient {entry.id}",
                help="Open patient",
            )

    async def discover(self) -> Hits:
        app = self.caretui
        for entry in self._entries[:MAX_HITS]:
            yield DiscoveryHit(
                self._display(entry),
                partial(app.open_patient, entry.id),
                text=f"patient {entry.id}",
                help="Open patient",
            )
