"""The one-line bar at the top of every screen: where you are and who you are."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label


class TitleBar(Horizontal):
    """The screen's title on the left; organisation, user, role and database on the right."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        height: 1;
        background: $panel;
    }
    TitleBar > #title-text {
        width: auto;
        padding: 0 1;
        text-style: bold;
        color: $text-primary;
    }
    TitleBar > #status-text {
        width: 1fr;
        padding: 0 1;
        color: $text-muted;
        text-align: right;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    status: reactive[str] = reactive("")
    """Who is signed in, where (organisation, user, role, database)."""

    def __init__(self, title: str) -> None:
        """Make a bar for a screen called ``title``."""
        super().__init__()
        self._title = title

    def compose(self) -> ComposeResult:
        """The title and the status text."""
        yield Label(f"TekToro › {self._title}", id="title-text")
        yield Label(self.status, id="status-text", markup=False)

    def watch_status(self, status: str) -> None:
        """Show the new status text."""
        if self.is_mounted:
            self.query_one("#status-text", Label).update(status)
