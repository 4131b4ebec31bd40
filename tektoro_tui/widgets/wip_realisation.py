"""Realisation: billed against written-down value of processed work, by client and by staff."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from ..services.pipeline.views import RealisationRow
from .keyed_table import KeyedTable
from .wip_cells import REALISATION_COLUMNS, realisation_cells


class RealisationPane(Vertical):
    """Two tables, per client and per staff member; filled by the screen."""

    DEFAULT_CSS = """
    RealisationPane {
        height: 1fr;
        padding: 0 1;
    }
    RealisationPane > .realisation-title {
        text-style: bold;
        color: $text-accent;
    }
    RealisationPane > DataTable {
        height: 1fr;
    }
    RealisationPane > #realisation-empty {
        color: $text-muted;
        height: auto;
    }
    """

    def compose(self) -> ComposeResult:
        """The two tables under their headings."""
        yield Static("", id="realisation-empty", markup=False)
        yield Label("By client", classes="realisation-title")
        yield KeyedTable(id="realisation-clients", cursor_type="row", zebra_stripes=True)
        yield Label("By staff member", classes="realisation-title")
        yield KeyedTable(id="realisation-staff", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """Add the columns."""
        for table in self.query(DataTable):
            table.add_columns(*REALISATION_COLUMNS)

    def show(
        self, by_client: tuple[RealisationRow, ...], by_staff: tuple[RealisationRow, ...]
    ) -> None:
        """Show the realisation rows of processed work, in place (the cursors stay)."""
        note = "" if by_client else "Nothing processed yet: realisation shows processed work."
        empty = self.query_one("#realisation-empty", Static)
        empty.update(note)
        empty.display = bool(note)
        for table_id, rows in (
            ("#realisation-clients", by_client),
            ("#realisation-staff", by_staff),
        ):
            table = self.query_one(table_id, KeyedTable)
            table.show_rows((str(row.key_id), realisation_cells(row)) for row in rows)

    def focus_first(self) -> None:
        """Put the focus on the per-client table."""
        self.query_one("#realisation-clients", DataTable).focus()
