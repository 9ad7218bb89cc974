"""Interim patient screen (being built)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from caretui.screens.base import CaseloadScreen


class PatientScreen(CaseloadScreen):
    HELP_TITLE = "Patient"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, patient_id: int, *, tab: str = "overview") -> None:
        super().__init__()
        self.patient_id = patient_id
        self.tab = tab

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(f"Patient {self.patient_id}"))
        yield Footer()
