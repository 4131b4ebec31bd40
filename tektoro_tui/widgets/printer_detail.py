"""The Invoice Printer's pieces: how an invoice reads in the list, and its detail pane.

Everything shown comes from the service's read models (:class:`InvoiceView`,
:class:`PaymentView`); nothing here adds up an amount. Account numbers arrive masked for
everyone but administrators and are shown exactly as they arrive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..domain.money import percent_text
from ..services.invoicing.views import InvoiceView, PaymentView
from .formatting import day, hours

INVOICE_COLUMNS = (
    "Number",
    "Client",
    "Due date",
    "Due",
    "Status",
    "Gross",
    "Paid",
    "Issued",
    "Notice",
)
"""The Invoice Printer's list columns: what is owed and by when first, so they fit at 80
columns; gross, paid and the issue date follow (scroll right, and the detail shows them)."""

NAME_WIDTH = 18
"""How much of a client's name a list shows (the detail shows all of it)."""
DETAIL_LINES = 200
"""Lines drawn in the detail pane; the rest of a very long invoice is counted, not drawn
(thousands of rows would block the screen for seconds). The PDF has them all."""

METHOD_LABELS = {
    "wire": "Wire transfer",
    "ach": "ACH",
    "check": "Check",
    "cash": "Cash",
    "card": "Card",
    "other": "Other",
}


def clipped(text: str, width: int = NAME_WIDTH) -> str:
    """``text`` cut to ``width`` characters with an ellipsis, so a list fits at 80 columns."""
    return text if len(text) <= width else text[: width - 1] + "…"


def status_label(invoice: InvoiceView) -> str:
    """The invoice's state in words: 'partially paid', 'credit note', ..."""
    if invoice.kind == "credit_note":
        return "credit note"
    return invoice.status.replace("_", " ")


def notice_label(days: int | None) -> str:
    """The overdue notice printed on the invoice: '60 days', or nothing."""
    return "" if days is None else f"{days} days"


def amount_cell(text: str) -> Text:
    """A right-aligned amount for a table cell."""
    return Text(text, justify="right")


def invoice_cells(invoice: InvoiceView) -> tuple[object, ...]:
    """One row of the Invoice Printer's list."""
    return (
        invoice.number or "",
        clipped(invoice.client_name),
        day(invoice.due_date),
        amount_cell(invoice.due.format()),
        status_label(invoice),
        amount_cell(invoice.gross.format()),
        amount_cell(invoice.paid.format()),
        day(invoice.issue_date),
        notice_label(invoice.overdue_notice_days),
    )


class InvoiceDetail(VerticalScroll):
    """The highlighted invoice: lines, VAT per rate, totals and the payments recorded.

    The list holds invoices without their lines (there can be thousands), so the pane first
    shows the list's summary (:meth:`show_summary`) and then the whole invoice and its
    payments once the screen has read them (:meth:`show_invoice`).
    """

    DEFAULT_CSS = """
    InvoiceDetail {
        height: 1fr;
        padding: 0 1;
        border-top: solid $primary-muted;
    }
    InvoiceDetail > #detail-body {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        """An empty detail pane."""
        super().__init__(id=id, can_focus=True)
        self._invoice: InvoiceView | None = None
        self._payments: Sequence[PaymentView] | None = None
        self._whole = False

    def compose(self) -> ComposeResult:
        """The one text block the detail is drawn in."""
        yield Static("", id="detail-body")

    @property
    def invoice(self) -> InvoiceView | None:
        """The invoice shown."""
        return self._invoice

    def show_invoice(
        self,
        invoice: InvoiceView | None,
        empty_text: str = "",
        payments: Sequence[PaymentView] | None = None,
    ) -> None:
        """Show the whole ``invoice`` with its lines and ``payments`` (None: ``empty_text``)."""
        self._invoice = invoice
        self._payments = None if payments is None else tuple(payments)
        self._whole = True
        self._draw(empty_text)

    def show_summary(self, summary: InvoiceView) -> None:
        """Show a listed invoice's heading and totals while its lines and payments load."""
        self._invoice = summary
        self._payments = None
        self._whole = False
        self._draw("")

    def shows(self, summary: InvoiceView) -> bool:
        """Whether the pane shows ``summary``'s invoice as it stands (whole or loading).

        An issued invoice's lines never change, so the same number, totals, status and dates
        mean there is nothing to read again.
        """
        if self._invoice is None:
            return False
        return _without_lines(self._invoice) == _without_lines(summary)

    def _draw(self, empty_text: str) -> None:
        body = self.query_one("#detail-body", Static)
        if self._invoice is None:
            body.update(Text(empty_text))
            return
        body.update(Group(*_detail_parts(self._invoice, self._payments, whole=self._whole)))


def _without_lines(invoice: InvoiceView) -> InvoiceView:
    """``invoice`` as a list holds it: no lines, no VAT breakdown, no line count."""
    return replace(invoice, lines=(), vat_breakdown=(), line_count=None)


def _detail_parts(
    invoice: InvoiceView, payments: Sequence[PaymentView] | None, *, whole: bool
) -> list[RenderableType]:
    """The heading, lines, VAT breakdown, totals and payments of one invoice (the lines
    show as loading unless the invoice is ``whole``)."""
    lines = lines_table(invoice) if whole else Text("Lines: loading…", style="dim")
    parts: list[RenderableType] = [_heading(invoice), lines]
    parts.append(_vat_and_totals(invoice))
    if invoice.overdue_notice_days is not None:
        parts.append(
            Text(f"Overdue notice: {invoice.overdue_notice_days} days", style="bold yellow")
        )
    parts.append(_payments(invoice, payments))
    return parts


def _heading(invoice: InvoiceView) -> Text:
    text = Text()
    text.append(invoice.number or "(draft)", style="bold")
    text.append(f"  {invoice.client_name}  ·  {status_label(invoice)}")
    due = f", due {day(invoice.due_date)}" if invoice.due_date else ""
    text.append(
        f"\nIssued {day(invoice.issue_date)}{due}; amounts in {invoice.currency}", style="dim"
    )
    return text


def lines_table(invoice: InvoiceView) -> Table:
    """The invoice's lines as a table, at most DETAIL_LINES of them and a count of the rest."""
    table = Table(box=None, pad_edge=False, expand=True, show_edge=False, header_style="bold")
    table.add_column("#", justify="right", width=3)
    table.add_column("Line", ratio=1)
    table.add_column("Qty", justify="right")
    table.add_column("Net", justify="right")
    table.add_column("VAT", justify="right")
    table.add_column("Gross", justify="right")
    for line in invoice.lines[:DETAIL_LINES]:
        label = Text(line.description)
        if line.detail:
            label.append(f"\n{line.detail}", style="dim")
        quantity = hours(line.minutes) if line.minutes is not None else ""
        table.add_row(
            str(line.position),
            label,
            quantity,
            line.net.format(),
            f"{percent_text(line.vat_bp)}%",
            line.gross.format(),
        )
    hidden = invoice.total_lines - DETAIL_LINES
    if hidden > 0:
        table.add_row(
            "",
            Text(f"… and {hidden:,} more lines: print the invoice to see them all", style="dim"),
            "",
            "",
            "",
            "",
        )
    return table


def _vat_and_totals(invoice: InvoiceView) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold", expand=True)
    table.add_column("VAT rate", ratio=1)
    table.add_column("Net", justify="right")
    table.add_column("VAT", justify="right")
    table.add_column("Gross", justify="right")
    for row in invoice.vat_breakdown:
        table.add_row(
            f"{percent_text(row.rate_bp)}%", row.net.format(), row.vat.format(), row.gross.format()
        )
    table.add_row(
        Text("Total", style="bold"),
        invoice.net.format(),
        invoice.vat.format(),
        Text(invoice.gross.format(), style="bold"),
    )
    table.add_row("Paid", "", "", invoice.paid.format())
    table.add_row(Text("Still due", style="bold"), "", "", Text(invoice.due.format(), style="bold"))
    return table


def _payments(invoice: InvoiceView, payments: Sequence[PaymentView] | None) -> RenderableType:
    if payments is None:
        return Text("Payments: loading…", style="dim")
    if not payments:
        return Text("Payments: none recorded", style="dim")
    table = Table(title="Payments", title_justify="left", box=None, pad_edge=False, show_edge=False)
    table.add_column("Date", no_wrap=True)
    table.add_column("Method")
    table.add_column("Amount", justify="right", no_wrap=True)
    for heading in ("Reference", "Holder", "Account", "By"):
        table.add_column(heading, overflow="fold")
    for payment in payments:
        table.add_row(
            day(payment.paid_on),
            METHOD_LABELS.get(payment.method, payment.method),
            payment.amount.format(),
            payment.reference,
            payment.account_holder,
            payment.account_number,
            payment.recorded_by_name,
        )
    return table
