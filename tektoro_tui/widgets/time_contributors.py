"""Approvals' upper list: each contributor's accepted entries, hours and value, and all of them."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from ..services.pipeline.views import ContributorSummary, Totals
from .formatting import hours
from .stable_table import StableTable

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


class ContributorTable(StableTable):
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
        """Show ``rows`` under the total of ``everyone``; the cursor stays on ``keep`` if it is
        still listed (else goes to "All contributors"), whose key is returned."""
        self.clear()
        self.names = {EVERYONE: "all contributors"}
        self.add_row(*summary_cells("All contributors", everyone), key=EVERYONE)
        for row in rows:
            self.names[str(row.user_id)] = row.name
            self.add_row(*summary_cells(row.name, row.totals), key=str(row.user_id))
        kept = keep if keep in self.names else EVERYONE
        self.move_cursor(row=self.get_row_index(kept))
        return kept
