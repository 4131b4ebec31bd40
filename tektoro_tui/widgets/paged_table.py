"""A table filled one keyset page at a time, and read again in place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.message import Message
from textual.widgets import DataTable

from .keyed_table import KeyedTable

SLACK = 50
"""Rows read beyond those shown when the whole list is shown, so that rows added meanwhile
come in with a refresh."""


class PagedTable(KeyedTable):
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
        """Forget every row (before loading the first page of another list)."""
        self.clear()
        self.next_after = None
        self._asked = False

    def add_page(
        self, rows: Iterable[tuple[int, Sequence[object]]], next_after: tuple[object, ...] | None
    ) -> None:
        """Append a page of ``(id, cells)`` rows; ``next_after`` is where the next page starts."""
        for ident, cells in rows:
            self.show_row(str(ident), cells)
        self.next_after = next_after
        self._asked = False

    @property
    def refresh_limit(self) -> int:
        """How many rows a refresh reads from the top: every row shown, and when the whole
        list is shown some more, for rows added meanwhile."""
        more = SLACK if self.next_after is None else 0
        return max(self.row_count + more, SLACK)

    def refresh_page(
        self, rows: Iterable[tuple[int, Sequence[object]]], next_after: tuple[object, ...] | None
    ) -> None:
        """Show the rows read again from the top (``refresh_limit`` of them), in place."""
        self.show_rows((str(ident), cells) for ident, cells in rows)
        self.next_after = next_after
        self._asked = False

    def update_record(self, ident: int, cells: Sequence[object]) -> None:
        """Show new values in the row of record ``ident`` (added at the end if absent)."""
        self.show_row(str(ident), cells)

    @property
    def current_id(self) -> int | None:
        """The record id of the row under the cursor, or None for an empty table."""
        key = self.current_key
        return None if key is None else int(key)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Ask for the next page when the cursor is on the last row."""
        if event.data_table is not self:
            return
        last = event.cursor_row >= self.row_count - 1
        if last and self.next_after is not None and not self._asked:
            self._asked = True
            self.post_message(self.PageWanted(self, self.next_after))
