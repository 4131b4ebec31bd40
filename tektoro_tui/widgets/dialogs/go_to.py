"""Go to: the screens a user may open, each behind a letter (Ctrl+G, then the letter).

Navigation is never a single key on a screen, so a letter typed by mistake never leaves it;
here, and only here, a letter opens a screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from .. import keymap
from ..key_footer import KeyFooter


class GoToDialog(ModalScreen[str | None]):
    """A letter (or Enter on the highlighted screen) opens a screen; Escape stays."""

    DEFAULT_CSS = """
    GoToDialog {
        align: center middle;
    }
    GoToDialog > Vertical {
        width: 40;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        background: $panel;
        border: thick $primary;
        padding: 0 1;
    }
    GoToDialog #go-to-title {
        text-style: bold;
    }
    GoToDialog #go-to-list {
        height: auto;
        max-height: 1fr;
        border: none;
    }
    GoToDialog #go-to-hint {
        color: $text-muted;
    }
    """

    BINDINGS = [Binding(keymap.BACK, "close", "Stay")]

    def __init__(self, targets: Sequence[tuple[str, str, str]]) -> None:
        """Offer ``targets``: (letter, title, area key) of every screen the user may open."""
        super().__init__()
        self._targets = tuple(targets)
        self._by_letter = {letter: key for letter, _, key in self._targets}

    def compose(self) -> ComposeResult:
        """The title, the screens with their letters, and a hint."""
        with Vertical():
            yield Label("Go to", id="go-to-title")
            yield OptionList(
                *(Option(f"{letter}  {title}", id=key) for letter, title, key in self._targets),
                id="go-to-list",
            )
            yield Static("A letter opens its screen; Escape stays.", id="go-to-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        """The list has the focus (arrows and Enter work too)."""
        self.query_one(OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        """A screen's letter opens it."""
        key = self._by_letter.get(event.character or "")
        if key is not None:
            event.stop()
            event.prevent_default()
            self.dismiss(key)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter opens the highlighted screen."""
        event.stop()
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        """Stay where you are."""
        self.dismiss(None)
