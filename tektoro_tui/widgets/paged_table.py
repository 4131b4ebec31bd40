"""A table filled one keyset page at a time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.message import Message
from textual.widgets import DataTable

from .stable_table import StableTable


class PagedTable(StableTable):
    """Rows keyed by record id; asks for the next page when the cursor reaches the last row."""

    DEFAULT_CSS = """
    PagedTable {
        height: 1fr;
    }
    """

    class PageWanted(Message):
        """The cursor reached the last row and there are more rows to load."""

        def __init__(self, table: PagedTable, after: tuple[object, ...]) -> None:
            super().__init__()
            self.table = table
            self.after = after

        @property
        def control(self) -> PagedTable:
            """The table that wants its next page."""
            return self.table

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:
        """A table with the given column labels."""
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._column_labels = tuple(columns)
        self.next_after: tuple[object, ...] | None = None
        self._asked = False

    def on_mount(self) -> None:
        """Add the columns."""
        self.add_columns(*self._column_labels)

    def start_over(self) -> None:
        """Forget every row (before loading the first page again)."""
        self.clear()
        self.next_after = None
        self._asked = False

    def add_page(
        self, rows: Iterable[tuple[int, Sequence[object]]], next_after: tuple[object, ...] | None
    ) -> None:
        """Append a page of ``(id, cells)`` rows; ``next_after`` is where the next page starts."""
        for ident, cells in rows:
            key = str(ident)
            if key in self.rows:
                self.update_record(ident, cells)
            else:
                self.add_row(*cells, key=key)
        self.next_after = next_after
        self._asked = False

    def update_record(self, ident: int, cells: Sequence[object]) -> None:
        """Show new values in the row of record ``ident`` (added at the end if absent)."""
        key = str(ident)
        if key not in self.rows:
            self.add_row(*cells, key=key)
            return
        for column, value in zip(self.ordered_columns, cells, strict=False):
            self.update_cell(key, column.key, value)

    @property
    def current_id(self) -> int | None:
        """The record id of the row under the cursor, or None for an empty table."""
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return int(row_key.value) if row_key.value is not None else None

    def move_to(self, ident: int) -> None:
        """Put the cursor on the row of record ``ident``, if shown.

        The move waits for the next refresh: a row added a moment ago has no column widths
        yet, and highlighting it at once would draw it with the old, narrower widths.
        """
        key = str(ident)

        def move() -> None:
            if key in self.rows:
                self.move_cursor(row=self.get_row_index(key))

        self.call_after_refresh(move)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Ask for the next page when the cursor is on the last row."""
        if event.data_table is not self:
            return
        last = event.cursor_row >= self.row_count - 1
        if last and self.next_after is not None and not self._asked:
            self._asked = True
            self.post_message(self.PageWanted(self, self.next_after))
