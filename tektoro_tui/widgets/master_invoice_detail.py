"""The Master invoices screen's pieces: how a master invoice reads in the list, and its detail.

Everything shown comes from the contractor-invoice service's read models; nothing here adds up
an amount. Account numbers arrive masked for everyone but administrators and are shown exactly
as they arrive.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Sequence
from datetime import date

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..services.contractor_invoices.views import MasterInvoiceLineView, MasterInvoiceView
from ..services.invoicing.views import PaymentView
from .formatting import day, hours, moment
from .printer_detail import METHOD_LABELS, amount_cell, clipped

MASTER_COLUMNS = ("Number", "Contractor", "Status", "Total", "Paid", "Due", "Period")
"""The list's columns (amounts before the period, so they fit at 80 columns)."""

STATUS_STYLES = {"draft": "yellow", "partially_paid": "cyan", "paid": "green"}


def period_text(start: date, end: date) -> str:
    """An inclusive period, short: '2026-02' for a whole month, else '2026-02-01–02-15'."""
    if start.day == 1 and end == start.replace(day=monthrange(start.year, start.month)[1]):
        return start.strftime("%Y-%m")
    if start.year == end.year:
        return f"{start.isoformat()}–{end.strftime('%m-%d')}"
    return f"{start.isoformat()}–{end.isoformat()}"


def status_cell(invoice: MasterInvoiceView) -> Text:
    """The status as people say it, coloured by how far along it is."""
    return Text(invoice.status_label, style=STATUS_STYLES.get(invoice.status, ""))


def master_cells(invoice: MasterInvoiceView) -> tuple[object, ...]:
    """One row of the master-invoice list."""
    return (
        invoice.number,
        clipped(invoice.contractor_name, 18),
        status_cell(invoice),
        amount_cell(invoice.total.format()),
        amount_cell(invoice.paid.format()),
        amount_cell(invoice.due.format()),
        period_text(invoice.period_start, invoice.period_end),
    )


DETAIL_TICKETS = 200
"""Tickets drawn in the detail and the preview: drawing thousands took seconds a cursor move;
the totals are always of them all."""


def lines_table(
    lines: Sequence[MasterInvoiceLineView], total: int | None = None, number: str = ""
) -> Table:
    """The tickets of a master invoice (or its preview) at the contractor's pay rate: at most
    :data:`DETAIL_TICKETS`, then how many more there are (``total`` counts them all when
    ``lines`` holds only the first) and where to see them."""
    table = Table(box=None, pad_edge=False, expand=True, show_edge=False, header_style="bold")
    table.add_column("Date", no_wrap=True)
    table.add_column("Work", ratio=1)
    table.add_column("Hours", justify="right", no_wrap=True)
    table.add_column("Rate", justify="right", no_wrap=True)
    table.add_column("Amount", justify="right", no_wrap=True)
    for line in lines[:DETAIL_TICKETS]:
        work = Text(f"{line.project_name} / {line.task_name}")
        if line.description:
            work.append(f"\n{line.description}", style="dim")
        table.add_row(
            day(line.work_date),
            work,
            hours(line.minutes),
            line.pay_rate.format(),
            line.amount.format(),
        )
    hidden = (len(lines) if total is None else total) - min(len(lines), DETAIL_TICKETS)
    if hidden > 0:
        where = (
            f": `tektoro contractor-invoice show {number}` lists them all"
            if number
            else ", counted in the total"
        )
        table.add_row(
            "",
            Text(f"… and {hidden:,} more tickets{where}", style="dim"),
            "",
            "",
            "",
        )
    return table


def payments_text(payments: Sequence[PaymentView]) -> Text:
    """The payments recorded on a master invoice, two lines each so they fit at 80 columns.

    Account numbers are shown exactly as the service gave them (masked but for administrators).
    """
    if not payments:
        return Text("Payments: none recorded", style="dim")
    text = Text("Payments", style="bold")
    for payment in payments:
        method = METHOD_LABELS.get(payment.method, payment.method)
        text.append(f"\n{day(payment.paid_on)}  ")
        text.append(payment.amount.format(), style="bold")
        text.append(f"  {method}")
        if payment.reference:
            text.append(f"  ref {payment.reference}")
        text.append(f"  by {payment.recorded_by_name}", style="dim")
        to = ", ".join(part for part in (payment.account_holder, payment.account_number) if part)
        text.append(f"\n            to {to or '(no bank details)'}", style="dim")
    return text


def _heading(invoice: MasterInvoiceView) -> Text:
    text = Text()
    text.append(invoice.number, style="bold")
    text.append(f"  {invoice.contractor_name}  ·  ")
    text.append_text(status_cell(invoice))
    text.append(
        f"\nPeriod {invoice.period_start} to {invoice.period_end}; issued {invoice.issue_date}"
        f" by {invoice.created_by_name}",
        style="dim",
    )
    if invoice.approved_at is not None:
        text.append(
            f"\nApproved {moment(invoice.approved_at)} by {invoice.approved_by_name}", style="dim"
        )
    if invoice.paid_at is not None:
        text.append(f"\nPaid in full {moment(invoice.paid_at)}", style="dim")
    return text


def _totals(invoice: MasterInvoiceView) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, show_header=False, expand=True)
    table.add_column("What", ratio=1)
    table.add_column("Hours", justify="right")
    table.add_column("Amount", justify="right")
    table.add_row(
        Text("Total", style="bold"),
        hours(invoice.total_minutes),
        Text(invoice.total.format(), style="bold"),
    )
    table.add_row("Paid", "", invoice.paid.format())
    table.add_row(Text("Still due", style="bold"), "", Text(invoice.due.format(), style="bold"))
    return table


class MasterDetail(VerticalScroll):
    """The highlighted master invoice: its tickets, totals and payments."""

    DEFAULT_CSS = """
    MasterDetail {
        height: 1fr;
        padding: 0 1;
        border-top: solid $primary-muted;
    }
    MasterDetail > #mi-detail-body {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        """An empty detail pane."""
        super().__init__(id=id, can_focus=True)
        self.invoice: MasterInvoiceView | None = None

    def compose(self) -> ComposeResult:
        """The one text block the detail is drawn in."""
        yield Static("", id="mi-detail-body")

    def show_text(self, text: str) -> None:
        """Show a message instead of an invoice (nothing listed, or loading)."""
        self.invoice = None
        self.query_one("#mi-detail-body", Static).update(Text(text, style="dim"))

    def show_invoice(self, invoice: MasterInvoiceView) -> None:
        """Show ``invoice`` as read by the service's ``get`` (with lines and payments)."""
        self.invoice = invoice
        parts: list[RenderableType] = [_heading(invoice), _totals(invoice)]
        parts += [
            payments_text(invoice.payments),
            lines_table(invoice.lines, invoice.entries, invoice.number),
        ]
        self.query_one("#mi-detail-body", Static).update(Group(*parts))
