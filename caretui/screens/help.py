"""`?`: every key of the current screen, with what it does.

The screen's own keys come first, then the keys that work everywhere, then a few
words on moving around. Textual's built-in keys for moving a cursor (a binding
with neither an id nor a tooltip) are summed up in those words, not listed.
"""

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


def _own(screen: Screen[object], key: str) -> list[Binding]:
    """The screen's own bindings of ``key`` that it would act on."""
    return [
        b
        for b in screen._bindings.key_to_bindings.get(key, [])
        if screen.check_action(b.action, ()) is not False
    ]


def describe_keys(screen: Screen[object]) -> Table:
    """The screen's keys, then those of the widget in focus, then the app's; each
    with its tooltip (or description). Enter is always explained."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    app = screen.app
    screen_keys: list[tuple[str, str]] = []
    widget_keys: list[tuple[str, str]] = []
    everywhere: list[tuple[str, str]] = []
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not (binding.id or binding.tooltip):
            # A widget's built-in key (the table's enter) hides the screen's own for the
            # same key, which says what it does here: list the screen's.
            binding = next((b for b in _own(screen, key) if b.id or b.tooltip), binding)
            if binding is not active.binding:
                active = active._replace(node=screen, binding=binding)
        if not binding.description or not (binding.id or binding.tooltip):
            continue
        line = (app.get_key_display(binding), binding.tooltip or binding.description)
        if active.node is app:
            everywhere.append(line)
        else:
            (screen_keys if active.node is screen else widget_keys).append(line)
    enter = app.get_key_display(Binding("enter", ""))
    if not any(key == enter for key, _what in screen_keys + widget_keys):
        screen_keys.insert(0, (enter, "Open what is highlighted"))
    sections = (("On this screen", screen_keys + widget_keys), ("Everywhere", everywhere))
    for title, lines in sections:
        if lines:
            table.add_row(Text(title, style="italic"), Text(""))
            for key, what in lines:
                table.add_row(Text(key), Text(what))
    table.add_row(Text("Moving around", style="italic"), Text(""))
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
    BINDINGS = [
        Binding(
            "escape,question_mark,q",
            "dismiss_help",
            "Close",
            id="help.close",
            tooltip="Close this help",
        )
    ]

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
