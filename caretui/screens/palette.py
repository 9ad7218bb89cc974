"""The command palette's providers: any patient by fuzzy name, and the app's commands.

Names are matched folded ("Nunez" finds "Núñez") and fuzzily ("Jonh" finds
"John") with rapidfuzz (``queries.patient_match.rank_patients``, which quick add
shares). The patient list is read once per palette opening, in
a thread, through the plain read side. Hits show names as ``Text``; a hit's
help line is parsed as markup by Textual, so it carries only our own words.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from caretui.queries.names import patient_name
from caretui.queries.patient_match import MAX_HITS, prepare, rank_patients
from caretui.queries.patients import PaletteEntry, palette_entries

if TYPE_CHECKING:
    from caretui.app import CaretuiApp


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
                entries = palette_entries(con)
            prepare(entries)  # the name-word index, here rather than on the first key
            return entries

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
