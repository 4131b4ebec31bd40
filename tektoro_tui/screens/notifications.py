"""Notifications: messages for the signed-in user, such as "your master invoice is paid".

Newest first; unread ones are marked with a dot and shown bold until they are marked read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ..services.contractor_invoices.views import NotificationView
from ..widgets import keymap
from ..widgets.dialogs.confirm import YesNoDialog
from ..widgets.formatting import moment
from ..widgets.keyed_table import KeyedTable
from ..widgets.printer_detail import clipped
from ..widgets.stable_table import highlighted_key
from .base import AreaScreen, call_service, push_dialog

if TYPE_CHECKING:
    from ..services.base import Actor
    from ..services.hub import Services

COLUMNS = ("", "When", "Message")
EMPTY = "No notifications for you."
UNREAD = "●"


def notification_cells(note: NotificationView) -> tuple[object, ...]:
    """One row: the unread dot, when, and the message (bold while unread)."""
    style = "" if note.read else "bold"
    return (
        Text("" if note.read else UNREAD, style="bold cyan"),
        moment(note.created_at),
        Text(clipped(note.message, 60), style=style),
    )


class NotificationsScreen(AreaScreen):
    """The signed-in user's notifications above the highlighted one in full."""

    TITLE_TEXT = "Notifications"
    HELP = (
        "Messages for you, newest first; unread ones carry a dot. k marks the highlighted "
        "one read, K (shift+k) marks them all read, after asking."
    )
    BINDINGS = [
        Binding(keymap.MARK_READ, "mark_read", "Read/unread"),
        Binding(keymap.MARK_ALL_READ, "mark_all_read", "Mark all read"),
        Binding(keymap.RELOAD, "reload", "Reload", show=False),
    ]
    REFRESH_ON = frozenset({"notification"})
    DEFAULT_CSS = """
    NotificationsScreen {
        #notes {
            height: 1fr;
        }
        #note-text {
            height: auto;
            max-height: 6;
            padding: 0 1;
            border-top: solid $primary-muted;
        }
    }
    """

    def __init__(self, services: Services, actor: Actor) -> None:
        """The notifications of ``actor``."""
        super().__init__(services, actor)
        self._notes: dict[str, NotificationView] = {}
        self.shown_owners = frozenset({actor.user_id})  # one's own notifications only

    def compose_body(self) -> ComposeResult:
        """The list and the highlighted message in full."""
        yield KeyedTable(id="notes", cursor_type="row", zebra_stripes=True)
        yield Static("", id="note-text", markup=False)

    def on_mount(self) -> None:
        """Set up the list and load it."""
        super().on_mount()
        self.table.add_columns(*COLUMNS)
        self.table.focus()
        self.load_notes()

    @property
    def table(self) -> KeyedTable:
        """The list of notifications."""
        return self.query_one("#notes", KeyedTable)

    @property
    def current(self) -> NotificationView | None:
        """The highlighted notification."""
        key = highlighted_key(self, "#notes")
        return None if key is None else self._notes.get(key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Read/unread on a highlighted one; mark all only while some are unread."""
        if action == "mark_read":
            return self.current is not None or None
        if action == "mark_all_read":
            return any(not note.read for note in self._notes.values()) or None
        return True

    def refresh_data(self) -> None:
        """A notification arrived or was read elsewhere: read the list again."""
        self.load_notes()

    def action_reload(self) -> None:
        """Read the list again."""
        self.load_notes()

    def load_notes(self) -> None:
        """Read the notifications, in place (the cursor stays on its notification)."""
        call_service(
            self,
            lambda: self.services.contractor_invoices.notifications(self.actor),
            self._show,
            group="notes",
            exclusive=True,
        )

    def _show(self, notes: tuple[NotificationView, ...]) -> None:
        self._notes = {str(note.id): note for note in notes}
        self.table.show_rows((str(note.id), notification_cells(note)) for note in notes)
        self._show_current()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Show the highlighted message in full."""
        self._show_current()

    def _show_current(self) -> None:
        note = self.current
        self.query_one("#note-text", Static).update(note.message if note is not None else EMPTY)
        self.refresh_bindings()

    def action_mark_read(self) -> None:
        """Mark the highlighted notification read, or unread again (the same key undoes it)."""
        note = self.current
        if note is None:
            return
        ids, service = (note.id,), self.services.contractor_invoices
        change = service.mark_unread if note.read else service.mark_read
        call_service(self, lambda: change(self.actor, ids), lambda _count: self.load_notes())

    def action_mark_all_read(self) -> None:
        """Mark every unread notification read, after asking."""
        unread = sum(1 for note in self._notes.values() if not note.read)

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(
                    self,
                    lambda: self.services.contractor_invoices.mark_read(self.actor),
                    self._all_read,
                )

        noun = "notification" if unread == 1 else "notifications"
        question = f"Mark all {unread} unread {noun} read?"
        push_dialog(self, YesNoDialog("Mark all read", question, "Mark read"), answered)

    def _all_read(self, count: int) -> None:
        self.notify(f"{count} marked read.", title="Notifications", timeout=3)
        self.load_notes()
