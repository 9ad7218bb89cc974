"""What every main screen shares: the app it runs in, and its help title."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.screen import Screen

if TYPE_CHECKING:
    from caretui.app import CaretuiApp


class CaseloadScreen(Screen[None]):
    #: Shown in the help screen's title.
    HELP_TITLE: ClassVar[str] = ""

    @property
    def caretui(self) -> CaretuiApp:
        return self.app  # type: ignore[return-value]
