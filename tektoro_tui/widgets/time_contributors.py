"""Approvals' upper list: each contributor's accepted entries, hours and value, and all of them."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from ..services.pipeline.views import ContributorSummary, Totals
from .formatting import hours
from .keyed_table import KeyedTable

EVERYONE = "all"
"""The row key of "All contributors"; every other row is keyed by the user id."""


def _figure(text: str) -> Text:
    return Text(text, justify="right")


def summary_cells(name: str, totals: Totals) -> tuple[object, ...]:
    """A contributor's row: name, entries, hours and value."""
    return (
        name,
        _figure(f"{totals.entries:,}"),
        _figure(hours(totals.minutes)),
        _figure(str(totals.value)),
    )


class ContributorTable(KeyedTable):
    """ "All contributors" first, then one row per contributor by name (totals from the service)."""

    DEFAULT_CSS = """
    ContributorTable {
        height: auto;
        max-height: 8;
    }
    """

    def __init__(self, *, id: str) -> None:
        """An empty list."""
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.names: dict[str, str] = {}

    def on_mount(self) -> None:
        """Add the columns."""
        for label, key in (("Contributor", "name"), ("Entries", "entries")):
            self.add_column(label, key=key)
        self.add_column("Hours", key="hours")
        self.add_column("Value", key="value")

    def show(self, rows: Sequence[ContributorSummary], everyone: Totals, keep: str) -> str:
        """Show ``rows`` under the total of ``everyone``, in place; the cursor goes to ``keep``
        if it is listed, else stays on its row (or the nearest one left). Returns its key."""
        self.names = {EVERYONE: "all contributors"}
        shown = [(EVERYONE, summary_cells("All contributors", everyone))]
        for row in rows:
            self.names[str(row.user_id)] = row.name
            shown.append((str(row.user_id), summary_cells(row.name, row.totals)))
        self.show_rows(shown)
        if keep in self.names and keep != self.current_key:
            self.move_cursor(row=self.get_row_index(keep))
        return self.current_key or EVERYONE
