"""Asking which file format an export is written in."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from .. import keymap
from ..calls import push_dialog
from ..key_footer import KeyFooter

FORMATS = ("csv", "xlsx")


class ExportDialog(ModalScreen[str | None]):
    """Ask for the file format; returns "csv", "xlsx" or None."""

    DEFAULT_CSS = """
    ExportDialog {
        align: center middle;
    }
    ExportDialog > Vertical {
        width: 56;
        max-width: 100%;
        height: auto;
        background: $panel;
        border: thick $primary;
        padding: 0 1;
    }
    ExportDialog #export-title {
        text-style: bold;
        margin-bottom: 1;
    }
    ExportDialog #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    ExportDialog Button {
        margin-left: 1;
    }
    """

    BINDINGS = [
        Binding(keymap.CSV, "choose('csv')", "CSV"),
        Binding(keymap.XLSX, "choose('xlsx')", "XLSX"),
        Binding(keymap.BACK, "choose('')", "Cancel"),
        Binding(keymap.OTHER_BUTTON, "app.focus_next", "Other button", show=False),
    ]

    def __init__(self, what: str) -> None:
        """Ask how to export ``what`` (e.g. "12 entries · 34:30 h · 2,760.00 EUR")."""
        super().__init__()
        self._what = what

    def compose(self) -> ComposeResult:
        """The title, what is exported and one button per format."""
        with Vertical():
            yield Label("Export what is shown", id="export-title")
            yield Static(self._what, id="export-what", markup=False)
            with Horizontal(id="buttons"):
                yield Button("XLSX", variant="primary", id="xlsx")
                yield Button("CSV", id="csv")
                yield Button("Cancel", id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Start on XLSX."""
        self.query_one("#xlsx", Button).focus()

    def action_choose(self, fmt: str) -> None:
        """Close with the chosen format ("" cancels)."""
        self.dismiss(fmt if fmt in FORMATS else None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Close with the button's format."""
        event.stop()
        self.action_choose(event.button.id or "")


def choose_format(node: DOMNode, what: str, then: Callable[[str], object]) -> None:
    """Ask (for ``node``, while its screen is on top) which format ``what`` is exported in;
    ``then`` gets "csv" or "xlsx" (nothing happens on Cancel)."""

    def chosen(fmt: str | None) -> None:
        if fmt:
            then(fmt)

    push_dialog(node, ExportDialog(what), chosen)
