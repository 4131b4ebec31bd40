"""The client portal: the client's own balance, invoices, work being billed and projects.

Everything comes from ``DashboardService.client``, which reads only the signed-in client
user's own company; nothing here could show another client's figures.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Label, Static

from ..services.invoicing.views import ClientInvoiceRow
from ..services.reporting.views import ClientDashboard, ClientProjectRow
from .bar_chart import meter
from .dashboard_common import DashboardPanel, FigureTable, amount, currency_note, plural, words
from .formatting import day, hours

PORTAL_HINT = "Ctrl+G l: your invoices (mark one paid) · Ctrl+G n: notices"


def _invoice_cells(row: ClientInvoiceRow) -> tuple[str, ...]:
    return (
        row.number,
        day(row.due_date),
        amount(row.due),
        words(row.display_status),
    )


PROJECT_NAME_WIDTH = 20
"""How much of a project's name the portal shows, so its figures fit beside the menu at 80
columns."""


def _project_cells(row: ClientProjectRow) -> tuple[str, ...]:
    """Name, hours and invoiced first (the figures the client checks), then progress, status."""
    name = row.name
    if len(name) > PROJECT_NAME_WIDTH:
        name = name[: PROJECT_NAME_WIDTH - 1] + "…"
    return (
        name,
        hours(row.minutes),
        amount(row.invoiced),
        f"{meter(row.progress_pct)} {row.progress_pct:>3}%",
        words(row.status),
    )


class ClientPanel(DashboardPanel[ClientDashboard]):
    """Outstanding and overdue, open invoices, paid invoices, pending work, active projects."""

    def compose(self) -> ComposeResult:
        """The figures, top to bottom."""
        yield Label("", id="company", classes="dashboard-head")
        yield FigureTable(("", ""), numeric=(1,), id="balance", show_header=False)
        yield Label("Open invoices", classes="dashboard-head")
        yield Static("", id="open-note", classes="dashboard-hint", markup=False)
        yield FigureTable(
            ("Number", "Due date", "Due", "Status"),
            numeric=(2,),
            id="open-invoices",
        )
        yield Static("", id="pending", classes="dashboard-line", markup=False)
        yield Label("Active projects", classes="dashboard-head")
        yield FigureTable(
            ("Project", "Hours", "Invoiced", "Progress", "Status"),
            numeric=(1, 2),
            id="projects",
        )
        yield Static(PORTAL_HINT, classes="dashboard-hint", markup=False)

    def fill(self, board: ClientDashboard) -> None:
        """Show the client's figures."""
        self.query_one("#company", Label).update(
            f"{board.company_name}{currency_note([board.outstanding])}"
        )
        self.query_one("#balance", FigureTable).fill(
            [
                ("Outstanding", amount(board.outstanding)),
                ("Overdue", amount(board.overdue)),
                ("Paid so far", amount(board.paid_total)),
                ("Invoices paid in full", str(len(board.paid_invoices))),
            ]
        )
        self.query_one("#open-note", Static).display = not board.open_invoices
        self.query_one("#open-note", Static).update("Nothing to pay: every invoice is paid.")
        invoices = self.query_one("#open-invoices", FigureTable)
        invoices.display = bool(board.open_invoices)
        invoices.fill(map(_invoice_cells, board.open_invoices))
        self.query_one("#pending", Static).update(
            f"Approved work being billed: {plural(board.pending_entries, 'ticket')}, "
            f"{hours(board.pending_minutes)} h, {board.pending_value}"
        )
        self.query_one("#projects", FigureTable).fill(map(_project_cells, board.projects))
