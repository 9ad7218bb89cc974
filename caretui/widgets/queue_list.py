"""The Queues screen's left list: the coordinator's queues, each with its open count."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from caretui.services.text import one_line


def queue_label(queue: str, count: int | None, *, configured: bool) -> Text:
    """A queue's name, its open count (… while counting), and a note when it holds
    tasks but is not in the user's settings."""
    name = one_line(queue)
    label = Text(name if len(name) <= 14 else name[:13] + "…")
    label.pad_right(15 - label.cell_len)
    label.append(f"{count:>6,}" if count is not None else "     …", style="bold")
    if not configured:
        label.append("\n  not in your settings", style="dim italic")
    return label


class QueueList(OptionList):
    """The configured queues, then any other queue that holds tasks (so that no task is
    out of reach), each with its open count."""

    def __init__(self, configured: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._configured = tuple(configured)
        #: The queues in the order listed.
        self.queues: list[str] = list(configured)

    def show(self, counts: dict[str, int] | None, current: str) -> None:
        """List every queue with its count (``None``: not counted yet), ``current`` highlighted."""
        extra = sorted(q for q in counts or {} if q not in self._configured)
        self.queues = [*self._configured, *extra]
        self.set_options(
            Option(
                queue_label(
                    queue,
                    None if counts is None else counts.get(queue, 0),
                    configured=queue in self._configured,
                )
            )
            for queue in self.queues
        )
        self.point_at(current)

    def point_at(self, queue: str) -> None:
        """Highlight ``queue`` without announcing it (the screen already shows it)."""
        if queue in self.queues:
            with self.prevent(OptionList.OptionHighlighted):
                self.highlighted = self.queues.index(queue)

    def step(self, queue: str, step: int) -> str:
        """The queue ``step`` places from ``queue`` (round the end), now highlighted."""
        index = self.queues.index(queue) + step if queue in self.queues else 0
        chosen = self.queues[index % len(self.queues)]
        self.point_at(chosen)
        return chosen
