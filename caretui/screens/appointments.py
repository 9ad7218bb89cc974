"""Interim Appointments screen (being built)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from caretui.screens.base import CaseloadScreen


class AppointmentsScreen(CaseloadScreen):
    HELP_TITLE = "Appointments"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Appointments"))
        yield Footer()
