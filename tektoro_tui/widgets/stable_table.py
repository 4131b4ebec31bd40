"""A DataTable that never shows rows drawn with out-of-date column widths."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widget import Widget
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class StableTable(DataTable[Any]):
    """DataTable whose drawn lines are thrown away once new rows have widened the columns.

    Textual 8.2.8 measures the rows added since the last idle moment (``_update_dimensions``)
    without invalidating the lines it may already have drawn and cached with the old, narrower
    widths, so a header or row can stay cut short until the terminal is resized. This happens
    when rows arrive from a worker while the screen is repainting. Clearing the caches after
    the measurement keeps every table drawn with its real widths (and snapshots stable).
    """

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self._clear_caches()
        self.refresh()

    @property
    def current_key(self) -> str | None:
        """The key of the row under the cursor, or None for an empty table."""
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return None if row_key.value is None else str(row_key.value)


def highlighted_key(screen: Widget, selector: str) -> str | None:
    """The key of the highlighted row of ``screen``'s StableTable ``selector`` (None before the
    table is composed, or while it is empty)."""
    found = screen.query(selector)
    table = found.first(StableTable) if found else None
    return None if table is None else table.current_key
