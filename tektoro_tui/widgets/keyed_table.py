"""A table of records keyed by a stable id, brought up to date in place on every reload.

A list screen reads its records again whenever they may have changed: after its own writes,
when the change feed reports someone else's, on F5. Clearing the table and filling it again
would send the cursor to the top and the view with it. :meth:`KeyedTable.show_rows` instead
changes only what differs, so the cursor stays on its record and the view where it was.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from itertools import zip_longest

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from .stable_table import StableTable

KeyedRow = tuple[str, Sequence[object]]
"""A row to show: its key (the record's stable id) and its cells in column order."""


def same_cell(old: object, new: object) -> bool:
    """Whether two cell values draw the same (rich Text compares its style too)."""
    if isinstance(old, Text) and isinstance(new, Text):
        return _looks(old) == _looks(new)
    return type(old) is type(new) and old == new


def _looks(text: Text) -> tuple[object, ...]:
    return (text.plain, text.style, text.spans, text.justify, text.overflow, text.no_wrap)


class KeyedTable(StableTable):
    """A DataTable whose rows are records keyed by id, reloaded in place.

    Only ``cursor_type="row"`` tables post the highlight messages described below.
    """

    def show_rows(self, rows: Iterable[KeyedRow], *, fit_columns: bool = False) -> None:
        """Show exactly ``rows``, in their order, changing the table in place.

        Changed cells are updated, new rows take their place in the order, rows no longer
        listed are removed; nothing is cleared, so the scroll position stays. The cursor stays
        on its key; when that row is gone it goes to the nearest row that is left (the next
        one, else the one before). ``RowHighlighted`` is posted only when the highlighted key
        changes, so a reload that leaves the cursor's record in place starts no reads.

        Columns widen to fit what they show and never narrow, as when a table was cleared and
        filled again; with ``fit_columns`` they fit the rows shown now exactly, narrower too.
        """
        wanted = dict(rows)
        before = self.current_key
        old_order = self.keys()
        old_index = self.cursor_row
        with self.prevent(DataTable.RowHighlighted):
            for key in old_order:
                if key not in wanted:
                    self.remove_row(key)
            for key, cells in wanted.items():
                if key in self.rows:
                    self._update_cells(key, cells)
                else:
                    self.add_row(*cells, key=key)
            self._arrange(list(wanted))
            target = _nearest(before, old_order, old_index, wanted)
            if target is not None:
                self.cursor_coordinate = Coordinate(self.get_row_index(target), self.cursor_column)
        if fit_columns:
            self._fit_columns()
        after = self.current_key
        if after is not None and after != before and self.cursor_type == "row":
            self.post_message(DataTable.RowHighlighted(self, self.cursor_row, RowKey(after)))

    def show_row(self, key: str, cells: Sequence[object]) -> None:
        """Show new values in the row ``key`` (added at the end when it is not listed)."""
        if key in self.rows:
            self._update_cells(key, cells)
        else:
            self.add_row(*cells, key=key)

    def keys(self) -> list[str]:
        """The row keys in the order shown."""
        return [str(row.key.value) for row in self.ordered_rows]

    def move_to(self, key: str | int) -> None:
        """Put the cursor on the row ``key``, if shown.

        The move waits for the next refresh: a row added a moment ago has no column widths
        yet, and highlighting it at once would draw it with the old, narrower widths.
        """
        wanted = str(key)

        def move() -> None:
            if wanted in self.rows:
                self.move_cursor(row=self.get_row_index(wanted))

        self.call_after_refresh(move)

    def _update_cells(self, key: str, cells: Sequence[object]) -> None:
        """Update the cells of row ``key`` that changed; the row is then measured again like
        a new one, so its columns widen to fit it (and never narrow)."""
        shown = self.get_row(key)
        columns = self.ordered_columns
        changed = False
        for column, old, new in zip_longest(columns, shown, cells[: len(columns)]):
            if not same_cell(old, new):
                self.update_cell(key, column.key, new)
                changed = True
        if changed:
            self._new_rows.add(RowKey(key))
            self._require_update_dimensions = True
            self.check_idle()

    def _fit_columns(self) -> None:
        """Fit every column to the rows shown now (measured when the table is next idle).

        Asking DataTable to measure one cell of a column again measures the whole column
        whenever that cell is narrower than the column, else widens it to that cell.
        """
        if self.row_count == 0:
            return
        first = self.keys()[0]
        for column in self.ordered_columns:
            value = self.get_cell(first, column.key)
            self.update_cell(first, column.key, value, update_width=True)

    def _arrange(self, order: list[str]) -> None:
        """Put the rows in ``order`` (every key shown, each once).

        DataTable can only append rows; like its own ``sort`` this sets the row positions
        directly (Textual is pinned, and the tests cover the result).
        """
        if self.keys() == order:
            return
        row_keys = {str(row_key.value): row_key for row_key in self.rows}
        self._row_locations = TwoWayDict({row_keys[key]: index for index, key in enumerate(order)})
        self._update_count += 1
        self.refresh()


def _nearest(
    key: str | None, old_order: list[str], old_index: int, wanted: Container[str]
) -> str | None:
    """Where the cursor goes: ``key`` if still listed, else the next row of the old order
    that is, else the one before; None when none of the old rows is left."""
    if key is None:
        return None
    if key in wanted:
        return key
    for candidate in old_order[old_index + 1 :]:
        if candidate in wanted:
            return candidate
    for candidate in reversed(old_order[:old_index]):
        if candidate in wanted:
            return candidate
    return None
