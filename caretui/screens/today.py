"""Interim Today screen (being built)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from caretui.screens.base import CaseloadScreen


class TodayScreen(CaseloadScreen):
    HELP_TITLE = "Today"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Today"))
        yield Footer()
