"""The contractor's dashboard: own pay still owed, own hours, own tickets, unread messages."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Label, Static

from ..services.reporting.views import ContractorDashboard
from .dashboard_common import DashboardPanel, FigureTable, plural, signed_hours, words
from .formatting import hours

QUICK_ACTIONS = "Quick actions: c new time card · m my invoices · n notifications"


class ContractorPanel(DashboardPanel[ContractorDashboard]):
    """Outstanding pay, hours this period against the previous one, tickets by status."""

    def compose(self) -> ComposeResult:
        """The figures, top to bottom."""
        yield Static("", id="pay", classes="dashboard-line", markup=False)
        yield Label("Hours", id="hours-title", classes="dashboard-head")
        yield FigureTable(("", "Period", "Hours"), numeric=(2,), id="hours")
        yield Label("Your tickets", classes="dashboard-head")
        yield FigureTable(("Status", "Tickets", "Hours"), numeric=(1, 2), id="tickets")
        yield Static("", id="notices", classes="dashboard-line", markup=False)
        yield Static(QUICK_ACTIONS, classes="dashboard-hint", markup=False)

    def fill(self, board: ContractorDashboard) -> None:
        """Show the contractor's figures."""
        self.query_one("#pay", Static).update(
            f"Outstanding pay: {board.outstanding_pay} "
            f"({plural(board.unpaid_invoices, 'unpaid master invoice')})"
        )
        period, other = board.period, "month" if board.period == "week" else "week"
        self.query_one("#hours-title", Label).update(f"Hours by {period} (y: by {other})")
        change = signed_hours(board.change_minutes)
        if board.change_pct:
            change += f" ({board.change_pct})"
        self.query_one("#hours", FigureTable).fill(
            [
                (f"This {period}", board.current.label, hours(board.current.minutes)),
                (f"Previous {period}", board.previous.label, hours(board.previous.minutes)),
                ("Change", "", change),
            ]
        )
        self.query_one("#tickets", FigureTable).fill(
            (words(row.status), str(row.count), hours(row.minutes)) for row in board.tickets
        )
        unread = board.unread_notifications
        self.query_one("#notices", Static).update(
            f"Unread notifications: {unread}" + (" (n to read them)" if unread else "")
        )
        self.query_one("#notices", Static).set_class(bool(unread), "dashboard-alert")
