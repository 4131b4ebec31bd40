"""The two tables of the WIP screen: the groups, and the entries of one group with a selection."""

from __future__ import annotations

from textual import events
from textual.widgets import DataTable, Static

from ..services.pipeline.views import EntryPage, TimeEntryView, WipGroup
from .formatting import hours
from .keyed_table import KeyedTable
from .paged_table import PagedTable
from .wip_cells import (
    ENTRY_COLUMNS,
    FILTERS,
    GROUP_COLUMNS,
    entries_text,
    entry_cells,
    group_cells,
    name_width,
)


class WipGroupsTable(KeyedTable):
    """WIP per client and project, keyed by project id."""

    DEFAULT_CSS = """
    WipGroupsTable {
        height: auto;
        max-height: 40%;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        """An empty table of groups."""
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.groups: dict[int, WipGroup] = {}
        self._name_width = 0

    def on_mount(self) -> None:
        """Add the columns."""
        self.add_columns(*GROUP_COLUMNS)

    def _fitting_name_width(self) -> int:
        """How wide client and project names may be so that the figures stay in view."""
        return name_width(self.groups.values(), self.size.width or self.app.size.width)

    def show(self, groups: tuple[WipGroup, ...], keep: int | None) -> WipGroup | None:
        """Show ``groups`` in place; the cursor goes to project ``keep`` if it is listed, else
        stays on its row (or the nearest one left). Returns the group under the cursor."""
        self.groups = {g.project_id: g for g in groups}
        self._name_width = self._fitting_name_width()
        width = self._name_width
        rows = [(str(g.project_id), group_cells(g, width)) for g in groups]
        self.show_rows(rows, fit_columns=True)  # the names are cut so that every figure fits
        if keep in self.groups and str(keep) != self.current_key:
            self.move_to(str(keep))
            return self.groups[keep]
        return self.current

    @property
    def current(self) -> WipGroup | None:
        """The group under the cursor."""
        key = self.current_key
        return None if key is None else self.groups.get(int(key))

    def on_resize(self, event: events.Resize) -> None:
        """Fit the names to the new width (in place: the cursor stays where it is)."""
        if self.groups and self._fitting_name_width() != self._name_width:
            self.show(tuple(self.groups.values()), None)

    def group_of(self, event: DataTable.RowHighlighted) -> WipGroup | None:
        """The group of a highlighted row."""
        value = event.row_key.value
        return self.groups.get(int(value)) if value is not None else None

    def clients(self) -> tuple[tuple[str, int], ...]:
        """(name, id) of every client with work in WIP, by name."""
        return tuple(sorted({(g.client_name, g.client_id) for g in self.groups.values()}))


class WipHeading(Static):
    """The line between the two tables: the group, its filter, totals and selection."""

    DEFAULT_CSS = """
    WipHeading {
        height: auto;
        max-height: 2;
        padding: 0 1;
        background: $boost;
    }
    """

    def __init__(self, text: str, *, id: str | None = None) -> None:
        """A heading showing ``text`` (never markup)."""
        super().__init__(text, id=id, markup=False)


class WipEntriesTable(PagedTable):
    """The entries of one group, page by page, with the ones the user selected ticked."""

    def __init__(self, *, id: str | None = None) -> None:
        """An empty list of entries."""
        super().__init__(ENTRY_COLUMNS, id=id)
        self.entries: dict[int, TimeEntryView] = {}
        self.selected: set[int] = set()
        self.page: EntryPage | None = None

    def start_over(self) -> None:
        """Forget the rows (not the selection) before loading the first page again."""
        super().start_over()
        self.entries.clear()
        self.page = None

    def add_entries(self, page: EntryPage) -> None:
        """Append one page of entries."""
        self.page = page
        rows = []
        for entry in page.items:
            self.entries[entry.id] = entry
            rows.append((entry.id, entry_cells(entry, entry.id in self.selected)))
        self.add_page(rows, page.next_after)

    def refresh_entries(self, page: EntryPage) -> None:
        """Show the entries read again from the top, in place (the selection stays)."""
        self.page = page
        self.entries = {entry.id: entry for entry in page.items}
        rows = [(e.id, entry_cells(e, e.id in self.selected)) for e in page.items]
        self.refresh_page(rows, page.next_after)

    def toggle_current(self) -> None:
        """Select or unselect the highlighted entry and move to the next one."""
        ident = self.current_id
        if ident is None or ident not in self.entries:
            return
        self.selected ^= {ident}
        self._redraw({ident})
        self.action_cursor_down()

    def toggle_all(self) -> None:
        """Select every entry shown, or none when all of them already are."""
        shown = set(self.entries)
        self.selected = set() if shown <= self.selected else shown
        self._redraw(shown)

    def unselect_all(self) -> None:
        """Clear the selection."""
        chosen, self.selected = self.selected, set()
        self._redraw(chosen & set(self.entries))

    def _redraw(self, ids: set[int]) -> None:
        for ident in ids:
            self.update_record(ident, entry_cells(self.entries[ident], ident in self.selected))

    def chosen(self) -> list[int]:
        """The selected entries, else the highlighted one (empty when there is none)."""
        if self.selected:
            return sorted(self.selected)
        ident = self.current_id
        return [] if ident is None else [ident]

    def heading(self, group: WipGroup | None, filter_index: int) -> str:
        """What the list shows: the group, the filter, its totals and the selection."""
        if group is None:
            return "No approved work is waiting in WIP."
        text = f"{group.client_name} / {group.project_name}"
        if filter_index:
            text += f" ({FILTERS[filter_index][1]})"
        if self.page is not None:
            totals = self.page.totals
            text += (
                f": {entries_text(totals.entries)}, {hours(totals.minutes)} h, "
                f"{totals.value.format()} {totals.value.currency}"
            )
        return f"{text} · {len(self.selected)} selected" if self.selected else text
