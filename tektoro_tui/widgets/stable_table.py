"""A DataTable that never shows rows drawn with out-of-date column widths."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

NARROWEST_TEXT = 10
"""The fewest columns a narrowed text column keeps (or its heading's width, if wider)."""

SAMPLE_ROWS = 50
"""How many rows are looked at to tell a text column from a figure or code column."""


class StableTable(DataTable[Any]):
    """DataTable whose drawn lines are thrown away once new rows have widened the columns, and
    whose names and descriptions give way so that figures are never cut at the right edge.

    Textual 8.2.8 measures the rows added since the last idle moment (``_update_dimensions``)
    without invalidating the lines it may already have drawn and cached with the old, narrower
    widths, so a header or row can stay cut short until the terminal is resized. This happens
    when rows arrive from a worker while the screen is repainting. Clearing the caches after
    the measurement keeps every table drawn with its real widths (and snapshots stable).

    When the columns are wider than the table, the right-most ones were cut wherever the edge
    fell: "4,829" for 4,829.91 at 80 columns. Now the columns shown are shown whole: text
    columns other than the first (names, descriptions: cells with words, none aligned right)
    are narrowed, the widest levelled down first, to :data:`NARROWEST_TEXT` at least, so that
    amounts, dates and numbers keep their whole width; the columns that still do not fit
    start at the right edge and are reached by scrolling right. Narrowed columns widen again
    when there is room.

    A table as tall as its rows (``height: auto``) could tell its container an old height:
    Textual caches a widget's measured box by the count of its layout refreshes, and a
    refresh asked for while one is still pending (rows cleared, then added) does not count
    again, so the box measured in between (the empty table, one line) was kept, and the panel
    around it stayed a line short, cutting its last line. A change of the rows' height now
    counts as a layout of its own.
    """

    _adjusted: frozenset[Any] = frozenset()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        before = self.virtual_size
        super()._update_dimensions(new_rows)
        if self._fit_to_width():
            self._measure_width()
        self._clear_caches()
        if self.virtual_size.height != before.height:
            self._layout_updates += 1  # see the class: measure the box again
            self.refresh(layout=True)
        else:
            self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        """Fit the columns to the new width."""
        self._refit()

    def _fit_to_width(self) -> bool:
        """Fit the columns to the visible width (see the class); whether any width changed.

        As many leading columns as can be shown whole are shown whole: text columns among
        them give up width (the widest first, to :data:`NARROWEST_TEXT` at least) when that lets
        one more column in, and take the room that is left over otherwise, so the next column
        starts exactly at the right edge instead of being cut by it.
        """
        available = self.scrollable_content_region.width - self._row_label_column_width
        columns = list(self.ordered_columns)
        if available <= 0 or not columns:
            return False
        before = [column.get_render_width(self) for column in columns]
        for column in columns:
            if column.key in self._adjusted:
                column.auto_width = True
        widths = [column.get_render_width(self) for column in columns]
        if sum(widths) <= available:  # the common case: nothing to fit, no cells to look at
            self._adjusted = frozenset()
            return widths != before
        # the first column names the row (a name, a number, a date): it keeps its width
        text = [
            index > 0 and column.auto_width and self._is_text(column)
            for index, column in enumerate(columns)
        ]
        floors = [
            max(NARROWEST_TEXT, cell_len(column.label.plain)) + 2 * self.cell_padding
            if is_text
            else width
            for column, width, is_text in zip(columns, widths, text, strict=True)
        ]
        shown = len(columns)
        while shown > 1 and sum(floors[:shown]) > available:
            shown -= 1
        spare = available - sum(widths[:shown])
        self._adjusted = frozenset(self._share(columns[:shown], text[:shown], spare))
        after = [column.get_render_width(self) for column in columns]
        return after != before

    def watch_show_vertical_scrollbar(self, _old: bool, _new: bool) -> None:
        """The rows came to need a scrollbar (or no longer do): fit the columns again."""
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        if self._fit_to_width():
            self._measure_width()
            self._clear_caches()
            self.refresh()

    def _share(self, columns: list[Any], text: list[bool], spare: int) -> set[Any]:
        """Narrow (``spare`` < 0) or widen the text columns of ``columns`` by ``spare`` in all;
        the keys of the columns changed. Narrowing levels the widest down first, so two long
        names end up about as wide as each other; room left over goes to the widest."""
        changed: set[Any] = set()
        words = [column for column, is_text in zip(columns, text, strict=True) if is_text]
        if spare == 0:
            return changed
        if spare > 0:
            column = max(words, key=lambda c: c.content_width) if words else columns[-1]
            if column.auto_width:
                column.auto_width = False
                column.width = column.content_width + spare
                changed.add(column.key)
            return changed
        excess = -spare
        width = {column.key: column.content_width for column in words}
        floor = {column.key: max(NARROWEST_TEXT, cell_len(column.label.plain)) for column in words}
        while excess > 0:  # level the widest down, one column of text at a time
            above = [column for column in words if width[column.key] > floor[column.key]]
            if not above:
                break
            widest = max(above, key=lambda c: width[c.key])
            width[widest.key] -= 1
            excess -= 1
        for column in words:
            if width[column.key] < column.content_width:
                column.auto_width = False
                column.width = width[column.key]
                changed.add(column.key)
        return changed

    def _is_text(self, column: Any) -> bool:
        """Whether the column holds words (names, descriptions) rather than figures or codes."""
        words = False
        for index, row in enumerate(self.ordered_rows):
            if index >= SAMPLE_ROWS:
                break
            cell = self.get_cell(row.key, column.key)
            if isinstance(cell, Text) and cell.justify == "right":
                return False
            words = words or " " in str(cell).strip()
        return words

    def _measure_width(self) -> None:
        """The scrollable width after the column widths changed (as Textual computes it)."""
        width = sum(column.get_render_width(self) for column in self.columns.values())
        self.virtual_size = Size(width + self._row_label_column_width, self.virtual_size.height)

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
