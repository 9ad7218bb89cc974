"""Interim Queues screen (being built)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from caretui.screens.base import CaseloadScreen


class QueuesScreen(CaseloadScreen):
    HELP_TITLE = "Queues"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Queues"))
        yield Footer()
