"""The footer of every screen and dialog: Textual's compact footer, drawn without its cost.

Textual's ``Footer(compact=True)`` hands ``compact`` to each key it shows, and each key then
adds its ``-compact`` class after it is mounted: one restyle of the key per key, every time
the footer is rebuilt (on every change of focus). On a screen with fifteen keys that is tens
of milliseconds of the UI thread per focus change, and was a tenth of the time of the screen
tests. This footer gives each key the class before it is mounted, so the key's own watcher
finds nothing to change; what it shows is the same, cell for cell.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """A compact footer whose keys need no restyling once mounted."""

    def __init__(self) -> None:
        """A footer in the compact style, for a screen or a dialog."""
        super().__init__(compact=True)

    def compose(self) -> ComposeResult:
        """Textual's keys, each already marked compact."""
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.add_class("-compact", update=False)
            yield widget
