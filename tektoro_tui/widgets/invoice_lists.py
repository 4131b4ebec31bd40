"""The Documenter's lists: invoice records (with the invoice made from each) and drafts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from ..services.invoicing.views import InvoiceView
from ..services.pipeline.views import DocumentSummary
from .invoice_forms import DRAFT_COLUMNS, RECORD_COLUMNS, draft_cells, record_cells
from .stable_table import StableTable


class InvoiceLists(Vertical):
    """Two tables, keyed by record id and by draft id; Enter on a row opens it."""

    DEFAULT_CSS = """
    InvoiceLists > .invoice-list-title {
        padding: 0 1;
        text-style: bold;
        color: $text-accent;
    }
    InvoiceLists > DataTable {
        height: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        """The records over the drafts."""
        title = "Invoice records — Enter opens the draft"
        yield Label(title, classes="invoice-list-title")
        yield StableTable(id="records", cursor_type="row", zebra_stripes=True)
        yield Label("Drafts", classes="invoice-list-title")
        yield StableTable(id="drafts", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """Add the columns."""
        self.query_one("#records", DataTable).add_columns(*RECORD_COLUMNS)
        self.query_one("#drafts", DataTable).add_columns(*DRAFT_COLUMNS)

    def show_records(self, records: tuple[DocumentSummary, ...]) -> None:
        """Show the invoice records, newest first."""
        self._fill("#records", [(str(r.id), record_cells(r)) for r in records])

    def show_drafts(self, drafts: tuple[InvoiceView, ...]) -> None:
        """Show the draft invoices, newest first."""
        self._fill("#drafts", [(str(d.id), draft_cells(d)) for d in drafts])

    def _fill(self, table_id: str, rows: list[tuple[str, tuple[object, ...]]]) -> None:
        table = self.query_one(table_id, DataTable)
        key = None
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        for ident, cells in rows:
            table.add_row(*cells, key=ident)
        if key is not None and key in table.rows:
            table.move_cursor(row=table.get_row_index(key), animate=False)

    def focus_records(self) -> None:
        """Put the focus on the records."""
        self.query_one("#records", DataTable).focus()
