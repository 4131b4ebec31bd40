"""The Documenter's lists: invoice records (with the invoice made from each) and drafts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from ..services.invoicing.views import InvoiceView
from ..services.pipeline.views import DocumentSummary
from .invoice_forms import DRAFT_COLUMNS, RECORD_COLUMNS, draft_cells, record_cells
from .keyed_table import KeyedTable


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
        yield KeyedTable(id="records", cursor_type="row", zebra_stripes=True)
        yield Label("Drafts", classes="invoice-list-title")
        yield KeyedTable(id="drafts", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """Add the columns."""
        self.query_one("#records", DataTable).add_columns(*RECORD_COLUMNS)
        self.query_one("#drafts", DataTable).add_columns(*DRAFT_COLUMNS)

    def show_records(self, records: tuple[DocumentSummary, ...]) -> None:
        """Show the invoice records, newest first (in place: the cursor stays on its record)."""
        table = self.query_one("#records", KeyedTable)
        table.show_rows((str(r.id), record_cells(r)) for r in records)

    def show_drafts(self, drafts: tuple[InvoiceView, ...]) -> None:
        """Show the draft invoices, newest first (in place: the cursor stays on its draft)."""
        table = self.query_one("#drafts", KeyedTable)
        table.show_rows((str(d.id), draft_cells(d)) for d in drafts)

    def focus_records(self) -> None:
        """Put the focus on the records."""
        self.query_one("#records", DataTable).focus()
