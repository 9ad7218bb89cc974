"""The footer line: the current screen's keys, drawn as one line of text.

Textual's ``Footer`` builds a widget per key and builds them all again on every
change of screen, tab or focus; with twenty keys that took about 300 ms of the
time to open a patient or switch screens at 5,000 patients (measured in tmux).
This footer draws the same keys as one ``Text`` (under a millisecond), keeps
``?`` (every key, explained) and ``ctrl+p`` (the palette) on the right where a
narrow terminal cannot push them off, and cuts the rest with "…" when it must.
It shows keys only; nothing here is clickable.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

#: Actions shown at the right end, always in view.
PINNED = ("help", "app.help", "command_palette", "app.command_palette")
PALETTE = ("command_palette", "app.command_palette")


class KeysFooter(Widget):
    """The keys of the current screen, as ``Footer`` shows them, in one widget."""

    COMPONENT_CLASSES = {"keys-footer--key", "keys-footer--description"}
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .keys-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .keys-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self.refresh()

    def _keys(self) -> tuple[list[tuple[Binding, bool]], list[tuple[Binding, bool]]]:
        """(the keys on the left, the pinned keys on the right), one per action."""
        left: list[tuple[Binding, bool]] = []
        right: list[tuple[Binding, bool]] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            palette = binding.action in PALETTE and self.app.ENABLE_COMMAND_PALETTE
            if not (binding.show or palette) or binding.action in seen:
                continue
            seen.add(binding.action)
            (right if binding.action in PINNED else left).append((binding, enabled))
        return left, right

    def _draw(self, keys: list[tuple[Binding, bool]]) -> Text:
        key_style = self.get_component_rich_style("keys-footer--key", partial=True)
        what_style = self.get_component_rich_style("keys-footer--description", partial=True)
        line = Text(no_wrap=True, overflow="ellipsis")
        for binding, enabled in keys:
            part = Text.assemble(
                (f" {self.app.get_key_display(binding)} ", key_style),
                (f"{binding.description} ", what_style),
            )
            if not enabled:
                part.stylize("dim")
            line.append_text(part)
        return line

    def render(self) -> Text:
        left, right = self._keys()
        pinned = self._draw(right)
        line = self._draw(left)
        room = max(self.size.width - pinned.cell_len, 0)
        if line.cell_len > room:
            line.truncate(room, overflow="ellipsis")
        line.pad_right(room - line.cell_len)
        line.append_text(pinned)
        return line
