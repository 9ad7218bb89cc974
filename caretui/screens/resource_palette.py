"""The command palette finds a directory entry by fuzzy name, as it finds patients.

Names are read once per palette opening, in a thread, through the plain read side,
matched folded ("Nunez" finds "Núñez") and fuzzily with rapidfuzz, and shown as
``Text``. A hit's help line is parsed as markup by Textual, so it carries only our
own words. Choosing a hit opens the Resources screen (6) at the entry's form.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from caretui.queries.resources import ResourceEntry, palette_resources
from caretui.services.text import fold, one_line

if TYPE_CHECKING:
    from caretui.app import CaretuiApp

MAX_HITS = 12


def rank_resources(
    entries: list[ResourceEntry], query: str, limit: int = MAX_HITS
) -> list[tuple[ResourceEntry, float]]:
    """The entries best matching ``query``, best first, with a 0–1 score."""
    folded = fold(query).strip()
    if not folded:
        return []
    found = process.extract(
        folded, [e.match for e in entries], scorer=fuzz.WRatio, limit=limit, score_cutoff=60
    )
    return [(entries[index], score / 100) for _match, score, index in found]


async def open_resource(app: CaretuiApp, resource_id: int) -> None:
    """Show the Resources screen with the entry's form open."""
    from caretui.screens.resources import ResourcesScreen

    await app.switch_mode("resources")
    screen = app.screen
    if isinstance(screen, ResourcesScreen):
        screen.open_entry(resource_id)


class ResourceProvider(Provider):
    """Open a directory entry by its name."""

    _entries: list[ResourceEntry]

    @property
    def caretui(self) -> CaretuiApp:
        return self.app  # type: ignore[return-value]

    async def startup(self) -> None:
        app = self.caretui

        def load() -> list[ResourceEntry]:
            with app.reading() as con:
                return palette_resources(con)

        self._entries = await asyncio.to_thread(load)

    @staticmethod
    def _display(entry: ResourceEntry) -> Text:
        text = Text(one_line(entry.name))
        text.append(f"  {entry.category.replace('-', ' ')}", style="dim")
        return text

    async def search(self, query: str) -> Hits:
        app = self.caretui
        for entry, score in rank_resources(self._entries, query):
            yield Hit(
                score * 0.95,  # a patient of the same name ranks first
                self._display(entry),
                partial(open_resource, app, entry.id),
                text=f"resource {entry.id}",
                help="Open the directory entry",
            )

    async def discover(self) -> Hits:
        app = self.caretui
        for entry in self._entries[:MAX_HITS]:
            yield DiscoveryHit(
                self._display(entry),
                partial(open_resource, app, entry.id),
                text=f"resource {entry.id}",
                help="Open the directory entry",
            )
