"""The permission matrix as a grid: permissions down, roles across."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

from . import keymap
from .stable_table import StableTable

GRANTED = Text("✔", style="bold green", justify="center")
NOT_GRANTED = Text("·", style="dim", justify="center")
LOCKED = Text("✔", style="bold", justify="center")


class PermissionGrid(StableTable):
    """Shows which role holds which permission; space or enter asks to flip a cell."""

    BINDINGS = [Binding(keymap.MARK, "select_cursor", "Toggle")]

    class ToggleWanted(Message):
        """The user wants ``role`` to hold ``perm`` (``grant`` True) or not."""

        def __init__(self, role: str, perm: str, grant: bool) -> None:
            super().__init__()
            self.role = role
            self.perm = perm
            self.grant = grant

    def __init__(self, *, id: str | None = None) -> None:
        """An empty grid; fill it with :meth:`show_matrix`."""
        super().__init__(id=id, cursor_type="cell", fixed_columns=1, zebra_stripes=True)
        self._roles: tuple[str, ...] = ()
        self._perms: tuple[str, ...] = ()
        self._granted: set[tuple[str, str]] = set()

    def show_matrix(
        self,
        roles: Sequence[tuple[str, str]],
        perms: Sequence[tuple[str, str]],
        granted: Collection[tuple[str, str]],
        locked: Collection[tuple[str, str]] = (),
    ) -> None:
        """Show ``granted`` (role, perm) pairs; roles and perms are (key, label) pairs."""
        cursor = self.cursor_coordinate
        self.clear(columns=True)
        self._roles = tuple(key for key, _ in roles)
        self._perms = tuple(key for key, _ in perms)
        self._granted = set(granted)
        self.add_column("Permission", key="perm")
        for key, label in roles:
            self.add_column(label, key=key)
        for perm, label in perms:
            cells = [self._cell(role, perm, (role, perm) in locked) for role in self._roles]
            self.add_row(label, *cells, key=perm)
        if self.row_count:
            row = min(cursor.row, self.row_count - 1)
            column = min(max(cursor.column, 1), len(self._roles))
            self.cursor_coordinate = Coordinate(row, column)

    def _cell(self, role: str, perm: str, locked: bool) -> Text:
        if (role, perm) not in self._granted:
            return NOT_GRANTED
        return LOCKED if locked else GRANTED

    @property
    def current_role(self) -> str | None:
        """The role of the column under the cursor (None on the label column)."""
        column = self.cursor_coordinate.column
        if column < 1 or column > len(self._roles):
            return None
        return self._roles[column - 1]

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        """Turn a selected cell into a request to flip that grant."""
        event.stop()
        role = self.current_role
        row = event.coordinate.row
        if role is None or row >= len(self._perms):
            return
        perm = self._perms[row]
        self.post_message(self.ToggleWanted(role, perm, (role, perm) not in self._granted))
