"""Help: what the current screen is for, every key that works on it and everywhere, where
Ctrl+G leads, and the one key map (what each key means on every screen)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from ..key_footer import KeyFooter
from ..stable_table import StableTable


@dataclass(frozen=True)
class KeyHelp:
    """One key and what it does."""

    key: str
    description: str
    everywhere: bool


class HelpScreen(ModalScreen[None]):
    """A dialog listing the keys of the screen underneath and the global keys."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        background: $panel;
        border: thick $primary;
        padding: 0 1;
    }
    HelpScreen #help-title {
        text-style: bold;
    }
    HelpScreen #help-text {
        margin: 1 0;
    }
    HelpScreen VerticalScroll {
        height: auto;
        max-height: 1fr;
    }
    HelpScreen DataTable {
        height: auto;
        margin-bottom: 1;
    }
    HelpScreen .help-section {
        color: $text-accent;
        text-style: bold;
    }
    """

    BINDINGS = [Binding("escape,f1,q,question_mark", "close", "Close")]
    """Closing keys: the help's own, as the key map's dialog keys list them."""

    def __init__(
        self,
        title: str,
        text: str,
        keys: Sequence[KeyHelp],
        *,
        go_to: Sequence[KeyHelp] = (),
        key_map: Sequence[KeyHelp] = (),
    ) -> None:
        """Help for the screen called ``title``; ``go_to`` the letters after Ctrl+G,
        ``key_map`` what each key means wherever it is offered."""
        super().__init__()
        self._title = title
        self._text = text
        self._keys = tuple(keys)
        self._go_to = tuple(go_to)
        self._key_map = tuple(key_map)

    def compose(self) -> ComposeResult:
        """The title, the screen's purpose and two tables of keys."""
        with Vertical():
            yield Label(f"Help — {self._title}", id="help-title")
            if self._text:
                yield Static(self._text, id="help-text", markup=False)
            with VerticalScroll():
                yield Label("On this screen", classes="help-section")
                yield StableTable(id="screen-keys", cursor_type="none", show_header=False)
                yield Label("Everywhere", classes="help-section")
                yield StableTable(id="global-keys", cursor_type="none", show_header=False)
                if self._go_to:
                    yield Label("Go to: Ctrl+G, then", classes="help-section")
                    yield StableTable(id="go-to-keys", cursor_type="none", show_header=False)
                if self._key_map:
                    yield Label("Every key means the same on every screen", classes="help-section")
                    yield StableTable(id="key-map", cursor_type="none", show_header=False)
            yield Static("Press Escape to close.", id="help-close")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Fill the key tables."""
        for table_id, everywhere in (("#screen-keys", False), ("#global-keys", True)):
            self._fill(table_id, [item for item in self._keys if item.everywhere == everywhere])
        if self._go_to:
            self._fill("#go-to-keys", self._go_to)
        if self._key_map:
            self._fill("#key-map", self._key_map)

    def _fill(self, table_id: str, items: Sequence[KeyHelp]) -> None:
        table = self.query_one(table_id, DataTable)
        table.add_columns("Key", "Action")
        for item in items:
            table.add_row(item.key, item.description)

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
