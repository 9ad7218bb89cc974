"""The idle lock: after N quiet minutes the screen is hidden until a key is pressed."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static


class LockScreen(Screen[None]):
    """Covers everything; shows no patient data; any key brings the work back."""

    DEFAULT_CSS = """
    LockScreen { align: center middle; background: $background; }
    LockScreen Static { width: auto; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text("caretui is locked — press any key to continue"))

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.dismiss(None)
