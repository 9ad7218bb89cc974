"""`?`: every key of the current screen, with what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

#: Keys handled by widgets rather than bindings, worth telling a newcomer.
EXTRA_KEYS = (
    ("up/down, pgup/pgdn", "Move through a list"),
    ("tab / shift+tab", "Next / previous field or panel"),
    ("ctrl+p", "Command palette: jump to any patient by name, run a command"),
)


def describe_keys(screen: Screen[object]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or (binding.description in seen and key in seen):
            continue
        seen.add(key)
        label = screen.app.get_key_display(binding)
        table.add_row(Text(label), Text(binding.tooltip or binding.description))
    for key, what in EXTRA_KEYS:
        table.add_row(Text(key), Text(what))
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 84; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,question_mark,q", "dismiss_help", "Close", id="help.close")]

    def __init__(self, target: Screen[object], title: str, extra: Text | None = None) -> None:
        super().__init__()
        self._table = describe_keys(target)
        self._title = title
        self._extra = extra

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text(f"Keys — {self._title}", style="bold"))
            yield Static(self._table)
            if self._extra is not None:
                yield Static(self._extra)
            yield Static(Text("escape closes this help", style="dim"))

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
