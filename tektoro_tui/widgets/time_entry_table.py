"""A keyset-paged list of time entries with a selection, for the Time Report and Approvals.

Rows are keyed by entry id and keep the frozen :class:`TimeEntryView` they show. Space marks
rows (a ✓ in the first column); a batch action takes the marked rows, or the highlighted one
when nothing is marked. Totals always come from the service (``EntryPage.totals``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.widgets import Static

from ..services.pipeline.views import EntryPage, TimeEntryView, Totals
from .formatting import day, hours
from .paged_table import PagedTable

MARK = "✓"


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis, so one column cannot crowd out
    the others at 80 columns."""
    return text if len(text) <= width else text[: width - 1] + "…"


def right(text: str) -> Text:
    """A right-aligned cell (figures)."""
    return Text(text, justify="right")


Cell = Callable[[TimeEntryView], object]
CELLS: dict[str, tuple[str, Cell]] = {
    "date": ("Date", lambda v: day(v.work_date)),
    "person": ("Person", lambda v: clip(v.owner_name, 12)),
    "project": ("Project", lambda v: clip(v.project_name, 14)),
    "task": ("Task", lambda v: clip(v.task_name, 12)),
    "activity": ("Activity", lambda v: clip(v.activity_name, 14)),
    "hours": ("Hours", lambda v: right(hours(v.minutes))),
    "value": ("Value", lambda v: right(v.value.format())),
    "status": ("Status", lambda v: v.status),
    "reason": ("Reason", lambda v: clip(v.rejection_reason, 40)),
    "description": ("Description", lambda v: clip(v.description, 30)),
}


def totals_text(totals: Totals, selected: int = 0) -> str:
    """ "12 entries · 34:30 h · 2,760.00 EUR" (and how many are marked)."""
    noun = "entry" if totals.entries == 1 else "entries"
    text = f"{totals.entries:,} {noun} · {hours(totals.minutes)} h · {totals.value}"
    return f"{text} · {selected} marked" if selected else text


def entry_detail(view: TimeEntryView | None) -> str:
    """Everything about the highlighted entry that the columns leave out, on one line."""
    if view is None:
        return ""
    parts = [
        f"#{view.id} {view.owner_name}",
        f"{view.client_name} › {view.project_name} › {view.task_name}",
        f"{view.activity_name} · {view.rate_code_name} {view.rate.format()}/h",
        "billable" if view.billable else "not billable",
    ]
    if view.description:
        parts.append(view.description)
    if view.entered_by_id and view.entered_by_id != view.owner_id:
        parts.append(f"entered by {view.entered_by_name}")
    text = " · ".join(parts)
    if view.status == "rejected" and view.rejection_reason:
        text = f"Rejected: {view.rejection_reason} — {text}"
    return text


class EntryTable(PagedTable):
    """Time entries page by page, each row keyed by its id; space marks rows."""

    def __init__(self, columns: Sequence[str], *, selectable: bool = True, id: str) -> None:
        """A table with the named ``columns`` (keys of :data:`CELLS`), marks first."""
        self._columns = tuple(columns)
        self._selectable = selectable
        labels = [CELLS[name][0] for name in self._columns]
        super().__init__((" ", *labels) if selectable else labels, id=id)
        self.views: dict[int, TimeEntryView] = {}
        self.marked: set[int] = set()

    def cells(self, view: TimeEntryView) -> tuple[object, ...]:
        """How ``view`` reads in this table."""
        shown = tuple(CELLS[name][1](view) for name in self._columns)
        if not self._selectable:
            return shown
        return (MARK if view.id in self.marked else "", *shown)

    def show_page(self, page: EntryPage, *, first: bool) -> None:
        """Show ``page``: the first one replaces every row, later ones are appended."""
        if first:
            self.start_over()
            self.views.clear()
            self.marked.clear()
        for view in page.items:
            self.views[view.id] = view
        self.add_page(((v.id, self.cells(v)) for v in page.items), page.next_after)

    def show_entry(self, view: TimeEntryView) -> None:
        """Show the new state of one entry in its row."""
        self.views[view.id] = view
        self.update_record(view.id, self.cells(view))

    def refresh_entries(
        self, page: EntryPage, keep_mark: Callable[[TimeEntryView], bool] = lambda _view: True
    ) -> None:
        """Show the entries read again from the top, in place: the cursor stays on its entry,
        and the marks stay on the entries still listed that ``keep_mark`` accepts."""
        self.views = {view.id: view for view in page.items}
        self.marked = {i for i in self.marked if i in self.views and keep_mark(self.views[i])}
        self.refresh_page(((v.id, self.cells(v)) for v in page.items), page.next_after)

    @property
    def current_view(self) -> TimeEntryView | None:
        """The entry under the cursor."""
        ident = self.current_id
        return self.views.get(ident) if ident is not None else None

    def toggle_mark(self) -> None:
        """Mark or unmark the highlighted row and move down to the next."""
        ident = self.current_id
        if ident is None or not self._selectable:
            return
        if ident in self.marked:
            self.marked.discard(ident)
        else:
            self.marked.add(ident)
        mark_column = self.ordered_columns[0].key
        self.update_cell(str(ident), mark_column, MARK if ident in self.marked else "")
        if self.cursor_row < self.row_count - 1:
            self.move_cursor(row=self.cursor_row + 1)

    def chosen_ids(self) -> tuple[int, ...]:
        """The marked entries in list order, or the highlighted one when none is marked."""
        if self.marked:
            return tuple(i for i in self.views if i in self.marked)
        ident = self.current_id
        return () if ident is None else (ident,)


class EntryDetail(Static):
    """One line about the highlighted entry; a rejected entry leads with its reason."""

    DEFAULT_CSS = """
    EntryDetail {
        height: 1;
        margin: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    EntryDetail.-rejected {
        color: $text-warning;
    }
    """

    def __init__(self, *, id: str) -> None:
        """An empty line."""
        super().__init__("", id=id, markup=False)

    def show(self, view: TimeEntryView | None) -> None:
        """Describe ``view`` (nothing for None)."""
        self.update(entry_detail(view))
        self.set_class(view is not None and view.status == "rejected", "-rejected")


class EntryTotals(Static):
    """The totals line under a list of entries."""

    DEFAULT_CSS = """
    EntryTotals {
        margin: 0 1;
        text-style: bold;
    }
    """

    def __init__(self, *, id: str) -> None:
        """An empty line."""
        super().__init__("", id=id, markup=False)

    def show(self, lead: str, totals: Totals | None, marked: int = 0) -> None:
        """``lead`` and the totals: "Shown: 12 entries · 34:30 h · 2,760.00 EUR · 2 marked"."""
        if totals is not None:
            self.update(f"{lead}: {totals_text(totals, marked)}")
